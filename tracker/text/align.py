"""Match the paragraphs of two revisions of a text: which new paragraph continues which old one.

Used when a revision is imported (to carry paragraph ids over) and by the redline engine
(to diff each pair word by word). Pure: two lists in, a list of one-to-one matches out.

How, cheapest evidence first:

1. **Anchors.** A paragraph whose text (whitespace collapsed) occurs exactly once in each
   list matches its twin, whatever the numbers say: a renumbered paragraph is the same
   paragraph. The longest increasing subsequence of anchors (by position in both lists)
   keeps the document order; anchors outside it are *moves*.
2. **Gaps.** Between two consecutive anchors, the unmatched old and new paragraphs are a
   changed region. There, pairs at least ``SIMILAR_THRESHOLD`` alike are matched in order (the
   heaviest increasing chain of candidate pairs, weighted by similarity).
3. **Moves.** Leftover pairs anywhere that are at least ``MOVED_THRESHOLD`` alike are
   matched, best first: a paragraph moved elsewhere, possibly also edited.
4. **Headings** ("Article 3", "Option 2:", or ``kind == "heading"``) say too little to be
   compared by words, and after a renumbering "Article 4" may continue "Article 3": a
   heading follows the paragraphs under it (``section``), else keeps its place between
   two matches when the label shapes agree (``position``).

Similarity is the Dice coefficient on word multisets (see ``tokens.words``). Each
paragraph's multiset is built once, as a set whose n-th occurrence of a word is its own
element, so that intersecting two multisets is one C-level set intersection. Candidate
pairs come from an inverted index of each paragraph's rarest words, so the work grows with
the number of paragraphs times a small constant, not with their square; a pair whose sizes
alone keep it below the bar it has to clear is never intersected.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any

import regex

from .tokens import words

EXACT = "exact"  # same text (whitespace aside), in document order
SIMILAR = "similar"  # changed text, in document order
MOVED = "moved"  # out of document order, same or changed text
SECTION = "section"  # a heading matched because the paragraphs under it were
POSITION = "position"  # a heading matched by its place between two matches

METHODS = (EXACT, SIMILAR, MOVED, SECTION, POSITION)

# Thresholds on Dice similarity of word multisets, chosen on the "Protection of migrants"
# resolutions (2019-2023) and the Paris Agreement drafts (Oct-Dec 2015): real rewordings
# there score 0.55-0.95 and unrelated paragraphs of the same resolution, which share its
# boilerplate ("Calls upon States to ... human rights of migrants"), up to about 0.45.
SIMILAR_THRESHOLD = 0.5  # inside a changed region, where the order already vouches
MOVED_THRESHOLD = 0.7  # anywhere: needs stronger evidence
# Below this many words a paragraph is a heading or a stub: its number counts as part of
# its text when comparing, and it is never matched as a move unless its text is unique.
SHORT_WORDS = 4
# A paragraph labelled like a heading ("Article 3", "Chapter II", "Option 2:") with fewer
# words than this is a heading: "Article 3ter (mechanism to support sustainable development)".
HEADING_WORDS = 10

# Candidate pairs: each paragraph looks up at most this many of its rarest words, skips
# words found in more than ``_MAX_DF`` paragraphs, and keeps the ``_TOP`` candidates that
# share the most of them.
_PROBE_WORDS = 16
_MAX_DF_FLOOR = 6
_TOP = 6
_SAME_NUM_BONUS = 1e-6
# A changed region this small (old x new) is compared pair by pair: cheaper than probing.
_BRUTE_FORCE = 64

# "Article 4", "ARTICLE 2bis", "[Article 3ter]", "Chapter II", "Section 3": the first word
# of a heading label. Numbers, bis/ter and brackets do not change its shape.
_HEADING_LABEL = regex.compile(r"^\W*(\p{L}{3,})\.?\s*(?:\p{N}+|[IVXLCDM]+\b)", regex.I)
_HEADING_KIND = "heading"


@dataclass(frozen=True)
class Match:
    old: int  # index into the old list
    new: int  # index into the new list
    method: str  # one of METHODS
    score: float  # similarity, 0..1 (1.0 for identical text)


class Prepared:
    """A paragraph as alignment sees it. Only ``key`` and ``num`` are computed up front:
    the words of a paragraph matched by its exact text (most of them, between revisions)
    are never needed, so they are counted only when asked for.

    Plain slots filled on first use rather than ``functools.cached_property``: on Python
    3.11 each cached read takes a lock, and alignment reads these thousands of times.
    """

    __slots__ = ("key", "num", "_raw_num", "_text", "_kind", "_words", "_bag", "_distinct", "_shape")

    def __init__(self, num: str, text: str, kind: str) -> None:
        self.key = " ".join(text.split())  # text with whitespace collapsed: identity for anchors
        self.num = " ".join(num.split())
        self._raw_num = num
        self._text = text
        self._kind = kind
        self._words: list[str] | None = None
        self._bag: frozenset[str | tuple[str, int]] | None = None
        self._distinct: tuple[str, ...] = ()
        self._shape: str | None = None

    @property
    def words(self) -> list[str]:
        """The words of the text (not of the number), as ``tokens.words`` gives them."""
        found = self._words
        if found is None:
            found = self._words = words(self._text)
        return found

    @property
    def short(self) -> bool:
        return len(self.words) < SHORT_WORDS

    def _count(self) -> frozenset[str | tuple[str, int]]:
        # A short paragraph says little by its text alone; "Article 5" vs "Article 6" is the
        # difference between two headings, so the label joins the comparison.
        bag, distinct = _multiset(words(self._raw_num) + self.words if self.short else self.words)
        self._distinct = distinct
        self._bag = bag
        return bag

    @property
    def bag(self) -> frozenset[str | tuple[str, int]]:
        """The word multiset (text, plus the number for short paragraphs)."""
        bag = self._bag
        return self._count() if bag is None else bag

    @property
    def distinct(self) -> tuple[str, ...]:
        """Distinct words, for the inverted index."""
        if self._bag is None:
            self._count()
        return self._distinct

    @property
    def shape(self) -> str:
        """The heading label's shape ("article"), or "" if this is not a heading.

        Only short paragraphs can be headings (a long "Option 1: ..." is content); the
        label is looked at first, as it rules most paragraphs out without counting words.
        """
        shape = self._shape
        if shape is None:
            label = self._raw_num.strip() or self._text.strip()
            # Most labels are numbers ("12.", "3 bis"): a decimal digit first rules the
            # pattern out (no letters can come before it) without running it.
            m = None if label[:1].isdecimal() else _HEADING_LABEL.match(label)
            shape = m.group(1).casefold() if m else (_HEADING_KIND if self._kind == _HEADING_KIND else "")
            shape = self._shape = shape if shape and len(self.words) < HEADING_WORDS else ""
        return shape


def similarity(a: str, b: str) -> float:
    """Dice similarity (0..1) of the word multisets of two texts; 1.0 for two empty texts."""
    return _dice(_multiset(words(a))[0], _multiset(words(b))[0])


def align(old: Sequence[Any], new: Sequence[Any]) -> list[Match]:
    """Match paragraphs of ``old`` to paragraphs of ``new``, each index at most once.

    Items are ``(num, text)`` pairs or objects with ``.num`` and ``.text`` (and optionally
    ``.kind``, as ``ParsedParagraph``). Returns the matches ordered by new index;
    unmatched old paragraphs were deleted (or merged away), unmatched new ones inserted.
    Deterministic: the same input always gives the same output.
    """
    return align_prepared([prepare(p) for p in old], [prepare(p) for p in new])


def align_prepared(olds: list[Prepared], news: list[Prepared]) -> list[Match]:
    """``align`` on paragraphs already ``prepare``d: a caller that keeps them can reuse the
    words alignment counted (the redline counts the words of inserted and deleted ones)."""
    match_of_old: dict[int, Match] = {}
    matched_new: set[int] = set()

    def take(m: Match) -> None:
        match_of_old[m.old] = m
        matched_new.add(m.new)

    # 1. Anchors: unique identical texts.
    anchors = _unique_pairs(olds, news)
    in_order = _longest_increasing(anchors)
    in_order_set = set(in_order)
    for i, j in anchors:
        take(Match(i, j, EXACT if (i, j) in in_order_set else MOVED, 1.0))

    # 2. Changed regions between consecutive in-order anchors. Region r holds the
    # paragraphs after the r-th anchor and before the next, in both lists. Headings wait
    # for step 4: their few words say little, and "Article 3" may now be another article.
    anchor_old = [i for i, _ in in_order]
    anchor_new = [j for _, j in in_order]
    shape_old = [p.shape for p in olds]
    shape_new = [p.shape for p in news]
    region_old = {
        i: bisect.bisect(anchor_old, i)
        for i in range(len(olds))
        if i not in match_of_old and not shape_old[i]
    }
    region_new = {
        j: bisect.bisect(anchor_new, j)
        for j in range(len(news))
        if j not in matched_new and not shape_new[j]
    }
    by_region_old: dict[int, list[int]] = {}
    by_region_new: dict[int, list[int]] = {}
    for i, r in region_old.items():
        by_region_old.setdefault(r, []).append(i)
    for j, r in region_new.items():
        by_region_new.setdefault(r, []).append(j)

    index = _Index(news, list(region_new))
    candidates: dict[int, list[tuple[int, float]]] = {}  # old -> [(new, score)], for moves

    for r in sorted(by_region_old.keys() & by_region_new.keys()):
        gap_old, gap_new = by_region_old[r], by_region_new[r]
        pairs: dict[tuple[int, int], float] = {}  # in this region, at least SIMILAR_THRESHOLD alike
        if len(gap_old) * len(gap_new) <= _BRUTE_FORCE:
            for i in gap_old:
                for j in gap_new:
                    s = _score(olds[i], news[j], SIMILAR_THRESHOLD)
                    if s >= SIMILAR_THRESHOLD:
                        pairs[i, j] = s
        else:
            for i in gap_old:
                # Outside the region only a move can use the pair: a higher bar.
                scored = [
                    (j, s)
                    for j in index.probe(olds[i])
                    if (s := _score(olds[i], news[j], SIMILAR_THRESHOLD if region_new[j] == r else MOVED_THRESHOLD))
                    >= SIMILAR_THRESHOLD
                ]
                candidates[i] = scored
                pairs.update(((i, j), s) for j, s in scored if region_new[j] == r)
        # Between equally good chains (duplicated "[Placeholder]" items), prefer the one
        # that keeps numbers: a tiny bonus that never outweighs a difference in text.
        weighted = [(i, j, s + _SAME_NUM_BONUS * (olds[i].num == news[j].num)) for (i, j), s in pairs.items()]
        for i, j, _ in _heaviest_chain(weighted):
            take(Match(i, j, EXACT if olds[i].key == news[j].key else SIMILAR, pairs[i, j]))

    # 3. Moves: the best remaining pairs anywhere, greedily.
    heap: list[tuple[float, int, int]] = []
    for i, para in enumerate(olds):
        if i in match_of_old or para.short:
            continue
        scored = candidates.get(i)
        if scored is None:
            scored = [(j, _score(para, news[j], MOVED_THRESHOLD)) for j in index.probe(para)]
        for j, s in scored:
            if s >= MOVED_THRESHOLD and j not in matched_new and not news[j].short:
                heap.append((-s, i, j))
    heapq.heapify(heap)
    while heap:
        s, i, j = heapq.heappop(heap)
        if i not in match_of_old and j not in matched_new:
            take(Match(i, j, MOVED, -s))

    # 4. Headings: by what they head, then by their place.
    for i, j in _headings_by_section(shape_old, shape_new, match_of_old, matched_new):
        take(Match(i, j, SECTION, _score(olds[i], news[j])))
    for i, j in _headings_by_position(shape_old, shape_new, match_of_old, matched_new):
        take(Match(i, j, POSITION, _score(olds[i], news[j])))

    return sorted(match_of_old.values(), key=lambda m: (m.new, m.old))


def prepare(p: Any) -> Prepared:
    """A paragraph as alignment reads it: a ``(num, text)`` pair or an object with ``.num``,
    ``.text`` and maybe ``.kind``."""
    if isinstance(p, tuple):
        return Prepared(p[0] or "", p[1] or "", "")
    return Prepared(p.num or "", p.text or "", getattr(p, "kind", "") or "")


def _multiset(ws: list[str]) -> tuple[frozenset[str | tuple[str, int]], tuple[str, ...]]:
    """The multiset of ``ws`` as a set, and its distinct words in order of first occurrence.

    The n-th occurrence (n > 1) of a word is the element ``(word, n)``: intersecting two
    such sets is intersecting the multisets, at C speed. One pass, no ``Counter``: this
    runs for every paragraph that alignment compares.
    """
    seen: dict[str, int] = {}
    get = seen.get
    elements: list[str | tuple[str, int]] = []
    for w in ws:
        n = seen[w] = get(w, 0) + 1
        elements.append(w if n == 1 else (w, n))
    return frozenset(elements), tuple(seen)


def _dice(a: frozenset[str | tuple[str, int]], b: frozenset[str | tuple[str, int]]) -> float:
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


def _score(a: Prepared, b: Prepared, floor: float = 0.0) -> float:
    """Similarity of two paragraphs; -1.0 instead when their sizes alone keep it below
    ``floor`` (the Dice coefficient is at most twice the smaller size over the total)."""
    if a.key == b.key and (a.key or a.bag == b.bag):
        return 1.0
    x, y = a.bag, b.bag
    total = len(x) + len(y)
    if not total:
        return 1.0
    if floor and 2 * min(len(x), len(y)) / total < floor:
        return -1.0
    return 2 * len(x & y) / total


def _unique_pairs(olds: list[Prepared], news: list[Prepared]) -> list[tuple[int, int]]:
    """(old, new) pairs of non-empty texts that occur exactly once in each list, by old."""
    def unique(paras: list[Prepared]) -> dict[str, int]:
        seen: dict[str, int] = {}
        for k, p in enumerate(paras):
            if p.key:
                seen[p.key] = -1 if p.key in seen else k
        return {key: k for key, k in seen.items() if k >= 0}

    in_new = unique(news)
    return sorted((i, in_new[key]) for key, i in unique(olds).items() if key in in_new)


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence of ``pairs`` (sorted by old) with increasing new indices."""
    tails: list[int] = []  # tails[k]: smallest new index ending an increasing run of k+1
    tail_at: list[int] = []  # index into pairs of that run's end
    back: list[int] = []
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        back.append(tail_at[k - 1] if k else -1)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k] = j
            tail_at[k] = n
    out = []
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        out.append(pairs[n])
        n = back[n]
    return out[::-1]


