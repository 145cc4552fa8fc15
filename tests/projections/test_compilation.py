"""Compilation text, progress and blame on constructed negotiations and on the real Paris rounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from projections.readmodel import ReadModel
from tracker.application import Tracker
from tracker.demo import build_demo
from tracker.domain.base import Actor, NotFound
from tracker.text.document import ParsedDocument, ParsedParagraph

from realdata import DATA, need_data
from scenarios import CHAIR, setup_negotiation

MEX, NOR, JPN, BRA = (Actor(c, "u") for c in ("MEX", "NOR", "JPN", "BRA"))


def test_compilation_attributes_pending_proposals_in_place(tracker: Tracker, read: ReadModel) -> None:
    setup_negotiation(tracker)
    a, _ = tracker.propose("n", "2", "replace", MEX, old_text="shall", new_text="should")
    tracker.take_position("n", str(a), "supports", NOR)
    tracker.take_position("n", str(a), "opposes", JPN)
    b, _ = tracker.propose("n", "2", "retain", BRA, on_behalf_of="G77")
    c, _ = tracker.propose("n", "2", "delete_paragraph", NOR)
    tracker.withdraw_amendment("n", str(c), NOR)
    tracker.mark_paragraph("n", "3", "agreed_ad_ref", CHAIR)
    read.catch_up()
    compiled = read.compilation("n")
    two = next(p for p in compiled["paragraphs"] if p["num"] == "2.")
    assert two["attribution"] == 'MEX, supported by NOR, opposed by JPN: replace "shall" with "should"; G77 (BRA): retain'
    assert two["proposals"][0]["proposed_text"] == "States should [act][work] on matter 2 in good faith."
    assert two["brackets"]["pairs"] == 2 and two["brackets"]["alternatives_groups"] == 1
    assert next(p for p in compiled["paragraphs"] if p["num"] == "3.")["status"] == "agreed_ad_ref"
    assert compiled["totals"]["brackets"] == 10 and compiled["totals"]["proposals"] == 2
    assert compiled["totals"]["by_status"] == {"open": 4, "agreed_ad_ref": 1}
    # As it stood before the proposals: nothing pending.
    before = read.compilation("n", position=read.revisions("n")[0]["position"])
    assert before["totals"]["proposals"] == 0


def test_progress_per_revision_and_round(tracker: Tracker, read: ReadModel) -> None:
    setup_negotiation(tracker)
    a, _ = tracker.propose("n", "1", "replace", MEX, old_text="[act][work]", new_text="act")
    tracker.mark_paragraph("n", "2", "agreed_ad_ref", CHAIR)
    clean = ParsedDocument(tuple(ParsedParagraph(f"States shall act on matter {i} in good faith.", num=f"{i}.")
                                 for i in range(1, 6)))
    tracker.publish_revision("n", "Rev 1", clean, CHAIR, round_number=1)
    tracker.decide_amendment("n", str(a), "incorporated", CHAIR)
    read.catch_up()
    data = read.progress("n")
    zero, rev1 = data["revisions"]
    assert (zero["label"], zero["bracketed"], zero["agreed_ad_ref"], zero["open"]) == ("Zero draft", 4, 1, 0)
    assert zero["brackets"] == 10 and zero["amendments"] == {"proposed": 1}
    assert (rev1["bracketed"], rev1["agreed_ad_ref"], rev1["open"], rev1["brackets"]) == (0, 1, 4, 0)
    assert data["rounds"][0]["round"] == 1 and data["rounds"][0]["amendments"] == {"incorporated": 1}
    assert data["rounds"][0]["revisions"] == ["Zero draft", "Rev 1"]


def test_blame_credits_amendments_and_revisions(tracker: Tracker, read: ReadModel) -> None:
    setup_negotiation(tracker)
    a, _ = tracker.propose("n", "1", "insert", MEX, old_text="good faith", new_text=" and with transparency")
    text = [ParsedParagraph(f"States shall [act][work] on matter {i} in good faith.", num=f"{i}.") for i in range(1, 6)]
    text[0] = ParsedParagraph("States shall [act][work] on matter 1 in good faith and with transparency.", num="1.")
    text[1] = ParsedParagraph("States shall [act][work] on matter 2 in good faith, as appropriate.", num="2.")
    tracker.publish_revision("n", "Rev 1", ParsedDocument(tuple(text)), CHAIR)
    tracker.decide_amendment("n", str(a), "incorporated", CHAIR)
    read.catch_up()
    blamed = {p["num"]: p for p in read.blame("n", "Rev 1")["paragraphs"]}
    one = blamed["1."]["spans"]
    assert "".join(s["text"] for s in one) == blamed["1."]["text"]
    assert [s["kind"] for s in one] == ["revision", "amendment", "revision"]
    assert one[1]["text"].strip() == "and with transparency" and one[1]["delegation"] == "MEX"
    assert one[0]["label"] == "Zero draft"
    two = blamed["2."]["spans"]
    assert ", as appropriate" in "".join(s["text"] for s in two if s.get("label") == "Rev 1")
    with pytest.raises(NotFound):
        read.blame("n", "Rev 9")


def test_real_paris_rounds(tmp_path: Path) -> None:
    need_data(DATA)
    db = str(tmp_path / "paris.sqlite")
    tracker = Tracker.open(db)
    read = ReadModel.open(db, tracker=tracker)
    try:
        list(build_demo(tracker, DATA, ["paris"]))
        read.catch_up()
        data = read.progress("paris")
        brackets = [r["brackets"] for r in data["revisions"]]
        assert brackets[0] > 900 and brackets == sorted(brackets, reverse=True) and brackets[-1] == 0
        compiled = read.compilation("paris", position=data["revisions"][1]["position"] - 1)
        assert compiled["label"] == "23 Oct" and compiled["totals"]["proposals"] == 4
        assert any("AOSIS" in p["attribution"] for p in compiled["paragraphs"])
        blamed = read.blame("paris", "12 Dec")
        sources = {s["label"] for p in blamed["paragraphs"] for s in p["spans"] if s["kind"] == "revision"}
        assert sources == {"23 Oct", "4 Dec", "9 Dec", "12 Dec"}
        for p in blamed["paragraphs"]:
            assert "".join(s["text"] for s in p["spans"]) == p["text"]
    finally:
        read.close()
        tracker.close()
