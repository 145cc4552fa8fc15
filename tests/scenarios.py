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
