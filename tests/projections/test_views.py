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

from projections import catalog, checkpoints
from projections.database import VIEW_TABLES
from projections.readmodel import ReadModel
from tracker.application import Tracker
from tracker.domain.amendment import PENDING, Amendment
from tracker.domain.base import DomainError
from tracker.domain.negotiation import Negotiation
from tracker.domain.revision import Paragraph, Revision

from scenarios import CHAIR, random_commands, setup_negotiation


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


def logged(read: ReadModel, slug: str | None = None) -> list[int]:
    """The positions of the log's entries in the views (of one negotiation, or all), in
    order: the events' rows and the positions taken."""
    where = " WHERE negotiation = ?" if slug else ""
    return [row[0] for row in read.views.query(
        f"SELECT position FROM view_events{where} UNION ALL SELECT valid_from FROM view_positions{where} ORDER BY 1",
        (slug, slug) if slug else ())]


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
    entries = logged(read)
    assert entries == sorted(set(entries)) and len(entries) == len(list(tracker.log("n")))
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


def test_the_log_in_the_views_is_the_negotiations_log(tracker: Tracker, read: ReadModel) -> None:
    """Its pages, bounds and times, read from the events' rows and the positions' own, are
    what the log itself holds, another negotiation's events interleaved."""
    from projections.projector import utc_iso

    setup_negotiation(tracker)
    tracker.create_negotiation("m", "M", CHAIR)
    rng = random.Random(11)
    for _ in range(4):
        random_commands(tracker, rng, 25)
        tracker.register_delegation("m", f"S{rng.randint(0, 10**6)}", "S", "member_state", CHAIR)
    read.catch_up()
    log = [(position, {"position": position, "type": type(event).__qualname__, "timestamp": utc_iso(event.timestamp),
                       "aggregate_id": str(event.originator_id),
                       "actor": {"delegation": event.actor.delegation, "user": event.actor.user}})
           for position, event in tracker.log("n")]
    entries = [entry for _, entry in log]
    assert any(e["type"] == "Amendment.PositionTaken" for e in entries)
    assert read.log_bounds("n") == (log[0][0], log[-1][0]) and read.last_position("n") == log[-1][0]
    assert read.events_after("n", 0, len(log) + 5) == entries
    assert read.events_before("n", log[-1][0] + 1, 7) == entries[-7:]
    for index, (position, entry) in enumerate(log):
        assert read.event_at("n", position) == entry
        assert read.events_before("n", position, 3) == entries[max(0, index - 3):index]
        assert read.events_after("n", position, 3) == entries[index + 1:index + 4]
        latest = max((e["timestamp"], p) for p, e in log if e["timestamp"] <= entry["timestamp"])
        assert catalog.position_at_time(read.views, "n", entry["timestamp"]) == latest[1]
        if index + 5 < len(log):
            assert catalog.nth_event_after(read.views, "n", position, 5) == log[index + 5][0]
    assert catalog.nth_event_after(read.views, "n", log[-5][0], 5) is None
    assert read.event_at("n", log[0][0] - 1) is None and catalog.position_at_time(read.views, "n", "2000") == 0
    others = [position for position, _ in tracker.log("m")]
    assert read.negotiations_between(0, log[-1][0]) == {"n", "m"}
    after_m_began = next(p for p, _ in log if p > others[0])
    assert read.negotiations_between(after_m_began - 1, after_m_began) == {"n"}
    assert read.negotiations_between(others[0] - 1, others[0]) == {"m"}


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
    threads = [threading.Thread(target=_follow, args=(f, stop)) for f in followers]
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
        entries = logged(followers[0])
        assert entries == sorted(set(entries)) and len(entries) == len(list(tracker.log("n")))
        read = followers[1]
        read.catch_up()
        assert_views_match_replay(tracker, read)
    finally:
        for f in followers:
            f.close()


def _follow(read: ReadModel, stop: Any, errors: list[BaseException] | None = None) -> None:
    """What the web's follower thread does: catch up, and wait a little when nothing came."""
    while not stop.is_set():
        try:
            if not read.catch_up():
                stop.wait(0.005)
        except BaseException as error:
            if errors is None:
                raise
            errors.append(error)
            return


def test_threads_sharing_a_read_model_take_turns(db: str, tracker: Tracker, read: ReadModel,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """One read model followed by several threads at once (the web's follower thread, and
    each request right after its command): none meets another's open transaction on the
    shared connection, checkpoints written meanwhile included."""
    import threading

    monkeypatch.setattr(checkpoints, "EVERY", 7)
    setup_negotiation(tracker)
    stop = threading.Event()
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_follow, args=(read, stop, errors)) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        rng = random.Random(5)
        for _ in range(25):
            random_commands(tracker, rng, 15)
            read.followed()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    read.catch_up()
    assert read.followed() == tracker.recorder.max_notification_id()
    assert_views_match_replay(tracker, read)


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
        # Every event of a negotiation has its entry; the demo's user accounts belong to none.
        of_negotiations = sum(len(list(tracker.log(row[0]))) for row in incremental["view_negotiations"])
        assert len(logged(read)) == of_negotiations > 0
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
        assert logged(reopened) == []
        assert reopened.catch_up() == tracker.recorder.max_notification_id()
        assert dump(reopened) == before
        reopened.close()
    finally:
        read.close()
        tracker.close()
