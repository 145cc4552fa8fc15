"""User accounts: who may sign in to the web, in which role, and for which delegation.

An account belongs to no negotiation: it names a delegation code, and acts for it in
every negotiation whose roster has that code. Passwords never reach the domain: the
caller hashes them (argon2) and the events record the hash only.
"""

from __future__ import annotations

import uuid
from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import NAMESPACE, TOPIC_PREFIX, Actor, Conflict, DomainError, TrackerAggregate

T = TOPIC_PREFIX + "account."

DELEGATE = "delegate"  # a Member State's or a group's negotiator: amendments and positions
SECRETARIAT = "secretariat"  # the secretariat and the co-facilitators: the process's tools
STAKEHOLDER = "stakeholder"  # civil society and the like: inputs, never amendments
ROLES = (DELEGATE, SECRETARIAT, STAKEHOLDER)

MAX_USERNAME = 64
_USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-@")


def account_id(username: str) -> UUID:
    return uuid.uuid5(NAMESPACE, f"account:{username}")


def check_username(username: str) -> str:
    """Usernames are compared as typed after lower-casing: ASCII, so no look-alikes."""
    if not username or len(username) > MAX_USERNAME or not set(username) <= _USERNAME_CHARS:
        raise DomainError(
            f"bad username {username[:MAX_USERNAME]!r}: lower-case letters, digits, '.', '_', '-' or '@', "
            f"at most {MAX_USERNAME}")
    return username


def check_role(role: str) -> str:
    if role not in ROLES:
        raise DomainError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    return role


def check_password_hash(password_hash: str) -> str:
    # A plain password recorded by mistake would sit in the log for ever: refuse it.
    if not password_hash.startswith("$argon2"):
        raise DomainError("an account records an argon2 password hash, never a password")
    return password_hash


class Account(TrackerAggregate):
    TOPIC = T + "Account"

    class Event(TrackerAggregate.Event):
        TOPIC = T + "Event"

    @staticmethod
    def create_id(username: str) -> UUID:
        return account_id(username)

    @event("Registered", topic=T + "Registered")
    def __init__(self, username: str, name: str, role: str, delegation: str, password_hash: str,
                 actor: Actor) -> None:
        self.username = username
        self.name = name
        self.role = role
        self.delegation = delegation
        self.password_hash = password_hash
        self.disabled = False
        self.registered_by = actor

    def change_password(self, password_hash: str, actor: Actor) -> None:
        self._require_active("change the password")
        check_password_hash(password_hash)
        if password_hash == self.password_hash:
            raise Conflict("the new password hash is the one already recorded")
        self._password_changed(password_hash=password_hash, actor=actor)

    @event("PasswordChanged", topic=T + "PasswordChanged")
    def _password_changed(self, password_hash: str, actor: Actor) -> None:
        self.password_hash = password_hash

    def disable(self, reason: str, actor: Actor) -> None:
        self._require_active("disable it")
        self._disabled(reason=reason, actor=actor)

    @event("Disabled", topic=T + "Disabled")
    def _disabled(self, reason: str, actor: Actor) -> None:
        self.disabled = True

    def enable(self, actor: Actor) -> None:
        if not self.disabled:
            raise Conflict(f"account {self.username} is not disabled")
        self._enabled(actor=actor)

    @event("Enabled", topic=T + "Enabled")
    def _enabled(self, actor: Actor) -> None:
        self.disabled = False

    def _require_active(self, doing: str) -> None:
        if self.disabled:
            raise Conflict(f"cannot {doing}: account {self.username} is disabled")
