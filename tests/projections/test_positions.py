"""A delegation's record, with the groups it belonged to at the time."""

from __future__ import annotations

import pytest

from projections.readmodel import ReadModel
from tracker.application import Tracker
from tracker.domain.base import Actor, NotFound

from scenarios import CHAIR, setup_negotiation

BRA, MEX, NOR = Actor("BRA", "b"), Actor("MEX", "m"), Actor("NOR", "n")


def test_everything_a_delegation_did(tracker: Tracker, read: ReadModel) -> None:
    setup_negotiation(tracker)  # BRA is in G77 from the start
    first, _ = tracker.propose("n", "1", "replace", BRA, old_text="shall", new_text="should", on_behalf_of="G77")
    second, _ = tracker.propose("n", "2", "retain", BRA)
    theirs, _ = tracker.propose("n", "3", "delete", MEX, old_text=" in good faith")
    tracker.take_position("n", str(theirs), "opposes", BRA)
    tracker.take_position("n", str(theirs), "supports", BRA)  # changed its mind
    other, _ = tracker.propose("n", "4", "retain", NOR)
    tracker.take_position("n", str(other), "co_sponsors", BRA)
    tracker.drop_position("n", str(other), BRA)
    tracker.withdraw_amendment("n", str(second), BRA)
    tracker.leave_group("n", "BRA", "G77", CHAIR)
    tracker.decide_amendment("n", str(first), "partly_incorporated", CHAIR)
    late, _ = tracker.propose("n", "5", "retain", BRA)
    read.catch_up()

    record = read.delegation("n", "BRA")
    assert record["delegation"] == {"code": "BRA", "name": "BRA", "kind": "member_state"}
    assert [m["group"] for m in record["memberships"]] == ["G77"] and record["memberships"][0]["to"] is not None
    by_id = {p["id"]: p for p in record["proposed"]}
    assert by_id[str(first)]["status"] == "partly_incorporated" and by_id[str(first)]["decided_in"] == "Zero draft"
    assert by_id[str(first)]["on_behalf_of"] == "G77" and by_id[str(first)]["groups_at_the_time"] == ["G77"]
    assert by_id[str(second)]["status"] == "withdrawn"
    assert by_id[str(late)]["groups_at_the_time"] == []
    stances = [(p["amendment_id"], p["stance"], p["current"]) for p in record["positions"]]
    assert stances == [(str(theirs), "opposes", False), (str(theirs), "supports", True),
                       (str(other), "co_sponsors", False)]
    assert {r["round"]: r for r in record["by_round"]}["1"] == {
        "round": "1", "proposed": 2, "withdrew": 1, "opposes": 1, "supports": 1, "co_sponsors": 1}
    paragraph_one = next(e for e in record["by_paragraph"] if e["num"] == "1.")
    assert paragraph_one["proposed"] == [str(first)]
    group = read.delegation("n", "G77")
    assert [p["id"] for p in group["proposed_on_its_behalf"]] == [str(first)]
    with pytest.raises(NotFound):
        read.delegation("n", "XXX")
