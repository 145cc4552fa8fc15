"""Stakeholder inputs: recorded and attributed, never an amendment of the text."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import TOPIC_PREFIX, Actor, TrackerAggregate

T = TOPIC_PREFIX + "input."


class StakeholderInput(TrackerAggregate):
    TOPIC = T + "StakeholderInput"

    class Event(TrackerAggregate.Event):
        TOPIC = T + "Event"

    @event("Submitted", topic=T + "Submitted")
    def __init__(
        self,
        id: UUID,  # noqa: A002 - chosen by the caller, so commands can return it
        negotiation_id: UUID,
        paragraph_id: str,
        theme: str,
        text: str,
        actor: Actor,
    ) -> None:
        self.negotiation_id = negotiation_id
        self.paragraph_id = paragraph_id
        self.theme = theme
        self.text = text
        self.delegation = actor.delegation
