"""The one application object: the record it writes to, the views it reads, and the
thread that keeps those views following the log."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from projections.database import ViewDatabase
from projections.readmodel import ReadModel
from tracker.application import Tracker

log = logging.getLogger(__name__)


class Site:
    """What every request reaches through ``request.app.state.site``.

    Two read models over the same views: ``writer`` only follows the log (in a background
    thread, and right after a command so the user sees what they did), ``reader`` only
    answers queries. On SQLite they must not share a connection: a reader would otherwise
    see a page of events half applied inside the writer's open transaction.
    """

    def __init__(self, db: str, *, follow_interval: float = 0.2) -> None:
        self.db = db
        self.tracker = Tracker.open(db)
        self.writer = ReadModel(self.tracker, ViewDatabase.open(db))
        self.reader = ReadModel(self.tracker, ViewDatabase.open(db))
        self.follow_interval = follow_interval
        # Called with the new tracking position whenever the views moved on (live updates).
        self.watchers: list[Callable[[int], None]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._position = 0

    @property
    def position(self) -> int:
        """How far the views have followed the log."""
        return self._position

    def catch_up(self) -> int:
        """Apply what is new in the log; return the views' position."""
        self.writer.catch_up()
        # Read the tracking position even when this process applied nothing: with several
        # workers, another process's follower may have moved the shared views on.
        position = self.writer.followed()
        if position != self._position:
            self._position = position
            for watcher in list(self.watchers):
                watcher(position)
        return position

    def start(self) -> None:
        self.catch_up()
        self._thread = threading.Thread(target=self._follow, name="views-follower", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        while not self._stop.wait(self.follow_interval):
            try:
                self.catch_up()
            except Exception:
                # A busy database (a rebuild holds the write lock) or a lost connection must
                # not stop the views following for the life of the process: try again later.
                log.exception("the views could not follow the log; trying again")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.reader.close()
        self.writer.close()
        self.tracker.close()
