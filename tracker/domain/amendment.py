"""Amendments: one delegation's proposal against one paragraph, and its whole life."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import TOPIC_PREFIX, Actor, Conflict, DomainError, Forbidden, TrackerAggregate

T = TOPIC_PREFIX + "amendment."

# What a proposal does to its paragraph.
REPLACE = "replace"  # old_text -> new_text (old_text empty: the whole paragraph)
INSERT = "insert"  # new_text after old_text (old_text empty: at the end)
DELETE = "delete"  # old_text struck out
NEW_PARAGRAPH = "new_paragraph"  # new_text as a new paragraph after paragraph_id
DELETE_PARAGRAPH = "delete_paragraph"
MOVE = "move"  # paragraph_id moved after after_paragraph_id ("" = to the top)
RETAIN = "retain"  # keep the paragraph as it stands (usually against a deletion)
RESERVE = "reserve"  # a reservation on the paragraph
ACTIONS = (REPLACE, INSERT, DELETE, NEW_PARAGRAPH, DELETE_PARAGRAPH, MOVE, RETAIN, RESERVE)

PROPOSED = "proposed"
REVISED = "revised"
WITHDRAWN = "withdrawn"
INCORPORATED = "incorporated"
PARTLY_INCORPORATED = "partly_incorporated"
NOT_RETAINED = "not_retained"
PENDING = (PROPOSED, REVISED)
OUTCOMES = (INCORPORATED, PARTLY_INCORPORATED, NOT_RETAINED)

SUPPORTS = "supports"
OPPOSES = "opposes"
CO_SPONSORS = "co_sponsors"
RESERVES = "reserves"
STANCES = (SUPPORTS, OPPOSES, CO_SPONSORS, RESERVES)


def check_proposal(action: str, paragraph_text: str, old_text: str, new_text: str) -> None:
    """Refuse a proposal that cannot be applied to the paragraph as it stands."""
    if action not in ACTIONS:
        raise DomainError(f"unknown amendment action {action!r}: one of {', '.join(ACTIONS)}")
    if action in (REPLACE, INSERT, NEW_PARAGRAPH) and not new_text.strip():
        raise DomainError(f"a {action.replace('_', ' ')} proposal needs the new text")
    if action == DELETE and not old_text:
        raise DomainError("a delete proposal needs the words to delete")
    if action in (REPLACE, INSERT, DELETE) and old_text:
        count = paragraph_text.count(old_text)
        if count == 0:
            raise DomainError(f"the paragraph does not contain {_quote(old_text)}")
        if count > 1:
            raise DomainError(f"{_quote(old_text)} occurs {count} times in the paragraph: quote more words")
    if action == REPLACE and (old_text or paragraph_text) == new_text:
        raise DomainError("the replacement is the same as the text it replaces")
    if action not in (REPLACE, INSERT, DELETE, NEW_PARAGRAPH) and (old_text or new_text):
        raise DomainError(f"a {action.replace('_', ' ')} proposal takes no text")


def proposed_text(action: str, paragraph_text: str, old_text: str, new_text: str) -> str | None:
    """The paragraph as it would read if the proposal were taken, for in-text proposals."""
    if action == REPLACE:
        return paragraph_text.replace(old_text, new_text, 1) if old_text else new_text
    if action == INSERT:
        if not old_text:
            return _join(paragraph_text, new_text)
        start = paragraph_text.index(old_text) + len(old_text)
        return paragraph_text[:start] + _spaced(paragraph_text[:start], new_text) + paragraph_text[start:]
    if action == DELETE:
        start = paragraph_text.index(old_text)
        before, after = paragraph_text[:start], paragraph_text[start + len(old_text) :]
        if before.endswith(" ") and after.startswith(" "):
            after = after[1:]
        return before + after
    return None


def _join(text: str, addition: str) -> str:
    return text + _spaced(text, addition)


def _spaced(before: str, addition: str) -> str:
    """Insert a space between words unless the proposer already typed one."""
    if before and not before[-1].isspace() and addition[:1].isalnum():
        return " " + addition
    return addition


def _quote(text: str) -> str:
    return f'"{text[:60]}{"..." if len(text) > 60 else ""}"'


class Amendment(TrackerAggregate):
    TOPIC = T + "Amendment"

    class Event(TrackerAggregate.Event):
        TOPIC = T + "Event"

    @event("Proposed", topic=T + "Proposed")
    def __init__(
        self,
        id: UUID,  # noqa: A002 - chosen by the caller, so commands can return it
        negotiation_id: UUID,
        base_revision: str,
        paragraph_id: str,
        action: str,
        old_text: str,
        new_text: str,
        after_paragraph_id: str,
        on_behalf_of: str,
        rationale: str,
        round_number: int | None,
        actor: Actor,
    ) -> None:
        self.negotiation_id = negotiation_id
        self.base_revision = base_revision
        self.paragraph_id = paragraph_id
        self.action = action
        self.old_text = old_text
        self.new_text = new_text
        self.after_paragraph_id = after_paragraph_id
        self.on_behalf_of = on_behalf_of
        self.rationale = rationale
        self.round_number = round_number
        self.delegation = actor.delegation
        self.status = PROPOSED
        self.positions: dict[str, dict[str, str]] = {}
        self.decision: dict[str, Any] | None = None

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING

    @property
    def sponsors(self) -> tuple[str, ...]:
        """Whoever the proposal speaks for: they cannot take a position on it."""
        return (self.delegation, self.on_behalf_of) if self.on_behalf_of else (self.delegation,)

    def _require_pending(self, doing: str) -> None:
        if not self.is_pending:
            raise Conflict(f"cannot {doing}: the amendment is {self.status.replace('_', ' ')}")

    def _require_proposer(self, actor: Actor, doing: str) -> None:
        if actor.delegation != self.delegation:
            raise Forbidden(f"only {self.delegation}, who proposed it, may {doing} this amendment")

    def revise(self, paragraph_text: str, old_text: str, new_text: str, rationale: str, actor: Actor) -> None:
        self._require_proposer(actor, "revise")
        self._require_pending("revise it")
        check_proposal(self.action, paragraph_text, old_text, new_text)
        if (old_text, new_text, rationale) == (self.old_text, self.new_text, self.rationale):
            raise Conflict("the revision changes nothing")
        self._revised(old_text=old_text, new_text=new_text, rationale=rationale, actor=actor)

    @event("Revised", topic=T + "Revised")
    def _revised(self, old_text: str, new_text: str, rationale: str, actor: Actor) -> None:
        self.old_text = old_text
        self.new_text = new_text
        self.rationale = rationale
        self.status = REVISED

    def take_position(self, stance: str, note: str, actor: Actor) -> None:
        if stance not in STANCES:
            raise DomainError(f"unknown position {stance!r}: one of {', '.join(STANCES)}")
        if actor.delegation in self.sponsors:
            raise Forbidden(f"{actor.delegation} cannot take a position on its own proposal")
        self._require_pending("take a position on it")
        current = self.positions.get(actor.delegation)
        if current and current["stance"] == stance:
            raise Conflict(f"{actor.delegation} already {stance.replace('_', '-')} this amendment")
        self._position_taken(delegation=actor.delegation, stance=stance, note=note, actor=actor)

    @event("PositionTaken", topic=T + "PositionTaken")
    def _position_taken(self, delegation: str, stance: str, note: str, actor: Actor) -> None:
        self.positions[delegation] = {"stance": stance, "note": note}

    def drop_position(self, actor: Actor) -> None:
        if actor.delegation not in self.positions:
            raise Conflict(f"{actor.delegation} has taken no position on this amendment")
        self._require_pending("change positions on it")
        self._position_dropped(delegation=actor.delegation, actor=actor)

    @event("PositionDropped", topic=T + "PositionDropped")
    def _position_dropped(self, delegation: str, actor: Actor) -> None:
        del self.positions[delegation]

    def withdraw(self, reason: str, actor: Actor) -> None:
        self._require_proposer(actor, "withdraw")
        self._require_pending("withdraw it")
        self._withdrawn(reason=reason, actor=actor)

    @event("Withdrawn", topic=T + "Withdrawn")
    def _withdrawn(self, reason: str, actor: Actor) -> None:
        self.status = WITHDRAWN

    def decide(self, outcome: str, revision_label: str, note: str, actor: Actor) -> None:
        if outcome not in OUTCOMES:
            raise DomainError(f"unknown outcome {outcome!r}: one of {', '.join(OUTCOMES)}")
        self._require_pending("decide on it")
        self._decided(outcome=outcome, revision_label=revision_label, note=note, actor=actor)

    @event("Decided", topic=T + "Decided")
    def _decided(self, outcome: str, revision_label: str, note: str, actor: Actor) -> None:
        self.status = outcome
        self.decision = {"outcome": outcome, "revision": revision_label, "note": note}
