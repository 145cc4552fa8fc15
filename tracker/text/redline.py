"""The redline: aligned paragraph pairs with word-level operations, one structure for
every rendering (JSON, text, HTML, Word).

Pure: two ordered lists of paragraphs in, a ``Redline`` out. When both sides come from
the log, paragraphs are paired by their stable ids; otherwise by text alignment. The
renderings live in ``tracker.text.render``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any

from diff_match_patch import diff_match_patch
from rapidfuzz.distance import Indel

from tracker.text.align import MOVED as ALIGN_MOVED
from tracker.text.align import Prepared, _heaviest_chain, align_prepared
from tracker.text.tokens import tokenize, words

EQUAL = "equal"
CHANGED = "changed"
INSERTED = "inserted"
DELETED = "deleted"
MOVED = "moved"

KEEP, DROP, ADD = "=", "-", "+"
# One instance for every diff: it holds settings only. The timeout is off so that nothing
# ever gives up silently, even if a future step calls diff_main.
_DMP = diff_match_patch()
_DMP.Diff_Timeout = 0


@dataclass(frozen=True)
class Entry:
    status: str
    from_id: str | None
    to_id: str | None
    from_num: str
    to_num: str
    ops: tuple[tuple[str, str], ...]

    @property
    def renumbered(self) -> bool:
        return self.status not in (INSERTED, DELETED) and self.from_num != self.to_num


@dataclass(frozen=True)
class Redline:
    entries: tuple[Entry, ...]
    stats: dict[str, int] = field(default_factory=dict)


def word_ops(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Word-level operations turning ``old`` into ``new``; never cuts inside a token."""
    if old == new:
        return ((KEEP, old),) if old else ()
    return _text_ops(old, new, {})[0]


def _text_ops(old: str, new: str, wordiness: dict[str, bool]) -> tuple[tuple[tuple[str, str], ...], int, int]:
    """``_token_ops`` on the part of the texts that differs.

    Most edits touch a few words of a long paragraph: the common head and tail, cut back
    to a place between a space and a non-space (a token boundary on both sides), are kept
    whole, and only the middle is tokenised and diffed.
    """
    start = _common_head(old, new)
    end = _common_tail(old, new, start)
    ops, dropped, added = _token_ops(old[start:len(old) - end], new[start:len(new) - end], wordiness)
    pieces = [(KEEP, old[:start]), *ops, (KEEP, old[len(old) - end:])]
    merged: list[tuple[str, str]] = []
    for kind, text in pieces:
        if merged and merged[-1][0] == kind:
            merged[-1] = (kind, merged[-1][1] + text)
        elif text:
            merged.append((kind, text))
    return tuple(merged), dropped, added


def _boundary(text: str, k: int) -> bool:
    """Whether ``k`` falls between a space and a non-space: always between two tokens."""
    return 0 < k < len(text) and text[k - 1].isspace() != text[k].isspace()


def _common_head(a: str, b: str) -> int:
    k = _DMP.diff_commonPrefix(a, b)  # a binary search on slices: C comparisons, not a loop
    while k > 0 and not (_boundary(a, k) and _boundary(b, k)):
        k -= 1
    return k


def _common_tail(a: str, b: str, head: int) -> int:
    k = min(_DMP.diff_commonSuffix(a, b), len(a) - head, len(b) - head)
    while k > 0 and not (_boundary(a, len(a) - k) and _boundary(b, len(b) - k)):
        k -= 1
    return k


