"""Revisions of the whole text, and the paragraphs whose ids outlive their numbers."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import TOPIC_PREFIX, Actor, Conflict, DomainError, NotFound, TrackerAggregate, revision_id

T = TOPIC_PREFIX + "revision."
P = TOPIC_PREFIX + "paragraph."

# How a paragraph of a revision relates to the previous revision: the matching is
# recorded with the text so that ids never have to be guessed again on replay.
MATCH_NEW = "new"


class Revision(TrackerAggregate):
    """A published version of the whole text: immutable once published.

    ``paragraphs`` holds, in document order, dicts with ``id``, ``num``, ``text``,
    ``kind``, ``level``, ``footnotes`` (``[{"marker", "text"}]``) and ``match``
    (``{"method", "score", "from_num"}`` against ``based_on``).
    """

    TOPIC = T + "Revision"

    class Event(TrackerAggregate.Event):
        TOPIC = T + "Event"

    @staticmethod
    def create_id(negotiation_id: UUID, label: str) -> UUID:
        return revision_id(negotiation_id, label)

    @event("Published", topic=T + "Published")
    def __init__(
        self,
        negotiation_id: UUID,
        label: str,
        symbol: str,
        issued_on: date | None,
        round_number: int | None,
        based_on: str | None,
        paragraphs: list[dict[str, Any]],
        source: dict[str, Any],
        actor: Actor,
    ) -> None:
        self.negotiation_id = negotiation_id
        self.label = label
        self.symbol = symbol
        self.issued_on = issued_on
        self.round_number = round_number
        self.based_on = based_on
        self.paragraphs = [dict(p) for p in paragraphs]
        self.source = dict(source)
        self.published_by = actor

    def paragraph(self, paragraph_id: str) -> dict[str, Any]:
        for paragraph in self.paragraphs:
            if paragraph["id"] == paragraph_id:
                return paragraph
        raise NotFound(f"paragraph {paragraph_id} is not in revision {self.label!r}")

    def find(self, id_or_num: str) -> dict[str, Any]:
        """A paragraph by id, or by its number as printed ("3", "3.", "(a)", "OP7")."""
        if any(p["id"] == id_or_num for p in self.paragraphs):
            return self.paragraph(id_or_num)
        wanted = _plain_num(id_or_num)
        found = [p for p in self.paragraphs if p["num"] and _plain_num(p["num"]) == wanted]
        if len(found) == 1:
            return found[0]
        if found:
            raise DomainError(
                f"{len(found)} paragraphs are numbered {id_or_num!r} in revision {self.label!r}: use the paragraph id"
            )
        raise NotFound(f"no paragraph {id_or_num!r} in revision {self.label!r}")


def _plain_num(num: str) -> str:
    return num.strip().rstrip(".:").strip().casefold()


OPEN = "open"
BRACKETED = "bracketed"
AGREED_AD_REF = "agreed_ad_ref"
REOPENED = "reopened"
PARAGRAPH_STATUSES = (OPEN, BRACKETED, AGREED_AD_REF, REOPENED)

# Which status may follow which: agreement is undone only by re-opening.
_TRANSITIONS = {
    OPEN: {BRACKETED, AGREED_AD_REF},
    BRACKETED: {OPEN, AGREED_AD_REF},
    AGREED_AD_REF: {REOPENED},
    REOPENED: {BRACKETED, AGREED_AD_REF, OPEN},
}


class Paragraph(TrackerAggregate):
    """A paragraph's own life, apart from its text: where it came in, and its status."""

    TOPIC = P + "Paragraph"

    class Event(TrackerAggregate.Event):
        TOPIC = P + "Event"

    @event("Introduced", topic=P + "Introduced")
    def __init__(self, id: UUID, negotiation_id: UUID, revision_label: str, actor: Actor) -> None:
        self.negotiation_id = negotiation_id
        self.introduced_in = revision_label
        self.status = OPEN

    def mark(self, status: str, note: str, actor: Actor) -> None:
        if status not in PARAGRAPH_STATUSES:
            raise DomainError(f"unknown paragraph status {status!r}: one of {', '.join(PARAGRAPH_STATUSES)}")
        if status == self.status:
            raise Conflict(f"the paragraph is already {status.replace('_', ' ')}")
        if status not in _TRANSITIONS[self.status]:
            raise Conflict(
                f"a paragraph that is {self.status.replace('_', ' ')} cannot become {status.replace('_', ' ')}"
                + (": re-open it first" if self.status == AGREED_AD_REF else "")
            )
        self._status_changed(status=status, note=note, actor=actor)

    @event("StatusChanged", topic=P + "StatusChanged")
    def _status_changed(self, status: str, note: str, actor: Actor) -> None:
        self.status = status
