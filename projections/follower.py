"""Follows the event log and applies each event to the views exactly once.

A page of events and the new tracking position are written in one transaction that holds
the views' write lock, so followers in several processes (web workers on PostgreSQL) can
run side by side: each takes the lock, sees how far the views are, applies what is new.
"""

from __future__ import annotations

import threading
from typing import Any

from eventsourcing.persistence import Mapper
from eventsourcing.utils import resolve_topic

from projections.database import VIEW_TABLES, ViewDatabase
from projections.projector import HANDLERS, Batch, State, utc_iso
from tracker.application import Tracker

TRACKING = "views"
PAGE = 5000


class Follower:
    def __init__(self, tracker: Tracker, views: ViewDatabase) -> None:
        self.tracker = tracker
        self.views = views
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
        with self._lock:
            while True:
                count, more = self._apply_page(until)
                applied += count
                if not more:
                    return applied

    def rebuild(self) -> int:
        """Drop every view and apply the whole log again."""
        with self._lock, self.views.write() as cursor:
            for table in VIEW_TABLES:
                if table != "view_meta":
                    cursor.execute(f"DELETE FROM {table}")
            self._state = None
        return self.catch_up()

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
            notifications = self.tracker.recorder.select_notifications(
                start + 1, PAGE, stop=until, inclusive_of_start=True
            )
            if not notifications:
                return 0, False
            batch = Batch(self._state)
            try:
                for notification in notifications:
                    self._apply(batch, notification)
                batch.flush(cursor)
                last = notifications[-1].id
                if row:
                    cursor.execute("UPDATE view_tracking SET position = ? WHERE name = ?", (last, TRACKING))
                else:
                    cursor.execute("INSERT INTO view_tracking (name, position) VALUES (?, ?)", (TRACKING, last))
            except BaseException:
                self._state = None
                raise
            self._last_written = last
            return len(notifications), len(notifications) == PAGE

    def _apply(self, batch: Batch, notification: Any) -> None:
        data = _decode(self.tracker.mapper, notification.state)
        aggregate = str(notification.originator_id)
        handler = HANDLERS.get(notification.topic)
        if handler is None:
            # Snapshots never reach the log; an unknown topic is an event of a newer program.
            raise LookupError(f"no view handles events of type {notification.topic!r}: upgrade the program")
        slug = handler(batch, notification.id, aggregate, data)
        actor = data["actor"]
        batch.add("view_events", [
            notification.id, slug, self._type(notification.topic), utc_iso(data["timestamp"]),
            actor.delegation, actor.user, aggregate, notification.originator_version,
        ])

    def _type(self, topic: str) -> str:
        name = self._types.get(topic)
        if name is None:
            name = self._types[topic] = resolve_topic(topic).__qualname__
        return name


def _decode(mapper: Mapper[Any], state: bytes) -> dict[str, Any]:
    # The mapper's own path without building event objects: the views want plain values.
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    return mapper.transcoder.decode(state)
