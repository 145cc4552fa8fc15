"""Blame: every span of a paragraph's text traced to the event that brought it in.

Pure: texts and opaque source keys in, spans out. The caller (the blame projection)
chooses the keys ("revision:Rev 1", "amendment:<uuid>") and feeds one paragraph's
successive versions; nothing here knows about events or aggregates.

How a new version is credited (``carry``):

1. ``word_ops`` diffs the old and new text once, token by token. Kept tokens keep the
   source they had; so a single changed number ("15" -> "16") is one inserted token.
2. The inserted tokens are tiled with the proposals' words: within each run of inserted
   tokens, the longest stretch that occurs in some proposal is credited to it (ties: the
   earliest proposal, then the leftmost stretch), then the longest in what is left, and so
   on. Matching is on case-folded tokens with whitespace ignored, so a proposal typed with
   other spacing or capitals still explains its words.
3. A stretch of fewer than two words is weak evidence ("the" is in every proposal), so it
   counts only when the proposal is exactly that stretch, or also has the stretch's
   neighbouring token in the new text next to it ("16 days", "States should").
4. Inserted tokens no proposal explains are the co-facilitators' own drafting:
   ``revision_source``.
5. Whitespace takes the source of its neighbours when they agree, so that a span is never
   broken by a space (which whitespace token a diff "keeps" is arbitrary); otherwise kept
   whitespace keeps its source and inserted whitespace goes with the insertion it borders.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.text.redline import ADD, DROP, KEEP, word_ops
from tracker.text.tokens import is_word, tokenize

# A matched stretch with fewer words than this needs the context check of step 3.
_STRONG_WORDS = 2


@dataclass(frozen=True)
class Span:
    start: int  # character offsets in the paragraph text, half-open
    end: int
    source: str  # opaque key chosen by the caller


Proposal = tuple[str, str]  # (source, the words it proposes)
Version = tuple[str, str, Sequence[Proposal]]  # (text, revision_source, proposals)


def introduce(text: str, source: str) -> tuple[Span, ...]:
    """A paragraph new in a revision: all of it from ``source``."""
    return (Span(0, len(text), source),) if text else ()


def carry(
    old_text: str,
    old_spans: Sequence[Span],
    new_text: str,
    revision_source: str,
    proposals: Sequence[Proposal] = (),
) -> tuple[Span, ...]:
    """Spans of ``new_text``, the next version of a paragraph whose blame was ``old_spans``."""
    _check_cover(old_text, old_spans)
    if not new_text:
        return ()
    old_tokens = tokenize(old_text)
    old_sources = _token_sources(old_tokens, old_spans)
    tokens = tokenize(new_text)
    sources: list[str | None] = [None] * len(tokens)
    inserted = [False] * len(tokens)
    oi = ni = 0
    for op, text in word_ops(old_text, new_text):
        if op == KEEP:
            end = ni + _count(tokens, ni, len(text))
            sources[ni:end] = old_sources[oi : oi + end - ni]
            oi += end - ni
            ni = end
        elif op == DROP:
            oi += _count(old_tokens, oi, len(text))
        elif op == ADD:
            end = ni + _count(tokens, ni, len(text))
            inserted[ni:end] = [True] * (end - ni)
            ni = end
    _credit_insertions(tokens, inserted, sources, revision_source, proposals)
    _settle_whitespace(tokens, inserted, sources, revision_source)
    return _spans(tokens, [s if s is not None else revision_source for s in sources])


def chain(versions: Sequence[Version]) -> list[tuple[Span, ...]]:
    """Blame of each version of one paragraph, oldest first.

    The first version is carried from nothing rather than ``introduce``d, so that a new
    paragraph proposed by an amendment ("new paragraph") is credited to it.
    """
    out: list[tuple[Span, ...]] = []
    text = ""
    spans: tuple[Span, ...] = ()
    for new_text, revision_source, proposals in versions:
        spans = carry(text, spans, new_text, revision_source, proposals)
        out.append(spans)
        text = new_text
    return out


def attribution(text: str, spans: Sequence[Span]) -> list[tuple[str, str]]:
    """``(span text, source)`` pairs, for rendering."""
    return [(text[s.start : s.end], s.source) for s in spans]


def _check_cover(text: str, spans: Sequence[Span]) -> None:
    at = 0
    for span in spans:
        if span.start != at or span.end <= span.start:
            break
        at = span.end
    else:
        if at == len(text):
            return
    raise ValueError("blame spans must cover the old text exactly, in order, without gaps or overlaps")


def _token_sources(tokens: list[str], spans: Sequence[Span]) -> list[str]:
    """Each token's source: the span holding its first character."""
    out: list[str] = []
    at = k = 0
    for token in tokens:
        while spans[k].end <= at:
            k += 1
        out.append(spans[k].source)
        at += len(token)
    return out


def _count(tokens: list[str], start: int, length: int) -> int:
    """How many tokens from ``start`` make up ``length`` characters (ops are whole tokens)."""
    n = 0
    while length > 0:
        length -= len(tokens[start + n])
        n += 1
    return n


# --- crediting insertions ------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    """One proposal's tokens as matched: case-folded, whitespace left out."""

    source: str
    keys: tuple[str, ...]
    where: dict[str, list[int]]  # key -> its positions in ``keys``

    @classmethod
    def of(cls, source: str, text: str) -> _Words:
        keys = tuple(t.casefold() for t in tokenize(text) if not t.isspace())
        where: dict[str, list[int]] = {}
        for j, key in enumerate(keys):
            where.setdefault(key, []).append(j)
        return cls(source, keys, where)

    def contains(self, seq: Sequence[str]) -> bool:
        n = len(seq)
        return any(self.keys[j : j + n] == tuple(seq) for j in self.where.get(seq[0], ()))


