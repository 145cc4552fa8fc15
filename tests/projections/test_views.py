"""The views against the domain's own replay, on both stores."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections import checkpoints
from projections.database import VIEW_TABLES
from projections.readmodel import ReadModel
from tracker.application import Tracker
from tracker.domain.amendment import PENDING, Amendment
from tracker.domain.base import DomainError
from tracker.domain.negotiation import Negotiation
from tracker.domain.revision import Paragraph, Revision

from scenarios import random_commands, setup_negotiation


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
                      {delegation: stance for delegation, stance, _ in a["positions"]})
            for a in moment["amendments"]
        },
    }


def dump(read: ReadModel) -> dict[str, list[tuple[Any, ...]]]:
    found = {table: sorted(read.views.query(f"SELECT * FROM {table}"), key=repr) for table in VIEW_TABLES
             if table != "view_meta"}
    found["view_checkpoints"] = [(slug, at, whole, held_in(at, whole, bytes(data)))
                                 for slug, at, whole, data in found["view_checkpoints"]]
    return found


def held_in(position: int, whole: int, data: bytes) -> Any:
    """What a checkpoint holds: its bytes depend on which objects shared the values it was
    made from (marshal), never what it decodes to."""
    if whole:
        snapshot = checkpoints.decode(position, data)
        return snapshot.statuses, snapshot.amendments
    return checkpoints.decode_changes(data)


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


def test_rebuild_equals_incremental_on_a_generated_negotiation(db: str, tracker: Tracker, read: ReadModel) -> None:
    """A negotiation of the benchmark's shape, followed page by page while it is written."""
    from bench.generate import generate

    generate(tracker, events=6_000, batch=500, writer="inline", on_batch=read.catch_up)
    read.catch_up()
    incremental = dump(read)
    assert read.rebuild() == tracker.recorder.max_notification_id()
    assert dump(read) == incremental


def test_rebuild_equals_incremental_on_the_demo(tmp_path_factory: pytest.TempPathFactory) -> None:
    from tracker.demo import build_demo

    db = str(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    tracker = Tracker.open(db)
    read = ReadModel.open(db, tracker=tracker)
    try:
        for _ in build_demo(tracker, tmp_path_factory.mktemp("no-data")):  # the sample negotiation
            read.catch_up()
        incremental = dump(read)
        read.rebuild()
        assert dump(read) == incremental
        # Every event of a negotiation has its row; the demo's user accounts belong to none.
        of_negotiations = sum(len(list(tracker.log(row[0]))) for row in incremental["view_negotiations"])
        assert len(incremental["view_events"]) == of_negotiations > 0
    finally:
        read.close()
        tracker.close()


def test_views_of_another_shape_are_rebuilt_from_the_log(tmp_path: Path) -> None:
    """After an upgrade that changes the views' shape, opening them starts again from zero."""
    db = str(tmp_path / "t.sqlite")
    tracker = Tracker.open(db)
    read = ReadModel.open(db, tracker=tracker)
    try:
        setup_negotiation(tracker)
        read.catch_up()
        before = dump(read)
        with read.views.write() as cursor:
            cursor.execute("UPDATE view_meta SET value = '0' WHERE key = 'schema_version'")
        reopened = ReadModel.open(db, tracker=tracker)
        assert reopened.views.query("SELECT COUNT(*) FROM view_events")[0][0] == 0
        assert reopened.catch_up() == tracker.recorder.max_notification_id()
        assert dump(reopened) == before
        reopened.close()
    finally:
        read.close()
        tracker.close()