def _heaviest_chain(pairs: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The subset of pairs, increasing in both old and new index, of greatest total score."""
    if not pairs:
        return []
    # Same old index: larger new first, so that one old paragraph cannot chain with itself.
    pairs = sorted(pairs, key=lambda p: (p[0], -p[1]))
    ranks = {j: r for r, j in enumerate(sorted({p[1] for p in pairs}), start=1)}
    size = len(ranks)
    # Fenwick tree of prefix maxima over new ranks: (total score, -pair index).
    tree: list[tuple[float, int]] = [(0.0, 1)] * (size + 1)
    back: list[int] = []
    best: tuple[float, int] = (0.0, 1)
    for n, (_, j, s) in enumerate(pairs):
        r = ranks[j] - 1
        prev: tuple[float, int] = (0.0, 1)
        while r > 0:
            if tree[r] > prev:
                prev = tree[r]
            r -= r & -r
        back.append(-prev[1])
        here = (prev[0] + s, -n)
        if here > best:
            best = here
        r = ranks[j]
        while r <= size:
            if here > tree[r]:
                tree[r] = here
            r += r & -r
    out = []
    n = -best[1]
    while n >= 0 and best[0] > 0:
        out.append(pairs[n])
        n = back[n]
    return out[::-1]


def _headings_by_section(
    shape_old: list[str], shape_new: list[str], match_of_old: dict[int, Match], matched_new: set[int]
) -> list[tuple[int, int]]:
    """Pair unmatched headings whose sections' paragraphs were matched to each other.

    When articles are renumbered and retitled, "Article 4" may share no word with the
    "Article 3 (mitigation)" it continues; the paragraphs under both do. A section runs
    to the next heading of the same shape, so options inside an article stay in it.
    """
    owner_new: dict[str, list[int]] = {}  # shape -> heading owning each new index, or -1
    for shape in set(shape_new) - {""}:
        owner, last = [], -1
        for j, other in enumerate(shape_new):
            if other == shape:
                last = j
            owner.append(last)
        owner_new[shape] = owner
    votes: dict[tuple[int, int], int] = {}
    current: dict[str, int] = {}  # shape -> the open old heading of that shape
    for i, shape in enumerate(shape_old):
        if shape:
            current[shape] = i
            continue
        m = match_of_old.get(i)
        if m is None:
            continue
        for shape, h in current.items():
            if h in match_of_old or shape not in owner_new:
                continue
            j = owner_new[shape][m.new]
            if j >= 0 and j not in matched_new:
                votes[h, j] = votes.get((h, j), 0) + 1
    out = []
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for (i, j), _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
        if i not in taken_old and j not in taken_new:
            out.append((i, j))
            taken_old.add(i)
            taken_new.add(j)
    return out


def _headings_by_position(
    shape_old: list[str], shape_new: list[str], match_of_old: dict[int, Match], matched_new: set[int]
) -> list[tuple[int, int]]:
    """Pair the unmatched headings left between the same two matches, if their shapes agree.

    A heading over an empty or wholly rewritten section keeps its place in the document.
    """
    in_order = _longest_increasing(sorted((m.old, m.new) for m in match_of_old.values()))
    cuts = [(-1, -1), *in_order, (len(shape_old), len(shape_new))]
    out = []
    for (lo_i, lo_j), (hi_i, hi_j) in zip(cuts, cuts[1:]):
        heads_old = [i for i in range(lo_i + 1, hi_i) if shape_old[i] and i not in match_of_old]
        heads_new = [j for j in range(lo_j + 1, hi_j) if shape_new[j] and j not in matched_new]
        if len(heads_old) == len(heads_new) and all(
            shape_old[i] == shape_new[j] for i, j in zip(heads_old, heads_new)
        ):
            out.extend(zip(heads_old, heads_new))
    return out


class _Index:
    """Inverted index of the rarest words of the paragraphs still to be matched."""

    def __init__(self, paras: list[Prepared], members: list[int]) -> None:
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for j in members:
            for w in paras[j].distinct:
                postings[w].append(j)
        max_df = max(_MAX_DF_FLOOR, len(members) // 20)
        # Words found in too many paragraphs say nothing about which one is the match.
        self._rare = {w: pl for w, pl in postings.items() if len(pl) <= max_df}

    def probe(self, para: Prepared) -> list[int]:
        """Up to ``_TOP`` indexed paragraphs sharing the most rare words with ``para``."""
        rare = list(filter(None, map(self._rare.get, para.distinct)))
        if len(rare) > _PROBE_WORDS:
            rare = sorted(rare, key=len)[:_PROBE_WORDS]
        # Counted in index order, and sorted stably on the count alone: most shared words
        # first, then the lowest index, all in C.
        hits = Counter(sorted(chain.from_iterable(rare)))
        return [j for j, _ in sorted(hits.items(), key=itemgetter(1), reverse=True)[:_TOP]]
