"""Square brackets in a paragraph's text: what is not agreed yet, and how deeply.

In a negotiating text ``[...]`` marks language still under negotiation. Brackets nest
(``[a [b] c]``: c is disputed, and so is b inside it), and pairs written back to back
(``[shall][should][other]``) are competing alternatives, of which at most one survives.
The compilation text highlights them and the progress views count them, so this module
answers, for one paragraph's text:

- ``parse(text)``: every matched pair with its nesting depth and alternatives group, the
  groups, and the offsets of stray brackets;
- ``parse_document(texts, breaks=...)``: the same for consecutive paragraphs, pairing the
  brackets that open in one paragraph and close in a later one;
- ``stats(text)`` and ``is_bracketed(text)``: the numbers a progress view shows;
- ``segments(text)``: the text cut into runs of equal bracket depth, for rendering;
- ``paragraph_variant(num, text)``: "Option 2", "3bis", "3.3 alt", "[Article 3ter]" labels.

Decisions, taken from the four Paris Agreement texts of 2015:

- Alternatives are pairs at the same level whose brackets touch (``][``), or are joined
  by a slash (``[NDMC*]/[INDC]``). A space is not enough: the texts use ``] [`` about as
  often as ``][``, but mostly for independent brackets ("[new,] [additional,]
  [adequate,]", "[attract] [and] [mobilize]"), so grouping them would be wrong more
  often than right.
- Some brackets are not negotiating brackets and are skipped (reported in ``skipped``):
  Markdown footnote markers ``[^1]``; editorial ellipses ``[...]``/``[…]``, which quote
  with omissions in adopted resolutions (counting them would show an agreed paragraph as
  open); and empty pairs ``[]``, which is what "Parties[[^9]]" leaves once the importer
  has removed the footnote marker. Placeholders such as "[Placeholder for further text]"
  or "[X] per cent" are bracketed text and count.
- A stray bracket never raises: an extra ``]`` (23 Oct: "...circumstances,]]") or a
  ``[`` left open is reported in ``unmatched``, and pairs are matched as if it were absent.
  Depths count matched pairs only, so text after an unclosed ``[`` is at depth 0.
- Markdown emphasis (``*[Taking* account ...]``) needs no care: ``*`` is not a bracket.

One pass over the brackets, then one over the pairs: linear in the text's length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

# One scan finds, leftmost first, the non-negotiating bracket forms and the lone brackets.
# Footnote markers are ``[^label]`` with no space (as the Markdown importer reads them).
_FOOTNOTE = r"\[\^[^\[\]\s]+\]"
_EMPTY_OR_ELLIPSIS = r"\[[^\S\n]*(?:\.[^\S\n]?\.[^\S\n]?\.|…)?[^\S\n]*\]"
_SKIPPED = re.compile(rf"{_FOOTNOTE}|{_EMPTY_OR_ELLIPSIS}")
_TOKEN = re.compile(rf"(?P<skip>{_FOOTNOTE}|{_EMPTY_OR_ELLIPSIS})|\[|\]")


@dataclass(frozen=True)
class Bracket:
    start: int  # offset of "["
    end: int  # offset of the matching "]"
    depth: int  # 1 for an outermost pair
    group: int | None = None  # id of its alternatives group, None when it stands alone

    def inner(self, text: str) -> str:
        """The bracketed words, without the brackets."""
        return text[self.start + 1 : self.end]


@dataclass(frozen=True)
class AlternativesGroup:
    id: int  # numbered 0, 1, ... in text order
    members: tuple[int, ...]  # indices into BracketParse.pairs, two or more
    depth: int
    start: int  # "[" of the first alternative
    end: int  # "]" of the last


@dataclass(frozen=True)
class BracketParse:
    pairs: tuple[Bracket, ...]  # ordered by start
    groups: tuple[AlternativesGroup, ...]
    max_depth: int
    unmatched: tuple[int, ...]  # offsets of "[" never closed and "]" never opened
    skipped: tuple[tuple[int, int], ...]  # (start, end) of footnote markers, [...], []
    # Only from parse_document: brackets that span paragraphs. Offsets in this text.
    open_at_start: int = 0  # brackets opened in earlier paragraphs and still open here
    closes_earlier: tuple[int, ...] = ()  # "]" closing a "[" of an earlier paragraph
    closed_later: tuple[int, ...] = ()  # "[" closed in a later paragraph


_NONE = BracketParse((), (), 0, (), ())


@dataclass(frozen=True)
class BracketStats:
    pairs: int
    alternatives_groups: int
    max_depth: int
    unmatched: int
    bracketed_chars: int  # from each outermost "[" to its "]", both included
    fully_bracketed: bool  # one pair holds the whole paragraph: none of it is agreed


@dataclass(frozen=True)
class Segment:
    start: int
    text: str
    depth: int  # 0 for agreed text
    group: int | None = None  # alternatives group of the innermost pair
    pair: int | None = None  # index of the innermost pair: tells touching alternatives apart
    stray: bool = False  # an unmatched bracket character, shown as an error


def parse(text: str) -> BracketParse:
    """The brackets of one text on its own: a bracket it does not close is unmatched."""
    if "[" not in text and "]" not in text:  # most paragraphs: no scan, no allocation
        return _NONE
    slots: list[tuple[int, int] | None] = []  # indexed at "[", so already in start order
    open_stack: list[tuple[int, int]] = []  # (offset of "[", slot)
    unmatched: list[int] = []
    skipped: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text):
        pos = m.start()
        if m.lastgroup == "skip":
            skipped.append((pos, m.end() - 1))
        elif text[pos] == "[":
            open_stack.append((pos, len(slots)))
            slots.append(None)
        elif open_stack:
            start, slot = open_stack.pop()
            slots[slot] = (start, pos)
        else:
            unmatched.append(pos)
    if open_stack:
        unmatched.extend(start for start, _ in open_stack)
        unmatched.sort()
    spans = [s for s in slots if s is not None]
    pairs, groups = _nest(text, spans)
    return BracketParse(
        pairs=pairs,
        groups=groups,
        max_depth=max((p.depth for p in pairs), default=0),
        unmatched=tuple(unmatched),
        skipped=tuple(skipped),
    )


def parse_document(texts: Sequence[str], *, breaks: Collection[int] = ()) -> list[BracketParse]:
    """The brackets of consecutive paragraphs, where one bracket may span several.

    Negotiating texts bracket runs of paragraphs: 23 Oct opens "[Strengthening
    institutional arrangements ..." in one paragraph and closes it 18 later. A "]" left
    over in a paragraph closes the latest "[" left open by an earlier one; what is still
    unmatched after that is reported in ``unmatched``. Pairs inside one paragraph are as
    ``parse`` gives them: a bracket spanning paragraphs always stands outside them, as it
    opens or closes where no pair of its paragraph is open.

    ``breaks`` are indices of paragraphs that no bracket spans (pass the article
    headings): without them a stray "[" early on (23 Oct "*[recognizing*" in the
    preamble) would pair with a stray "]" hundreds of paragraphs later.
    """
    out: list[BracketParse] = []
    carry: list[tuple[int, int]] = []  # (paragraph index, offset) of "[" not closed yet
    dangling: list[tuple[int, int]] = []  # "[" that no later paragraph may close
    later: list[list[int]] = []  # per paragraph: its "[" closed in a later one
    for k, text in enumerate(texts):
        if k in breaks:
            dangling.extend(carry)
            carry.clear()
        p = parse(text)
        open_at_start = len(carry)
        closes: list[int] = []
        stray: list[int] = []
        for u in p.unmatched:
            if text[u] == "[":
                continue
            if carry:
                j, offset = carry.pop()
                later[j].append(offset)
                closes.append(u)
            else:
                stray.append(u)
        later.append([])
        carry.extend((k, u) for u in p.unmatched if text[u] == "[")
        if p.unmatched or open_at_start:
            p = replace(p, unmatched=tuple(stray), open_at_start=open_at_start, closes_earlier=tuple(closes))
        out.append(p)
    for j, offset in dangling + carry:
        out[j] = replace(out[j], unmatched=tuple(sorted((*out[j].unmatched, offset))))
    for j, offsets in enumerate(later):
        if offsets:
            out[j] = replace(out[j], closed_later=tuple(sorted(offsets)))
    return out


def _nest(text: str, spans: list[tuple[int, int]]) -> tuple[tuple[Bracket, ...], tuple[AlternativesGroup, ...]]:
    """Depths and groups from matched pairs alone, once unclosed "[" are known."""
    depths: list[int] = []
    group_of: list[int | None] = [None] * len(spans)
    members: list[list[int]] = []
    stack: list[int] = []  # indices of the pairs enclosing the current one
    last_child: dict[int, int] = {}  # parent index (-1: top level) -> its latest child
    for i, (start, _end) in enumerate(spans):
        while stack and spans[stack[-1]][1] < start:
            stack.pop()
        parent = stack[-1] if stack else -1
        depths.append(len(stack) + 1)
        prev = last_child.get(parent)
        if prev is not None and _alternatives_gap(text, spans[prev][1] + 1, start):
            g = group_of[prev]
            if g is None:
                g = group_of[prev] = len(members)
                members.append([prev])
            group_of[i] = g
            members[g].append(i)
        last_child[parent] = i
        stack.append(i)
    pairs = tuple(Bracket(s, e, d, g) for (s, e), d, g in zip(spans, depths, group_of))
    groups = tuple(
        AlternativesGroup(g, tuple(ms), depths[ms[0]], spans[ms[0]][0], spans[ms[-1]][1])
        for g, ms in enumerate(members)
    )
    return pairs, groups


def _alternatives_gap(text: str, a: int, b: int) -> bool:
    """Whether what lies between two sibling pairs makes them competing alternatives."""
    if a == b:
        return True
    gap = text[a:b]
    if "[" in gap:  # a footnote marker between alternatives does not part them
        gap = _SKIPPED.sub("", gap)
    return gap == "" or gap.strip() == "/"


def is_bracketed(text: str) -> bool:
    return bool(parse(text).pairs)


def stats(text: str, parsed: BracketParse | None = None) -> BracketStats:
    """Counts for a progress view; pass ``parsed`` from ``parse_document`` to count the
    brackets that span paragraphs too."""
    p = parse(text) if parsed is None else parsed
    cross = p.open_at_start or p.closes_earlier or p.closed_later
    if cross:
        bracketed = sum(len(s.text) for s in segments(text, p) if s.depth > 0)
    else:
        bracketed = sum(b.end - b.start + 1 for b in p.pairs if b.depth == 1)
    return BracketStats(
        pairs=len(p.pairs),
        alternatives_groups=len(p.groups),
        max_depth=p.max_depth,
        unmatched=len(p.unmatched),
        bracketed_chars=bracketed,
        fully_bracketed=_fully_bracketed(text, p),
    )


def _fully_bracketed(text: str, p: BracketParse) -> bool:
    if not (p.pairs or p.open_at_start or p.closed_later):
        return False
    # Edges that are not words: whitespace, punctuation and emphasis ("*[...]*.", "[...];"),
    # stray brackets, footnote markers.
    ignorable = set(p.unmatched)
    for s, e in p.skipped:
        ignorable.update(range(s, e + 1))
    kept = {b.start for b in p.pairs} | {b.end for b in p.pairs}
    kept.update(p.closes_earlier, p.closed_later)

    def ignored(i: int) -> bool:
        if i in ignorable:
            return True
        if i in kept:
            return False
        c = text[i]
        return c.isspace() or unicodedata.category(c).startswith("P")

    first, last = 0, len(text) - 1
    while first <= last and ignored(first):
        first += 1
    while last >= first and ignored(last):
        last -= 1
    if first > last:
        return False
    if any(b.start == first and b.end == last for b in p.pairs if b.depth == 1):
        return True
    # Inside a bracket that spans paragraphs: opened before (or at our first word) and
    # not closed before our last word.
    opened = p.open_at_start > 0 or (bool(p.closed_later) and p.closed_later[0] == first)
    return opened and (not p.closes_earlier or p.closes_earlier[0] >= last)


def segments(text: str, parsed: BracketParse | None = None) -> list[Segment]:
    """``text`` cut into runs of one innermost pair each; the runs join back into ``text``.

    A pair's run includes its own brackets. Touching alternatives stay separate runs (they
    differ in ``pair``), so a renderer can outline each one. With ``parsed`` from
    ``parse_document``, brackets spanning paragraphs add to the depth (their own "[" and
    "]" belong to the runs they open and close).
    """
    p = parse(text) if parsed is None else parsed
    out: list[Segment] = []
    stack: list[int] = []
    cursor = 0
    base = p.open_at_start  # depth from brackets that span paragraphs

    def emit(upto: int, stray: bool = False) -> None:
        nonlocal cursor
        if upto <= cursor:
            return
        if stack:
            top = stack[-1]
            b = p.pairs[top]
            seg = Segment(cursor, text[cursor:upto], base + b.depth, b.group, top, stray)
        else:
            seg = Segment(cursor, text[cursor:upto], base, None, None, stray)
        last = out[-1] if out else None
        if last and not (stray or last.stray) and (last.depth, last.pair) == (seg.depth, seg.pair):
            out[-1] = replace(last, text=last.text + seg.text)  # a spanning bracket joins its run
        else:
            out.append(seg)
        cursor = upto

    def close_until(pos: int) -> None:
        while stack and p.pairs[stack[-1]].end < pos:
            emit(p.pairs[stack[-1]].end + 1)
            stack.pop()

    # Brackets outside every pair of this text: strays, and those spanning paragraphs.
    # Each is a one-character run; a "[" that spans opens before its run, a "]" after.
    singles = sorted([(u, 0) for u in p.unmatched] + [(u, -1) for u in p.closes_earlier]
                     + [(u, 1) for u in p.closed_later])
    k = 0
    for i, b in enumerate([*p.pairs, None]):
        start = len(text) if b is None else b.start
        while k < len(singles) and singles[k][0] < start:
            pos, change = singles[k]
            close_until(pos)
            emit(pos)
            base += max(change, 0)
            emit(pos + 1, stray=change == 0)
            base += min(change, 0)
            k += 1
        close_until(start)
        emit(start)
        if b is not None:
            stack.append(i)
    return out


# --- Paragraph-level variants: "Option 2", "3bis", "3.3alt", "[Article 3ter]" ------------

# Latin multiplicative adverbs: "3bis" is the second paragraph numbered 3, "3ter" the third.
_LATIN = {
    "bis": 2, "ter": 3, "quater": 4, "quat": 4, "quinquies": 5, "quinquiens": 5, "sexies": 6,
    "septies": 7, "octies": 8, "novies": 9, "nonies": 9, "decies": 10,
}
_LATIN_KIND = {"quat": "quater", "quinquiens": "quinquies", "nonies": "novies"}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}

_UNITS = {"article": "article", "art": "article", "paragraph": "paragraph", "para": "paragraph",
          "section": "section", "rule": "rule"}
_UNIT = re.compile(r"(?i)(article|art|paragraph|para|section|rule)\.?\s+(?=\S)")
# A qualifier follows a number directly ("3bis", "3.3alt"), or after a space or a dot.
_AFTER = r"(?:(?<=\d)|(?<=[\s.])|^)"
_LATIN_SUFFIX = re.compile(rf"(?i){_AFTER}({'|'.join(sorted(_LATIN, key=len, reverse=True))})$")
_ALT_SUFFIX = re.compile(rf"(?i){_AFTER}(alt(?:ernative)?)\.?\s*(\d+)?$")
_OPTION = re.compile(r"(?i)(?:^|(?<=\s))option\s*\(?([0-9]+|[ivxlc]+|[a-z])\)?$")
# A label at the start of the text: "**Option 1:**", "**Option 1**:", "Option (a):", "Alt 2:".
# It needs a colon or bold, else "Option 1 and Option 2 for paragraphs 2-3 ..." would count.
_TEXT_LABEL = re.compile(
    r"\s*(?P<open>\*{1,2})?\s*"
    r"(?P<label>(?:option\s*\(?(?:[0-9]+|[ivxlc]+|[a-z])\)?|alt(?:ernative)?(?:\s*\d+)?)"
    rf"(?:\s*(?:{'|'.join(_LATIN)}))?)(?!\w)"
    r"\s*(?P<close>\*{1,2})?\s*(?P<colon>:+)?(?(open)\s*\*{0,2})\s*",
    re.I,
)


@dataclass(frozen=True)
class Variant:
    base: str  # the label this is a variant of: "3" for "3bis", "3.3bis" for "3.3bis Alt"
    kind: str  # "option", "alt", "bis", "ter", "quater", "quinquies", ...
    ordinal: int  # Option 2 -> 2, Option II -> 2, Option (b) -> 2; bis -> 2, ter -> 3; Alt -> 1
    unit: str = ""  # "article" for "Article 2bis"; base leaves the word out
    bracketed: bool = False  # "[Article 3bis]": the whole unit is itself not agreed
    text_end: int = 0  # when the label opens the text: where the text proper starts


def paragraph_variant(num: str, text: str = "") -> Variant | None:
    """The option / alternative / bis label of a paragraph, from its number or its text.

    The number is tried first ("3bis.", "Option 1:", "[Article 3ter]"); a label opening
    the text ("**Option 1:** Parties ...", under num "1.") qualifies the number, so that
    paragraph is option 1 of paragraph "1". None when neither carries a label.
    """
    from_num = _label_variant(num)
    m = _TEXT_LABEL.match(text)
    if m and (m.group("colon") or (m.group("open") and m.group("close"))):
        from_text = _label_variant(m.group("label"))
        if from_text is not None:
            base = from_text.base or _clean(num)[0]
            unit = from_num.unit if from_num else _clean(num)[1]
            bracketed = from_num.bracketed if from_num else _clean(num)[2]
            return Variant(base, from_text.kind, from_text.ordinal, unit, bracketed, m.end())
    return from_num


def _clean(label: str) -> tuple[str, str, bool]:
    """(label without emphasis, brackets, trailing punctuation and unit word; unit; bracketed)."""
    s = label.replace("*", "").strip()
    bracketed = s.startswith("[") and s.endswith("]")
    s = s.strip("[]() \t").rstrip(".:;,").strip()
    unit = ""
    m = _UNIT.match(s)
    if m:
        unit = _UNITS[m.group(1).lower()]
        s = s[m.end():]
    return s, unit, bracketed


def _label_variant(label: str) -> Variant | None:
    s, unit, bracketed = _clean(label)
    if not s:
        return None
    m = _LATIN_SUFFIX.search(s)
    if m:
        word = m.group(1).lower()
        base = _base(s[: m.start()])
        if base:  # a bare "bis" qualifies nothing
            return Variant(base, _LATIN_KIND.get(word, word), _LATIN[word], unit, bracketed)
        return None
    m = _ALT_SUFFIX.search(s)
    if m:
        return Variant(_base(s[: m.start()]), "alt", int(m.group(2) or 1), unit, bracketed)
    m = _OPTION.search(s)
    if m:
        n = _ordinal(m.group(1))
        if n:
            return Variant(_base(s[: m.start()]), "option", n, unit, bracketed)
    return None


def _base(s: str) -> str:
    return s.strip().rstrip(".:").strip().strip("()")


def _ordinal(token: str) -> int:
    """1 for "1", "I", "i" ... ; 2 for "2", "II", "b"; 0 when it is none of those."""
    if token.isdigit():
        return int(token)
    low = token.lower()
    # A lone lowercase letter is a letter ("Option (c)"); capitals and longer runs are roman.
    if len(token) > 1 or token.isupper():
        if all(c in _ROMAN for c in low):
            total = 0
            for c, nxt in zip(low, low[1:] + " "):
                v = _ROMAN[c]
                total += -v if nxt in _ROMAN and _ROMAN[nxt] > v else v
            return total
        return ord(low) - ord("a") + 1 if len(token) == 1 else 0
    return ord(low) - ord("a") + 1
