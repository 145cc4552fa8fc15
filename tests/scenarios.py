"""Small negotiations driven through the application, shared by the read-side tests."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from projections.readmodel import ReadModel
from tracker.application import Tracker
from tracker.domain.base import Actor, DomainError
from tracker.text.document import ParsedDocument, ParsedParagraph

CHAIR = Actor("SECRETARIAT", "chair")
STATES = ["MEX", "NOR", "FRA", "BRA", "JPN"]


def setup_negotiation(tracker: Tracker) -> None:
    tracker.create_negotiation("n", "N", CHAIR)
    for code in STATES:
        tracker.register_delegation("n", code, code, "member_state", CHAIR)
    tracker.register_delegation("n", "G77", "G77", "group", CHAIR)
    tracker.join_group("n", "BRA", "G77", CHAIR)
    tracker.schedule_round("n", 1, date(2026, 2, 2), date(2026, 2, 4), "NY", CHAIR)
    tracker.open_round("n", 1, CHAIR)
    text = ParsedDocument(tuple(
        ParsedParagraph(f"States shall [act][work] on matter {i} in good faith.", num=f"{i}.") for i in range(1, 6)))
    tracker.publish_revision("n", "Zero draft", text, CHAIR, round_number=1)


def random_commands(tracker: Tracker, rng: random.Random, steps: int, read: ReadModel | None = None) -> None:
    """Valid and invalid commands alike: the refused ones must leave no trace."""
    amendments: list[str] = []
    revisions = 1
    for _ in range(steps):
        who = Actor(rng.choice(STATES), "u")
        choice = rng.random()
        try:
            if choice < 0.3 or not amendments:
                num = str(rng.randint(1, 5))
                action = rng.choice(["replace", "delete", "retain", "reserve", "insert"])
                old = {"replace": "shall", "delete": " in good faith", "insert": "States"}.get(action, "")
                new = {"replace": "should", "insert": " and regions"}.get(action, "")
                amendment_id, _ = tracker.propose("n", num, action, who, old_text=old, new_text=new,
                                                  on_behalf_of="G77" if who.delegation == "BRA" and rng.random() < 0.5 else "")
                amendments.append(str(amendment_id))
            elif choice < 0.6:
                tracker.take_position("n", rng.choice(amendments), rng.choice(["supports", "opposes", "co_sponsors"]), who)
            elif choice < 0.65:
                tracker.drop_position("n", rng.choice(amendments), who)
            elif choice < 0.7:
                tracker.withdraw_amendment("n", rng.choice(amendments), who)
            elif choice < 0.75:
                tracker.revise_amendment("n", rng.choice(amendments), who, rationale=f"r{rng.random()}")
            elif choice < 0.82:
                tracker.decide_amendment("n", rng.choice(amendments), rng.choice(["incorporated", "not_retained"]), CHAIR)
            elif choice < 0.9:
                tracker.mark_paragraph("n", str(rng.randint(1, 5)), rng.choice(["bracketed", "agreed_ad_ref", "reopened", "open"]), CHAIR)
            elif choice < 0.95:
                revisions += 1
                paragraphs = [ParsedParagraph(f"States shall act on matter {i} in good faith.", num=f"{i}.")
                              for i in range(1, 6)]
                rng.shuffle(paragraphs)
                paragraphs.insert(rng.randint(0, 5), ParsedParagraph(f"New paragraph {revisions}.", num="0."))
                tracker.publish_revision("n", f"Rev {revisions}", ParsedDocument(tuple(paragraphs)), CHAIR)
            else:
                tracker.open_silence("n", datetime.now(UTC) + timedelta(days=1), CHAIR, ["1"])
        except DomainError:
            pass
        if read is not None and rng.random() < 0.3:
            read.catch_up()


# --- a negotiation with something of everything an observer reads (tests/web/test_read_*) ---

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> \u202eevil'


def observed_negotiation(tracker: Tracker, slug: str = "obs") -> dict[str, str]:
    """Two revisions (the second renumbers, moves, rewords and adds), amendments in every
    state with positions, paragraph statuses, footnotes, emphasis, brackets and hostile
    text. Returns the ids tests look for."""
    from tracker.text.document import Footnote

    tracker.create_negotiation(slug, "Compact <b>on</b> cooperation", CHAIR, symbol="A/OBS/1",
                               mandate="Negotiate a compact <i>now</i>")
    tracker.add_phase(slug, "Negotiations", CHAIR, date(2026, 2, 2), date(2026, 3, 6), "Two rounds")
    for code in ("MEX", "NOR", "FRA", "BRA"):
        tracker.register_delegation(slug, code, code, "member_state", CHAIR)
    tracker.register_delegation(slug, "EU", "European Union", "group", CHAIR)
    tracker.register_delegation(slug, "G77", "Group of 77 and China", "group", CHAIR)
    tracker.join_group(slug, "FRA", "EU", CHAIR)
    tracker.join_group(slug, "BRA", "G77", CHAIR)
    tracker.schedule_round(slug, 1, date(2026, 2, 2), date(2026, 2, 4), "New York", CHAIR)
    tracker.schedule_round(slug, 2, date(2026, 3, 2), date(2026, 3, 6), "Geneva", CHAIR)
    tracker.open_round(slug, 1, CHAIR)
    zero = ParsedDocument((
        ParsedParagraph("Preamble", kind="heading"),
        ParsedParagraph("*Recalling* its **earlier** commitments,", kind="preambular"),
        ParsedParagraph("States [shall][should] cooperate [in good faith].", num="1.", kind="operative",
                        footnotes=(Footnote("1", "See *A/RES/71/280*."),)),
        ParsedParagraph("Parties shall report every [two][three] years on progress.", num="2.", kind="operative"),
        ParsedParagraph("The secretariat shall support the implementation.", num="3.", kind="operative"),
        ParsedParagraph(f"{HOSTILE} text", num="4.", kind="operative"),
    ))
    tracker.publish_revision(slug, "Zero draft", zero, CHAIR, round_number=1, issued_on=date(2026, 2, 2))
    mex = Actor("MEX", "m")
    must, _ = tracker.propose(slug, "1.", "replace", mex, old_text="[shall][should]", new_text="must",
                              rationale="Stronger <script>x</script>")
    tracker.take_position(slug, str(must), "supports", Actor("NOR", "n"))
    tracker.take_position(slug, str(must), "opposes", Actor("FRA", "f"), note="Too strong")
    tracker.take_position(slug, str(must), "co_sponsors", Actor("BRA", "b"))
    tracker.drop_position(slug, str(must), Actor("BRA", "b"))
    years, _ = tracker.propose(slug, "2.", "delete", Actor("FRA", "f"), old_text="every [two][three] years ",
                               on_behalf_of="EU", rationale="Leave the frequency open")
    compact, _ = tracker.propose(slug, "3.", "insert", Actor("NOR", "n"), old_text="implementation",
                                 new_text=" of this compact", rationale=HOSTILE)
    tracker.take_position(slug, str(compact), "supports", Actor("MEX", "m"), note=HOSTILE)
    tracker.mark_paragraph(slug, "3.", "agreed_ad_ref", CHAIR, "agreed in plenary")
    tracker.close_round(slug, 1, CHAIR)
    tracker.open_round(slug, 2, CHAIR)
    rev = ParsedDocument((
        ParsedParagraph("Preamble", kind="heading"),
        ParsedParagraph("*Recalling* its **earlier** commitments,", kind="preambular"),
        ParsedParagraph("States must cooperate [in good faith].", num="1.", kind="operative"),
        ParsedParagraph("The secretariat shall support the implementation of this compact.", num="2.",
                        kind="operative"),
        ParsedParagraph("Parties shall report every three years on progress.", num="3.", kind="operative"),
        ParsedParagraph("States shall exchange information on good practice.", num="4.", kind="operative"),
        ParsedParagraph(f"{HOSTILE} text", num="5.", kind="operative"),
    ))
    tracker.publish_revision(slug, "Rev 1/2", rev, CHAIR, round_number=2, issued_on=date(2026, 3, 2))
    tracker.decide_amendment(slug, str(must), "incorporated", CHAIR, "Rev 1/2")
    tracker.decide_amendment(slug, str(compact), "incorporated", CHAIR, "Rev 1/2")
    tracker.decide_amendment(slug, str(years), "not_retained", CHAIR, "Rev 1/2", note="Kept a frequency")
    tracker.mark_paragraph(slug, "2.", "reopened", CHAIR, "one delegation asked")
    reserve, _ = tracker.propose(slug, "4.", "reserve", mex)
    tracker.withdraw_amendment(slug, str(reserve), mex, "consulted capital")
    annually, _ = tracker.propose(slug, "3.", "replace", Actor("BRA", "b"), old_text="every three years",
                                  new_text="annually", on_behalf_of="G77")
    tracker.take_position(slug, str(annually), "opposes", Actor("NOR", "n"), note="Too often")
    revision = tracker.revision(slug, "Rev 1/2")
    ids = {p["num"] or p["text"][:9]: p["id"] for p in revision.paragraphs}
    return {"must": str(must), "years": str(years), "compact": str(compact), "reserve": str(reserve),
            "annually": str(annually), "states": ids["1."], "secretariat": ids["2."], "parties": ids["3."],
            "exchange": ids["4."], "hostile": ids["5."], "recalling": ids["*Recallin"]}
