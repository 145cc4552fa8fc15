"""A web application with one account per role, and small negotiations to act on, for the
tests of signed-in users' actions (tests/web/test_act_*.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from tracker import passwords
from tracker.application import Tracker
from tracker.domain.base import Actor
from tracker.text.document import ParsedDocument, ParsedParagraph
from web.app import create_app

CHAIR = Actor("SECRETARIAT", "setup")
# Cheap to verify: a test signs in hundreds of times. Verifying uses the parameters
# recorded in each hash, so the application's own hasher is untouched.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"
HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> \u202eevil\u202c'

# username -> role, delegation
USERS = {
    "sec": ("secretariat", "SECRETARIAT"),
    "cofac": ("secretariat", "COFAC"),
    "mex": ("delegate", "MEX"),
    "nor": ("delegate", "NOR"),
    "bra": ("delegate", "BRA"),
    "can": ("stakeholder", "CAN-INT"),
    "usa": ("delegate", "USA"),  # a delegation in no test negotiation's roster
    "mexsec": ("secretariat", "MEX"),  # a secretariat account for a Member State: the record refuses it
}

TEXT = ParsedDocument((
    ParsedParagraph("States [shall][should] cooperate in good faith.", num="1."),
    ParsedParagraph("States shall report every two years.", num="2."),
    ParsedParagraph("The secretariat shall support implementation.", num="3."),
))


@dataclass
class Negotiation:
    """One fresh negotiation and the ids of what is in it."""

    slug: str
    paragraph: str  # id of paragraph 1.
    other: str  # id of paragraph 2.
    nor_amendment: str  # NOR's, pending; MEX holds "opposes" on it
    mex_amendment: str  # MEX's own, pending
    silence: str  # open, deadline in two days
    silence_due: str  # open, deadline passed


def register_users(tracker: Tracker) -> None:
    for username, (role, delegation) in USERS.items():
        if tracker.find_account(username) is None:
            tracker.register_user(username, username.upper(), role, delegation, CHEAP.hash(PASSWORD), CHAIR)


def new_negotiation(tracker: Tracker) -> Negotiation:
    slug = f"n{uuid.uuid4().hex[:8]}"
    tracker.create_negotiation(slug, "A <b>compact</b>", CHAIR)
    for code, kind in [("COFAC", "chair"), ("MEX", "member_state"), ("NOR", "member_state"),
                       ("BRA", "member_state"), ("G77", "group"), ("CAN-INT", "stakeholder"), ("VAT", "observer")]:
        tracker.register_delegation(slug, code, code, kind, CHAIR)
    tracker.join_group(slug, "MEX", "G77", CHAIR)
    tracker.publish_revision(slug, "Zero draft", TEXT, CHAIR)
    paragraphs = tracker.revision(slug).paragraphs
    first, second = paragraphs[0]["id"], paragraphs[1]["id"]
    nor, _ = tracker.propose(slug, first, "replace", Actor("NOR", "nor"), old_text="[shall][should]", new_text="shall")
    tracker.take_position(slug, str(nor), "opposes", Actor("MEX", "mex"))
    mex, _ = tracker.propose(slug, second, "replace", Actor("MEX", "mex"), old_text="two", new_text="three")
    now = datetime.now(UTC)
    silence, _ = tracker.open_silence(slug, now + timedelta(days=2), CHAIR, [second])
    due, _ = tracker.open_silence(slug, now - timedelta(minutes=1), CHAIR, [first], now=now - timedelta(hours=1))
    return Negotiation(slug, first, second, str(nor), str(mex), str(silence), str(due))


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = str(tmp_path_factory.mktemp("act") / "t.sqlite")
    setup = Tracker.open(db)
    register_users(setup)
    setup.close()
    with TestClient(create_app(db, secret_key="test-secret")) as client:
        yield client


@pytest.fixture
def client(app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """The module's client, signed out, with cheap hashing for passwords set through the web."""
    monkeypatch.setattr(passwords, "HASHER", CHEAP)
    app_client.cookies.clear()
    return app_client


def tracker_of(client: TestClient) -> Tracker:
    return client.app.state.site.tracker  # type: ignore[attr-defined]


@pytest.fixture
def n(client: TestClient) -> Negotiation:
    negotiation = new_negotiation(tracker_of(client))
    client.app.state.site.catch_up()  # type: ignore[attr-defined]
    return negotiation


def sign_in(client: TestClient, username: str | None, password: str = PASSWORD) -> None:
    client.cookies.clear()
    if username is None:
        return
    response = client.post("/-/login", data={"username": username, "password": password}, follow_redirects=False)
    assert response.status_code == 303, response.text


def last_position(client: TestClient) -> int:
    return tracker_of(client).recorder.max_notification_id() or 0
