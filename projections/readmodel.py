"""The read side's one object: views kept up to date from the log, and the queries on them."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from projections import blame, catalog, checkpoints, compilation, history, moments, positions, progress, search
from projections.database import ViewDatabase
from projections.follower import Follower
from projections.projector import utc_iso
from tracker.application import Tracker
from tracker.domain.base import NotFound


class ReadModel:
    """Owns a connection to the log (to follow it) and one to the views (to answer)."""

    def __init__(self, tracker: Tracker, views: ViewDatabase, *, owns_tracker: bool = False) -> None:
        checkpoints.keep_freed_memory()
        self.tracker = tracker
        self.views = views
        self.follower = Follower(tracker, views)
        self._owns_tracker = owns_tracker
        self._checkpointed = False
        # One connection: a thread that read or began a transaction on it while another
        # applied a page would meet that page's open transaction (SQLite refuses to begin a
        # second one; a read would see rows not yet committed).
        self._following = threading.Lock()

    @classmethod
    def open(cls, db: str, tracker: Tracker | None = None) -> ReadModel:
        return cls(tracker or Tracker.open(db), ViewDatabase.open(db), owns_tracker=tracker is None)

    def close(self) -> None:
        self.views.close()
        if self._owns_tracker:
            self.tracker.close()

    def catch_up(self) -> int:
        with self._following:
            applied = self.follower.catch_up()
            # Checkpoints are due only where events arrived, and on the first call: views
            # followed by a process that stopped before writing them.
            if applied or not self._checkpointed:
                checkpoints.build(self.views)
                self._checkpointed = True
            return applied

    def followed(self) -> int:
        """How far the views have followed the log (maybe further than this process took
        them: another process's follower shares them)."""
        with self._following:
            return self.follower.position()

    def rebuild(self) -> int:
        with self._following:
            # The rebuild writes the checkpoints as it goes (checkpoints.Checkpointer).
            applied = self.follower.rebuild()
            self._checkpointed = True
            return applied

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
        rows = self.views.query(
            "SELECT position FROM view_revisions WHERE negotiation = ? AND label = ?", (slug, label))
        if not rows:
            # Only now: a revision found says its negotiation is there (a round trip fewer
            # on PostgreSQL for every revision shown).
            self._require(slug)
            raise NotFound(f"no revision {label!r} in negotiation {slug!r}")
        return {"negotiation": slug, "label": label, "position": rows[0][0],
                "paragraphs": moments.revision_paragraphs(self.views, slug, label)}

    def at(self, slug: str, position: int) -> dict[str, Any]:
        """The working text, pending amendments and positions just after event ``position``."""
        self._require(slug)
        return moments.moment(self.views, slug, position)

    def at_time(self, slug: str, moment: datetime) -> dict[str, Any]:
        self._require(slug)
        position = catalog.position_at_time(self.views, slug, utc_iso(moment))
        return moments.moment(self.views, slug, position)

    def delegation(self, slug: str, code: str) -> dict[str, Any]:
        self._require(slug)
        return positions.delegation_record(self.views, slug, code)

    def last_position(self, slug: str) -> int:
        return catalog.last_position(self.views, slug)

    def compilation(self, slug: str, position: int | None = None) -> dict[str, Any]:
        self._require(slug)
        return compilation.compilation(self.views, slug, self.last_position(slug) if position is None else position)

    def progress(self, slug: str) -> dict[str, Any]:
        self._require(slug)
        return progress.progress(self.views, slug, self.last_position(slug))

    def blame(self, slug: str, label: str) -> dict[str, Any]:
        self._require(slug)
        return blame.blame(self.views, slug, label)

    # --- what observers browse by (catalog, history, search) -------------------------------

    def negotiations(self) -> list[dict[str, Any]]:
        return catalog.negotiations(self.views)

    def negotiation(self, slug: str) -> dict[str, Any]:
        """Details, phases, rounds with their dates, delegations with their groups, revisions."""
        found = catalog.negotiation(self.views, slug)
        found["delegations"] = catalog.delegations(self.views, slug)
        found["revisions"] = self.revisions(slug)
        return found

    def delegations(self, slug: str) -> list[dict[str, Any]]:
        self._require(slug)
        return catalog.delegations(self.views, slug)

    def statuses(self, slug: str, position: int) -> dict[str, str]:
        """Each paragraph's status just after event ``position`` (absent: open)."""
        return moments.statuses_at(self.views, slug, position)

    def paragraph(self, slug: str, paragraph_id: str) -> dict[str, Any]:
        self._require(slug)
        return history.paragraph_history(self.views, slug, paragraph_id)

    def log_bounds(self, slug: str) -> tuple[int, int]:
        self._require(slug)
        return catalog.bounds(self.views, slug)

    def event_at(self, slug: str, position: int) -> dict[str, Any] | None:
        return catalog.event_at(self.views, slug, position)

    def events_before(self, slug: str, position: int, limit: int) -> list[dict[str, Any]]:
        return catalog.events_before(self.views, slug, position, limit)

    def events_after(self, slug: str, position: int, limit: int) -> list[dict[str, Any]]:
        return catalog.events_after(self.views, slug, position, limit)

    def negotiations_between(self, after: int, upto: int) -> set[str]:
        """The negotiations with events after ``after`` up to ``upto``."""
        return catalog.negotiations_between(self.views, after, upto)

    def search(self, slug: str, query: str, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        self._require(slug)
        return search.search(self.views, slug, query, limit, offset)

    def details(self, slug: str) -> dict[str, Any]:
        """Title, symbol, mandate, languages, phases and rounds: no counting."""
        return catalog.negotiation(self.views, slug)

    # --- what signed-in users act on (silence procedures, stakeholder inputs) ---------------

    def silence_procedures(self, slug: str) -> list[dict[str, Any]]:
        """Every silence procedure of the negotiation as it stands now, newest first."""
        import orjson

        self._require(slug)
        rows = self.views.query(
            "SELECT id, revision_label, paragraph_ids, deadline, note, status, broken_by, reason FROM view_silence "
            "WHERE negotiation = ? AND valid_to IS NULL ORDER BY id", (slug,))
        found = [
            {"id": r[0], "revision": r[1], "paragraph_ids": orjson.loads(r[2]), "deadline": r[3], "note": r[4],
             "status": r[5], "broken_by": r[6], "reason": r[7]}
            for r in rows
        ]
        return sorted(found, key=lambda p: p["deadline"], reverse=True)

    def inputs(self, slug: str) -> list[dict[str, Any]]:
        """Stakeholders' inputs, oldest first."""
        self._require(slug)
        rows = self.views.query(
            "SELECT id, delegation, usr, paragraph_id, theme, text, position, timestamp FROM view_inputs "
            "WHERE negotiation = ? ORDER BY position", (slug,))
        return [
            {"id": r[0], "delegation": r[1], "user": r[2], "paragraph_id": r[3], "theme": r[4], "text": r[5],
             "position": r[6], "timestamp": r[7]}
            for r in rows
        ]
