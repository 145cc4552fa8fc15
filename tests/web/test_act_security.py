# ruff: noqa: F811 - pytest fixtures imported from actsetup are parameters here
"""Sign-in, sessions, cross-site writes, body limits, malformed requests, hostile text."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from actsetup import (  # noqa: F401
    CHAIR,
    CHEAP,
    HOSTILE,
    PASSWORD,
    Negotiation,
    app_client,
    client,
    last_position,
    n,
    sign_in,
    tracker_of,
)
from starlette.testclient import TestClient

from tracker import passwords
from tracker.application import Tracker
from tracker.demo import DEMO_USERS, register_demo_users
from web.app import create_app
from web.security import SESSION_COOKIE


def whoami(client: TestClient) -> str | None:
    found = client.get("/-/whoami.json").json()["user"]
    return found and found["username"]


# --- signing in ----------------------------------------------------------------------------


def test_sign_in_and_out(client: TestClient) -> None:
    response = client.post("/-/login", data={"username": " MEX ", "password": PASSWORD, "next": "/-/account"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/-/account"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert whoami(client) == "mex"
    page = client.get("/-/account")
    assert "MEX" in page.text and "Sign out" in page.text
    assert client.post("/-/logout", follow_redirects=False).status_code == 303
    assert whoami(client) is None


@pytest.mark.parametrize("username, password", [("mex", "wrong password"), ("nobody", PASSWORD), ("mex", "")])
def test_wrong_credentials_say_the_same_thing(client: TestClient, username: str, password: str) -> None:
    response = client.post("/-/login", data={"username": username, "password": password})
    if not password:
        assert response.status_code == 400
    else:
        assert response.status_code == 401 and "Wrong username or password." in response.text
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert whoami(client) is None


def test_unknown_users_cost_a_verification_too(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    verified: list[str] = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: verified.append(h) or real(h, p))
    client.post("/-/login", data={"username": "nobody-at-all", "password": "some password"})
    assert len(verified) == 1 and verified[0].startswith("$argon2")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_login_never_redirects_off_site(client: TestClient, target: str) -> None:
    response = client.post("/-/login", data={"username": "mex", "password": PASSWORD, "next": target},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_signing_in_comes_back_to_the_very_page(client: TestClient, n: Negotiation) -> None:
    page = f"/{n.slug}/replay?at=3"
    link = re.search(r'href="(/-/login\?next=[^"]+)">Sign in', client.get(page).text)
    assert link is not None
    login = client.get(link.group(1).replace("&amp;", "&")).text
    target = re.search(r'name="next" value="([^"]+)"', login)
    assert target is not None and target.group(1).replace("&amp;", "&") == page
    response = client.post("/-/login", data={"username": "mex", "password": PASSWORD, "next": page},
                           follow_redirects=False)
    assert response.headers["location"] == page


def test_disabled_users_cannot_sign_in_and_their_sessions_end(client: TestClient) -> None:
    tracker = tracker_of(client)
    tracker.register_user("leaving", "Leaving", "delegate", "MEX", CHEAP.hash(PASSWORD), CHAIR)
    sign_in(client, "leaving")
    assert whoami(client) == "leaving"
    tracker.disable_user("leaving", CHAIR, "left the delegation")
    assert whoami(client) is None
    again = client.post("/-/login", data={"username": "leaving", "password": PASSWORD})
    assert again.status_code == 401 and "Wrong username or password." in again.text


def test_a_new_password_ends_other_sessions(client: TestClient, app_client: TestClient) -> None:
    tracker_of(client).register_user("changer", "Changer", "delegate", "NOR", CHEAP.hash(PASSWORD), CHAIR)
    sign_in(client, "changer")
    other_session = client.cookies.get(SESSION_COOKIE)
    wrong = client.post("/-/account", data={"current": "not it at all", "password": "new password 1",
                                            "confirm": "new password 1"})
    assert wrong.status_code == 403
    mismatch = client.post("/-/account", data={"current": PASSWORD, "password": "new password 1",
                                               "confirm": "new password 2"})
    assert mismatch.status_code == 400
    short = client.post("/-/account", data={"current": PASSWORD, "password": "short", "confirm": "short"})
    assert short.status_code == 400 and "at least 8" in short.text
    changed = client.post("/-/account", data={"current": PASSWORD, "password": "new password 1",
                                              "confirm": "new password 1"}, follow_redirects=False)
    assert changed.status_code == 303
    assert whoami(client) == "changer"  # this session follows the new password
    use_cookie(client, other_session)
    assert whoami(client) is None  # the old one does not
    sign_in(client, "changer", "new password 1")
    assert whoami(client) == "changer"


# --- the session cookie ----------------------------------------------------------------------


def use_cookie(client: TestClient, value: str) -> None:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, value)


def _forged(payload: dict[str, str]) -> str:
    return base64.b64encode(json.dumps(payload).encode()).decode()


def test_a_tampered_session_is_nobody(client: TestClient) -> None:
    sign_in(client, "mex")
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie
    data, _, signature = cookie.partition(".")
    # Claim to be the secretariat with mex's signature.
    stamp = json.loads(base64.b64decode(data))["stamp"]
    use_cookie(client, _forged({"user": "sec", "stamp": stamp}) + "." + signature)
    assert whoami(client) is None
    assert client.get("/-/users", follow_redirects=False).status_code == 303
    # Garbage, and a truncated signature.
    for value in ["garbage", cookie[:-3], cookie.replace(".", "x", 1)]:
        use_cookie(client, value)
        assert whoami(client) is None


def test_a_session_signed_with_another_key_is_nobody(tmp_path: Path) -> None:
    db = str(tmp_path / "t.sqlite")
    setup = Tracker.open(db)
    setup.register_user("sec", "Sec", "secretariat", "SECRETARIAT", CHEAP.hash(PASSWORD), CHAIR)
    setup.close()
    with TestClient(create_app(db, secret_key="one key")) as first:
        first.post("/-/login", data={"username": "sec", "password": PASSWORD})
        cookie = first.cookies.get(SESSION_COOKIE)
    with TestClient(create_app(db, secret_key="another key")) as second:
        second.cookies.set(SESSION_COOKIE, cookie)
        assert second.get("/-/whoami.json").json()["user"] is None


def test_the_secret_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "t.sqlite")
    setup = Tracker.open(db)
    setup.register_user("sec", "Sec", "secretariat", "SECRETARIAT", CHEAP.hash(PASSWORD), CHAIR)
    setup.close()
    monkeypatch.setenv("TRACKER_SECRET", "from the environment")
    with TestClient(create_app(db)) as first:
        first.post("/-/login", data={"username": "sec", "password": PASSWORD})
        cookie = first.cookies.get(SESSION_COOKIE)
    with TestClient(create_app(db)) as second:  # another process, the same secret
        second.cookies.set(SESSION_COOKIE, cookie)
        assert second.get("/-/whoami.json").json()["user"]["username"] == "sec"


# --- cross-site writes -------------------------------------------------------------------------


@pytest.mark.parametrize("headers, allowed", [
    ({"sec-fetch-site": "same-origin"}, True),
    ({"sec-fetch-site": "none"}, True),
    ({"sec-fetch-site": "cross-site"}, False),
    ({"sec-fetch-site": "same-site"}, False),  # another port of the same host is another site
    ({"origin": "http://testserver"}, True),
    ({"origin": "http://evil.example"}, False),
    ({"origin": "null"}, False),
    ({"sec-fetch-site": "cross-site", "origin": "http://testserver"}, False),
    ({}, True),  # not a browser: no page of another site sent it
])
def test_cross_site_writes_are_refused(client: TestClient, n: Negotiation, headers: dict[str, str],
                                       allowed: bool) -> None:
    sign_in(client, "mex")
    before = last_position(client)
    response = client.post(f"/{n.slug}/amendments/{n.nor_amendment}/position", data={"stance": "supports"},
                           headers=headers, follow_redirects=False)
    if allowed:
        assert response.status_code == 303
        assert last_position(client) > before
    else:
        assert response.status_code == 403 and "cross-site" in response.text
        assert last_position(client) == before


def test_cross_site_login_is_refused(client: TestClient) -> None:
    response = client.post("/-/login", data={"username": "mex", "password": PASSWORD},
                           headers={"sec-fetch-site": "cross-site"})
    assert response.status_code == 403
    assert whoami(client) is None


def test_cross_site_reads_are_fine(client: TestClient, n: Negotiation) -> None:
    assert client.get(f"/{n.slug}/inputs", headers={"sec-fetch-site": "cross-site"}).status_code == 200


# --- bodies ------------------------------------------------------------------------------------


def test_oversized_bodies_are_413(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "mex")
    before = last_position(client)
    big = {"action": "replace", "old_text": "", "new_text": "x" * (2 * 1024 * 1024), "step": "submit"}
    response = client.post(f"/{n.slug}/paragraphs/{n.paragraph}/propose", data=big)
    assert response.status_code == 413
    assert last_position(client) == before


def test_uploads_have_their_own_larger_limit(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "sec")
    text = b"".join(b"%d. States shall cooperate on matter %d " % (i, i) + b"in good faith " * 300 + b"\n\n"
                    for i in range(1, 300))
    assert len(text) > 1024 * 1024
    response = client.post(f"/{n.slug}/-/publish", data={"label": "Long"}, files={"file": ("long.txt", text)},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    too_big = b"x" * (21 * 1024 * 1024)
    before = last_position(client)
    refused = client.post(f"/{n.slug}/-/publish", data={"label": "Huge"}, files={"file": ("huge.txt", too_big)})
    assert refused.status_code == 413
    assert last_position(client) == before


@pytest.mark.parametrize("body, content_type", [
    (b"--nope\r\ngarbage", "multipart/form-data; boundary=zzz"),
    (b"--zzz\r\nContent-Disposition: form-data\r\n\r\nx\r\n--zzz--\r\n", "multipart/form-data; boundary=zzz"),
    (b"{not json", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'{"stance": {"a": 1}}', "application/json"),
    (b"stance=supports&stance=opposes", "application/x-www-form-urlencoded"),
    (b"stance=sideways", "application/x-www-form-urlencoded"),
    (b"note=%00&stance=supports", "application/x-www-form-urlencoded"),
    (b"", "application/x-www-form-urlencoded"),
])
def test_malformed_forms_are_400(client: TestClient, n: Negotiation, body: bytes, content_type: str) -> None:
    sign_in(client, "mex")
    before = last_position(client)
    response = client.post(f"/{n.slug}/amendments/{n.nor_amendment}/position", content=body,
                           headers={"content-type": content_type})
    assert response.status_code == 400, response.text
    assert last_position(client) == before


def test_other_body_types_are_415(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "mex")
    response = client.post(f"/{n.slug}/amendments/{n.nor_amendment}/position", content=b"<x/>",
                           headers={"content-type": "application/xml"})
    assert response.status_code == 415


@pytest.mark.parametrize("path", [
    "/{slug}/amendments/not-a-uuid/position",
    "/{slug}/amendments/00000000-0000-0000-0000-000000000000/position",
    "/nope/amendments/{amendment}/position",
])
def test_unknown_things_are_404(client: TestClient, n: Negotiation, path: str) -> None:
    sign_in(client, "mex")
    url = path.format(slug=n.slug, amendment=n.nor_amendment)
    assert client.post(url, data={"stance": "supports"}).status_code == 404
    assert client.get(url.removesuffix("/position")).status_code == 404


# --- hostile text ------------------------------------------------------------------------------


def test_hostile_text_is_stored_verbatim_and_shown_inert(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "mex")
    preview = client.post(f"/{n.slug}/paragraphs/{n.paragraph}/propose", data={
        "action": "insert", "old_text": "", "new_text": HOSTILE, "rationale": HOSTILE, "step": "preview"})
    assert preview.status_code == 200
    response = client.post(f"/{n.slug}/paragraphs/{n.paragraph}/propose", follow_redirects=False, data={
        "action": "insert", "old_text": "", "new_text": HOSTILE, "rationale": HOSTILE, "step": "submit"})
    assert response.status_code == 303
    amendment_id = response.headers["location"].split("#a-")[1]
    stored = tracker_of(client).amendment(n.slug, amendment_id)
    assert stored.new_text == HOSTILE and stored.rationale == HOSTILE
    assert client.get(f"/{n.slug}/amendments/{amendment_id}.json").json()["new_text"] == HOSTILE
    sign_in(client, "sec")
    for page in (preview.text, client.get(f"/{n.slug}/amendments/{amendment_id}").text,
                 client.get(f"/{n.slug}/-/compile").text):
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
        # The override is shown as its code, not obeyed; only the form's own fields (where
        # the proposer edits what they typed, isolated from the page) keep it as typed.
        shown = re.sub(r"<textarea[^>]*>.*?</textarea>", "", page, flags=re.S)
        assert "\u202e" not in shown and "U+202E" in shown


def test_hostile_inputs_and_names_are_inert(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "can")
    assert client.post(f"/{n.slug}/inputs", data={"text": HOSTILE, "theme": HOSTILE},
                       follow_redirects=False).status_code == 303
    page = client.get(f"/{n.slug}/inputs").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page and "U+202E" in page
    sign_in(client, "sec")
    client.post("/-/users", data={"username": "hostile", "name": HOSTILE, "role": "delegate", "delegation": "MEX",
                                  "password": "long enough password"})
    users = client.get("/-/users").text
    assert "<script>alert(1)" not in users and "&lt;script&gt;" in users


# --- the demo's accounts ---------------------------------------------------------------------


def test_the_login_page_lists_the_demo_accounts_only_on_the_demo(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", CHEAP)
    db = str(tmp_path / "t.sqlite")
    with TestClient(create_app(db)) as client:
        assert "Demo accounts" not in client.get("/-/login").text
    setup = Tracker.open(db)
    list(register_demo_users(setup))
    setup.close()
    with TestClient(create_app(db)) as client:
        page = client.get("/-/login").text
        assert "Demo accounts" in page
        for u in DEMO_USERS:
            assert u.username in page and u.password in page
        mexico = next(u for u in DEMO_USERS if u.role == "delegate")
        client.post("/-/login", data={"username": mexico.username, "password": mexico.password})
        assert client.get("/-/whoami.json").json()["user"]["delegation"] == mexico.delegation
