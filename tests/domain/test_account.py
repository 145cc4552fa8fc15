"""User accounts in the record: registered, re-passworded, disabled; hashes only; no view
copies them; the first secretariat user comes from the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from projections.readmodel import ReadModel
from tracker import passwords
from tracker.application import Tracker
from tracker.domain.account import account_id
from tracker.domain.base import Actor, Conflict, DomainError, NotFound

ADMIN = Actor("SECRETARIAT", "admin")
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def hashed(password: str = "a good password") -> str:
    return CHEAP.hash(password)


def test_register_and_read_back(tracker: Tracker) -> None:
    tracker.register_user("  Ana.Lopez@MEX ", "Ana López", "delegate", "MEX", hashed(), ADMIN)
    account = tracker.account("ana.lopez@mex")
    assert account.id == account_id("ana.lopez@mex")
    assert (account.username, account.name, account.role, account.delegation, account.disabled) == (
        "ana.lopez@mex", "Ana López", "delegate", "MEX", False)
    assert tracker.account("ANA.LOPEZ@MEX").id == account.id
    assert [a.username for a in tracker.accounts()] == ["ana.lopez@mex"]
    assert tracker.find_account("nobody") is None and tracker.find_account("bad name!") is None
    with pytest.raises(NotFound):
        tracker.account("nobody")


@pytest.mark.parametrize("username, role, delegation, password_hash, message", [
    ("", "delegate", "MEX", None, "bad username"),
    ("has space", "delegate", "MEX", None, "bad username"),
    ("x" * 65, "delegate", "MEX", None, "bad username"),
    ("ana", "king", "MEX", None, "unknown role"),
    ("ana", "delegate", "", None, "bad delegation code"),
    ("ana", "delegate", "MEX", "plain password", "never a password"),
])
def test_registration_is_checked(tracker: Tracker, username: str, role: str, delegation: str,
                                 password_hash: str | None, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        tracker.register_user(username, "Ana", role, delegation, password_hash or hashed(), ADMIN)
    assert tracker.accounts() == []


def test_usernames_are_unique(tracker: Tracker) -> None:
    tracker.register_user("ana", "Ana", "delegate", "MEX", hashed(), ADMIN)
    with pytest.raises(Conflict, match="already exists"):
        tracker.register_user("ANA", "Another Ana", "stakeholder", "CAN", hashed(), ADMIN)


def test_passwords_change_and_accounts_are_disabled_and_enabled(tracker: Tracker) -> None:
    tracker.register_user("ana", "Ana", "delegate", "MEX", hashed("first password"), ADMIN)
    new = hashed("second password")
    tracker.change_password("ana", new, Actor("MEX", "ana"))
    assert tracker.account("ana").password_hash == new
    with pytest.raises(Conflict):
        tracker.change_password("ana", new, ADMIN)
    with pytest.raises(DomainError, match="never a password"):
        tracker.change_password("ana", "second password", ADMIN)
    tracker.disable_user("ana", ADMIN, "left")
    assert tracker.account("ana").disabled
    for refused in (lambda: tracker.disable_user("ana", ADMIN), lambda: tracker.change_password("ana", hashed(), ADMIN)):
        with pytest.raises(Conflict, match="disabled"):
            refused()
    tracker.enable_user("ana", ADMIN)
    assert not tracker.account("ana").disabled
    with pytest.raises(Conflict):
        tracker.enable_user("ana", ADMIN)


def test_account_events_are_filed_under_their_own_topics_with_the_actor(tracker: Tracker) -> None:
    tracker.register_user("ana", "Ana", "delegate", "MEX", hashed(), ADMIN)
    tracker.disable_user("ana", ADMIN, "left")
    stored = tracker.recorder.select_events(account_id("ana"))
    assert [e.topic for e in stored] == ["tracker.account.Registered", "tracker.account.Disabled"]
    events = list(tracker.repository.event_store.get(account_id("ana")))
    assert all(e.actor == ADMIN for e in events)


def test_the_views_follow_account_events_without_showing_them(db: str, tracker: Tracker) -> None:
    from scenarios import CHAIR, setup_negotiation

    setup_negotiation(tracker)
    tracker.register_user("ana", "Ana", "delegate", "MEX", hashed(), ADMIN)
    tracker.change_password("ana", hashed("another one"), ADMIN)
    tracker.disable_user("ana", ADMIN)
    tracker.enable_user("ana", ADMIN)
    tracker.register_delegation("n", "JPN2", "Japan", "member_state", CHAIR)
    read = ReadModel.open(db, tracker=tracker)
    try:
        assert read.catch_up() > 0
        assert read.last_position("n") == tracker.recorder.max_notification_id()
        assert not read.views.query("SELECT 1 FROM view_events WHERE type LIKE ?", ("Account%",))
        assert read.rebuild() == tracker.recorder.max_notification_id()
    finally:
        read.close()
    # The negotiation's log, which the CLI prints, never carries an account (nor its hash).
    assert not any("Account" in type(e).__qualname__ for _, e in tracker.log("n"))


def test_passwords_are_checked_and_hashed_outside_the_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", CHEAP)
    with pytest.raises(DomainError, match="at least"):
        passwords.hash_password("short")
    with pytest.raises(DomainError, match="at most"):
        passwords.hash_password("x" * 2000)
    digest = passwords.hash_password("a good password")
    assert digest.startswith("$argon2id$")
    assert passwords.verify_password(digest, "a good password")
    assert not passwords.verify_password(digest, "a bad password")
    assert not passwords.verify_password("not a hash", "a good password")
    assert not passwords.verify_nothing("a good password")


def _cli(db: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker", "--db", db, *args], input=stdin, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "TRACKER_USER": "installer"})


def test_the_first_secretariat_user_comes_from_the_cli(tmp_path: Path) -> None:
    db = str(tmp_path / "t.sqlite")
    added = _cli(db, "user", "add", "Admin", "--role", "secretariat", "--delegation", "SECRETARIAT",
                 "--name", "The Admin", "--password-stdin", "--json", stdin="a long password\n")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["username"] == "admin"
    listed = json.loads(_cli(db, "user", "list", "--json").stdout)["users"]
    assert listed == [{"username": "admin", "name": "The Admin", "role": "secretariat", "delegation": "SECRETARIAT",
                       "disabled": False}]
    assert "$argon2" not in _cli(db, "user", "list", "--json").stdout
    tracker = Tracker.open(db)
    try:
        account = tracker.account("admin")
        assert passwords.verify_password(account.password_hash, "a long password")
        assert account.registered_by == Actor("SECRETARIAT", "installer")
    finally:
        tracker.close()
    for args, stdin, message in [
        (("user", "add", "admin", "--role", "secretariat", "--delegation", "SECRETARIAT", "--password-stdin"),
         "a long password\n", "already exists"),
        (("user", "add", "b", "--role", "secretariat", "--delegation", "SECRETARIAT", "--password-stdin"),
         "short\n", "at least 8"),
        (("user", "add", "c", "--role", "secretariat", "--delegation", "SECRETARIAT"), "", "--password-stdin"),
        (("user", "add", "d", "--role", "emperor", "--delegation", "SECRETARIAT", "--password-stdin"), "x" * 9, "role"),
    ]:
        refused = _cli(db, *args, stdin=stdin)
        assert refused.returncode != 0 and message in refused.stderr and "Traceback" not in refused.stderr
    assert _cli(db, "user", "disable", "admin").returncode == 0
    assert _cli(db, "user", "enable", "admin").returncode == 0
    assert _cli(db, "user", "passwd", "admin", "--password-stdin", stdin="another long one\n").returncode == 0
    assert _cli(db, "rebuild").returncode == 0
