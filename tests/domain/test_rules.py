"""The rules of the negotiation, on both stores: what may be done, by whom, and what is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tracker.application import Tracker
from tracker.domain.base import Actor, Conflict, DomainError, Forbidden, NotFound
from tracker.text.document import OPERATIVE, PREAMBULAR, ParsedDocument, ParsedParagraph

SECRETARIAT = Actor("SECRETARIAT", "tester")

MEX = Actor("MEX", "ana")
NOR = Actor("NOR", "per")
EU = Actor("EU", "jean")
FRA = Actor("FRA", "marie")
VAT = Actor("VAT", "luca")
CAN = Actor("CAN-INT", "sam")
CHAIR = Actor("COFAC", "chair")

ZERO = ParsedDocument(
    paragraphs=(
        ParsedParagraph("*Recognizing* that cooperation is essential,", kind=PREAMBULAR),
        ParsedParagraph("States [shall][should] cooperate in good faith.", num="1.", kind=OPERATIVE),
        ParsedParagraph("States shall report every two years.", num="2.", kind=OPERATIVE),
        ParsedParagraph("The secretariat shall support implementation.", num="3.", kind=OPERATIVE),
    ),
    title="Compact",
    language="en",
)


@pytest.fixture
def compact(tracker: Tracker) -> Tracker:
    tracker.create_negotiation("compact", "A compact", SECRETARIAT, symbol="A/C/1", languages=["en", "fr"])
    for code, name, kind in [
        ("COFAC", "Co-facilitators", "chair"),
        ("MEX", "Mexico", "member_state"),
        ("NOR", "Norway", "member_state"),
        ("FRA", "France", "member_state"),
        ("EU", "European Union", "group"),
        ("VAT", "Holy See", "observer"),
        ("CAN-INT", "Climate Action Network", "stakeholder"),
    ]:
        tracker.register_delegation("compact", code, name, kind, SECRETARIAT)
    tracker.join_group("compact", "FRA", "EU", SECRETARIAT)
    tracker.schedule_round("compact", 1, date(2026, 2, 2), date(2026, 2, 4), "New York", CHAIR)
    tracker.open_round("compact", 1, CHAIR)
    tracker.publish_revision("compact", "Zero draft", ZERO, CHAIR, round_number=1)
    return tracker


def para(tracker: Tracker, num: str) -> str:
    return tracker.revision("compact").find(num)["id"]


def test_negotiation_roster_rounds_and_revision(compact: Tracker) -> None:
    n = compact.negotiation("compact")
    assert n.title == "A compact" and n.languages == ["en", "fr"]
    assert n.kind_of("SECRETARIAT") == "secretariat"
    assert n.groups_of("FRA") == ["EU"] and n.members_of("EU") == ["FRA"]
    assert n.current_round() == 1
    assert n.revision_labels == ["Zero draft"]
    revision = compact.revision("compact")
    assert [p["num"] for p in revision.paragraphs] == ["", "1.", "2.", "3."]
    assert all(p["match"]["method"] == "new" for p in revision.paragraphs)
    assert revision.published_by == CHAIR and revision.round_number == 1


def test_every_event_records_who_acted_and_when(compact: Tracker) -> None:
    events = list(compact.log("compact"))
    assert events, "the log is empty"
    positions = [position for position, _ in events]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    for _, event in events:
        assert isinstance(event.actor, Actor) and event.actor.user
        assert event.timestamp.tzinfo is not None


def test_full_life_of_an_amendment(compact: Tracker) -> None:
    amendment_id, _ = compact.propose(
        "compact", "1", "replace", MEX, old_text="[shall][should]", new_text="shall", rationale="Clarity"
    )
    compact.take_position("compact", str(amendment_id), "supports", NOR)
    compact.take_position("compact", str(amendment_id), "opposes", FRA)
    compact.take_position("compact", str(amendment_id), "co_sponsors", EU)
    compact.revise_amendment("compact", str(amendment_id), MEX, new_text="should")
    compact.drop_position("compact", str(amendment_id), FRA)
    a = compact.amendment("compact", str(amendment_id))
    assert a.status == "revised" and a.new_text == "should"
    assert a.positions == {"NOR": {"stance": "supports", "note": ""}, "EU": {"stance": "co_sponsors", "note": ""}}
    compact.decide_amendment("compact", str(amendment_id), "partly_incorporated", CHAIR)
    a = compact.amendment("compact", str(amendment_id))
    assert a.status == "partly_incorporated" and a.decision["revision"] == "Zero draft"
    with pytest.raises(Conflict, match="partly incorporated"):
        compact.withdraw_amendment("compact", str(amendment_id), MEX)
    types = [type(e).__qualname__ for _, e in compact.log("compact") if e.originator_id == amendment_id]
    assert types == [
        "Amendment.Proposed", "Amendment.PositionTaken", "Amendment.PositionTaken", "Amendment.PositionTaken",
        "Amendment.Revised", "Amendment.PositionDropped", "Amendment.Decided",
    ]


def test_proposal_on_behalf_of_a_group(compact: Tracker) -> None:
    amendment_id, _ = compact.propose("compact", "2", "delete", FRA, old_text=" every two years", on_behalf_of="EU")
    a = compact.amendment("compact", str(amendment_id))
    assert a.delegation == "FRA" and a.on_behalf_of == "EU"
    with pytest.raises(Forbidden, match="own proposal"):
        compact.take_position("compact", str(amendment_id), "supports", EU)
    with pytest.raises(DomainError, match="not a member of EU"):
        compact.propose("compact", "2", "retain", MEX, on_behalf_of="EU")


@pytest.mark.parametrize(
    ("actor", "message"),
    [(VAT, "observer and may not propose"), (CAN, "stakeholder and may not propose"), (CHAIR, "chair and may not propose")],
)
def test_only_states_and_groups_propose(compact: Tracker, actor: Actor, message: str) -> None:
    with pytest.raises(Forbidden, match=message):
        compact.propose("compact", "1", "retain", actor)


def test_amendment_against_unknown_paragraph(compact: Tracker) -> None:
    with pytest.raises(NotFound, match="no paragraph '99'"):
        compact.propose("compact", "99", "retain", MEX)
    with pytest.raises(NotFound):
        compact.propose("compact", "3f2b0000-0000-0000-0000-000000000000", "retain", MEX)
    with pytest.raises(NotFound, match="no revision 'Rev 9'"):
        compact.propose("compact", "1", "retain", MEX, base_label="Rev 9")


@pytest.mark.parametrize(
    ("action", "old", "new", "message"),
    [
        ("replace", "must", "shall", "does not contain"),
        ("replace", "States", "Parties", "occurs 2 times"),
        ("insert", "", "", "needs the new text"),
        ("delete", "", "", "needs the words"),
        ("retain", "good", "", "takes no text"),
        ("fly", "", "", "unknown amendment action"),
    ],
)
def test_malformed_proposals(compact: Tracker, action: str, old: str, new: str, message: str) -> None:
    target = "1"
    if "occurs" in message:
        compact.publish_revision(
            "compact", "Rev 1",
            ParsedDocument((ParsedParagraph("States and States cooperate.", num="1."),)), CHAIR,
        )
    with pytest.raises(DomainError, match=message):
        compact.propose("compact", target, action, MEX, old_text=old, new_text=new)


def test_withdrawing_another_delegations_amendment(compact: Tracker) -> None:
    amendment_id, _ = compact.propose("compact", "1", "retain", MEX)
    with pytest.raises(Forbidden, match="only MEX, who proposed it, may withdraw"):
        compact.withdraw_amendment("compact", str(amendment_id), NOR)
    with pytest.raises(Forbidden, match="may revise"):
        compact.revise_amendment("compact", str(amendment_id), NOR, rationale="mine now")
    compact.withdraw_amendment("compact", str(amendment_id), MEX, "consulted capital")
    assert compact.amendment("compact", str(amendment_id)).status == "withdrawn"
    with pytest.raises(Conflict, match="withdrawn"):
        compact.take_position("compact", str(amendment_id), "supports", NOR)


def test_supporting_ones_own_proposal(compact: Tracker) -> None:
    amendment_id, _ = compact.propose("compact", "1", "retain", MEX)
    with pytest.raises(Forbidden, match="own proposal"):
        compact.take_position("compact", str(amendment_id), "supports", MEX)
    compact.take_position("compact", str(amendment_id), "supports", NOR)
    with pytest.raises(Conflict, match="already supports"):
        compact.take_position("compact", str(amendment_id), "supports", NOR)
    with pytest.raises(Forbidden, match="observer"):
        compact.take_position("compact", str(amendment_id), "supports", VAT)


def test_duplicate_revision_label(compact: Tracker) -> None:
    before = len(list(compact.log("compact")))
    with pytest.raises(Conflict, match="already exists"):
        compact.publish_revision("compact", "Zero draft", ZERO, CHAIR)
    assert len(list(compact.log("compact"))) == before


def test_only_the_bureau_publishes_and_decides(compact: Tracker) -> None:
    with pytest.raises(Forbidden, match="publish a revision"):
        compact.publish_revision("compact", "Rev 1", ZERO, MEX)
    amendment_id, _ = compact.propose("compact", "1", "retain", MEX)
    with pytest.raises(Forbidden, match="decide on amendments"):
        compact.decide_amendment("compact", str(amendment_id), "incorporated", NOR)
    with pytest.raises(Forbidden, match="register delegations"):
        compact.register_delegation("compact", "XYZ", "Nowhere", "member_state", MEX)


def test_unknown_delegation_acts(compact: Tracker) -> None:
    with pytest.raises(NotFound, match="unknown delegation 'ATL'"):
        compact.propose("compact", "1", "retain", Actor("ATL", "x"))


def test_registering_twice_and_bad_codes(compact: Tracker) -> None:
    with pytest.raises(Conflict, match="already registered"):
        compact.register_delegation("compact", "MEX", "Mexico", "member_state", SECRETARIAT)
    with pytest.raises(DomainError, match="bad delegation code"):
        compact.register_delegation("compact", "<script>", "x", "member_state", SECRETARIAT)
    with pytest.raises(DomainError, match="unknown delegation kind"):
        compact.register_delegation("compact", "ABC", "x", "planet", SECRETARIAT)


def test_group_membership_changes(compact: Tracker) -> None:
    compact.join_group("compact", "MEX", "EU", SECRETARIAT)
    compact.leave_group("compact", "FRA", "EU", SECRETARIAT)
    n = compact.negotiation("compact")
    assert n.members_of("EU") == ["MEX"]
    with pytest.raises(Conflict, match="not a member"):
        compact.leave_group("compact", "FRA", "EU", SECRETARIAT)
    with pytest.raises(DomainError, match="not a group"):
        compact.join_group("compact", "FRA", "NOR", SECRETARIAT)
    kinds = [type(e).__qualname__ for _, e in compact.log("compact") if "Group" in type(e).__qualname__]
    assert kinds == ["Negotiation.GroupJoined", "Negotiation.GroupJoined", "Negotiation.GroupLeft"]


def test_rounds(compact: Tracker) -> None:
    compact.schedule_round("compact", 2, date(2026, 3, 2), date(2026, 3, 5), "Geneva", SECRETARIAT)
    with pytest.raises(Conflict, match="round 1 is still open"):
        compact.open_round("compact", 2, SECRETARIAT)
    compact.close_round("compact", 1, SECRETARIAT)
    compact.open_round("compact", 2, SECRETARIAT)
    assert compact.negotiation("compact").current_round() == 2
    with pytest.raises(Conflict, match="already scheduled"):
        compact.schedule_round("compact", 2, date(2026, 3, 2), date(2026, 3, 5), "Geneva", SECRETARIAT)
    with pytest.raises(DomainError, match="before it starts"):
        compact.schedule_round("compact", 3, date(2026, 3, 9), date(2026, 3, 5), "Geneva", SECRETARIAT)
    with pytest.raises(NotFound, match="round 7"):
        compact.publish_revision("compact", "Rev 1", ZERO, CHAIR, round_number=7)


def test_paragraph_status(compact: Tracker) -> None:
    compact.mark_paragraph("compact", "1", "bracketed", CHAIR)
    compact.mark_paragraph("compact", "1", "agreed_ad_ref", CHAIR)
    with pytest.raises(Conflict, match="re-open it first"):
        compact.mark_paragraph("compact", "1", "bracketed", CHAIR)
    compact.mark_paragraph("compact", "1", "reopened", CHAIR, "new proposal from G77")
    assert compact.paragraph("compact", para(compact, "1")).status == "reopened"
    with pytest.raises(Forbidden):
        compact.mark_paragraph("compact", "2", "agreed_ad_ref", MEX)


def test_silence_procedure(compact: Tracker) -> None:
    now = datetime(2026, 2, 3, 12, tzinfo=UTC)
    deadline = now + timedelta(hours=24)
    procedure_id, _ = compact.open_silence("compact", deadline, CHAIR, ["2", "3"], now=now)
    with pytest.raises(Conflict, match="has not passed"):
        compact.conclude_silence("compact", str(procedure_id), CHAIR, now=now)
    compact.break_silence("compact", str(procedure_id), "needs consultation", NOR, now=now + timedelta(hours=1))
    procedure = compact.silence_procedure("compact", str(procedure_id))
    assert procedure.status == "broken" and procedure.broken_by == "NOR"
    with pytest.raises(Conflict, match="has broken"):
        compact.break_silence("compact", str(procedure_id), "me too", MEX, now=now + timedelta(hours=2))

    second, _ = compact.open_silence("compact", deadline, CHAIR, ["3"], now=now)
    with pytest.raises(Conflict, match="has passed"):
        compact.break_silence("compact", str(second), "too late", MEX, now=deadline)
    compact.conclude_silence("compact", str(second), CHAIR, now=deadline + timedelta(seconds=1))
    assert compact.paragraph("compact", para(compact, "3")).status == "agreed_ad_ref"
    with pytest.raises(DomainError, match="in the future"):
        compact.open_silence("compact", now - timedelta(days=1), CHAIR, now=now)
    # A deadline that cannot be written in UTC would stop every reader of the log.
    beyond = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=14)))
    with pytest.raises(DomainError, match="out of range"):
        compact.open_silence("compact", beyond, CHAIR, now=now)


def test_stakeholder_inputs_never_amend(compact: Tracker) -> None:
    input_id, _ = compact.submit_input("compact", "Involve civil society.", CAN, paragraph="1")
    assert input_id
    with pytest.raises(DomainError, match="not a stakeholder"):
        compact.submit_input("compact", "x", MEX, theme="finance")
    with pytest.raises(DomainError, match="paragraph or a theme"):
        compact.submit_input("compact", "x", CAN)
    with pytest.raises(Forbidden):
        compact.propose("compact", "1", "retain", CAN)
    assert compact.revision("compact").paragraphs == compact.revision("compact", "Zero draft").paragraphs


def test_renumbered_revision_keeps_ids(compact: Tracker) -> None:
    rev1 = ParsedDocument(
        paragraphs=(
            ZERO.paragraphs[0],
            ParsedParagraph("States shall exchange good practice.", num="1.", kind=OPERATIVE),
            ParsedParagraph("States shall cooperate in good faith.", num="2.", kind=OPERATIVE),
            ParsedParagraph("States shall report every two years.", num="3.", kind=OPERATIVE),
            ParsedParagraph("The secretariat shall support implementation.", num="4.", kind=OPERATIVE),
        )
    )
    zero = compact.revision("compact", "Zero draft").paragraphs
    compact.publish_revision("compact", "Rev 1", rev1, CHAIR)
    rev = compact.revision("compact", "Rev 1").paragraphs
    assert rev[0]["id"] == zero[0]["id"]
    assert rev[2]["id"] == zero[1]["id"] and rev[2]["match"]["method"] == "similar"
    assert rev[3]["id"] == zero[2]["id"] and rev[3]["match"] == {"method": "exact", "score": 1.0, "from_num": "2."}
    assert rev[4]["id"] == zero[3]["id"]
    assert rev[1]["match"]["method"] == "new" and rev[1]["id"] not in {p["id"] for p in zero}
    # the new paragraph has a life of its own
    assert compact.paragraph("compact", rev[1]["id"]).introduced_in == "Rev 1"


def test_unicode_is_nfc_normalised_on_the_way_in(compact: Tracker) -> None:
    decomposed = "Cafe\u0301 culture"
    amendment_id, _ = compact.propose("compact", "3", "insert", MEX, old_text="", new_text=decomposed)
    assert compact.amendment("compact", str(amendment_id)).new_text == "Caf\u00e9 culture"


def test_negotiation_slugs(tracker: Tracker) -> None:
    with pytest.raises(DomainError, match="bad negotiation slug"):
        tracker.create_negotiation("no spaces", "x", SECRETARIAT)
    tracker.create_negotiation("ok", "x", SECRETARIAT)
    with pytest.raises(Conflict, match="already exists"):
        tracker.create_negotiation("ok", "x", SECRETARIAT)
    with pytest.raises(NotFound, match="unknown negotiation"):
        tracker.negotiation("nope")
    assert [n.slug for n in tracker.negotiations()] == ["ok"]
