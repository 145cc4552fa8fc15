"""Commands: load what the rules need, check, record events in one atomic save.

The service layer between the CLI (and later the web) and the domain. Every command
takes the acting ``Actor``; nothing here reads a form or a request.
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import get_topic

from tracker.domain.account import Account, account_id, check_password_hash, check_role, check_username
from tracker.domain.amendment import MOVE, Amendment, check_proposal
from tracker.domain.base import (
    Actor,
    Conflict,
    DomainError,
    NotFound,
    negotiation_id,
    revision_id,
)
from tracker.domain.negotiation import (
    STAKEHOLDER,
    UN_LANGUAGES,
    Negotiation,
    check_code,
    check_languages,
    require_text,
)
from tracker.domain.revision import MATCH_NEW, Paragraph, Revision
from tracker.domain.silence import SilenceProcedure
from tracker.domain.stakeholder import StakeholderInput
from tracker.storage import persistence_env, prepare
from tracker.text.align import align
from tracker.text.document import ParsedDocument
from tracker.transcoder import register_tracker_transcodings

MAX_SLUG = 64


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def check_slug(slug: str) -> str:
    if not slug or len(slug) > MAX_SLUG or not all(c.isascii() and (c.isalnum() or c in "-_") for c in slug):
        raise DomainError(f"bad negotiation slug {slug!r}: ASCII letters, digits, '-' or '_', at most {MAX_SLUG}")
    return slug


@dataclass(frozen=True)
class Published:
    """A revision as listed: where it stands in the log."""

    label: str
    position: int
    timestamp: datetime
    revision: Revision


class Tracker(Application[UUID]):
    """The negotiation record. One instance per process; safe to share between threads."""

    name = "tracker"
    snapshotting_intervals = {Negotiation: 100}

    @classmethod
    def open(cls, db: str) -> Tracker:
        env = persistence_env(db)
        prepare(env)
        return cls(env=env)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        register_tracker_transcodings(transcoder)

    # --- loading -----------------------------------------------------------------------

    def negotiation(self, slug: str) -> Negotiation:
        try:
            return self.repository.get(negotiation_id(slug))
        except AggregateNotFoundError:
            raise NotFound(f"unknown negotiation {slug!r}") from None

    def revision(self, slug: str, label: str | None = None) -> Revision:
        negotiation = self.negotiation(slug)
        label = label or negotiation.latest_label
        if label is None:
            raise NotFound(f"negotiation {slug!r} has no revision yet")
        if label not in negotiation.revision_labels:
            raise NotFound(f"no revision {label!r} in negotiation {slug!r}")
        return self.repository.get(revision_id(negotiation.id, label))

    def amendment(self, slug: str, amendment_id: str) -> Amendment:
        amendment = self._get(Amendment, amendment_id, "amendment")
        if amendment.negotiation_id != negotiation_id(slug):
            raise NotFound(f"amendment {amendment_id} is not in negotiation {slug!r}")
        return amendment

    def paragraph(self, slug: str, paragraph_id: str) -> Paragraph:
        paragraph = self._get(Paragraph, paragraph_id, "paragraph")
        if paragraph.negotiation_id != negotiation_id(slug):
            raise NotFound(f"paragraph {paragraph_id} is not in negotiation {slug!r}")
        return paragraph

    def silence_procedure(self, slug: str, procedure_id: str) -> SilenceProcedure:
        procedure = self._get(SilenceProcedure, procedure_id, "silence procedure")
        if procedure.negotiation_id != negotiation_id(slug):
            raise NotFound(f"silence procedure {procedure_id} is not in negotiation {slug!r}")
        return procedure

    def _get(self, cls: type, aggregate_id: str, what: str) -> Any:
        try:
            key = UUID(str(aggregate_id))
        except ValueError:
            raise NotFound(f"bad {what} id {aggregate_id!r}") from None
        try:
            aggregate = self.repository.get(key)
        except AggregateNotFoundError:
            raise NotFound(f"unknown {what} {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"unknown {what} {aggregate_id}")
        return aggregate

    def _acting(self, slug: str, actor: Actor) -> Negotiation:
        negotiation = self.negotiation(slug)
        negotiation.delegation(actor.delegation)
        return negotiation

    def _save(self, *aggregates: Any) -> int:
        """Save atomically; the position of the last event, for read-your-writes."""
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            raise Conflict("someone else changed this at the same moment: try again") from None
        return recordings[-1].notification.id if recordings else 0

    # --- negotiations ------------------------------------------------------------------

    def create_negotiation(
        self,
        slug: str,
        title: str,
        actor: Actor,
        symbol: str = "",
        mandate: str = "",
        languages: Sequence[str] = ("en",),
    ) -> int:
        negotiation = self._new_negotiation(slug, title, actor, symbol, mandate, languages)
        return self._save(negotiation)

    def _new_negotiation(
        self, slug: str, title: str, actor: Actor, symbol: str, mandate: str, languages: Sequence[str]
    ) -> Negotiation:
        check_slug(slug)
        if self._exists(negotiation_id(slug)):
            raise Conflict(f"negotiation {slug!r} already exists")
        return Negotiation(
            slug=slug,
            title=require_text(nfc(title), "title"),
            symbol=nfc(symbol),
            mandate=nfc(mandate),
            languages=check_languages(list(languages)),
            actor=actor,
        )

    def _exists(self, aggregate_id: UUID) -> bool:
        # One event is enough to know; ``id in repository`` would replay everything.
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def change_negotiation(self, slug: str, actor: Actor, **details: Any) -> int:
        negotiation = self._acting(slug, actor)
        clean = {k: (nfc(v) if isinstance(v, str) else v) for k, v in details.items()}
        negotiation.change_details(actor, **clean)
        return self._save(negotiation)

    def negotiations(self) -> list[Negotiation]:
        created = get_topic(Negotiation.Created)
        ids = [n.originator_id for n in self._notifications(topics=[created])]
        return [self.repository.get(i) for i in ids]

    def add_phase(
        self, slug: str, name: str, actor: Actor, starts: date | None = None, ends: date | None = None,
        description: str = "",
    ) -> int:
        negotiation = self._acting(slug, actor)
        negotiation.add_phase(nfc(name), starts, ends, nfc(description), actor)
        return self._save(negotiation)

    def schedule_round(self, slug: str, number: int, starts: date, ends: date, venue: str, actor: Actor) -> int:
        negotiation = self._acting(slug, actor)
        negotiation.schedule_round(number, starts, ends, nfc(venue), actor)
        return self._save(negotiation)

    def open_round(self, slug: str, number: int, actor: Actor) -> int:
        negotiation = self._acting(slug, actor)
        negotiation.open_round(number, actor)
        return self._save(negotiation)

    def close_round(self, slug: str, number: int, actor: Actor) -> int:
        negotiation = self._acting(slug, actor)
        negotiation.close_round(number, actor)
        return self._save(negotiation)

    # --- delegations -------------------------------------------------------------------

    def register_delegation(self, slug: str, code: str, name: str, kind: str, actor: Actor) -> int:
        negotiation = self._acting(slug, actor)
        negotiation.register_delegation(code, nfc(name), kind, actor)
        return self._save(negotiation)

    def join_group(self, slug: str, member: str, group: str, actor: Actor) -> int:
        negotiation = self._acting(slug, actor)
        negotiation.join_group(member, group, actor)
        return self._save(negotiation)

    def leave_group(self, slug: str, member: str, group: str, actor: Actor) -> int:
        negotiation = self._acting(slug, actor)
        negotiation.leave_group(member, group, actor)
        return self._save(negotiation)

    # --- revisions ---------------------------------------------------------------------

    def publish_revision(
        self,
        slug: str,
        label: str,
        document: ParsedDocument,
        actor: Actor,
        *,
        symbol: str = "",
        issued_on: date | None = None,
        round_number: int | None = None,
        source: dict[str, Any] | None = None,
        title: str = "",
    ) -> int:
        """Publish ``document`` as the next revision, creating the negotiation if it is new.

        Its paragraphs are matched to the previous revision's so that a renumbered or
        reworded paragraph keeps its id; new paragraphs get new ids. One atomic save:
        a refused publication leaves nothing behind.
        """
        label = require_text(nfc(label), "revision label")
        if not document.paragraphs:
            raise DomainError("the text has no paragraphs")
        try:
            negotiation = self.negotiation(slug)
        except NotFound:
            languages = [document.language] if document.language in UN_LANGUAGES else ["en"]
            negotiation = self._new_negotiation(slug, title or document.title or slug, actor, document.symbol, "", languages)
        negotiation.delegation(actor.delegation)
        previous = self.revision(slug) if negotiation.latest_label else None
        negotiation.add_revision_label(label, round_number, actor)
        paragraphs = _match_paragraphs(previous, document)
        revision = Revision(
            negotiation_id=negotiation.id,
            label=label,
            symbol=nfc(symbol or document.symbol),
            issued_on=issued_on or _parse_date(document.date),
            round_number=round_number,
            based_on=previous.label if previous else None,
            paragraphs=paragraphs,
            source=dict(source or {}),
            actor=actor,
        )
        introduced = [
            Paragraph(id=UUID(p["id"]), negotiation_id=negotiation.id, revision_label=label, actor=actor)
            for p in paragraphs
            if p["match"]["method"] == MATCH_NEW
        ]
        return self._save(negotiation, revision, *introduced)

    def published(self, slug: str) -> list[Published]:
        """Every published revision of ``slug``, oldest first, with its log position."""
        negotiation = self.negotiation(slug)
        topic = get_topic(Revision.Published)
        wanted = {revision_id(negotiation.id, label) for label in negotiation.revision_labels}
        listed = []
        for notification in self._notifications(topics=[topic]):
            if notification.originator_id in wanted:
                revision = self.repository.get(notification.originator_id)
                listed.append(Published(revision.label, notification.id, revision.created_on, revision))
        return listed

    # --- paragraphs --------------------------------------------------------------------

    def mark_paragraph(self, slug: str, paragraph: str, status: str, actor: Actor, note: str = "") -> int:
        negotiation = self._acting(slug, actor)
        negotiation.require_bureau(actor, "change a paragraph's status")
        found = self.revision(slug).find(paragraph)
        aggregate = self.paragraph(slug, found["id"])
        aggregate.mark(status, nfc(note), actor)
        return self._save(aggregate)

    # --- amendments --------------------------------------------------------------------

    def propose(
        self,
        slug: str,
        paragraph: str,
        action: str,
        actor: Actor,
        *,
        old_text: str = "",
        new_text: str = "",
        after: str = "",
        on_behalf_of: str = "",
        rationale: str = "",
        base_label: str | None = None,
        amendment_id: UUID | None = None,
    ) -> tuple[UUID, int]:
        negotiation = self._acting(slug, actor)
        negotiation.require_negotiator(actor, "propose amendments")
        if on_behalf_of:
            negotiation.delegation(on_behalf_of)
            if on_behalf_of not in negotiation.groups_of(actor.delegation):
                raise DomainError(f"{actor.delegation} is not a member of {on_behalf_of} and cannot speak for it")
        base = self.revision(slug, base_label)
        target = base.find(paragraph)
        old_text, new_text = nfc(old_text), nfc(new_text)
        check_proposal(action, target["text"], old_text, new_text)
        after_id = ""
        if action == MOVE and after:
            after_id = base.find(after)["id"]
            if after_id == target["id"]:
                raise DomainError("a paragraph cannot be moved after itself")
        elif after:
            raise DomainError("only a move names the paragraph to go after")
        amendment = Amendment(
            id=amendment_id or uuid.uuid4(),
            negotiation_id=negotiation.id,
            base_revision=base.label,
            paragraph_id=target["id"],
            action=action,
            old_text=old_text,
            new_text=new_text,
            after_paragraph_id=after_id,
            on_behalf_of=on_behalf_of,
            rationale=nfc(rationale),
            round_number=negotiation.current_round(),
            actor=actor,
        )
        return amendment.id, self._save(amendment)

    def revise_amendment(
        self, slug: str, amendment_id: str, actor: Actor, *, old_text: str | None = None,
        new_text: str | None = None, rationale: str | None = None,
    ) -> int:
        self._acting(slug, actor)
        amendment = self.amendment(slug, amendment_id)
        base = self.revision(slug, amendment.base_revision)
        amendment.revise(
            base.paragraph(amendment.paragraph_id)["text"],
            amendment.old_text if old_text is None else nfc(old_text),
            amendment.new_text if new_text is None else nfc(new_text),
            amendment.rationale if rationale is None else nfc(rationale),
            actor,
        )
        return self._save(amendment)

    def take_position(self, slug: str, amendment_id: str, stance: str, actor: Actor, note: str = "") -> int:
        negotiation = self._acting(slug, actor)
        negotiation.require_negotiator(actor, "take positions on amendments")
        amendment = self.amendment(slug, amendment_id)
        amendment.take_position(stance, nfc(note), actor)
        return self._save(amendment)

    def drop_position(self, slug: str, amendment_id: str, actor: Actor) -> int:
        self._acting(slug, actor)
        amendment = self.amendment(slug, amendment_id)
        amendment.drop_position(actor)
        return self._save(amendment)

    def withdraw_amendment(self, slug: str, amendment_id: str, actor: Actor, reason: str = "") -> int:
        self._acting(slug, actor)
        amendment = self.amendment(slug, amendment_id)
        amendment.withdraw(nfc(reason), actor)
        return self._save(amendment)

    def decide_amendment(
        self, slug: str, amendment_id: str, outcome: str, actor: Actor, revision_label: str | None = None,
        note: str = "",
    ) -> int:
        negotiation = self._acting(slug, actor)
        negotiation.require_bureau(actor, "decide on amendments")
        amendment = self.amendment(slug, amendment_id)
        revision = self.revision(slug, revision_label)
        amendment.decide(outcome, revision.label, nfc(note), actor)
        return self._save(amendment)

    # --- silence procedures ------------------------------------------------------------

    def open_silence(
        self, slug: str, deadline: datetime, actor: Actor, paragraphs: Sequence[str] = (), note: str = "",
        now: datetime | None = None, procedure_id: UUID | None = None,
    ) -> tuple[UUID, int]:
        negotiation = self._acting(slug, actor)
        negotiation.require_bureau(actor, "open a silence procedure")
        deadline = _aware(deadline)
        if deadline <= (now or _now()):
            raise DomainError("the deadline of a silence procedure must be in the future")
        revision = self.revision(slug)
        ids = list(dict.fromkeys(revision.find(p)["id"] for p in paragraphs))
        procedure = SilenceProcedure(
            id=procedure_id or uuid.uuid4(),
            negotiation_id=negotiation.id,
            revision_label=revision.label,
            paragraph_ids=ids,
            deadline=deadline,
            note=nfc(note),
            actor=actor,
        )
        return procedure.id, self._save(procedure)

    def break_silence(
        self, slug: str, procedure_id: str, reason: str, actor: Actor, now: datetime | None = None
    ) -> int:
        negotiation = self._acting(slug, actor)
        negotiation.require_negotiator(actor, "break silence")
        procedure = self.silence_procedure(slug, procedure_id)
        procedure.break_silence(nfc(reason), now or _now(), actor)
        return self._save(procedure)

    def conclude_silence(self, slug: str, procedure_id: str, actor: Actor, now: datetime | None = None) -> int:
        """Silence has held past its deadline: its paragraphs become agreed ad ref."""
        negotiation = self._acting(slug, actor)
        negotiation.require_bureau(actor, "conclude a silence procedure")
        procedure = self.silence_procedure(slug, procedure_id)
        procedure.conclude(now or _now(), actor)
        revision = self.revision(slug, procedure.revision_label)
        ids = procedure.paragraph_ids or [p["id"] for p in revision.paragraphs]
        agreed = []
        for paragraph_id in ids:
            paragraph = self.paragraph(slug, paragraph_id)
            if paragraph.status != "agreed_ad_ref":
                paragraph.mark("agreed_ad_ref", "silence procedure passed", actor)
                agreed.append(paragraph)
        return self._save(procedure, *agreed)

    # --- stakeholders ------------------------------------------------------------------

    def submit_input(
        self, slug: str, text: str, actor: Actor, *, paragraph: str = "", theme: str = "",
        input_id: UUID | None = None,
    ) -> tuple[UUID, int]:
        negotiation = self._acting(slug, actor)
        if negotiation.kind_of(actor.delegation) != STAKEHOLDER:
            raise DomainError(f"{actor.delegation} is not a stakeholder: inputs are for stakeholders")
        if not paragraph and not theme.strip():
            raise DomainError("an input is on a paragraph or a theme: give one")
        paragraph_id = self.revision(slug).find(paragraph)["id"] if paragraph else ""
        submitted = StakeholderInput(
            id=input_id or uuid.uuid4(),
            negotiation_id=negotiation.id,
            paragraph_id=paragraph_id,
            theme=nfc(theme).strip(),
            text=require_text(nfc(text), "input text"),
            actor=actor,
        )
        return submitted.id, self._save(submitted)

    # --- user accounts -----------------------------------------------------------------
    # Accounts belong to no negotiation; the caller decides who may run these (the web:
    # the secretariat; the CLI: whoever holds the database) and hashes the passwords.

    def account(self, username: str) -> Account:
        username = normal_username(username)
        try:
            return self.repository.get(account_id(check_username(username)))
        except AggregateNotFoundError:
            raise NotFound(f"unknown user {username!r}") from None

    def find_account(self, username: str) -> Account | None:
        """The account, or None for a username that is not registered (or not valid)."""
        try:
            return self.account(username)
        except DomainError:
            return None

    def accounts(self) -> list[Account]:
        registered = get_topic(Account.Registered)
        return [self.repository.get(n.originator_id) for n in self._notifications(topics=[registered])]

    def register_user(
        self, username: str, name: str, role: str, delegation: str, password_hash: str, actor: Actor
    ) -> int:
        username = check_username(normal_username(username))
        if self._exists(account_id(username)):
            raise Conflict(f"user {username!r} already exists")
        account = Account(
            username=username,
            name=require_text(nfc(name), "name"),
            role=check_role(role),
            delegation=check_code(nfc(delegation)),
            password_hash=check_password_hash(password_hash),
            actor=actor,
        )
        return self._save(account)

    def change_password(self, username: str, password_hash: str, actor: Actor) -> int:
        account = self.account(username)
        account.change_password(password_hash, actor)
        return self._save(account)

    def disable_user(self, username: str, actor: Actor, reason: str = "") -> int:
        account = self.account(username)
        account.disable(nfc(reason), actor)
        return self._save(account)

    def enable_user(self, username: str, actor: Actor) -> int:
        account = self.account(username)
        account.enable(actor)
        return self._save(account)

    # --- the log -----------------------------------------------------------------------

    def _notifications(self, start: int = 1, topics: Sequence[str] = (), page: int = 1000) -> Iterator[Any]:
        while True:
            batch = self.recorder.select_notifications(start, page, topics=topics)
            yield from batch
            if len(batch) < page:
                return
            start = batch[-1].id + 1

    def log(self, slug: str, until: int | None = None) -> Iterator[tuple[int, DomainEventProtocol[UUID]]]:
        """The negotiation's events in log order, with their positions."""
        wanted = negotiation_id(slug)
        self.negotiation(slug)
        owners: dict[UUID, UUID] = {}
        for notification in self._notifications():
            if until is not None and notification.id > until:
                return
            domain_event = self.mapper.to_domain_event(notification)
            origin = domain_event.originator_id
            owner = owners.get(origin)
            if owner is None:
                owner = getattr(domain_event, "negotiation_id", None) or origin
                owners[origin] = owner
            if owner == wanted:
                yield notification.id, domain_event


