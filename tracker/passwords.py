"""Password hashing for user accounts (argon2id): outside the domain, which records hashes only.

Hashing and verifying are deliberately slow (a tenth of a second or more): callers in an
event loop run them in a thread.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tracker.domain.base import DomainError

MIN_LENGTH = 8
# argon2 takes any length; a limit keeps a megabyte "password" from being hashed at all.
MAX_LENGTH = 1024

HASHER = PasswordHasher()

_dummy: dict[int, str] = {}


def check_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise DomainError(f"a password has at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise DomainError(f"a password has at most {MAX_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    return HASHER.hash(check_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    if not password or len(password) > MAX_LENGTH:
        return False
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_nothing(password: str) -> bool:
    """The same work as ``verify_password`` for a user who does not exist, so that the
    time taken does not tell which usernames are registered. Always False."""
    dummy = _dummy.get(id(HASHER))
    if dummy is None:
        dummy = _dummy[id(HASHER)] = HASHER.hash(secrets.token_urlsafe(16))
    verify_password(dummy, password)
    return False
