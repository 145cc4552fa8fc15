"""Follows the event log and applies each event to the views exactly once.

A page of events and the new tracking position are written in one transaction that holds
the views' write lock, so followers in several processes (web workers on PostgreSQL) can
run side by side: each takes the lock, sees how far the views are, applies what is new.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from datetime import UTC
from typing import Any

from eventsourcing.persistence import Mapper
from eventsourcing.utils import resolve_topic

from projections.database import BulkWriter, ViewDatabase
from projections.projector import HANDLERS, Batch, State, utc_iso
from tracker.application import Tracker
from tracker.transcoder import OrjsonTranscoder

TRACKING = "views"
PAGE = 5000
REBUILD_PAGE = 20000
REMOTE_REBUILD = 50_000

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
        # From this many events in the log, a rebuild's SQL runs in a second process: below
        # it, starting that process costs more than it saves.
        self.remote_from = REMOTE_REBUILD
        self.rebuild_page = REBUILD_PAGE
        self._state: State | None = None
        self._last_written = -1
        self._lock = threading.Lock()
        self._types: dict[str, str] = {}
        self._decode = _decoder(tracker.mapper)

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
        """Drop every view and apply the whole log again; return how many events.

        One transaction holding the views' write lock: readers see the old views until
        the new ones are complete, other followers wait instead of interleaving pages, and
        a failure leaves the views as they were. The indexes only queries use are dropped
        for the load and built once at the end (``ViewDatabase.clear``). From
        ``remote_from`` events on, the SQL runs in a second process (``BulkWriter``) while
        this one decodes and projects the next page.
        """
        collecting = gc.isenabled()
        gc.disable()
        try:
            with self._lock:
                self._state = None
                if (self.tracker.recorder.max_notification_id() or 0) >= self.remote_from:
                    return self._rebuild_remotely()
                with self.views.write() as cursor:
                    self.views.clear(cursor)
                    applied = self._replay(cursor, cursor)
                    self.views.create(cursor)
                return applied
        finally:
            if collecting:
                gc.enable()

    def _rebuild_remotely(self) -> int:
        writer = BulkWriter(self.views.db)
        try:
            # The log is read on this side's own connection (SQLite) or the recorder's.
            applied = self._replay(writer, self.views.connection.cursor() if self._raw else None)  # type: ignore[attr-defined]
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        finally:
            writer.close()
        return applied

    def _replay(self, cursor: Any, log: Any) -> int:
        """Apply the whole log to emptied views through ``cursor``, the log read through
        ``log`` (see ``_read``); the same handlers, batches and flushes as ``catch_up``."""
        state = State(cursor)
        page, start, applied = self.rebuild_page, 0, 0
        while True:
            records = self._read(log, start, None, page)
            if not records:
                break
            batch = Batch(state)
            self._apply(batch, records)
            batch.flush(cursor)
            if isinstance(cursor, BulkWriter):
                cursor.send()
            start = records[-1][0]
            applied += len(records)
            if len(records) < page:
                break
        if start:
            cursor.execute("INSERT INTO view_tracking (name, position) VALUES (?, ?)", (TRACKING, start))
        return applied

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
                self._apply(batch, records)
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

    def _read(self, cursor: Any, start: int, until: int | None, page: int | None = None) -> list[Record]:
        page = page or self._page
        if self._raw:
            cursor.execute(
                f"SELECT rowid, {_DASHED}, originator_version, topic, state FROM stored_events "
                f"WHERE rowid > ? {'AND rowid <= ? ' if until else ''}ORDER BY rowid LIMIT ?",
                (start, until, page) if until else (start, page))
            return cursor.fetchall()
        notifications = self.tracker.recorder.select_notifications(
            start + 1, page, stop=until, inclusive_of_start=True)
        return [(n.id, str(n.originator_id), n.originator_version, n.topic, n.state) for n in notifications]

    def _apply(self, batch: Batch, records: list[Record]) -> None:
        """Apply a page of events: one loop with its names bound once (a rebuild makes
        this loop run a million times)."""
        decode, handlers, types, add = self._decode, HANDLERS, self._types, batch.add
        for position, aggregate, version, topic, state in records:
            data = decode(state)
            handler = handlers.get(topic)
            if handler is None:
                # Snapshots never reach the log; an unknown topic is an event of a newer program.
                raise LookupError(f"no view handles events of type {topic!r}: upgrade the program")
            slug = handler(batch, position, aggregate, data)
            if slug is None:
                # An event of no negotiation (a user account): nothing for a negotiation's log.
                continue
            actor, moment = data["actor"], data["timestamp"]
            add("view_events", [
                position, slug, types.get(topic) or self._type(topic),
                moment.isoformat(timespec="microseconds") if moment.tzinfo is UTC else utc_iso(moment),
                actor.delegation, actor.user, aggregate, version,
            ])

    def _type(self, topic: str) -> str:
        name = self._types.get(topic)
        if name is None:
            name = self._types[topic] = resolve_topic(topic).__qualname__
        return name


# The canonical form of a UUID the SQLite recorder stores as 32 hex digits, as
# ``str(UUID)`` writes it: made by SQLite while it reads, not by a Python call per event.
_DASHED = (
    "CASE WHEN length(originator_id) = 32 THEN substr(originator_id, 1, 8) || '-' || substr(originator_id, 9, 4) "
    "|| '-' || substr(originator_id, 13, 4) || '-' || substr(originator_id, 17, 4) || '-' || substr(originator_id, 21) "
    "ELSE originator_id END"
)


def _decoder(mapper: Mapper[Any]) -> Callable[[bytes], dict[str, Any]]:
    """The mapper's own path without building event objects: the views want plain values."""
    if not mapper.cipher and not mapper.compressor and isinstance(mapper.transcoder, OrjsonTranscoder):
        return mapper.transcoder.decode_shallow
    return lambda state: _decode(mapper, state)


def _decode(mapper: Mapper[Any], state: bytes) -> dict[str, Any]:
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    transcoder = mapper.transcoder
    if isinstance(transcoder, OrjsonTranscoder):
        return transcoder.decode_shallow(state)
    return transcoder.decode(state)