def _credit_insertions(
    tokens: list[str],
    inserted: list[bool],
    sources: list[str | None],
    revision_source: str,
    proposals: Sequence[Proposal],
) -> None:
    candidates = [w for w in (_Words.of(s, t) for s, t in proposals) if w.keys] if any(inserted) else []
    where = [k for k, t in enumerate(tokens) if not t.isspace()] if candidates else []  # key -> token index
    keys = [tokens[k].casefold() for k in where]
    word = [is_word(tokens[k]) for k in where]
    i = 0
    while i < len(where):
        if not inserted[where[i]]:
            i += 1
            continue
        end = i
        while end < len(where) and inserted[where[end]]:
            end += 1
        for start, length, q in _tile(keys, word, i, end, candidates):
            for k in range(start, start + length):
                sources[where[k]] = candidates[q].source
        i = end
    for k, token in enumerate(tokens):
        if inserted[k] and sources[k] is None and not token.isspace():
            sources[k] = revision_source


def _tile(
    keys: list[str], word: list[bool], start: int, end: int, proposals: list[_Words]
) -> list[tuple[int, int, int]]:
    """Cover ``keys[start:end]`` with (position, length, proposal) stretches, longest first."""
    if not proposals:
        return []
    # lengths[i]: [(proposal, longest match of keys[i:end] starting at i)], by proposal.
    lengths: list[list[tuple[int, int]]] = [[] for _ in range(start, end)]
    for q, p in enumerate(proposals):
        after: dict[int, int] = {}  # for row i + 1: position in p -> match length from there
        for i in range(end - 1, start - 1, -1):
            here = {j: 1 + after.get(j + 1, 0) for j in p.where.get(keys[i], ())}
            if here:
                lengths[i - start].append((q, max(here.values())))
            after = here
    heap = [(-n, q, i) for i in range(start, end) for q, n in _best(lengths[i - start], end - i)[:1]]
    heapq.heapify(heap)
    covered = [False] * (end - start)
    out: list[tuple[int, int, int]] = []
    while heap:
        negative, q, i = heapq.heappop(heap)
        n = -negative
        if covered[i - start]:
            continue
        room = 0
        while room < n and not covered[i - start + room]:
            room += 1
        if room < n:  # something longer took part of it: requeue what is left
            heapq.heappush(heap, (-room, _best(lengths[i - start], room)[0][0], i))
            continue
        chosen = _evidenced(keys, word, i, n, lengths[i - start], proposals)
        if chosen is None:
            if n > 1:
                heapq.heappush(heap, (-(n - 1), _best(lengths[i - start], n - 1)[0][0], i))
            continue
        covered[i - start : i - start + n] = [True] * n
        out.append((i, n, chosen))
    return out


def _best(lengths: list[tuple[int, int]], cap: int) -> list[tuple[int, int]]:
    """The earliest proposal with the longest match up to ``cap``, as [(proposal, length)]."""
    if not lengths:
        return []
    n = min(cap, max(m for _, m in lengths))
    return [(next(q for q, m in lengths if m >= n), n)]


def _evidenced(
    keys: list[str], word: list[bool], i: int, n: int, lengths: list[tuple[int, int]], proposals: list[_Words]
) -> int | None:
    """The earliest proposal whose match of ``keys[i:i+n]`` is evidence enough, if any."""
    strong = sum(word[i : i + n]) >= _STRONG_WORDS
    for q, m in lengths:
        if m < n:
            continue
        if strong:
            return q
        p = proposals[q]
        if (
            len(p.keys) == n
            or (i > 0 and p.contains(keys[i - 1 : i + n]))
            or (i + n < len(keys) and p.contains(keys[i : i + n + 1]))
        ):
            return q
    return None


# --- whitespace and spans --------------------------------------------------------------


def _settle_whitespace(
    tokens: list[str], inserted: list[bool], sources: list[str | None], revision_source: str
) -> None:
    n = len(tokens)
    left = _nearest_text(tokens, range(n))
    right = _nearest_text(tokens, range(n - 1, -1, -1))
    for k in range(n):
        if not tokens[k].isspace():
            continue
        before = sources[left[k]] if left[k] >= 0 else None
        after = sources[right[k]] if right[k] >= 0 else None
        if before is not None and before == after:
            sources[k] = before
        elif not inserted[k]:
            continue  # unchanged whitespace between two sources keeps its own
        else:
            # Inserted whitespace belongs to the insertion beside it: " and girls" is one
            # addition, its leading space included.
            neighbours = [j for j in (right[k], left[k]) if j >= 0]
            same_run = [j for j in neighbours if inserted[j]]
            pick = (same_run or neighbours or [-1])[0]
            sources[k] = sources[pick] if pick >= 0 else revision_source


def _nearest_text(tokens: list[str], order: range) -> list[int]:
    """For each token, the index of the nearest non-whitespace token before it in ``order``, or -1."""
    out = [-1] * len(tokens)
    last = -1
    for k in order:
        out[k] = last
        if not tokens[k].isspace():
            last = k
    return out


def _spans(tokens: list[str], sources: list[str]) -> tuple[Span, ...]:
    out: list[Span] = []
    at = 0
    for token, source in zip(tokens, sources):
        end = at + len(token)
        if out and out[-1].source == source:
            out[-1] = Span(out[-1].start, end, source)
        else:
            out.append(Span(at, end, source))
        at = end
    return tuple(out)
