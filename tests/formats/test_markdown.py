from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.formats import read_document
from tracker.formats.markdown import read_markdown
from tracker.text.document import HEADING, ITEM, OPERATIVE, PARAGRAPH, PREAMBULAR

from formats_helpers import PARIS, body_words, data_files, needs, words

MD_FILES = data_files(PARIS, "*.md")
OCT_23 = PARIS / "agreement_23-oct-2015_index.md"


def _reference(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    """Words of the file minus front matter, Kramdown markers, definitions, link syntax."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines[0].strip() == "---":
        lines = lines[lines.index("---", 1) + 1:]
    labels = {m.group(1).lower() for line in lines
              if (m := re.match(r"^\[([^\]^][^\]]*)\]:\s*\S", line))}
    kept, notes, note = [], {}, None
    for i, line in enumerate(lines):
        m = re.match(r"^\[\^([^\]]+)\]:(.*)$", line)
        if m:
            note = m.group(1)
            notes.setdefault(note, []).append([m.group(2)])
            continue
        if note is not None:
            following = next((x for x in lines[i:] if x.strip()), "")
            lazy = line.strip() and lines[i - 1].strip() and not line.startswith("[")
            if line.startswith(" ") or lazy or (not line.strip() and following.startswith("  ")
                                        and not following.startswith("[^")):
                notes[note][-1].append(line)
                continue
            note = None
        if re.match(r"^\[[^\]^][^\]]*\]:\s*\S", line) or re.match(r"^\s*(\{:.*\}|\* TOC)\s*$",
                                                                  line):
            continue
        kept.append(line)
    text = "\n".join(kept)
    text = re.sub(r"\[\^[^\]]+\]", " ", text)
    text = re.sub(r"\]\[([^\]]*)\]",
                  lambda m: "]" if m.group(1).lower() in labels else m.group(0), text)
    text = re.sub(r"\]\((?:https?:|/)[^)]*\)", "]", text)
    text = re.sub(r"<[A-Za-z/][^>]*>", " ", text)  # inline HTML tags are not text
    return words(text), {k: [words(" ".join(d)) for d in v] for k, v in notes.items()}


@pytest.mark.parametrize("path", MD_FILES, ids=lambda p: p.name)
def test_every_word_comes_back_in_order(path: Path) -> None:
    doc = read_document(path.read_bytes(), filename=path.name)
    expected, notes = _reference(path)
    assert body_words(doc) == expected
    cited = {f.marker: f.text for p in doc.paragraphs for f in p.footnotes}
    for marker, text in cited.items():
        assert words(text) == notes.get(marker, [[]])[0], marker
    # every definition comes back (cited ones in paragraphs, the others in metadata) ...
    spare = [v for k, v in doc.metadata.items() if k.startswith("footnote:")]
    assert len(cited.keys() & notes.keys()) + len(spare) == sum(len(v) for v in notes.values())
    # ... and none leaks into the text
    for defs in notes.values():
        for note_words in defs:
            if len(note_words) > 4:
                joined = " ".join(note_words)
                assert not any(joined in " ".join(words(p.text)) for p in doc.paragraphs)
    for p in doc.paragraphs:
        assert "[^" not in p.text and "{:" not in p.text and "TOC" != p.text


@needs(OCT_23)
def test_23_october_structure() -> None:
    doc = read_markdown(OCT_23.read_bytes())
    assert doc.title == "Final Draft Negotiating Text 23 October 2015"
    texts = [p.text for p in doc.paragraphs]
    preamble = texts.index("Preamble")
    assert doc.paragraphs[preamble].kind == HEADING
    assert texts[preamble + 1] == "The Parties to this Agreement,"
    assert doc.paragraphs[preamble + 2].kind == PREAMBULAR
    assert doc.paragraphs[preamble + 2].text.startswith("*Being* Parties")
    articles = [p for p in doc.paragraphs if p.num.startswith(("Article", "[Article"))]
    assert all(p.kind == HEADING for p in articles)
    nums = [p.num for p in articles]
    assert nums[:3] == ["Article 1", "Article 2", "Article 2bis"]
    assert "[Article 3bis]" in nums
    art2 = articles[1]
    assert art2.text == "*(purpose)*"
    # footnote 1 is a Footnote, not text
    edited = next(p for p in doc.paragraphs if p.text.startswith("*Edited version"))
    assert edited.text == "*Edited version of 6 November 2015*"
    assert edited.footnotes[0].marker == "1"
    assert edited.footnotes[0].text.startswith("The version of 23 October 2015")
    # options, numbered paragraphs and nested items
    options = [p for p in doc.paragraphs if p.num == "Option 1:"]
    assert options and any(p.kind == HEADING and p.text == "" for p in options)
    one = next(p for p in doc.paragraphs if p.text.startswith("The purpose of this Agreement"))
    assert (one.num, one.kind, one.level) == ("1.", OPERATIVE, 0)
    sub = doc.paragraphs[doc.paragraphs.index(one) + 1]
    assert (sub.num, sub.kind, sub.level) == ("1.", ITEM, 1)
    assert {"3.3bis", "3.3quat", "3.3alt:", "3.x"} <= {p.num for p in doc.paragraphs}
    # negotiating brackets that look like links stay
    assert any("*In [furtherance][pursuit]*" in t for t in texts)
    assert texts[0].startswith("*This is the final draft negotiating text prepared")


def test_generic_markdown() -> None:
    md = b"""# Zero draft

Intro line one
wrapped here.

## II. Objectives

PP1 Recalling [a][b] and [text][ref] and [link](https://example.org) here[^n],

1. First [shall][should] paragraph
2. Second
   - bullet one
   - bullet two
3 bis. Third bis
   (a) sub a
   (b) sub b
       (i) deep

[ref]: https://example.org/ref
[^n]: A note
    continued.
"""
    doc = read_document(md, filename="x.md")
    got = [(p.num, p.text, p.kind, p.level) for p in doc.paragraphs]
    assert got[0] == ("", "Zero draft", HEADING, 0)
    assert got[1] == ("", "Intro line one wrapped here.", PARAGRAPH, 0)
    assert got[2] == ("II.", "Objectives", HEADING, 0)
    pp1 = doc.paragraphs[3]
    assert pp1.num == "PP1" and pp1.text == "Recalling [a][b] and text and link here,"
    assert pp1.footnotes[0].text == "A note continued."
    assert ("1.", "First [shall][should] paragraph", OPERATIVE, 0) in got
    assert ("", "bullet one", ITEM, 1) in got
    assert ("3 bis.", "Third bis", OPERATIVE, 0) in got
    assert ("(a)", "sub a", ITEM, 1) in got
    assert ("(i)", "deep", ITEM, 2) in got
    assert doc.title == "Zero draft"