def _token_ops(
    old_text: str, new_text: str, wordiness: dict[str, bool]
) -> tuple[tuple[tuple[str, str], ...], int, int]:
    """The ops between two texts, token by token, and the words they delete and insert.

    Each distinct token becomes one private character (as diff-match-patch does for lines),
    so a character diff (``_token_diffs``) is a token diff and can never cut a word. Each
    op's text is then a slice of its side's text, found by counting tokens along that side.
    ``wordiness`` remembers which tokens count as words, for every pair of one redline.
    """
    old, new = tokenize(old_text), tokenize(new_text)
    distinct = dict.fromkeys(old + new)
    if len(distinct) > len(_PRIVATE):
        # More distinct tokens than private characters (a pair of paragraphs of 130 000
        # different words): say "all replaced", which is true, rather than something wrong.
        return _replace_all(old_text, new_text, old, new)
    code = dict(zip(distinct, _PRIVATE))  # the joins and maps below run in C
    diffs = _token_diffs("".join(map(code.__getitem__, old)), "".join(map(code.__getitem__, new)))
    old_at = list(accumulate(map(len, old), initial=0))  # token k starts at old_at[k]
    new_at = list(accumulate(map(len, new), initial=0))
    ops: list[tuple[str, str]] = []
    counts = {DROP: 0, ADD: 0}
    i = j = 0  # tokens of each side consumed so far
    for op, chars in diffs:
        if not chars:
            continue
        n = len(chars)
        if op == 0:
            kind, text = KEEP, old_text[old_at[i]:old_at[i + n]]
            i += n
            j += n
        else:
            if op < 0:
                kind, text, tokens = DROP, old_text[old_at[i]:old_at[i + n]], old[i:i + n]
                i += n
            else:
                kind, text, tokens = ADD, new_text[new_at[j]:new_at[j + n]], new[j:j + n]
                j += n
            for token in set(tokens).difference(wordiness):
                wordiness[token] = _counts_as_word(token)
            counts[kind] += sum(map(wordiness.__getitem__, tokens))
        if ops and ops[-1][0] == kind:
            ops[-1] = (kind, ops[-1][1] + text)
        else:
            ops.append((kind, text))
    return tuple(ops), counts[DROP], counts[ADD]


def _counts_as_word(token: str) -> bool:
    """A token with a letter or digit in it ("women's", "1.5", "保"); not space or punctuation."""
    return token.isalnum() or (len(token) > 1 and not token.isspace() and any(map(str.isalnum, token)))


def _replace_all(old_text: str, new_text: str, old: list[str], new: list[str]) -> tuple[
    tuple[tuple[str, str], ...], int, int
]:
    ops = tuple((kind, text) for kind, text in ((DROP, old_text), (ADD, new_text)) if text)
    return ops, sum(map(_counts_as_word, old)), sum(map(_counts_as_word, new))


# Planes 15 and 16, private use, never in a real text's tokens, less each plane's last two
# code points (noncharacters). diff-match-patch's semantic scoring sees none of them as a
# letter, digit or space, so no token is treated as a better place to cut than another.
# A tuple of one-character strings, made once: handing out codes then creates no string.
_PRIVATE = tuple(chr(c) for base in (0xF0000, 0x100000) for c in range(base, base + 0xFFFE))


def _token_diffs(a: str, b: str) -> list[tuple[int, str]]:
    """diff-match-patch style diffs ``[(op, text)]`` between two token strings: an exact
    longest common subsequence, cleaned up as ``diff_cleanupSemantic`` does, with the same
    result.

    rapidfuzz's Indel computes the LCS in C (bit-parallel), so the diff never gives up and
    costs a fraction of a pure-Python walk (diff-match-patch's own Myers, ``diff_bisect``,
    took 10 ms on a rewritten 200-word paragraph, and with a timeout it gives up silently).
    diff-match-patch's cleanup first drops every
    equality no longer than the edits on each side of it, and after each drop scans again
    from two equalities back: on a rewritten paragraph (hundreds of small equalities) that
    rescanning was most of the redline's time. The same decisions come from one pass over
    the LCS's common blocks with a stack, on lengths alone: an equality's fate depends only
    on the edits between it and its standing neighbours, and a drop only ever enlarges the
    edits after the equality before it, which is then decided again. Between two standing
    equalities, what is left is one deletion and one insertion (slices of ``a`` and ``b``),
    as diff_cleanupMerge would gather them anyway. The later steps (merge, lossless shifts,
    overlaps) are diff-match-patch's own, or follow it exactly. ``tests/text/test_redline.py``
    checks the whole against ``diff_cleanupSemantic``.
    """
    blocks = Indel.opcodes(a, b).as_matching_blocks()  # the last one is empty, at both ends
    standing: list[tuple[int, int, int, int, int]] = []  # (a at, b at, size, inserted, deleted before)
    inserted = deleted = 0  # edits since the last standing equality
    a_end = b_end = 0  # where the previous common block ended
    dropped = False
    for block in blocks:
        at_a, at_b, size = block.a, block.b, block.size
        deleted += at_a - a_end
        inserted += at_b - b_end
        # The equality before this block now has all its edits after it.
        while standing:
            top = standing[-1]
            top_size = top[2]
            if top_size <= max(top[3], top[4]) and top_size <= max(inserted, deleted):
                standing.pop()
                inserted += top[3] + top_size
                deleted += top[4] + top_size
                dropped = True
            else:
                break
        if size:
            standing.append((at_a, at_b, size, inserted, deleted))
            inserted = deleted = 0
        a_end, b_end = at_a + size, at_b + size
    diffs: list[tuple[int, str]] = []
    a_end = b_end = 0
    for at_a, at_b, size, _, _ in standing:
        if at_a > a_end:
            diffs.append((-1, a[a_end:at_a]))
        if at_b > b_end:
            diffs.append((1, b[b_end:at_b]))
        diffs.append((0, a[at_a:at_a + size]))
        a_end, b_end = at_a + size, at_b + size
    if len(a) > a_end:
        diffs.append((-1, a[a_end:]))
    if len(b) > b_end:
        diffs.append((1, b[b_end:]))
    if dropped:
        _DMP.diff_cleanupMerge(diffs)
    _DMP.diff_cleanupSemanticLossless(diffs)
    _extract_overlaps(diffs)
    return diffs


