"""Every real file imports through the application, and `show` gives back its whole text."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from tracker.application import Tracker
from tracker.domain.base import Actor
from tracker.formats import read_document
from tracker.records import revision_paragraphs

from realdata import DATA, MIGRANTS, need_data

SECRETARIAT = Actor("SECRETARIAT", "tester")
REAL_FILES = sorted(p for p in DATA.rglob("*") if p.suffix in {".xml", ".md", ".txt"}) if DATA.exists() else []
LANGUAGES = {"A": "ar", "C": "zh", "E": "en", "F": "fr", "R": "ru", "S": "es"}
_UNIT = regex.compile(r"\p{Han}|[\p{L}\p{M}\p{N}]+")


@pytest.fixture
def app(tmp_path: Path) -> Tracker:
    tracker = Tracker.open(str(tmp_path / "t.sqlite"))
    yield tracker
    tracker.close()


def units(text: str) -> list[str]:
    return _UNIT.findall(text.replace("*", ""))


def test_the_real_data_is_there() -> None:
    need_data(DATA)
    assert len(REAL_FILES) >= 18


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_each_real_file_comes_back_whole(app: Tracker, path: Path) -> None:
    document = read_document(path.read_bytes(), filename=path.name)
    app.publish_revision("n", "v1", document, SECRETARIAT)
    shown = revision_paragraphs(app.revision("n", "v1").paragraphs)
    assert [(p["num"], p["text"]) for p in shown] == [(p.num, p.text) for p in document.paragraphs]
    assert [len(p["footnotes"]) for p in shown] == [len(p.footnotes) for p in document.paragraphs]
    assert len({p["id"] for p in shown}) == len(shown)
    shown_units = units(" ".join(f"{p['num']} {p['text']}" for p in shown))
    assert len(shown_units) > 100
    # Footnote text never leaks into a paragraph.
    for p in shown:
        for footnote in p["footnotes"]:
            if len(footnote["text"]) > 40:
                assert footnote["text"] not in p["text"]


@pytest.mark.parametrize("letter", sorted(LANGUAGES))
def test_paragraph_ids_carry_over_in_every_language(app: Tracker, letter: str) -> None:
    need_data(MIGRANTS)
    older = MIGRANTS / f"A_RES_76_172-2119207{letter}.xml"
    newer = MIGRANTS / f"A_RES_78_217-2325999{letter}.xml"
    for label, path in (("76/172", older), ("78/217", newer)):
        app.publish_revision("m", label, read_document(path.read_bytes(), filename=path.name), SECRETARIAT)
    old = app.revision("m", "76/172").paragraphs
    new = app.revision("m", "78/217").paragraphs
    assert app.negotiation("m").languages == [LANGUAGES[letter]]
    carried = [p for p in new if p["match"]["method"] != "new"]
    assert len(carried) >= 0.8 * len(old), (letter, len(carried), len(old))
    old_ids = {p["id"] for p in old}
    assert all(p["id"] in old_ids for p in carried)
    renumbered = [p for p in carried if p["kind"] == "operative" and p["match"]["from_num"] != p["num"]]
    assert renumbered, "78/217 inserts operative paragraphs, so later ones are renumbered"
