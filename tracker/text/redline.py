"""The redline: aligned paragraph pairs with word-level operations, one structure for
every rendering (JSON, text, HTML, Word).

Pure: two ordered lists of paragraphs in, a ``Redline`` out. When both sides come from
the log, paragraphs are paired by their stable ids; otherwise by text alignment.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from diff_match_patch import diff_match_patch

from tracker.text.align import align
from tracker.text.tokens import tokenize

EQUAL = "equal"
CHANGED = "changed"
INSERTED = "inserted"
DELETED = "deleted"
MOVED = "moved"

KEEP, DROP, ADD = "=", "-", "+"
_DMP_OPS = {0: KEEP, -1: DROP, 1: ADD}


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
        return self.from_id is not None and self.to_id is not None and self.from_num != self.to_num


@dataclass(frozen=True)
class Redline:
    entries: tuple[Entry, ...]
    stats: dict[str, int] = field(default_factory=dict)


def word_ops(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Word-level operations turning ``old`` into ``new``; never cuts inside a token.

    Each distinct token becomes one private character (as diff-match-patch does for lines),
    so the character diff is a token diff; the timeout is off so it never gives up.
    """
    if old == new:
        return ((KEEP, old),) if old else ()
    vocabulary: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        chars = []
        for token in tokenize(text):
            char = vocabulary.get(token)
            if char is None:
                char = chr(0xF0000 + len(tokens)) if len(tokens) < 0xFFFE else chr(0x100000 + len(tokens) - 0xFFFE)
                vocabulary[token] = char
                tokens.append(token)
            chars.append(char)
        return "".join(chars)

    a, b = encode(old), encode(new)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    base = 0xF0000
    ops: list[tuple[str, str]] = []
    for op, chars in diffs:
        text = "".join(tokens[_index(c, base)] for c in chars)
        if ops and ops[-1][0] == _DMP_OPS[op]:
            ops[-1] = (ops[-1][0], ops[-1][1] + text)
        elif text:
            ops.append((_DMP_OPS[op], text))
    return tuple(ops)


def _index(char: str, base: int) -> int:
    code = ord(char)
    return code - base if code < 0x100000 else code - 0x100000 + 0xFFFE


def redline(old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]], *, by_id: bool = True) -> Redline:
    """Pair ``old`` and ``new`` paragraphs (dicts with ``id``, ``num``, ``text``).

    Entries come in the new text's order; a deleted paragraph comes right after the entry
    of its predecessor in the old text. A paragraph whose pairing breaks the order of the
    others is a move, shown once at its new place.
    """
    pairs = _pairs_by_id(old, new) if by_id else {m.new: m.old for m in align(
        [(p["num"], p["text"]) for p in old], [(p["num"], p["text"]) for p in new])}
    in_order = set(_longest_increasing(sorted(pairs.items())))
    entries: list[Entry] = []
    placed_old: dict[int, int] = {}  # old index -> position of its entry
    for new_index, paragraph in enumerate(new):
        old_index = pairs.get(new_index)
        if old_index is None:
            entries.append(Entry(INSERTED, None, paragraph["id"], "", paragraph["num"], ((ADD, paragraph["text"]),) if paragraph["text"] else ()))
            continue
        before = old[old_index]
        ops = word_ops(before["text"], paragraph["text"])
        if (new_index, old_index) not in in_order:
            status = MOVED
        else:
            status = EQUAL if before["text"] == paragraph["text"] else CHANGED
        placed_old[old_index] = len(entries)
        entries.append(Entry(status, before["id"], paragraph["id"], before["num"], paragraph["num"], ops))
    entries = _with_deletions(old, set(pairs.values()), entries, placed_old)
    stats: dict[str, int] = {s: 0 for s in (EQUAL, CHANGED, INSERTED, DELETED, MOVED)}
    stats["renumbered"] = 0
    for entry in entries:
        stats[entry.status] += 1
        stats["renumbered"] += entry.renumbered
    stats["words_inserted"] = sum(_count_words(t) for e in entries for op, t in e.ops if op == ADD)
    stats["words_deleted"] = sum(_count_words(t) for e in entries for op, t in e.ops if op == DROP)
    return Redline(tuple(entries), stats)


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
            last_placed = placed_old[old_index]
            continue
        ops = ((DROP, paragraph["text"]),) if paragraph["text"] else ()
        after.setdefault(last_placed, []).append(Entry(DELETED, paragraph["id"], None, paragraph["num"], "", ops))
    merged = list(after.get(-1, ()))
    for position, entry in enumerate(entries):
        merged.append(entry)
        merged.extend(after.get(position, ()))
    return merged


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of (new, old) pairs whose old indices increase: those are in order."""
    tails: list[int] = []
    tail_pairs: list[int] = []
    back: list[int] = []
    for i, (_, old_index) in enumerate(pairs):
        k = bisect.bisect_left(tails, old_index)
        if k == len(tails):
            tails.append(old_index)
            tail_pairs.append(i)
        else:
            tails[k] = old_index
            tail_pairs[k] = i
        back.append(tail_pairs[k - 1] if k else -1)
    result = []
    i = tail_pairs[-1] if tail_pairs else -1
    while i != -1:
        result.append(pairs[i])
        i = back[i]
    return result[::-1]


def _count_words(text: str) -> int:
    return sum(1 for token in tokenize(text) if not token.isspace() and any(c.isalnum() for c in token))


def as_json(redline: Redline, from_label: str, to_label: str) -> dict[str, Any]:
    return {
        "from": from_label,
        "to": to_label,
        "paragraphs": [
            {
                "from_id": e.from_id,
                "to_id": e.to_id,
                "from_num": e.from_num,
                "to_num": e.to_num,
                "status": e.status,
                "renumbered": e.renumbered,
                "ops": [list(op) for op in e.ops],
            }
            for e in redline.entries
        ],
        "stats": redline.stats,
    }


def as_text(redline: Redline) -> str:
    """``[-deleted-]{+inserted+}`` per entry, one paragraph per block."""
    blocks = []
    for e in redline.entries:
        num = e.to_num if e.to_id else e.from_num
        if e.renumbered:
            num = f"[-{e.from_num}-]{{+{e.to_num}+}}"
        body = "".join(t if op == KEEP else f"[-{t}-]" if op == DROP else f"{{+{t}+}}" for op, t in e.ops)
        marker = {MOVED: "(moved) ", INSERTED: "(new) ", DELETED: "(deleted) "}.get(e.status, "")
        blocks.append(f"{marker}{num} {body}".strip())
    return "\n\n".join(blocks)