def _extract_overlaps(diffs: list[tuple[int, str]]) -> None:
    """Where a deletion ends as the insertion after it starts (or the other way round), and
    the overlap is at least half of either, keep the overlap as an equality: diff-match-patch's
    last step of ``diff_cleanupSemantic``, on the list in place."""
    k = 1
    while k < len(diffs):
        if diffs[k - 1][0] == -1 and diffs[k][0] == 1:
            deletion, insertion = diffs[k - 1][1], diffs[k][1]
            forward = _DMP.diff_commonOverlap(deletion, insertion)
            backward = _DMP.diff_commonOverlap(insertion, deletion)
            if forward >= backward:
                if forward >= len(deletion) / 2 or forward >= len(insertion) / 2:
                    diffs[k - 1:k + 1] = [
                        (-1, deletion[:len(deletion) - forward]),
                        (0, insertion[:forward]),
                        (1, insertion[forward:]),
                    ]
                    k += 1
            elif backward >= len(deletion) / 2 or backward >= len(insertion) / 2:
                diffs[k - 1:k + 1] = [
                    (1, insertion[:len(insertion) - backward]),
                    (0, deletion[:backward]),
                    (-1, deletion[backward:]),
                ]
                k += 1
            k += 1
        k += 1


def redline(old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]], *, by_id: bool = True) -> Redline:
    """Pair ``old`` and ``new`` paragraphs (dicts with ``id``, ``num``, ``text``, maybe ``kind``).

    With ``by_id`` paragraphs pair by their stable ids (both sides from the log); without,
    by text alignment (two files compared directly). Entries come in the new text's order;
    a deleted paragraph comes right after the entry of its predecessor in the old text (the
    closest one that did not move: a moved one now stands elsewhere). A
    paragraph whose pairing breaks the order of the others is a move, shown once at its new
    place with its own word ops.
    """
    olds: list[Prepared] | None = None
    news: list[Prepared] | None = None
    if by_id:
        pairs = _pairs_by_id(old, new)
        preferred: set[tuple[int, int]] = set()
    else:
        olds, news = [_prepared(p) for p in old], [_prepared(p) for p in new]
        matches = align_prepared(olds, news)
        pairs = {m.new: m.old for m in matches}
        # Among equally long in-order chains, keep align's verdict on which one moved.
        preferred = {(m.old, m.new) for m in matches if m.method != ALIGN_MOVED}
    old_words, new_words = _word_counter(old, olds), _word_counter(new, news)
    in_order = _in_order(pairs, preferred)
    entries: list[Entry] = []
    placed_old: dict[int, int] = {}  # old index -> position of its entry, if not moved
    words_inserted = words_deleted = 0
    wordiness: dict[str, bool] = {}  # token -> whether it counts as a word, filled as met
    for new_index, paragraph in enumerate(new):
        old_index = pairs.get(new_index)
        text = paragraph["text"]
        if old_index is None:
            entries.append(Entry(INSERTED, None, paragraph.get("id"), "", paragraph["num"], ((ADD, text),) if text else ()))
            words_inserted += new_words(new_index)
            continue
        before = old[old_index]
        if before["text"] == text:
            ops: tuple[tuple[str, str], ...] = ((KEEP, text),) if text else ()
        else:
            ops, dropped, added = _text_ops(before["text"], text, wordiness)
            words_deleted += dropped
            words_inserted += added
        if (old_index, new_index) not in in_order:
            status = MOVED
        else:
            status = EQUAL if before["text"] == text else CHANGED
        if status != MOVED:
            placed_old[old_index] = len(entries)
        entries.append(Entry(status, before.get("id"), paragraph.get("id"), before["num"], paragraph["num"], ops))
    kept = set(pairs.values())
    words_deleted += sum(old_words(k) for k in range(len(old)) if k not in kept)
    entries = _with_deletions(old, kept, entries, placed_old)
    stats: dict[str, int] = {s: 0 for s in (EQUAL, CHANGED, INSERTED, DELETED, MOVED)}
    stats["renumbered"] = 0
    for entry in entries:
        stats[entry.status] += 1
        stats["renumbered"] += entry.renumbered
    stats["words_inserted"] = words_inserted
    stats["words_deleted"] = words_deleted
    return Redline(tuple(entries), stats)


