"""The redline on the real texts: every consecutive pair in ../shared/data, in the six
languages, and random edits of real paragraphs (never a cut inside a word)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.formats import read_document
from tracker.text.redline import MOVED, redline, word_ops
from tracker.text.tokens import tokenize

from realdata import MIGRANTS, PARIS, need_data

LANGUAGES = "ACEFRS"
PAIRS = [
    (MIGRANTS / "A_RES_74_148_E.xml", MIGRANTS / "A_RES_76_172-2119207E.xml"),
    *[(MIGRANTS / f"A_RES_76_172-2119207{x}.xml", MIGRANTS / f"A_RES_78_217-2325999{x}.xml") for x in LANGUAGES],
    *[
        (PARIS / f"agreement_{a}-2015_index.md", PARIS / f"agreement_{b}-2015_index.md")
        for a, b in (("23-oct", "4-dec"), ("4-dec", "9-dec"), ("9-dec", "12-dec"))
    ],
]


@cache
def load(path: Path, side: str) -> tuple[tuple[dict[str, Any], ...], str]:
    document = read_document(need_data(path).read_bytes(), filename=path.name)
    paragraphs = tuple(
        {"id": f"{side}{n}", "num": p.num, "text": p.text, "kind": p.kind} for n, p in enumerate(document.paragraphs)
    )
    return paragraphs, document.language


def cuts(tokens: list[str]) -> set[int]:
    out, at = {0}, 0
    for t in tokens:
        at += len(t)
        out.add(at)
    return out


def check_ops(ops: tuple[tuple[str, str], ...] | list[list[str]], old: str, new: str) -> None:
    """Ops rebuild both sides, and every op starts and ends on a token boundary of its side."""
    assert "".join(t for op, t in ops if op in "=-") == old
    assert "".join(t for op, t in ops if op in "=+") == new
    old_cuts, new_cuts = cuts(tokenize(old)), cuts(tokenize(new))
    i = j = 0
    for op, text in ops:
        assert text, ops
        if op in "=-":
            assert i in old_cuts and i + len(text) in old_cuts, (op, text)
            i += len(text)
        if op in "=+":
            assert j in new_cuts and j + len(text) in new_cuts, (op, text)
            j += len(text)


@pytest.mark.parametrize("old_path,new_path", PAIRS, ids=lambda p: p.name[:24])
def test_every_real_pair_by_text(old_path: Path, new_path: Path) -> None:
    (old, _), (new, lang) = load(old_path, "o"), load(new_path, "n")
    result = redline(old, new, by_id=False)
    old_index = {p["id"]: k for k, p in enumerate(old)}
    by_old = {p["id"]: p["text"] for p in old}
    by_new = {p["id"]: p["text"] for p in new}
    for e in result.entries:
        check_ops(e.ops, by_old[e.from_id] if e.from_id else "", by_new[e.to_id] if e.to_id else "")
    assert [e.to_id for e in result.entries if e.to_id] == [p["id"] for p in new]
    # Each old paragraph appears once; those not moved appear in the old order.
    assert sorted(old_index[e.from_id] for e in result.entries if e.from_id) == list(range(len(old)))
    kept = [old_index[e.from_id] for e in result.entries if e.from_id and e.status != MOVED]
    assert kept == sorted(kept)
    if lang == "zh":
        for e in result.entries:
            for op, text in e.ops:
                if op != "=":
                    assert all(len(t) == 1 for t in tokenize(text) if "\u4e00" <= t[0] <= "\u9fff")
    if "un-ga" in str(old_path):
        # Each year re-tables the text with paragraphs inserted early: later ones renumber.
        assert result.stats["renumbered"] > 0
        assert result.stats["changed"] > 0 and result.stats["inserted"] > 0


@pytest.mark.parametrize("letter", LANGUAGES)
def test_moves_found_in_every_language(letter: str) -> None:
    (old, _), (new, _) = (
        load(MIGRANTS / f"A_RES_76_172-2119207{letter}.xml", "o"),
        load(MIGRANTS / f"A_RES_78_217-2325999{letter}.xml", "n"),
    )
    result = redline(old, new, by_id=False)
    moved = [e for e in result.entries if e.status == MOVED]
    assert moved, "76/172 -> 78/217 moves preambular paragraphs"
    # A move is one entry with both sides, never a deletion plus an insertion of the same text.
    assert all(e.from_id and e.to_id for e in moved)
    deleted = {by for e in result.entries if e.status == "deleted" for _, by in e.ops}
    inserted = {by for e in result.entries if e.status == "inserted" for _, by in e.ops}
    assert not deleted & inserted


@st.composite
def edited_paragraph(draw: st.DrawFn) -> tuple[str, str]:
    letter = draw(st.sampled_from(LANGUAGES))
    paragraphs, _ = load(MIGRANTS / f"A_RES_78_217-2325999{letter}.xml", "n")
    texts = [p["text"] for p in paragraphs if len(p["text"]) > 20]
    old = draw(st.sampled_from(texts))
    tokens = tokenize(old)
    # Replacement tokens come from the same language's text: real words, spaces, marks.
    pool = tokenize(draw(st.sampled_from(texts)))
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        at = draw(st.integers(0, max(len(tokens) - 1, 0)))
        size = draw(st.integers(1, 6))
        piece = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=size))
        if kind == "insert":
            tokens[at:at] = piece
        elif kind == "delete":
            del tokens[at: at + size]
        else:
            tokens[at: at + size] = piece
    return old, "".join(tokens)


@given(edited_paragraph())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_edits_of_real_paragraphs(pair: tuple[str, str]) -> None:
    old, new = pair
    check_ops(word_ops(old, new), old, new)
    check_ops(word_ops(new, old), new, old)
