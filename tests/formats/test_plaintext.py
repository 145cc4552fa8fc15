from __future__ import annotations

import re

from tracker.formats import read_document
from tracker.text.document import HEADING, ITEM, OPERATIVE, PARAGRAPH, PREAMBULAR

from formats_helpers import SEED, body_words, needs, words

FURNITURE = re.compile(r"^\s*(https?://\S+|\d+/\d+|_{5,}|\d{1,3})\s*$")


@needs(SEED)
def test_seed_every_word_comes_back_and_footnotes_apart() -> None:
    doc = read_document(SEED.read_bytes(), filename=SEED.name)
    lines = SEED.read_text(encoding="utf-8").split("\n")
    kept = []
    for line in lines:
        if FURNITURE.match(line):
            continue
        if "A/RES/71/280" in line:  # running header, wrapped over two lines
            while not kept[-1].strip():
                kept.pop()
            kept.pop()
            continue
        kept.append(line)
    expected = words(" ".join(kept))
    notes = {f.marker: f.text for p in doc.paragraphs for f in p.footnotes}
    assert sorted(notes, key=int) == ["1", "2", "3", "4", "5", "6"]
    for text in notes.values():  # the footnote bodies are cut out of the reference
        run = words(text)
        at = next(i for i in range(len(expected)) if expected[i:i + len(run)] == run)
        del expected[at:at + len(run)]
    assert body_words(doc) == expected
    assert notes["5"].startswith("La lista de nombres propuestos")
    assert notes["6"] == "Resolución 48/134, anexo."


@needs(SEED)
def test_seed_structure() -> None:
    doc = read_document(SEED.read_bytes())
    ops = [p for p in doc.paragraphs if p.kind == OPERATIVE]
    assert [p.num for p in ops] == [f"{i}." for i in range(1, 32)]
    assert doc.symbol == "A/RES/71/280"
    assert doc.title.startswith("Modalidades para las negociaciones")
    kinds = [p.kind for p in doc.paragraphs]
    assert kinds.count(PREAMBULAR) == 4
    formula = next(p for p in doc.paragraphs if p.text == "La Asamblea General,")
    assert formula.kind == PARAGRAPH
    assert ("", "Fase I. Consultas", HEADING) in [(p.num, p.text, p.kind)
                                                  for p in doc.paragraphs]
    roman = [p for p in doc.paragraphs if p.num == "ii)"]
    assert roman and all(p.level == 2 and p.kind == ITEM for p in roman)
    assert not any("http" in p.text or "A/RES/71/280" in p.text for p in doc.paragraphs)
    second = next(p for p in doc.paragraphs if p.text.startswith("Recordando también"))
    assert second.text.endswith("aprobada en octubre de 2013,")
    assert [f.marker for f in second.footnotes] == ["1", "2", "3"]


def test_numbered_blocks_and_labels() -> None:
    text = """ARTICLE 5

PP1 Recalling its resolution,

OP1. Decides to act;

1. First paragraph that wraps
onto a second line;

3 bis. Inserted paragraph;

(a) item a;
(b) item b;
(i) sub one;

II. Objectives

Article 7
"""
    doc = read_document(text.encode(), filename="x.txt")
    got = [(p.num, p.text, p.kind, p.level) for p in doc.paragraphs]
    assert got[0] == ("", "ARTICLE 5", HEADING, 0) or got[0][0] == "ARTICLE 5"
    assert ("PP1", "Recalling its resolution,", OPERATIVE, 0) in got
    assert ("1.", "First paragraph that wraps onto a second line;", OPERATIVE, 0) in got
    assert ("3 bis.", "Inserted paragraph;", OPERATIVE, 0) in got
    assert ("(b)", "item b;", ITEM, 1) in got
    assert ("(i)", "sub one;", ITEM, 2) in got
    assert ("II.", "Objectives", HEADING, 0) in got
    assert ("Article 7", "", HEADING, 0) in got


def test_one_paragraph_per_line_with_bom() -> None:
    doc = read_document("\ufeff1. Uno\n2. Dos\n3. Tres\n".encode(), format="txt")
    assert [(p.num, p.text) for p in doc.paragraphs] == [("1.", "Uno"), ("2.", "Dos"),
                                                          ("3.", "Tres")]


def test_utf16_and_nfc() -> None:
    doc = read_document("1. Cafe\u0301 noir\n".encode("utf-16"), format="txt")
    assert doc.paragraphs[0].text == "Caf\u00e9 noir"