def _prepared(p: dict[str, Any]) -> Prepared:
    # The kind tells headings from content.
    return Prepared(p.get("num") or "", p.get("text") or "", p.get("kind") or "")


def _word_counter(paragraphs: Sequence[dict[str, Any]], prepared: list[Prepared] | None) -> Callable[[int], int]:
    """How many words paragraph k has. Alignment has already counted those of most
    paragraphs left unmatched (inserted or deleted), so its count is reused when there is one."""
    if prepared is None:
        return lambda k: len(words(paragraphs[k]["text"] or ""))
    return lambda k: len(prepared[k].words)


def _in_order(pairs: dict[int, int], preferred: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The largest set of (old, new) pairs in the same order on both sides; the rest moved.

    Each pair weighs 1, plus less than 1 in total for the ``preferred`` ones: the chain is
    always one of the longest, and among those the one that keeps the most preferred pairs.
    """
    bonus = 1 / (len(pairs) + 1)
    weighted = [(o, n, 1 + bonus * ((o, n) in preferred)) for n, o in pairs.items()]
    return {(o, n) for o, n, _ in _heaviest_chain(weighted)}


def redline_cached(
    old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]], *, by_id: bool = True
) -> Redline:
    """``redline`` memoised on the paragraphs' content: two immutable revisions are diffed once.

    The result is deterministic (no timeout), so it can be reused for as long as it is kept;
    the cache holds the last ``_CACHE_SIZE`` results, which bounds memory.
    """
    result = _redline_memo(_key(old), _key(new), by_id)
    return Redline(result.entries, dict(result.stats))  # callers may touch stats


_CACHE_SIZE = 32
_Key = tuple[tuple[Any, str, str, str], ...]


def _key(paragraphs: Sequence[dict[str, Any]]) -> _Key:
    return tuple((p.get("id"), p.get("num") or "", p.get("text") or "", p.get("kind") or "") for p in paragraphs)


@lru_cache(maxsize=_CACHE_SIZE)
def _redline_memo(old: _Key, new: _Key, by_id: bool) -> Redline:
    def unpack(key: _Key) -> list[dict[str, Any]]:
        return [{"id": i, "num": num, "text": text, "kind": kind} for i, num, text, kind in key]

    return redline(unpack(old), unpack(new), by_id=by_id)


def clear_cache() -> None:
    """Forget every memoised redline (benchmarks measure cold runs)."""
    _redline_memo.cache_clear()


def _pairs_by_id(old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]) -> dict[int, int]:
    where = {p["id"]: i for i, p in enumerate(old)}
    return {i: where[p["id"]] for i, p in enumerate(new) if p["id"] in where}


def _with_deletions(
    old: Sequence[dict[str, Any]], kept: set[int], entries: list[Entry], placed_old: dict[int, int]
) -> list[Entry]:
    after: dict[int, list[Entry]] = {}  # entry position (-1: the top) -> deletions after it
    last_placed = -1
    for old_index, paragraph in enumerate(old):
        if old_index in kept:
            # A paragraph that moved away no longer marks this place in the text.
            last_placed = placed_old.get(old_index, last_placed)
            continue
        ops = ((DROP, paragraph["text"]),) if paragraph["text"] else ()
        after.setdefault(last_placed, []).append(Entry(DELETED, paragraph.get("id"), None, paragraph["num"], "", ops))
    merged = list(after.get(-1, ()))
    for position, entry in enumerate(entries):
        merged.append(entry)
        merged.extend(after.get(position, ()))
    return merged

