"""Follows the event log and applies each event to the views exactly once.

A page of events and the new tracking position are written in one transaction that holds
the views' write lock, so followers in several processes (web workers on PostgreSQL) can
run side by side: each takes the lock, sees how far the views are, applies what is new.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper
from eventsourcing.utils import resolve_topic

from projections import checkpoints
from projections.database import TRACKING, BulkWriter, ViewDatabase
from projections.projector import HANDLERS, LOGGED, RAW_HANDLERS, Batch, State, stored_time
from tracker.application import Tracker
from tracker.transcoder import OrjsonTranscoder

PAGE = 5000
REBUILD_PAGE = 20000
REMOTE_REBUILD = 50_000

# (position, aggregate id, topic, stored state)
Record = tuple[int, str, str, bytes]


class Follower:
    """Applies the log through one connection to the views: one thread at a time (its
    owner, ``ReadModel``, sees to that)."""

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
        self._types: dict[str, str] = {}
        self._ids: dict[str, str] = {}
        self._loads = _loader(tracker.mapper)
        self._untag = _untagger(tracker.mapper)

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
        ``remote_from`` events on, the SQL runs in a second process (``BulkWriter``, which
        keeps the indexes as it goes) while this one decodes and projects the next page.
        """
        collecting = gc.isenabled()
        gc.disable()
        try:
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
        # The checkpoints too, made as the events go by: reading back what was just written
        # would cost as much as writing it.
        state.checkpointer = checkpoints.Checkpointer(state.positions, compress=self.views.postgres)
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
                "SELECT rowid, originator_id, topic, state FROM stored_events "
                f"WHERE rowid > ? {'AND rowid <= ? ' if until else ''}ORDER BY rowid LIMIT ?",
                (start, until, page) if until else (start, page))
            return cursor.fetchall()
        notifications = self.tracker.recorder.select_notifications(
            start + 1, page, stop=until, inclusive_of_start=True)
        return [(n.id, str(n.originator_id), n.topic, n.state) for n in notifications]

    def _apply(self, batch: Batch, records: list[Record]) -> None:
        """Apply a page of events: one loop with its names bound once (a rebuild makes
        this loop run a million times)."""
        loads, untag, raw_handlers, handlers, logged = self._loads, self._untag, RAW_HANDLERS, HANDLERS, LOGGED
        types, events, checkpointer, ids = self._types, batch.rows["view_events"], batch.watch, self._ids
        counted = checkpointer.events if checkpointer is not None else None
        for position, stored_id, topic, state in records:
            aggregate = ids.get(stored_id) or self._id(stored_id)
            data = loads(state)
            # Tagged, as stored: a raw handler keeps them so, the others' untagging replaces them.
            stamp, actor = data["timestamp"], data.get("actor")
            handler = raw_handlers.get(topic)
            if handler is not None:
                slug = handler(batch, position, aggregate, data)
            else:
                handler = handlers.get(topic)
                if handler is None:
                    # Snapshots never reach the log; an unknown topic is an event of a newer program.
                    raise LookupError(f"no view handles events of type {topic!r}: upgrade the program")
                slug = handler(batch, position, aggregate, untag(data))
            if slug is None:
                # An event of no negotiation (a user account): nothing for a negotiation's log.
                continue
            if topic not in logged:
                actor = actor["_data_"]
                events.append([position, slug, types.get(topic) or self._type(topic), stored_time(stamp["_data_"]),
                               actor["delegation"], actor["user"], aggregate])
            if counted is not None:
                count = counted[slug] = counted.get(slug, 0) + 1
                if count % checkpoints.EVERY == 0:
                    batch.add("view_checkpoints", [slug, position, *checkpointer.checkpoint(slug, position)])

    def _id(self, stored: str) -> str:
        """An aggregate id as ``str(UUID)`` writes it (the SQLite recorder stores 32 hex
        digits): made once per aggregate, not once per event."""
        if len(self._ids) >= 1_000_000:
            self._ids.clear()
        found = self._ids[stored] = str(UUID(stored)) if len(stored) == 32 else stored
        return found

    def _type(self, topic: str) -> str:
        name = self._types.get(topic)
        if name is None:
            name = self._types[topic] = resolve_topic(topic).__qualname__
        return name


def _loader(mapper: Mapper[Any]) -> Callable[[bytes], dict[str, Any]]:
    """Stored state to the JSON object it holds, typed values still tagged: the mapper's
    own path, short of the transcoder's untagging (see ``projector.on``)."""
    if not isinstance(mapper.transcoder, JSONTranscoder):
        raise TypeError("the views read events stored as JSON: configure a JSON transcoder")
    if not mapper.cipher and not mapper.compressor:
        return orjson.loads
    cipher, compressor = mapper.cipher, mapper.compressor

    def load(state: bytes) -> dict[str, Any]:
        if cipher:
            state = cipher.decrypt(state)
        if compressor:
            state = compressor.decompress(state)
        return orjson.loads(state)

    return load


def _untagger(mapper: Mapper[Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A loaded JSON object to the values the domain has: the transcoder's own untagging."""
    transcoder = mapper.transcoder
    if isinstance(transcoder, OrjsonTranscoder):
        return transcoder.untag_shallow
    return lambda obj: transcoder.decode(orjson.dumps(obj))  # type: ignore[union-attr]
