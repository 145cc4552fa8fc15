"""Blame: constructed cases, properties over random edits, then the real resolutions."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.formats import read_document
from tracker.text.align import align
from tracker.text.blame import Span, attribution, carry, chain, introduce
from tracker.text.redline import KEEP, word_ops
from tracker.text.tokens import tokenize

from realdata import MIGRANTS, need_data

R0, R1, R2 = "revision:Zero draft", "revision:Rev 1", "revision:Rev 2"
EU, G77, USA = "amendment:eu", "amendment:g77", "amendment:usa"

PARA = "Calls upon States to protect the human rights of migrants for 15 days, in accordance with international law."


def credited(text: str, spans: Sequence[Span]) -> dict[str, str]:
    """source -> its text, spans of one source stripped and joined with "|".

    Stripped because which of two spaces a diff keeps is arbitrary: "a [+x +]b" and
    "a[+ x+] b" are the same edit.
    """
    out: dict[str, list[str]] = {}
    for piece, source in attribution(text, spans):
        out.setdefault(source, []).append(piece.strip())
    return {source: "|".join(pieces) for source, pieces in out.items()}


def source_at(spans: Sequence[Span], offset: int) -> str:
    return next(s.source for s in spans if s.start <= offset < s.end)


def check_cover(text: str, spans: Sequence[Span]) -> None:
    assert all(s.start < s.end for s in spans)
    assert [s.start for s in spans] == [0, *(s.end for s in spans[:-1])][: len(spans)]
    assert (spans[-1].end if spans else 0) == len(text)
    assert all(a.source != b.source for a, b in zip(spans, spans[1:])), "adjacent spans of one source are merged"


# --- constructed cases -------------------------------------------------------------------


def test_introduce_is_one_span_or_none() -> None:
    assert introduce(PARA, R0) == (Span(0, len(PARA), R0),)
    assert introduce("", R0) == ()


def test_unchanged_text_keeps_its_sources() -> None:
    old = carry("", (), PARA, R0)
    assert old == introduce(PARA, R0)
    mixed = (Span(0, 10, R0), Span(10, len(PARA), EU))  # "Calls upon" | " States ..."
    assert carry(PARA, mixed, PARA, R1) == mixed
    assert carry(PARA, old, PARA, R1, [(EU, PARA)]) == old


def test_an_amendments_inserted_words_are_credited_to_it() -> None:
    new = PARA.replace("migrants", "migrants and their families")
    spans = carry(PARA, introduce(PARA, R0), new, R1, [(EU, "and their families")])
    check_cover(new, spans)
    assert credited(new, spans)[EU] == "and their families"
    assert credited(new, spans)[R0].replace("|", " ") == PARA


def test_the_secretariats_own_rewording_is_credited_to_the_revision() -> None:
    new = PARA.replace("Calls upon", "Urges")
    spans = carry(PARA, introduce(PARA, R0), new, R1, [(EU, "and their families"), (G77, "Encourages")])
    assert credited(new, spans) == {R1: "Urges", R0: new[len("Urges "):]}


def test_a_changed_number_is_credited_as_a_whole_token() -> None:
    new = PARA.replace("15", "16")
    assert credited(new, carry(PARA, introduce(PARA, R0), new, R1))[R1] == "16"
    # An amendment that proposes just the number, or the number in its context, explains it.
    assert credited(new, carry(PARA, introduce(PARA, R0), new, R1, [(USA, "16")]))[USA] == "16"
    assert credited(new, carry(PARA, introduce(PARA, R0), new, R1, [(USA, "for 16 days")]))[USA] == "16"
    old = "Decides to allocate 1.5 million"
    assert credited("Decides to allocate 2.0 million", carry(old, introduce(old, R0), "Decides to allocate 2.0 million", R1))[R1] == "2.0"


def test_a_proposal_whose_words_only_partly_appear() -> None:
    # The EU asked for "and their families, including children"; the text took only
    # "and their families" and the co-facilitators added "where appropriate".
    new = PARA.replace("migrants", "migrants and their families, where appropriate,")
    spans = carry(PARA, introduce(PARA, R0), new, R1, [(EU, "and their families, including children")])
    got = credited(new, spans)
    assert got[EU] == "and their families,"
    assert got[R1] == "where appropriate,"


def test_two_proposals_on_one_paragraph_are_each_credited_their_own_words() -> None:
    new = "Calls upon all States to promote and protect the human rights of all migrants and their families for 15 days."
    old = "Calls upon States to protect the human rights of migrants for 15 days."
    proposals = [(EU, "promote and protect"), (G77, "of all migrants and their families"), (USA, "all States to")]
    got = credited(new, carry(old, introduce(old, R0), new, R1, proposals))
    assert got[EU] == "promote and"
    # The diff re-inserts the one word "migrants" between two insertions rather than keep
    # it (a semantic cleanup), and G77's words explain the whole stretch.
    assert got[G77] == "all migrants and their families"
    assert got[USA] == "all"
    assert R1 not in got


def test_longest_overlap_wins_and_ties_go_to_the_earliest_proposal() -> None:
    old = "States should act."
    new = "States should act swiftly and decisively together."
    first = carry(old, introduce(old, R0), new, R1, [(EU, "swiftly and"), (G77, "swiftly and decisively")])
    assert credited(new, first)[G77] == "swiftly and decisively"
    tie = carry(old, introduce(old, R0), new, R1, [(EU, "act swiftly and decisively"), (G77, "swiftly and decisively")])
    assert credited(new, tie)[EU] == "swiftly and decisively"
    assert G77 not in credited(new, tie)


def test_a_lone_common_word_is_not_evidence() -> None:
    old = "Requests States to adopt measures to prevent violations."
    new = "Requests States to adopt the measures to prevent violations."
    got = credited(new, carry(old, introduce(old, R0), new, R1, [(EU, "the rights of the child")]))
    assert got[R1] == "the"  # the EU's "the" is elsewhere in its proposal
    got = credited(new, carry(old, introduce(old, R0), new, R1, [(EU, "adopt the measures needed")]))
    assert got[EU] == "the"  # here it is next to the same neighbour


def test_matching_ignores_case_and_spacing() -> None:
    old = "Reaffirms its commitment."
    new = "Reaffirms its strong and lasting commitment."
    got = credited(new, carry(old, introduce(old, R0), new, R1, [(EU, "Strong  and\nlasting")]))
    assert got[EU] == "strong and lasting"


def test_deletion_only_keeps_every_remaining_source() -> None:
    old = "Calls upon States and their families to protect migrants."
    spans = carry("Calls upon States to protect migrants.", introduce("Calls upon States to protect migrants.", R0), old, R1, [(EU, "and their families")])
    new = "Calls upon States to protect migrants."
    after = carry(old, spans, new, R2)
    assert after == (Span(0, len(new), R0),)


def test_a_complete_rewrite() -> None:
    old = "Calls upon States to protect migrants."
    new = "Invites the Special Rapporteur to submit a report."
    end = len(new) - 1  # the full stop is the one token both texts share
    assert carry(old, introduce(old, R0), new, R1) == (Span(0, end, R1), Span(end, len(new), R0))
    spans = carry(old, introduce(old, R0), new, R1, [(EU, new)])
    assert spans == (Span(0, end, EU), Span(end, len(new), R0))
    assert carry("", (), new, R1, [(G77, "Rapporteur"), (EU, new)]) == (Span(0, len(new), EU),)


def test_empty_texts() -> None:
    assert carry("", (), "", R1) == ()
    assert carry(PARA, introduce(PARA, R0), "", R1) == ()
    assert carry("", (), PARA, R1, [(EU, PARA)]) == (Span(0, len(PARA), EU),)
    assert chain([]) == []
    assert attribution("", ()) == []


def test_old_spans_must_cover_the_old_text() -> None:
    with pytest.raises(ValueError, match="cover"):
        carry(PARA, (Span(0, 5, R0),), PARA, R1)
    with pytest.raises(ValueError, match="cover"):
        carry(PARA, (Span(0, 5, R0), Span(6, len(PARA), R0)), PARA, R1)


def test_whitespace_between_tokens_of_one_source_never_breaks_a_span() -> None:
    # A diff may "keep" either space around a deleted word; the space must follow its
    # neighbours, or deleting an inserted word would leave a one-space span behind.
    base = "a b c"
    r1 = carry(base, introduce(base, R0), "a x b c", R1)
    back = carry("a x b c", r1, base, R2)
    assert back == (Span(0, len(base), R0),)
    odd = (Span(0, 1, R0), Span(1, 2, R1), Span(2, 5, R0))  # "a" | " " | "b c"
    assert carry(base, odd, base + " d", R2) == (Span(0, 5, R0), Span(5, 7, R2))


def test_chain_carries_each_version_and_credits_a_proposed_new_paragraph() -> None:
    versions = [
        ("Calls upon States to protect migrants.", R0, [(G77, "Calls upon States to protect migrants.")]),
        ("Calls upon States to protect all migrants.", R1, [(EU, "all migrants")]),
        ("Calls upon all States to protect all migrants.", R2, []),
    ]
    blames = chain(versions)
    assert blames[0] == (Span(0, len(versions[0][0]), G77),)
    assert credited(versions[1][0], blames[1]) == {G77: "Calls upon States to protect|migrants.", EU: "all"}
    assert credited(versions[2][0], blames[2])[R2] == "all"
    assert credited(versions[2][0], blames[2])[EU] == "all"


def test_chinese_one_token_per_character() -> None:
    old = "呼吁各国保护移民的人权。"
    new = "呼吁所有国家切实保护所有移民的人权。"
    spans = carry(old, introduce(old, R0), new, R1, [(EU, "切实保护")])
    check_cover(new, spans)
    got = credited(new, spans)
    assert "切实" in got[EU]
    assert "移民的人权。" in got[R0]
    assert all(s.start in _boundaries(new) and s.end in _boundaries(new) for s in spans)
    # A single changed character is one token.
    assert credited("呼吁各国保护难民的人权。", carry(old, introduce(old, R0), "呼吁各国保护难民的人权。", R1))[R1] == "难"


def test_arabic_words_and_harakat() -> None:
    old = "يدعو الدول إلى حماية حقوق الإنسان للمهاجرين."
    new = "يدعو جميع الدول إلى حماية وتعزيز حقوق الإنسان للمهاجرين وأسرهم."
    spans = carry(old, introduce(old, R0), new, R1, [(G77, "حماية وتعزيز حقوق"), (EU, "وأسرهم")])
    check_cover(new, spans)
    got = credited(new, spans)
    assert got[G77] == "وتعزيز"
    assert got[EU] == "وأسرهم"
    assert got[R1] == "جميع"
    vowelled = "يَدْعُو الدول"
    assert carry(vowelled, introduce(vowelled, R0), "يَدْعُو جميع الدول", R1)[0] == Span(0, len("يَدْعُو "), R0)


def test_a_long_paragraph_with_many_proposals_is_fast() -> None:
    sentence = "Calls upon States to promote and protect effectively the human rights of all migrants, {k} times, "
    old = "".join(sentence.format(k=k) for k in range(30))  # ~3,000 characters
    new = "".join(sentence.format(k=k * 7).replace("States", f"Member States {k}") for k in range(30))
    proposals = [(f"amendment:{k}", new[k * 90 : k * 90 + 400]) for k in range(40)]
    start = time.perf_counter()
    spans = carry(old, introduce(old, R0), new, R1, proposals)
    assert time.perf_counter() - start < 2.0
    check_cover(new, spans)


# --- properties --------------------------------------------------------------------------

_VOCABULARY = (
    "Calls upon States to promote and protect effectively the human rights of all migrants "
    "regardless their migration status including women children in accordance with international law "
    "15 16 1.5 2023 self-determination women's , . ; : ( ) [ ] – "
    "المهاجرين حقوق الإنسان الدول يَدْعُو 移 民 的 人 权 。 ， Мигрантов права"
).split()
_words = st.lists(st.sampled_from(_VOCABULARY), min_size=0, max_size=40)
_sources = st.sampled_from([R0, R1, EU, G77])


def _join(tokens: list[str]) -> str:
    out = ""
    for t in tokens:
        out += t if not out or t in ",.;:)]。，" or out[-1] in "([" else " " + t
    return out


@st.composite
def _edits(draw: st.DrawFn) -> tuple[str, tuple[Span, ...], str, list[tuple[str, str]]]:
    old_words = draw(_words)
    new_words = list(old_words)
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(new_words)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.lists(st.sampled_from(_VOCABULARY), min_size=1, max_size=6))
        cut = draw(st.integers(0, 4))
        if kind == "insert":
            new_words[at:at] = piece
        elif kind == "delete":
            del new_words[at : at + cut]
        else:
            new_words[at : at + cut] = piece
    old, new = _join(old_words), _join(new_words)
    tokens = tokenize(old)
    # Old blame: random runs of tokens with random sources, merged.
    spans: list[Span] = []
    at = 0
    for token in tokens:
        source = spans[-1].source if spans and draw(st.booleans()) else draw(_sources)
        if spans and spans[-1].source == source:
            spans[-1] = Span(spans[-1].start, at + len(token), source)
        else:
            spans.append(Span(at, at + len(token), source))
        at += len(token)
    proposals = draw(st.lists(st.tuples(_sources, _words.map(_join)), max_size=4))
    return old, tuple(spans), new, proposals


def _boundaries(text: str) -> set[int]:
    out, at = {0}, 0
    for token in tokenize(text):
        at += len(token)
        out.add(at)
    return out


@given(_edits())
@settings(max_examples=300, deadline=None)
def test_spans_cover_the_new_text_on_token_boundaries(case: tuple[str, tuple[Span, ...], str, list[tuple[str, str]]]) -> None:
    old, old_spans, new, proposals = case
    spans = carry(old, old_spans, new, R2, proposals)
    check_cover(new, spans)
    cuts = _boundaries(new)
    assert all(s.start in cuts and s.end in cuts for s in spans)
    assert spans == carry(old, old_spans, new, R2, proposals)  # deterministic
    allowed = {s.source for s in old_spans} | {R2} | {source for source, _ in proposals}
    assert {s.source for s in spans} <= allowed


@given(_edits())
@settings(max_examples=300, deadline=None)
def test_unchanged_tokens_keep_their_source(case: tuple[str, tuple[Span, ...], str, list[tuple[str, str]]]) -> None:
    old, old_spans, new, proposals = case
    spans = carry(old, old_spans, new, R2, proposals)
    a = b = 0
    for op, text in word_ops(old, new):
        if op == KEEP:
            at = 0
            for token in tokenize(text):
                if not token.isspace():
                    assert source_at(spans, b + at) == source_at(old_spans, a + at), (token, text)
                at += len(token)
        a += len(text) if op != "+" else 0
        b += len(text) if op != "-" else 0


@given(_edits())
@settings(max_examples=300, deadline=None)
def test_inserted_words_go_to_the_revision_without_proposals(case: tuple[str, tuple[Span, ...], str, list[tuple[str, str]]]) -> None:
    old, old_spans, new, _ = case
    spans = carry(old, old_spans, new, R2)
    b = 0
    for op, text in word_ops(old, new):
        if op == "+":
            at = 0
            for token in tokenize(text):
                if not token.isspace():
                    assert source_at(spans, b + at) == R2
                at += len(token)
        b += len(text) if op != "-" else 0
    # Whitespace between two tokens of one source is that source's too.
    tokens, at, starts = tokenize(new), 0, []
    for token in tokens:
        starts.append(at)
        at += len(token)
    for k in range(1, len(tokens) - 1):
        if tokens[k].isspace() and not tokens[k - 1].isspace() and not tokens[k + 1].isspace():
            left, right = source_at(spans, starts[k - 1]), source_at(spans, starts[k + 1])
            if left == right:
                assert source_at(spans, starts[k]) == left


# --- the real resolutions ----------------------------------------------------------------

_FILES = ("A_RES_74_148_E.xml", "A_RES_76_172-2119207E.xml", "A_RES_78_217-2325999E.xml")
_LABELS = ("revision:74/148", "revision:76/172", "revision:78/217")


def _read(path: Path) -> list[str]:
    return [p.text for p in read_document(path.read_bytes(), filename=path.name).paragraphs]


@pytest.fixture(scope="module")
def migrants() -> tuple[list[list[str]], list[list[int | None]]]:
    """The three resolutions' paragraphs, and for each 78/217 paragraph its (74, 76) indices."""
    docs = [_read(need_data(MIGRANTS / name)) for name in _FILES]
    to_76 = {m.new: m.old for m in align([("", t) for t in docs[0]], [("", t) for t in docs[1]])}
    to_78 = {m.new: m.old for m in align([("", t) for t in docs[1]], [("", t) for t in docs[2]])}
    lineage: list[list[int | None]] = []
    for k in range(len(docs[2])):
        j = to_78.get(k)
        lineage.append([to_76.get(j) if j is not None else None, j])
    return docs, lineage


