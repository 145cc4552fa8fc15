"""What every aggregate of the negotiation record shares: the acting user and domain errors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from eventsourcing.domain import Aggregate

# Names every stored event is filed under. Stored topics must never change, so they are
# written out here rather than derived from module paths that refactoring would move.
TOPIC_PREFIX = "tracker."

NAMESPACE = uuid.UUID("6f1c3f57-6a61-4e0b-9a61-8f0f0b1d2c3e")


class DomainError(ValueError):
    """A command refused by the rules of the negotiation; the message is for the user."""


class NotFound(DomainError):
    """A command names something the record does not have."""


class Conflict(DomainError):
    """A command would record something that already exists or is no longer possible."""


class Forbidden(DomainError):
    """The acting delegation may not do this."""


@dataclass(frozen=True)
class Actor:
    """Who did it: the delegation acted for, and the person at the keyboard."""

    delegation: str
    user: str

    def as_dict(self) -> dict[str, str]:
        return {"delegation": self.delegation, "user": self.user}


def negotiation_id(slug: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"negotiation:{slug}")


def revision_id(negotiation: uuid.UUID, label: str) -> uuid.UUID:
    return uuid.uuid5(negotiation, f"revision:{label}")


class TrackerAggregate(Aggregate):
    """Base of the negotiation's aggregates; every event carries ``actor``."""

    TOPIC = TOPIC_PREFIX + "aggregate"

    class Event(Aggregate.Event):
        TOPIC = TOPIC_PREFIX + "event"
