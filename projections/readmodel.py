"""The read side's one object: views kept up to date from the log, and the queries on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projections import blame, compilation, moments, positions, progress
from projections.database import ViewDatabase
from projections.follower import Follower
from projections.projector import utc_iso
from tracker.application import Tracker
from tracker.domain.base import NotFound


class ReadModel:
    """Owns a connection to the log (to follow it) and one to the views (to answer)."""

    def __init__(self, tracker: Tracker, views: ViewDatabase, *, owns_tracker: bool = False) -> None:
        self.tracker = tracker
        self.views = views
        self.follower = Follower(tracker, views)
        self._owns_tracker = owns_tracker

    @classmethod
    def open(cls, db: str, tracker: Tracker | None = None) -> ReadModel:
        return cls(tracker or Tracker.open(db), ViewDatabase.open(db), owns_tracker=tracker is None)

    def close(self) -> None:
        self.views.close()
        if self._owns_tracker:
            self.tracker.close()

    def catch_up(self) -> int:
        return self.follower.catch_up()

    def rebuild(self) -> int:
        return self.follower.rebuild()

    # --- queries ---------------------------------------------------------------------------

    def _require(self, slug: str) -> None:
        if not self.views.query("SELECT 1 FROM view_negotiations WHERE slug = ?", (slug,)):
            raise NotFound(f"unknown negotiation {slug!r}")

    def revisions(self, slug: str) -> list[dict[str, Any]]:
        self._require(slug)
        rows = self.views.query(
            "SELECT r.label, r.position, r.timestamp, r.symbol, r.issued_on, r.round, r.based_on, r.delegation, "
            "r.usr, (SELECT COUNT(*) FROM view_revision_paragraphs p WHERE p.negotiation = r.negotiation "
            "AND p.label = r.label) FROM view_revisions r WHERE r.negotiation = ? ORDER BY r.position", (slug,))
        return [
            {"label": r[0], "position": r[1], "timestamp": r[2], "symbol": r[3], "date": r[4], "round": r[5],
             "based_on": r[6], "published_by": {"delegation": r[7], "user": r[8]}, "paragraphs": r[9]}
            for r in rows
        ]

    def revision(self, slug: str, label: str) -> dict[str, Any]:
        self._require(slug)
        rows = self.views.query(
            "SELECT position FROM view_revisions WHERE negotiation = ? AND label = ?", (slug, label))
        if not rows:
            raise NotFound(f"no revision {label!r} in negotiation {slug!r}")
        return {"negotiation": slug, "label": label, "position": rows[0][0],
                "paragraphs": moments.revision_paragraphs(self.views, slug, label)}

    def at(self, slug: str, position: int) -> dict[str, Any]:
        """The working text, pending amendments and positions just after event ``position``."""
        self._require(slug)
        return moments.moment(self.views, slug, position)

    def at_time(self, slug: str, moment: datetime) -> dict[str, Any]:
        self._require(slug)
        position = moments.position_at_time(self.views, slug, utc_iso(moment))
        return moments.moment(self.views, slug, position)

    def delegation(self, slug: str, code: str) -> dict[str, Any]:
        self._require(slug)
        return positions.delegation_record(self.views, slug, code)

    def last_position(self, slug: str) -> int:
        rows = self.views.query("SELECT MAX(position) FROM view_events WHERE negotiation = ?", (slug,))
        return rows[0][0] or 0

    def compilation(self, slug: str, position: int | None = None) -> dict[str, Any]:
        self._require(slug)
        return compilation.compilation(self.views, slug, self.last_position(slug) if position is None else position)

    def progress(self, slug: str) -> dict[str, Any]:
        self._require(slug)
        return progress.progress(self.views, slug, self.last_position(slug))

    def blame(self, slug: str, label: str) -> dict[str, Any]:
        self._require(slug)
        return blame.blame(self.views, slug, label)
