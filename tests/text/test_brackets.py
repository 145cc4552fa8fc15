"""Brackets: constructed cases, properties on random text, then the four Paris texts."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.formats import read_document
from tracker.text.brackets import (
    BracketParse,
    Variant,
    is_bracketed,
    paragraph_variant,
    parse,
    parse_document,
    segments,
    stats,
)
from tracker.text.document import HEADING, ParsedParagraph

from realdata import PARIS, need_data

ROUNDS = ["23-oct", "4-dec", "9-dec", "12-dec"]


def spans(text: str) -> list[tuple[str, int, int | None]]:
    """(bracketed text, depth, group) of every pair: what a reader checks by eye."""
    return [(text[b.start : b.end + 1], b.depth, b.group) for b in parse(text).pairs]


# --- constructed cases ---------------------------------------------------------------


def test_nesting() -> None:
    assert spans("x [a [b] c] y") == [("[a [b] c]", 1, None), ("[b]", 2, None)]
    p = parse("[a [b [c]]]")
    assert p.max_depth == 3 and p.unmatched == () and p.groups == ()


def test_touching_pairs_are_one_group_of_alternatives() -> None:
    text = "Parties [shall][should][other] act"
    p = parse(text)
    assert [b.group for b in p.pairs] == [0, 0, 0]
    (group,) = p.groups
    assert group.members == (0, 1, 2) and group.depth == 1
    assert text[group.start : group.end + 1] == "[shall][should][other]"
    assert [b.inner(text) for b in p.pairs] == ["shall", "should", "other"]


def test_slash_joins_alternatives_but_a_space_does_not() -> None:
    assert [g for _, _, g in spans("[NDMC*]/[INDC]")] == [0, 0]
    assert [g for _, _, g in spans("[a] / [b]")] == [0, 0]
    # "[new,] [additional,] [adequate,]" are independent brackets, not a choice.
    assert [g for _, _, g in spans("[new,] [additional,] [adequate,]")] == [None, None, None]
    assert [g for _, _, g in spans("[a], [b]")] == [None, None]


def test_alternatives_inside_brackets_and_separate_groups() -> None:
    text = "[long-term [low-[carbon][emission] transformation] [[climate][carbon] neutrality]]"
    got = spans(text)
    assert got == [
        (text, 1, None),
        ("[low-[carbon][emission] transformation]", 2, None),
        ("[carbon]", 3, 0),
        ("[emission]", 3, 0),
        ("[[climate][carbon] neutrality]", 2, None),
        ("[climate]", 3, 1),
        ("[carbon]", 3, 1),
    ]
    assert [g.members for g in parse(text).groups] == [(2, 3), (5, 6)]


def test_a_parent_and_its_child_never_group() -> None:
    # The inner "[b]" touches the outer "[" but is its child, not its sibling.
    assert spans("[[b]c][d]") == [("[[b]c]", 1, 0), ("[b]", 2, None), ("[d]", 1, 0)]


def test_unmatched_both_ways_never_raise() -> None:
    text = "in light of different national circumstances,]]"
    p = parse("[" + text)
    assert len(p.pairs) == 1 and p.unmatched == (len(text),)
    p = parse("a [b [c] d")
    assert spans("a [b [c] d") == [("[c]", 1, None)]  # depth counts matched pairs only
    assert p.unmatched == (2,)
    assert parse("]x[").unmatched == (0, 2)


def test_skipped_forms() -> None:
    text = "Edited version[^1] quoting [...] and […], Parties[] to [x]"
    p = parse(text)
    assert spans(text) == [("[x]", 1, None)]
    assert [text[s : e + 1] for s, e in p.skipped] == ["[^1]", "[...]", "[…]", "[]"]
    # A footnote marker between two alternatives does not part them.
    assert [g for _, _, g in spans("[Be unconditional;][^6][ with support]")] == [0, 0]
    # Placeholders are bracketed text, still under negotiation.
    assert is_bracketed("*[Placeholder for further text on reservation]*")
    assert not is_bracketed("See footnote[^12].")


def test_emphasis_does_not_confuse() -> None:
    text = "*[Taking* account of the [particular vulnerabilities] of Parties,]"
    assert spans(text) == [(text[1:], 1, None), ("[particular vulnerabilities]", 2, None)]
    assert stats(text).fully_bracketed


@pytest.mark.parametrize(
    ("text", "full"),
    [
        ("[The Parties shall act.]", True),
        ("  [The Parties shall act].  ", True),
        ("*[Placeholder: notion of avoiding double counting]*", True),
        ("[The Parties [shall][should] act.];", True),
        ("[a] and [b]", False),
        ("[shall][should] act", False),
        ("The Parties [shall] act.", False),
        ("[Be unconditional;][ with support;]", False),  # alternatives: no single pair
        ("[x]]", True),  # a stray bracket at the edge is not a word
        ("", False),
        ("no brackets", False),
    ],
)
def test_fully_bracketed(text: str, full: bool) -> None:
    assert stats(text).fully_bracketed is full


def test_stats_and_empty_text() -> None:
    s = stats("a [b [c]] [d][e] f]")
    assert (s.pairs, s.alternatives_groups, s.max_depth, s.unmatched) == (4, 1, 2, 1)
    assert s.bracketed_chars == len("[b [c]]") + len("[d][e]")
    empty = stats("")
    assert (empty.pairs, empty.max_depth, empty.unmatched, empty.bracketed_chars) == (0, 0, 0, 0)
    assert parse("") == BracketParse((), (), 0, (), ())
    assert segments("") == [] and not is_bracketed("")


def test_segments_keep_touching_alternatives_apart() -> None:
    text = "x [a [b][c] d] ]y"
    got = [(s.text, s.depth, s.group, s.stray) for s in segments(text)]
    assert got == [
        ("x ", 0, None, False),
        ("[a ", 1, None, False),
        ("[b]", 2, 0, False),
        ("[c]", 2, 0, False),
        (" d]", 1, None, False),
        (" ", 0, None, False),
        ("]", 0, None, True),
        ("y", 0, None, False),
    ]
    assert [s.start for s in segments(text)] == [0, 2, 5, 8, 11, 14, 15, 16]


def test_brackets_spanning_paragraphs() -> None:
    texts = ["Intro [The rules:", "(a) first [x];", "(b) last.]", "Agreed ]", "[Open", "new article", "]"]
    doc = parse_document(texts, breaks={5})
    assert [d.open_at_start for d in doc] == [0, 1, 1, 0, 0, 0, 0]
    assert doc[0].closed_later == (6,) and doc[2].closes_earlier == (9,)
    assert doc[3].unmatched == (7,)  # nothing left open to close
    assert doc[4].unmatched == (0,) and doc[6].unmatched == (0,)  # the break parts them
    assert [stats(t, d).fully_bracketed for t, d in zip(texts, doc, strict=True)] == [
        False, True, True, False, False, False, False,  # "[Open" closes nowhere: unmatched
    ]
    segs = segments(texts[1], doc[1])
    assert [(s.text, s.depth) for s in segs] == [("(a) first ", 1), ("[x]", 2), (";", 1)]
    assert [(s.text, s.depth) for s in segments(texts[0], doc[0])] == [("Intro ", 0), ("[The rules:", 1)]
    assert [(s.text, s.depth) for s in segments(texts[2], doc[2])] == [("(b) last.]", 1)]
    assert stats(texts[2], doc[2]).bracketed_chars == len(texts[2])


# --- paragraph variants --------------------------------------------------------------


@pytest.mark.parametrize(
    ("num", "text", "want"),
    [
        ("Option 1:", "", Variant("", "option", 1)),
        ("Option I", "", Variant("", "option", 1)),
        ("Option III:", "", Variant("", "option", 3)),
        ("Option II::", "", Variant("", "option", 2)),
        ("Option (b):", "", Variant("", "option", 2)),
        ("Option 2 bis", "", Variant("Option 2", "bis", 2)),
        ("Alt", "", Variant("", "alt", 1)),
        ("alt", "", Variant("", "alt", 1)),
        ("3 alt", "", Variant("3", "alt", 1)),
        ("3.3alt:", "", Variant("3.3", "alt", 1)),
        ("3.3bis Alt", "", Variant("3.3bis", "alt", 1)),
        ("3bis.", "", Variant("3", "bis", 2)),
        ("3 ter", "", Variant("3", "ter", 3)),
        ("2.bis", "", Variant("2", "bis", 2)),
        ("7.bis", "", Variant("7", "bis", 2)),
        ("3.3quat", "", Variant("3.3", "quater", 4)),
        ("(17quater)", "", Variant("17", "quater", 4)),
        ("Article 2bis", "", Variant("2", "bis", 2, unit="article")),
        ("Article 2 bis", "", Variant("2", "bis", 2, unit="article")),
        ("[Article 3bis]", "", Variant("3", "bis", 2, unit="article", bracketed=True)),
        ("1.", "**Option 1:** Parties hereby establish", Variant("1", "option", 1, text_end=14)),
        ("5.", "**Option 1** [[Parties recognize", Variant("5", "option", 1, text_end=13)),
        ("6.", "**Option 1**: [[Parties]", Variant("6", "option", 1, text_end=14)),
        ("", "Option (a): Each Party", Variant("", "option", 1, text_end=12)),
        ("", "Alt 2: text", Variant("", "alt", 2, text_end=7)),
    ],
)
def test_paragraph_variant(num: str, text: str, want: Variant) -> None:
    assert paragraph_variant(num, text) == want


@pytest.mark.parametrize(
    ("num", "text"),
    [
        ("3.", "Parties shall"),
        ("Article 2", ""),
        ("3.x", ""),
        ("3.3:", ""),
        ("(a)", ""),
        ("", "Option 1 and Option 2 for paragraphs 2-3 are to be considered"),  # no colon, no bold
        ("", "Although Parties"),
        ("", "Alternatively, Parties"),
        ("", "bis"),
    ],
)
def test_not_a_variant(num: str, text: str) -> None:
    assert paragraph_variant(num, text) is None


# --- properties on random text -------------------------------------------------------

_PIECES = ["[", "]", "[", "]", "[^1]", "[...]", "[]", "/", " ", "*", "a", "shall", ",", "\n", "^", "…", "."]
texts = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join) | st.text(max_size=60)


@given(texts)
@settings(max_examples=500)
def test_parse_invariants(text: str) -> None:
    p = parse(text)
    for b in p.pairs:
        assert 0 <= b.start < b.end < len(text)
        assert text[b.start] == "[" and text[b.end] == "]"
        assert b.depth >= 1
    # Properly nested: two pairs are disjoint or one holds the other, and depth agrees.
    for i, a in enumerate(p.pairs):
        enclosing = [b for b in p.pairs if b.start < a.start and a.end < b.end]
        assert a.depth == len(enclosing) + 1
        for b in p.pairs[i + 1 :]:
            assert a.start < b.start
            assert b.start > a.end or b.end < a.end
    for u in p.unmatched:
        assert text[u] in "[]"
    # Every bracket character is in exactly one pair, one skipped form, or unmatched.
    skipped = sum(text[s : e + 1].count("[") + text[s : e + 1].count("]") for s, e in p.skipped)
    assert 2 * len(p.pairs) + len(p.unmatched) + skipped == text.count("[") + text.count("]")
    assert p.max_depth == max((b.depth for b in p.pairs), default=0)
    for g in p.groups:
        assert len(g.members) >= 2 and all(p.pairs[m].group == g.id for m in g.members)
        assert len({p.pairs[m].depth for m in g.members}) == 1


@given(texts)
@settings(max_examples=300)
def test_segments_rebuild_the_text(text: str) -> None:
    segs = segments(text)
    assert "".join(s.text for s in segs) == text
    assert all(s.text for s in segs)
    assert [s.start for s in segs] == [sum(len(x.text) for x in segs[:i]) for i in range(len(segs))]
    assert sum(len(s.text) for s in segs if s.depth > 0) == stats(text).bracketed_chars


@given(st.lists(texts, max_size=8), st.sets(st.integers(0, 8)))
@settings(max_examples=200)
def test_parse_document_pairs_every_bracket_once(paras: list[str], breaks: set[int]) -> None:
    doc = parse_document(paras, breaks=breaks)
    assert sum(len(d.closes_earlier) for d in doc) == sum(len(d.closed_later) for d in doc)
    for text, d in zip(paras, doc, strict=True):
        local = parse(text)
        assert d.pairs == local.pairs
        assert sorted((*d.unmatched, *d.closes_earlier, *d.closed_later)) == list(local.unmatched)
        assert "".join(s.text for s in segments(text, d)) == text


# --- the Paris Agreement texts -------------------------------------------------------


def paris(round_: str) -> tuple[ParsedParagraph, ...]:
    path: Path = need_data(PARIS / f"agreement_{round_}-2015_index.md")
    return read_document(path.read_bytes(), filename=path.name).paragraphs


def article_breaks(paragraphs: tuple[ParsedParagraph, ...]) -> set[int]:
    return {i for i, p in enumerate(paragraphs) if p.kind == HEADING and re.match(r"\[?Article\b", p.num)}


@pytest.fixture(scope="module")
def counts() -> dict[str, tuple[int, int]]:
    """Per round: (pairs within paragraphs, pairs spanning paragraphs)."""
    out = {}
    for r in ROUNDS:
        paras = paris(r)
        doc = parse_document([p.text for p in paras], breaks=article_breaks(paras))
        out[r] = (sum(len(d.pairs) for d in doc), sum(len(d.closes_earlier) for d in doc))
    return out


def test_paris_23_oct_has_over_a_thousand_bracket_pairs(counts: dict[str, tuple[int, int]]) -> None:
    inside, spanning = counts["23-oct"]
    # 994 pairs close in the paragraph that opens them; 16 more span paragraphs.
    assert 950 < inside < 1000 < inside + spanning


def test_paris_brackets_fall_across_rounds(counts: dict[str, tuple[int, int]]) -> None:
    total = {r: sum(c) for r, c in counts.items()}
    assert total["23-oct"] > total["4-dec"] > total["9-dec"] > total["12-dec"]
    assert total["4-dec"] > 900 and 150 < total["9-dec"] < 300
    assert total["12-dec"] == 0  # the adopted text: everything agreed


def test_paris_12_dec_is_clean_and_9_dec_mostly_so() -> None:
    adopted = paris("12-dec")
    assert not any(is_bracketed(p.text) or parse(p.text).unmatched for p in adopted)
    late = paris("9-dec")
    assert sum(is_bracketed(p.text) for p in late) < len(late) // 3


def test_paris_23_oct_temperature_goal() -> None:
    (para,) = [p for p in paris("23-oct") if "[below 2 °C][below 1.5 °C][well below 2 °C]" in p.text]
    p = parse(para.text)
    (group,) = [g for g in p.groups if "[below 2 °C][below 1.5 °C]" in para.text[g.start : g.end + 1]]
    assert len(group.members) >= 3
    assert [p.pairs[m].inner(para.text) for m in group.members[:3]] == ["below 2 °C", "below 1.5 °C", "well below 2 °C"]


def test_paris_23_oct_extra_closing_bracket_is_reported() -> None:
    paras = paris("23-oct")
    (para,) = [p for p in paras if p.text.endswith("in light of different national circumstances,]]")]
    p = parse(para.text)
    assert p.unmatched == (len(para.text) - 1,)
    doc = parse_document([x.text for x in paras], breaks=article_breaks(paras))
    assert doc[paras.index(para)].unmatched == (len(para.text) - 1,)


def test_paris_fully_bracketed_and_nested() -> None:
    paras = paris("23-oct")
    by_text = {p.text: p for p in paras}
    note = "*[Further definitions may be required at a later stage in the negotiating process.]*"
    assert note in by_text and stats(note).fully_bracketed
    # "**Option 1:** [Parties aim [to achieve the global temperature goal] ...]" once the
    # label is set aside.
    (opt,) = [p for p in paras if p.num == "Option 1:" and p.text.startswith("[Parties aim [to achieve")]
    s = stats(opt.text)
    assert s.fully_bracketed and s.max_depth >= 3 and s.alternatives_groups >= 4
    assert max(parse(p.text).max_depth for p in paras) == 4


def test_paris_variants() -> None:
    nums = {p.num: paragraph_variant(p.num, p.text) for p in paris("23-oct") + paris("4-dec")}
    assert nums["3.3alt:"] == Variant("3.3", "alt", 1)
    assert nums["3.3bis Alt"] == Variant("3.3bis", "alt", 1)
    assert nums["3.3quat"] == Variant("3.3", "quater", 4)
    assert nums["[Article 3ter]"] == Variant("3", "ter", 3, unit="article", bracketed=True)
    assert nums["Article 8 bis"] == Variant("8", "bis", 2, unit="article")
    assert nums["Option III:"] == Variant("", "option", 3)
    assert nums["7.bis"] == Variant("7", "bis", 2)
    assert nums["(17ter)"] == Variant("17", "ter", 3)
    # Options written in the text under a plain number: option 1 of that paragraph.
    options = [(p.num, paragraph_variant(p.num, p.text)) for p in paris("23-oct") if p.text.startswith("**Option 1")]
    assert len(options) > 20
    assert all(v is not None and v.kind == "option" and v.ordinal == 1 and v.base == num.rstrip(".")
               for num, v in options)


def test_paris_23_oct_parses_in_a_few_milliseconds() -> None:
    paras = paris("23-oct")
    texts = [p.text for p in paras]
    breaks = article_breaks(paras)
    best = min(_timed(lambda: parse_document(texts, breaks=breaks)) for _ in range(5))
    assert best < 0.1  # about 8 ms here; the bound only catches a quadratic slip


def _timed(fn: object) -> float:
    assert callable(fn)
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t
