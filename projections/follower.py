"""Follows the event log and applies each event to the views exactly once.

A page of events and the new tracking position are written in one transaction that holds
the views' write lock, so followers in several processes (web workers on PostgreSQL) can
run side by side: each takes the lock, sees how far the views are, applies what is new.
"""

from __future__ import annotations

import gc
import threading
from typing import Any

from eventsourcing.persistence import Mapper
from eventsourcing.utils import resolve_topic

from projections.database import READ_INDEXES, VIEW_TABLES, ViewDatabase
from projections.projector import HANDLERS, Batch, State, utc_iso
from tracker.application import Tracker
from tracker.transcoder import OrjsonTranscoder

TRACKING = "views"
PAGE = 5000
REBUILD_PAGE = 20000

# (position, aggregate id, aggregate version, topic, stored state)
Record = tuple[int, str, int, str, bytes]


class Follower:
    def __init__(self, tracker: Tracker, views: ViewDatabase) -> None:
        self.tracker = tracker
        self.views = views
        # On SQLite the views share the events' file: read the log in the views' own
        # transaction, without the recorder's conversions (a third of the cost of a page).
        self._raw = not views.postgres and tracker.env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite"
        self._page = PAGE
        self._state: State | None = None
        self._last_written = -1
        self._lock = threading.Lock()
        self._types: dict[str, str] = {}

    def position(self) -> int:
        rows = self.views.query("SELECT position FROM view_tracking WHERE name = ?", (TRACKING,))
        return rows[0][0] if rows else 0

    def catch_up(self, until: int | None = None) -> int:
        """Apply every event not yet applied (up to ``until``); return how many."""
        applied = 0
        # A page makes tens of thousands of small objects and no cycles: the cyclic
        # collector would only rescan them, over and over (a third of the time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            with self._lock:
                while True:
                    count, more = self._apply_page(until)
                    applied += count
                    if not more:
                        return applied
        finally:
            if collecting:
                gc.enable()

    def rebuild(self) -> int:
        """Drop every view and apply the whole log again.

        The indexes only queries use are dropped for the load and built once at the end:
        sorting a million keys once is far cheaper than a million random B-tree inserts.
        """
        with self._lock, self.views.write() as cursor:
            for table in VIEW_TABLES:
                if table != "view_meta":
                    cursor.execute(f"DELETE FROM {table}")
            for name in READ_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            self._state = None
        self._page = REBUILD_PAGE
        try:
            return self.catch_up()
        finally:
            self._page = PAGE
            with self._lock, self.views.write() as cursor:
                self.views.create(cursor)

    def follow(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Keep the views up to date until ``stop`` is set: what a long-running process runs."""
        while not stop.is_set():
            if not self.catch_up():
                stop.wait(interval)

    def _apply_page(self, until: int | None) -> tuple[int, bool]:
        with self.views.write() as cursor:
            cursor.execute("SELECT position FROM view_tracking WHERE name = ?", (TRACKING,))
            row = cursor.fetchone()
            start = row[0] if row else 0
            if until is not None and start >= until:
                return 0, False
            if self._state is None or start != self._last_written:
                # Someone else moved the views on (or this is the first page): forget caches.
                self._state = State(cursor)
            self._state.cursor = cursor
            records = self._read(cursor, start, until)
            if not records:
                return 0, False
            batch = Batch(self._state)
            try:
                for record in records:
                    self._apply(batch, record)
                batch.flush(cursor)
                last = records[-1][0]
                if row:
                    cursor.execute("UPDATE view_tracking SET position = ? WHERE name = ?", (last, TRACKING))
                else:
                    cursor.execute("INSERT INTO view_tracking (name, position) VALUES (?, ?)", (TRACKING, last))
            except BaseException:
                self._state = None
                raise
            self._last_written = last
            return len(records), len(records) == self._page

    def _read(self, cursor: Any, start: int, until: int | None) -> list[Record]:
        if self._raw:
            cursor.execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                f"WHERE rowid > ? {'AND rowid <= ? ' if until else ''}ORDER BY rowid LIMIT ?",
                (start, until, self._page) if until else (start, self._page))
            return [(r[0], _dashed(r[1]), r[2], r[3], r[4]) for r in cursor.fetchall()]
        notifications = self.tracker.recorder.select_notifications(
            start + 1, self._page, stop=until, inclusive_of_start=True)
        return [(n.id, str(n.originator_id), n.originator_version, n.topic, n.state) for n in notifications]

    def _apply(self, batch: Batch, record: Record) -> None:
        position, aggregate, version, topic, state = record
        data = _decode(self.tracker.mapper, state)
        handler = HANDLERS.get(topic)
        if handler is None:
            # Snapshots never reach the log; an unknown topic is an event of a newer program.
            raise LookupError(f"no view handles events of type {topic!r}: upgrade the program")
        slug = handler(batch, position, aggregate, data)
        actor = data["actor"]
        batch.add("view_events", [
            position, slug, self._type(topic), utc_iso(data["timestamp"]), actor.delegation, actor.user,
            aggregate, version,
        ])

    def _type(self, topic: str) -> str:
        name = self._types.get(topic)
        if name is None:
            name = self._types[topic] = resolve_topic(topic).__qualname__
        return name


def _dashed(hex_id: str) -> str:
    """The canonical form of a UUID stored as 32 hex digits, as ``str(UUID)`` writes it."""
    if len(hex_id) != 32:
        return hex_id
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"


def _decode(mapper: Mapper[Any], state: bytes) -> dict[str, Any]:
    # The mapper's own path without building event objects: the views want plain values.
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    transcoder = mapper.transcoder
    if isinstance(transcoder, OrjsonTranscoder):
        return transcoder.decode_shallow(state)
    return transcoder.decode(state)