def _blame_78(docs: list[list[str]], lineage: list[int | None], k: int, proposals: Sequence[tuple[str, str]] = ()) -> tuple[Span, ...]:
    i, j = lineage
    versions: list[tuple[str, str, Sequence[tuple[str, str]]]] = []
    if i is not None:
        versions.append((docs[0][i], _LABELS[0], ()))
    if j is not None:
        versions.append((docs[1][j], _LABELS[1], ()))
    versions.append((docs[2][k], _LABELS[2], proposals))
    return chain(versions)[-1]


def _share(text: str, spans: Sequence[Span], start: int, end: int) -> Counter[str]:
    """Non-space characters of text[start:end] per source."""
    out: Counter[str] = Counter()
    for s in spans:
        out[s.source] += sum(not c.isspace() for c in text[max(s.start, start) : min(s.end, end)])
    return out


def test_real_most_of_78_217_comes_from_74_148(migrants: tuple[list[list[str]], list[list[int | None]]]) -> None:
    docs, lineage = migrants
    total: Counter[str] = Counter()
    through_all = 0
    for k, text in enumerate(docs[2]):
        if None in lineage[k]:
            continue
        through_all += 1
        spans = _blame_78(docs, lineage[k], k)
        check_cover(text, spans)
        total += _share(text, spans, 0, len(text))
    assert through_all >= 80
    assert total["revision:74/148"] / sum(total.values()) > 0.8, total
    assert total["revision:76/172"] > 0 and total["revision:78/217"] > 0


