"""Rebuilding the views: in this process and through the second-process bulk writer, the
same rows as following the log; events of no negotiation; a failed rebuild changes nothing."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import orjson
import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Transcoding
from test_views import assert_views_match_replay, dump, logged

from projections.projector import Batch, on
from projections.readmodel import ReadModel
from tracker.application import Tracker
from tracker.domain.base import Actor
from tracker.transcoder import register_tracker_transcodings

from scenarios import random_commands, setup_negotiation


class Notebook(Aggregate):
    """Something of no negotiation in the same log, as user accounts are."""

    TOPIC = "tracker.test_rebuild.Notebook"

    class Event(Aggregate.Event):
        TOPIC = "tracker.test_rebuild.Event"

    @event("Created", topic="tracker.test_rebuild.Created")
    def __init__(self, title: str) -> None:
        self.title = title

    @event("Noted", topic="tracker.test_rebuild.Noted")
    def note(self, text: str) -> None:
        pass


# What the notebook handlers saw of the views when they ran: each counts the view_events
# rows written before its page, through the batch's own cursor.
SEEN: list[int] = []


def _no_negotiation(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> None:
    b.state.cursor.execute("SELECT COUNT(*) FROM view_events")
    SEEN.append(b.state.cursor.fetchone()[0])
    return None


on("test_rebuild.Created")(_no_negotiation)
on("test_rebuild.Noted")(_no_negotiation)


@pytest.fixture
def mixed_log(tracker: Tracker, read: ReadModel) -> dict[str, list[tuple[Any, ...]]]:
    """A negotiation with notes in between, followed while it is written; its views."""
    setup_negotiation(tracker)
    notebook = Notebook("n")
    rng = random.Random(11)
    for _ in range(4):
        random_commands(tracker, rng, 25, read)
        for i in range(3):
            notebook.note(f"note {i}")
        tracker.save(notebook)
        read.catch_up()
    read.catch_up()
    return dump(read)


def test_rebuild_equals_following(tracker: Tracker, read: ReadModel, mixed_log: dict[str, Any]) -> None:
    seen = {}
    for remote in (False, True):
        read.follower.remote_from = 0 if remote else 10**12
        read.follower.rebuild_page = 7  # many pages: rows of earlier pages closed by later ones
        SEEN.clear()
        assert read.rebuild() == tracker.recorder.max_notification_id()
        assert dump(read) == mixed_log
        seen[remote] = list(SEEN)
    # Handlers' lookups see every row of earlier pages, also through the second process.
    assert seen[True] == seen[False] and seen[True] == sorted(seen[True]) and seen[True][0] > 0
    # Notes have no row in any negotiation's log, but the tracking position passed them.
    assert len(logged(read)) == len(list(tracker.log("n"))) < tracker.recorder.max_notification_id()
    assert read.follower.position() == tracker.recorder.max_notification_id()
    assert_views_match_replay(tracker, read)
    # Following goes on from a rebuild as from its own pages.
    random_commands(tracker, random.Random(5), 20)
    assert read.catch_up() > 0
    assert_views_match_replay(tracker, read)


@pytest.mark.parametrize("remote", [False, True], ids=["in-process", "bulk-writer"])
def test_a_failed_rebuild_leaves_the_views_as_they_were(tracker: Tracker, read: ReadModel,
                                                       mixed_log: dict[str, Any], remote: bool) -> None:
    read.follower.remote_from = 0 if remote else 10**12
    read.follower.rebuild_page = 5

    def broken(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
        raise ValueError("a handler that fails half-way")

    from projections import projector

    saved = projector.HANDLERS["tracker.test_rebuild.Noted"]
    projector.HANDLERS["tracker.test_rebuild.Noted"] = broken
    try:
        with pytest.raises(ValueError, match="half-way"):
            read.rebuild()
    finally:
        projector.HANDLERS["tracker.test_rebuild.Noted"] = saved
    assert dump(read) == mixed_log
    assert read.catch_up() == 0


def test_a_failed_write_in_the_bulk_writer_is_reported(tracker: Tracker, read: ReadModel,
                                                       mixed_log: dict[str, Any]) -> None:
    read.follower.remote_from = 0

    def duplicate(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> None:
        # Two rows with the same primary key: only the database can tell.
        b.add("view_events", [1, "n", "X", "", "", "", aggregate])

    from projections import projector

    saved = projector.HANDLERS["tracker.test_rebuild.Noted"]
    projector.HANDLERS["tracker.test_rebuild.Noted"] = duplicate
    try:
        with pytest.raises(RuntimeError, match="bulk writer failed"):
            read.rebuild()
    finally:
        projector.HANDLERS["tracker.test_rebuild.Noted"] = saved
    assert dump(read) == mixed_log


def test_shallow_decoding_gives_what_the_application_decodes(tracker: Tracker) -> None:
    """What the follower decodes equals the application's own decoding, nested tags too."""
    class Box:
        def __init__(self, inside: Any) -> None:
            self.inside = inside

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Box) and other.inside == self.inside

    class BoxAsInside(Transcoding):  # whose data is itself a tagged value
        type = Box
        name = "test_box"

        def encode(self, obj: Box) -> Any:
            return obj.inside

        def decode(self, data: Any) -> Box:
            return Box(data)

    transcoder = type(tracker.mapper.transcoder)()
    register_tracker_transcodings(transcoder)
    transcoder.register(BoxAsInside())
    value = {"timestamp": datetime.now(UTC), "actor": Actor("MEX", "m"), "box": Box(uuid4()),
             "boxes": [Box(date(2026, 1, 2)), {"deep": Box(Actor("EU", "e"))}], "pair": (1, "2"),
             "flat": ["a", 1, None], "nested": {"when": date(2026, 2, 3)}, "none": None}
    encoded = transcoder.encode(value)
    assert transcoder.untag_shallow(orjson.loads(encoded)) == transcoder.decode(encoded) == value


@pytest.mark.postgres
def test_a_bulk_rebuild_on_postgresql_leaves_statistics_of_its_rows(postgres_db: str) -> None:
    """Without them the planner takes a million new rows for a few (see ViewDatabase.settle)."""
    import time

    tracker = Tracker.open(postgres_db)
    read = ReadModel.open(postgres_db, tracker=tracker)
    try:
        setup_negotiation(tracker)
        random_commands(tracker, random.Random(2), 40)
        read.follower.remote_from = 0
        read.rebuild()
        deadline = time.monotonic() + 30
        while not read.views.query(
                "SELECT COUNT(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                "AND relname = 'view_positions' AND last_analyze IS NOT NULL")[0][0]:
            assert time.monotonic() < deadline, "the bulk writer gathered no statistics"
            time.sleep(0.05)
    finally:
        read.close()
        tracker.close()
