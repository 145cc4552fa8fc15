"""The negotiation: what it is about, its phases and rounds, and who takes part."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import (
    TOPIC_PREFIX,
    Actor,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    TrackerAggregate,
    negotiation_id,
)

T = TOPIC_PREFIX + "negotiation."

MEMBER_STATE = "member_state"
GROUP = "group"
OBSERVER = "observer"
STAKEHOLDER = "stakeholder"
CHAIR = "chair"
SECRETARIAT = "secretariat"
DELEGATION_KINDS = (MEMBER_STATE, GROUP, OBSERVER, STAKEHOLDER, CHAIR, SECRETARIAT)

# Those who may put text on the table: Member States and the groups that speak for them.
NEGOTIATING_KINDS = (MEMBER_STATE, GROUP)
# Those who run the process: publish revisions, decide on proposals, mark paragraphs.
BUREAU_KINDS = (CHAIR, SECRETARIAT)
# Rounds are a handful; a number past this is a typing slip (and past 2**63 one the log
# could not even store).
MAX_ROUND = 999

SECRETARIAT_CODE = "SECRETARIAT"

UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")

ROUND_SCHEDULED = "scheduled"
ROUND_OPEN = "open"
ROUND_CLOSED = "closed"


class Negotiation(TrackerAggregate):
    """One negotiation process. Small by design: its roster, rounds and revision labels."""

    TOPIC = T + "Negotiation"

    class Event(TrackerAggregate.Event):
        TOPIC = T + "Event"

    @staticmethod
    def create_id(slug: str) -> UUID:
        return negotiation_id(slug)

    @event("Created", topic=T + "Created")
    def __init__(
        self,
        slug: str,
        title: str,
        symbol: str,
        mandate: str,
        languages: list[str],
        actor: Actor,
    ) -> None:
        self.slug = slug
        self.title = title
        self.symbol = symbol
        self.mandate = mandate
        self.languages = list(languages)
        self.phases: list[dict[str, Any]] = []
        self.rounds: list[dict[str, Any]] = []
        # code -> {"code", "name", "kind"}; the secretariat exists from the start so that
        # someone can always publish the first revision.
        self.delegations: dict[str, dict[str, str]] = {
            SECRETARIAT_CODE: {"code": SECRETARIAT_CODE, "name": "Secretariat", "kind": SECRETARIAT}
        }
        # Current memberships only; the log keeps when each began and ended.
        self.memberships: list[dict[str, str]] = []
        self.revision_labels: list[str] = []

    # --- reading -------------------------------------------------------------------

    def delegation(self, code: str) -> dict[str, str]:
        try:
            return self.delegations[code]
        except KeyError:
            raise NotFound(f"unknown delegation {code!r} in negotiation {self.slug!r}") from None

    def kind_of(self, code: str) -> str:
        return self.delegation(code)["kind"]

    def groups_of(self, member: str) -> list[str]:
        return [m["group"] for m in self.memberships if m["member"] == member]

    def members_of(self, group: str) -> list[str]:
        return [m["member"] for m in self.memberships if m["group"] == group]

    def require_bureau(self, actor: Actor, doing: str) -> None:
        if self.kind_of(actor.delegation) not in BUREAU_KINDS:
            raise Forbidden(f"only the co-facilitators or the secretariat may {doing}; {actor.delegation} may not")

    def require_negotiator(self, actor: Actor, doing: str) -> None:
        kind = self.kind_of(actor.delegation)
        if kind not in NEGOTIATING_KINDS:
            raise Forbidden(
                f"{actor.delegation} is {_article(kind)} {kind.replace('_', ' ')} and may not {doing}: "
                "only Member States and groups negotiate the text"
            )

    def round(self, number: int) -> dict[str, Any]:
        for scheduled in self.rounds:
            if scheduled["number"] == number:
                return scheduled
        raise NotFound(f"round {number} is not scheduled in negotiation {self.slug!r}")

    def require_round(self, number: int | None) -> None:
        if number is not None:
            self.round(number)

    def current_round(self) -> int | None:
        open_rounds = [r["number"] for r in self.rounds if r["status"] == ROUND_OPEN]
        return max(open_rounds) if open_rounds else None

    # --- commands --------------------------------------------------------------------

    def change_details(self, actor: Actor, **details: Any) -> None:
        self.require_bureau(actor, "change the negotiation's details")
        changes = {k: v for k, v in details.items() if v is not None and getattr(self, k) != v}
        if "languages" in changes:
            changes["languages"] = check_languages(changes["languages"])
        if changes:
            self._details_changed(changes=changes, actor=actor)

    @event("DetailsChanged", topic=T + "DetailsChanged")
    def _details_changed(self, changes: dict[str, Any], actor: Actor) -> None:
        for key, value in changes.items():
            setattr(self, key, list(value) if isinstance(value, list) else value)

    def add_phase(self, name: str, starts: date | None, ends: date | None, description: str, actor: Actor) -> None:
        self.require_bureau(actor, "add a phase")
        name = require_text(name, "phase name")
        if any(p["name"] == name for p in self.phases):
            raise Conflict(f"phase {name!r} already exists")
        check_dates(starts, ends)
        self._phase_added(name=name, starts=starts, ends=ends, description=description, actor=actor)

    @event("PhaseAdded", topic=T + "PhaseAdded")
    def _phase_added(self, name: str, starts: date | None, ends: date | None, description: str, actor: Actor) -> None:
        self.phases.append({"name": name, "starts": starts, "ends": ends, "description": description})

    def schedule_round(self, number: int, starts: date, ends: date, venue: str, actor: Actor) -> None:
        self.require_bureau(actor, "schedule a round")
        if not 1 <= number <= MAX_ROUND:
            raise DomainError(f"round numbers run from 1 to {MAX_ROUND}")
        if any(r["number"] == number for r in self.rounds):
            raise Conflict(f"round {number} is already scheduled")
        check_dates(starts, ends)
        self._round_scheduled(number=number, starts=starts, ends=ends, venue=venue, actor=actor)

    @event("RoundScheduled", topic=T + "RoundScheduled")
    def _round_scheduled(self, number: int, starts: date, ends: date, venue: str, actor: Actor) -> None:
        self.rounds.append(
            {"number": number, "starts": starts, "ends": ends, "venue": venue, "status": ROUND_SCHEDULED}
        )
        self.rounds.sort(key=lambda r: r["number"])

    def open_round(self, number: int, actor: Actor) -> None:
        self.require_bureau(actor, "open a round")
        if (status := self.round(number)["status"]) != ROUND_SCHEDULED:
            raise Conflict(f"round {number} is {status}, not scheduled")
        if (current := self.current_round()) is not None:
            raise Conflict(f"round {current} is still open: close it first")
        self._round_opened(number=number, actor=actor)

    @event("RoundOpened", topic=T + "RoundOpened")
    def _round_opened(self, number: int, actor: Actor) -> None:
        self.round(number)["status"] = ROUND_OPEN

    def close_round(self, number: int, actor: Actor) -> None:
        self.require_bureau(actor, "close a round")
        if (status := self.round(number)["status"]) != ROUND_OPEN:
            raise Conflict(f"round {number} is {status}, not open")
        self._round_closed(number=number, actor=actor)

    @event("RoundClosed", topic=T + "RoundClosed")
    def _round_closed(self, number: int, actor: Actor) -> None:
        self.round(number)["status"] = ROUND_CLOSED

    def register_delegation(self, code: str, name: str, kind: str, actor: Actor) -> None:
        self.require_bureau(actor, "register delegations")
        code = check_code(code)
        if code in self.delegations:
            raise Conflict(f"delegation {code} is already registered")
        if kind not in DELEGATION_KINDS:
            raise DomainError(f"unknown delegation kind {kind!r}: one of {', '.join(DELEGATION_KINDS)}")
        self._delegation_registered(code=code, name=require_text(name, "delegation name"), kind=kind, actor=actor)

    @event("DelegationRegistered", topic=T + "DelegationRegistered")
    def _delegation_registered(self, code: str, name: str, kind: str, actor: Actor) -> None:
        self.delegations[code] = {"code": code, "name": name, "kind": kind}

    def join_group(self, member: str, group: str, actor: Actor) -> None:
        self.require_bureau(actor, "change group membership")
        if self.kind_of(group) != GROUP:
            raise DomainError(f"{group} is not a group")
        if self.kind_of(member) not in (MEMBER_STATE, OBSERVER):
            raise DomainError(f"{member} is not a State and cannot be a member of a group")
        if group in self.groups_of(member):
            raise Conflict(f"{member} is already a member of {group}")
        self._group_joined(member=member, group=group, actor=actor)

    @event("GroupJoined", topic=T + "GroupJoined")
    def _group_joined(self, member: str, group: str, actor: Actor) -> None:
        self.memberships.append({"group": group, "member": member})

    def leave_group(self, member: str, group: str, actor: Actor) -> None:
        self.require_bureau(actor, "change group membership")
        self.delegation(member)
        if group not in self.groups_of(member):
            raise Conflict(f"{member} is not a member of {group}")
        self._group_left(member=member, group=group, actor=actor)

    @event("GroupLeft", topic=T + "GroupLeft")
    def _group_left(self, member: str, group: str, actor: Actor) -> None:
        self.memberships.remove({"group": group, "member": member})

    def add_revision_label(self, label: str, round_number: int | None, actor: Actor) -> None:
        self.require_bureau(actor, "publish a revision")
        self.require_round(round_number)
        if label in self.revision_labels:
            raise Conflict(f"revision {label!r} already exists in negotiation {self.slug!r}")
        self._revision_listed(label=label, actor=actor)

    @event("RevisionListed", topic=T + "RevisionListed")
    def _revision_listed(self, label: str, actor: Actor) -> None:
        self.revision_labels.append(label)

    @property
    def latest_label(self) -> str | None:
        return self.revision_labels[-1] if self.revision_labels else None


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def require_text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"{what} must not be empty")
    return value


def check_code(code: str) -> str:
    code = (code or "").strip()
    if not code or len(code) > 40 or not all(c.isalnum() or c in "-_." for c in code):
        raise DomainError(f"bad delegation code {code!r}: letters, digits, '-', '_' or '.', at most 40")
    return code


def check_dates(starts: date | None, ends: date | None) -> None:
    if starts and ends and ends < starts:
        raise DomainError(f"ends ({ends}) before it starts ({starts})")


def check_languages(languages: list[str]) -> list[str]:
    bad = [code for code in languages if code not in UN_LANGUAGES]
    if bad:
        raise DomainError(f"unknown language {bad[0]!r}: one of {', '.join(UN_LANGUAGES)}")
    return list(dict.fromkeys(languages))
