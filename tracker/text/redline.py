"""The redline: aligned paragraph pairs with word-level operations, one structure for
every rendering (JSON, text, HTML, Word).

Pure: two ordered lists of paragraphs in, a ``Redline`` out. When both sides come from
the log, paragraphs are paired by their stable ids; otherwise by text alignment. The
renderings live in ``tracker.text.render``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from diff_match_patch import diff_match_patch
from rapidfuzz.distance import Indel

from tracker.text.align import MOVED as ALIGN_MOVED
from tracker.text.align import _heaviest_chain, align
from tracker.text.tokens import tokenize, words

EQUAL = "equal"
CHANGED = "changed"
INSERTED = "inserted"
DELETED = "deleted"
MOVED = "moved"

KEEP, DROP, ADD = "=", "-", "+"
_DMP_OPS = {0: KEEP, -1: DROP, 1: ADD}
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
    return _text_ops(old, new)[0]


def _text_ops(old: str, new: str) -> tuple[tuple[tuple[str, str], ...], int, int]:
    """``_token_ops`` on the part of the texts that differs.

    Most edits touch a few words of a long paragraph: the common head and tail, cut back
    to a place between a space and a non-space (a token boundary on both sides), are kept
    whole, and only the middle is tokenised and diffed.
    """
    start = _common_head(old, new)
    end = _common_tail(old, new, start)
    ops, dropped, added = _token_ops(tokenize(old[start:len(old) - end]), tokenize(new[start:len(new) - end]))
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


def _token_ops(old: list[str], new: list[str]) -> tuple[tuple[tuple[str, str], ...], int, int]:
    """The ops between two token lists, and the words they delete and insert.

    Each distinct token becomes one private character (as diff-match-patch does for lines),
    so a character diff is a token diff and can never cut a word. The alignment is an exact
    longest common subsequence (``_lcs_diffs``): pure-Python Myers (diff-match-patch's
    ``diff_bisect``) cost 10 ms on a rewritten 200-word paragraph, and with a timeout it
    gives up silently. diff-match-patch then cleans it up semantically, on tokens.
    """
    # One private character per distinct token; the maps and joins run in C.
    vocabulary = {
        token: chr(_BASE + k) if k < _PLANE else chr(0x100000 + k - _PLANE)
        for k, token in enumerate(dict.fromkeys(old + new))
    }
    encode = vocabulary.__getitem__
    diffs = _lcs_diffs("".join(map(encode, old)), "".join(map(encode, new)))
    _DMP.diff_cleanupSemantic(diffs)
    token_of = {char: token for token, char in vocabulary.items()}
    is_word: dict[str, bool] = {}  # filled only for the tokens that changed
    ops: list[tuple[str, str]] = []
    counts = {DROP: 0, ADD: 0, KEEP: 0}
    for op, chars in diffs:
        if not chars:
            continue
        text = "".join(map(token_of.__getitem__, chars))
        kind = _DMP_OPS[op]
        if kind != KEEP:
            for char in chars:
                word = is_word.get(char)
                if word is None:
                    token = token_of[char]
                    word = is_word[char] = not token.isspace() and any(c.isalnum() for c in token)
                counts[kind] += word
        if ops and ops[-1][0] == kind:
            ops[-1] = (kind, ops[-1][1] + text)
        else:
            ops.append((kind, text))
    return tuple(ops), counts[DROP], counts[ADD]


_BASE = 0xF0000  # planes 15 and 16: private use, never in a real text's tokens
_PLANE = 0xFFFE  # each plane's last two code points are noncharacters


def _lcs_diffs(a: str, b: str) -> list[tuple[int, str]]:
    """diff-match-patch style diffs ``[(op, text)]`` from a longest common subsequence.

    rapidfuzz's Indel opcodes are an exact LCS computed in C (bit-parallel), so the
    token diff never gives up and costs a fraction of a pure-Python walk. Between two
    equalities, deletions come before insertions, as ``diff_cleanupMerge`` leaves them.
    """
    diffs: list[tuple[int, str]] = []
    gone: list[str] = []
    came: list[str] = []
    for op in Indel.opcodes(a, b):
        if op.tag == "equal":
            if gone:
                diffs.append((-1, "".join(gone)))
                gone = []
            if came:
                diffs.append((1, "".join(came)))
                came = []
            diffs.append((0, a[op.src_start:op.src_end]))
        elif op.tag == "delete":
            gone.append(a[op.src_start:op.src_end])
        else:
            came.append(b[op.dest_start:op.dest_end])
    if gone:
        diffs.append((-1, "".join(gone)))
    if came:
        diffs.append((1, "".join(came)))
    return diffs
def redline(old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]], *, by_id: bool = True) -> Redline:
    """Pair ``old`` and ``new`` paragraphs (dicts with ``id``, ``num``, ``text``, maybe ``kind``).

    With ``by_id`` paragraphs pair by their stable ids (both sides from the log); without,
    by text alignment (two files compared directly). Entries come in the new text's order;
    a deleted paragraph comes right after the entry of its predecessor in the old text (the
    closest one that did not move: a moved one now stands elsewhere). A
    paragraph whose pairing breaks the order of the others is a move, shown once at its new
    place with its own word ops.
    """
    if by_id:
        pairs = _pairs_by_id(old, new)
        preferred: set[tuple[int, int]] = set()
    else:
        matches = align([_aligned(p) for p in old], [_aligned(p) for p in new])
        pairs = {m.new: m.old for m in matches}
        # Among equally long in-order chains, keep align's verdict on which one moved.
        preferred = {(m.old, m.new) for m in matches if m.method != ALIGN_MOVED}
    in_order = _in_order(pairs, preferred)
    entries: list[Entry] = []
    placed_old: dict[int, int] = {}  # old index -> position of its entry, if not moved
    words_inserted = words_deleted = 0
    for new_index, paragraph in enumerate(new):
        old_index = pairs.get(new_index)
        text = paragraph["text"]
        if old_index is None:
            entries.append(Entry(INSERTED, None, paragraph.get("id"), "", paragraph["num"], ((ADD, text),) if text else ()))
            continue
        before = old[old_index]
        if before["text"] == text:
            ops: tuple[tuple[str, str], ...] = ((KEEP, text),) if text else ()
        else:
            ops, dropped, added = _text_ops(before["text"], text)
            words_deleted += dropped
            words_inserted += added
        if (old_index, new_index) not in in_order:
            status = MOVED
        else:
            status = EQUAL if before["text"] == text else CHANGED
        if status != MOVED:
            placed_old[old_index] = len(entries)
        entries.append(Entry(status, before.get("id"), paragraph.get("id"), before["num"], paragraph["num"], ops))
    entries = _with_deletions(old, set(pairs.values()), entries, placed_old)
    stats: dict[str, int] = {s: 0 for s in (EQUAL, CHANGED, INSERTED, DELETED, MOVED)}
    stats["renumbered"] = 0
    for entry in entries:
        stats[entry.status] += 1
        stats["renumbered"] += entry.renumbered
        if entry.status == INSERTED:
            words_inserted += _count_words(entry.ops)
        elif entry.status == DELETED:
            words_deleted += _count_words(entry.ops)
    stats["words_inserted"] = words_inserted
    stats["words_deleted"] = words_deleted
    return Redline(tuple(entries), stats)


class _Aligned(NamedTuple):
    """What align reads of a paragraph: its kind tells headings from content."""

    num: str
    text: str
    kind: str


def _aligned(p: dict[str, Any]) -> _Aligned:
    return _Aligned(p.get("num") or "", p.get("text") or "", p.get("kind") or "")


def _in_order(pairs: dict[int, int], preferred: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The largest set of (old, new) pairs in the same order on both sides; the rest moved.

    Each pair weighs 1, plus less than 1 in total for the ``preferred`` ones: the chain is
    always one of the longest, and among those the one that keeps the most preferred pairs.
    """
    bonus = 1 / (len(pairs) + 1)
    weighted = [(o, n, 1 + bonus * ((o, n) in preferred)) for n, o in pairs.items()]
    return {(o, n) for o, n, _ in _heaviest_chain(weighted)}


def _count_words(ops: tuple[tuple[str, str], ...]) -> int:
    # The fast scanner gives the word tokens of the six UN languages' scripts: counting a
    # whole inserted or deleted paragraph needs no full tokenising.
    return sum(len(words(text)) for _, text in ops)


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

