"""Silence procedures: text deemed agreed unless a delegation breaks silence by a deadline."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import TOPIC_PREFIX, Actor, Conflict, DomainError, TrackerAggregate

T = TOPIC_PREFIX + "silence."

OPEN = "open"
BROKEN = "broken"
PASSED = "passed"


class SilenceProcedure(TrackerAggregate):
    TOPIC = T + "SilenceProcedure"

    class Event(TrackerAggregate.Event):
        TOPIC = T + "Event"

    @event("Opened", topic=T + "Opened")
    def __init__(
        self,
        id: UUID,  # noqa: A002 - chosen by the caller, so commands can return it
        negotiation_id: UUID,
        revision_label: str,
        paragraph_ids: list[str],
        deadline: datetime,
        note: str,
        actor: Actor,
    ) -> None:
        self.negotiation_id = negotiation_id
        self.revision_label = revision_label
        self.paragraph_ids = list(paragraph_ids)  # empty: the whole text
        self.deadline = deadline
        self.note = note
        self.status = OPEN
        self.broken_by: str | None = None

    def _require_open(self, doing: str) -> None:
        if self.status != OPEN:
            raise Conflict(f"cannot {doing}: the silence procedure has {self.status}")

    # ``now`` is read by the caller: commands check against it, events never see a clock.
    def break_silence(self, reason: str, now: datetime, actor: Actor) -> None:
        self._require_open("break silence")
        if now >= self.deadline:
            raise Conflict(f"the deadline ({self.deadline.isoformat()}) has passed: silence can no longer be broken")
        if not reason.strip():
            raise DomainError("breaking silence needs a reason")
        self._broken(delegation=actor.delegation, reason=reason, actor=actor)

    @event("Broken", topic=T + "Broken")
    def _broken(self, delegation: str, reason: str, actor: Actor) -> None:
        self.status = BROKEN
        self.broken_by = delegation

    def conclude(self, now: datetime, actor: Actor) -> None:
        self._require_open("conclude it")
        if now < self.deadline:
            raise Conflict(f"the deadline ({self.deadline.isoformat()}) has not passed yet")
        self._passed(actor=actor)

    @event("Passed", topic=T + "Passed")
    def _passed(self, actor: Actor) -> None:
        self.status = PASSED