def _match_paragraphs(previous: Revision | None, document: ParsedDocument) -> list[dict[str, Any]]:
    old = previous.paragraphs if previous else []
    matches = {m.new: m for m in align([(p["num"], p["text"]) for p in old], [(p.num, p.text) for p in document.paragraphs])}
    paragraphs = []
    for index, parsed in enumerate(document.paragraphs):
        match = matches.get(index)
        if match is None:
            paragraph_id, how = str(uuid.uuid4()), {"method": MATCH_NEW, "score": 0.0, "from_num": ""}
        else:
            paragraph_id = old[match.old]["id"]
            how = {"method": match.method, "score": round(float(match.score), 4), "from_num": old[match.old]["num"]}
        paragraphs.append(
            {
                "id": paragraph_id,
                "num": parsed.num,
                "text": parsed.text,
                "kind": parsed.kind,
                "level": parsed.level,
                "footnotes": [{"marker": f.marker, "text": f.text} for f in parsed.footnotes],
                "match": how,
            }
        )
    return paragraphs


def normal_username(username: str) -> str:
    return nfc(username).strip().lower()


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """The moment in UTC (naive: taken as UTC). Recorded times must convert to UTC: a
    deadline beyond year 9999 once there would stop every reader of the log."""
    if not moment.tzinfo:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise DomainError(f"{moment.isoformat()} is out of range once in UTC") from None


def source_of(data: bytes, filename: str, fmt: str) -> dict[str, Any]:
    """What a revision records about the file it came from."""
    return {"filename": filename, "format": fmt, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