def test_real_paragraphs_new_in_76_172_owe_nothing_to_74_148(migrants: tuple[list[list[str]], list[list[int | None]]]) -> None:
    docs, lineage = migrants
    seen = 0
    for k, text in enumerate(docs[2]):
        if lineage[k][1] is None or lineage[k][0] is not None:
            continue
        seen += 1
        share = _share(text, _blame_78(docs, lineage[k], k), 0, len(text))
        assert share["revision:74/148"] == 0
        assert share["revision:76/172"] > share["revision:78/217"], text[:80]
    assert seen >= 3


# Phrases absent from every earlier resolution: whichever revision first has them brought them in.
_ADDED = [
    ("are human rights holders", "revision:76/172"),
    ("both within and across regions", "revision:76/172"),
    ("to uphold the prohibition of collective expulsion", "revision:76/172"),
    ("migration has been and will continue to be part of the human experience", "revision:78/217"),
    ("fourth sessions and thirty-fifth and thirty-sixth", "revision:78/217"),
]


@pytest.mark.parametrize(("phrase", "source"), _ADDED)
def test_real_additions_are_credited_to_the_revision_that_made_them(
    migrants: tuple[list[list[str]], list[list[int | None]]], phrase: str, source: str
) -> None:
    docs, lineage = migrants
    first = _LABELS.index(source)
    assert all(phrase not in "\n".join(doc) for doc in docs[:first])
    hits = [k for k, text in enumerate(docs[2]) if phrase in text and lineage[k][1] is not None]
    assert hits, phrase
    for k in hits:
        text = docs[2][k]
        at = text.index(phrase)
        share = _share(text, _blame_78(docs, lineage[k], k), at, at + len(phrase))
        assert share[source] >= 0.9 * sum(share.values()), share


def test_real_an_amendment_that_proposed_a_2023_addition_gets_the_credit(
    migrants: tuple[list[list[str]], list[list[int | None]]],
) -> None:
    docs, lineage = migrants
    phrase = "migration has been and will continue to be part of the human experience through history, underscoring that"
    (k,) = [k for k, text in enumerate(docs[2]) if phrase in text]
    # Decoys: whole paragraphs of the same resolution share its boilerplate.
    proposals = [(f"amendment:decoy{n}", docs[2][n]) for n in range(5)] + [("amendment:real", phrase)]
    text = docs[2][k]
    spans = _blame_78(docs, lineage[k], k, proposals)
    check_cover(text, spans)
    at = text.index(phrase)
    share = _share(text, spans, at, at + len(phrase))
    assert share["amendment:real"] == sum(share.values())
    # What 76/172 already had stays 76/172's.
    assert _share(text, spans, 0, len(text))["revision:76/172"] > 0
