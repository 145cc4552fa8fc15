"""The views against the domain's own replay, on both stores."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.database import VIEW_TABLES
from projections.readmodel import ReadModel
from tracker.application import Tracker
from tracker.domain.amendment import PENDING, Amendment
from tracker.domain.base import Actor, DomainError
from tracker.domain.negotiation import Negotiation
from tracker.domain.revision import Paragraph, Revision
from tracker.text.document import ParsedDocument, ParsedParagraph

CHAIR = Actor("SECRETARIAT", "chair")
STATES = ["MEX", "NOR", "FRA", "BRA", "JPN"]


@pytest.fixture
def read(db: str, tracker: Tracker) -> Iterator[ReadModel]:
    model = ReadModel.open(db, tracker=tracker)
    yield model
    model.close()


def naive_moments(tracker: Tracker, slug: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The domain's own replay: every aggregate rebuilt event by event, read at each position."""
    aggregates: dict[Any, Any] = {}
    for position, event in tracker.log(slug):
        aggregates[event.originator_id] = event.mutate(aggregates.get(event.originator_id))
        yield position, summarise(aggregates)


def summarise(aggregates: dict[Any, Any]) -> dict[str, Any]:
    negotiation = next(a for a in aggregates.values() if isinstance(a, Negotiation))
    published = {a.label: a for a in aggregates.values() if isinstance(a, Revision)}
    label = next((label for label in reversed(negotiation.revision_labels) if label in published), None)
    revision = published.get(label)
    statuses = {str(a.id): a.status for a in aggregates.values() if isinstance(a, Paragraph)}
    paragraphs = [(p["id"], p["num"], p["text"], statuses.get(p["id"], "open")) for p in (revision.paragraphs if revision else [])]
    amendments = {
        str(a.id): (a.status, a.old_text, a.new_text, a.delegation,
                    {d: p["stance"] for d, p in a.positions.items()})
        for a in aggregates.values() if isinstance(a, Amendment) and a.status in PENDING
    }
    return {"label": label, "paragraphs": paragraphs, "amendments": amendments}


def from_views(moment: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": moment["label"],
        "paragraphs": [(p["id"], p["num"], p["text"], p["status"]) for p in moment["paragraphs"]],
        "amendments": {
            a["id"]: (a["status"], a["old_text"], a["new_text"], a["delegation"],
                      {p["delegation"]: p["stance"] for p in a["positions"]})
            for a in moment["amendments"]
        },
    }


def dump(read: ReadModel) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sorted(read.views.query(f"SELECT * FROM {table}"), key=repr) for table in VIEW_TABLES
            if table != "view_meta"}


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


def assert_views_match_replay(tracker: Tracker, read: ReadModel) -> int:
    read.catch_up()
    checked = 0
    for position, expected in naive_moments(tracker, "n"):
        assert from_views(read.at("n", position)) == expected, position
        checked += 1
    return checked


def test_views_follow_the_log_and_rebuild_the_same(tracker: Tracker, read: ReadModel) -> None:
    setup_negotiation(tracker)
    random_commands(tracker, random.Random(7), 150, read)
    assert assert_views_match_replay(tracker, read) > 50
    incremental = dump(read)
    assert read.rebuild() == len(list(tracker.log("n")))
    assert dump(read) == incremental


def test_catch_up_applies_each_event_once(db: str, tracker: Tracker, read: ReadModel) -> None:
    setup_negotiation(tracker)
    first = read.catch_up()
    assert first > 0 and read.catch_up() == 0
    random_commands(tracker, random.Random(1), 40)
    # A second follower on the same views (another process, say) and this one take turns.
    other = ReadModel.open(db)
    try:
        other.catch_up()
        read.catch_up()
    finally:
        other.close()
    events = read.views.query("SELECT COUNT(*), COUNT(DISTINCT position) FROM view_events")[0]
    assert events[0] == events[1] == len(list(tracker.log("n")))
    assert_views_match_replay(tracker, read)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), steps=st.integers(1, 60))
def test_random_commands_give_views_equal_to_replay(tmp_path_factory: pytest.TempPathFactory, seed: int,
                                                    steps: int) -> None:
    db = str(tmp_path_factory.mktemp("prop") / "t.sqlite")
    tracker = Tracker.open(db)
    read = ReadModel.open(db, tracker=tracker)
    try:
        setup_negotiation(tracker)
        random_commands(tracker, random.Random(seed), steps, read if seed % 2 else None)
        assert_views_match_replay(tracker, read)
    finally:
        read.close()
        tracker.close()


def test_show_at_time_and_unknown(tracker: Tracker, read: ReadModel) -> None:
    setup_negotiation(tracker)
    read.catch_up()
    assert read.at_time("n", datetime(2000, 1, 1, tzinfo=UTC))["paragraphs"] == []
    now = read.at_time("n", datetime.now(UTC) + timedelta(seconds=5))
    assert now["label"] == "Zero draft" and len(now["paragraphs"]) == 5
    with pytest.raises(DomainError):
        read.at("nope", 1)


def test_followers_in_parallel_apply_each_event_once(db: str, tracker: Tracker) -> None:
    """Several followers (as in several web workers) race on the same views while events arrive."""
    import threading

    setup_negotiation(tracker)
    followers = [ReadModel.open(db) for _ in range(3)]
    stop = threading.Event()
    threads = [threading.Thread(target=f.follower.follow, args=(stop, 0.01)) for f in followers]
    for thread in threads:
        thread.start()
    try:
        random_commands(tracker, random.Random(3), 80)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    try:
        followers[0].catch_up()
        count, distinct = followers[0].views.query("SELECT COUNT(*), COUNT(DISTINCT position) FROM view_events")[0]
        assert count == distinct == len(list(tracker.log("n")))
        read = followers[1]
        read.catch_up()
        assert_views_match_replay(tracker, read)
    finally:
        for f in followers:
            f.close()
