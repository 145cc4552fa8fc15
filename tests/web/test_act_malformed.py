# ruff: noqa: F811 - pytest fixtures imported from actsetup are parameters here
"""Every route, for an observer and for each role, with malformed path parameters, query
parameters, bodies and methods: a 4xx (or the page), never a 500.

The routes are read from the application itself, so that a route added later is fuzzed
too. Live event streams never end by design and are left to their own tests.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from actsetup import Negotiation, app_client, client, last_position, n, sign_in  # noqa: F401
from starlette.routing import Route
from starlette.testclient import TestClient

MALFORMED = ["nope", "..", "%00", "%C0%AF", quote("a" * 3000), quote("💥ä/ö\u202e"), "-1", "99999999999999999999999",
             quote("<script>alert(1)</script>"), ".json"]
QUERIES = ["from", "to", "view", "paragraph", "at", "q", "page", "next", "base"]
BODIES = [
    {"content": b"{", "headers": {"content-type": "application/json"}},
    {"content": b"[1, 2]", "headers": {"content-type": "application/json"}},
    {"content": b'{"stance": true, "action": {"x": 1}, "step": null}', "headers": {"content-type": "application/json"}},
    {"content": b"a=%ff%00&b", "headers": {"content-type": "application/x-www-form-urlencoded"}},
    {"content": b"--x\r\n", "headers": {"content-type": "multipart/form-data"}},
    {"content": b"x", "headers": {"content-type": "text/plain"}},
    {"data": {"action": "move", "after": "nope", "step": "preview", "deadline": "0001-01-01T00:00+14:00",
              "outcome": "..", "status": "%00", "stance": "💥", "round": "-1", "date": "2015-13-45"}},
]


def _routes(client: TestClient) -> list[Route]:
    return [r for r in client.app.router.routes  # type: ignore[attr-defined]
            if isinstance(r, Route) and not r.path.startswith("/-/live")]


def _path(route: Route, n: Negotiation, **override: str) -> str:
    valid = {"slug": n.slug, "label": "Zero%20draft", "paragraph_id": n.paragraph, "code": "MEX",
             "amendment_id": n.nor_amendment, "username": "nobody", "procedure_id": n.silence}
    path = route.path
    for name in route.param_convertors:
        value = override.get(name, valid[name])
        path = path.replace(f"{{{name}}}", value).replace(f"{{{name}:path}}", value)
    return path


def _signed_in_only(route: Route) -> bool:
    """Writes, and the pages behind the login: the only routes a role changes anything on."""
    return "POST" in (route.methods or ()) or "/-/" in route.path or route.path.endswith(("/propose", "/revise"))


def _no_500(client: TestClient, method: str, url: str, **kwargs: object) -> None:
    response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    assert response.status_code < 500, f"{method} {url[:120]}: {response.status_code} {response.text[:300]}"


# A stakeholder is refused every write but one before its body is read: as a delegate, less.
@pytest.mark.parametrize("username", [None, "sec", "mex"])
def test_malformed_requests_are_never_a_500(client: TestClient, n: Negotiation, username: str | None) -> None:
    sign_in(client, username)
    for route in _routes(client):
        if username and not _signed_in_only(route):
            continue
        methods = (route.methods or {"GET"}) - {"HEAD"}
        base = _path(route, n)
        for name in route.param_convertors:
            for value in MALFORMED if username is None else MALFORMED[:4]:
                url = _path(route, n, **{name: value})
                for method in methods:
                    _no_500(client, method, url, **({} if method == "GET" else {"data": {"x": "y"}}))
                if "GET" in methods and username is None:
                    _no_500(client, "GET", url + ".json")
                    _no_500(client, "GET", url, headers={"accept": "application/json"})
        if "GET" in methods and username is None:
            for query in QUERIES:
                for value in MALFORMED[:6]:
                    _no_500(client, "GET", f"{base}?{query}={value}")
                _no_500(client, "GET", f"{base}.json?{query}=a&{query}=b")
        for method in {"GET", "POST", "PUT", "DELETE", "PATCH"} - methods:
            _no_500(client, method, base)
        if "POST" in methods:
            for body in BODIES:
                _no_500(client, "POST", base, **body)


def test_times_past_the_ends_of_the_calendar_are_400(client: TestClient, n: Negotiation) -> None:
    # Valid ISO 8601, but not a time in UTC: once a 500 from the replay.
    for at in ("0001-01-01T00:00%2B14:00", "9999-12-31T23:59:59-14:00"):
        assert client.get(f"/{n.slug}/replay?at={at}").status_code == 400


@pytest.mark.parametrize("deadline", ["9999-12-31T23:59-14:00", "0001-01-01T00:00+14:00"])
def test_a_deadline_off_the_calendar_in_utc_is_refused_before_it_is_recorded(
        client: TestClient, n: Negotiation, deadline: str) -> None:
    # Once recorded, such a deadline stopped the views for good: every later write was a 500.
    sign_in(client, "sec")
    before = last_position(client)
    response = client.post(f"/{n.slug}/-/silence", data={"deadline": deadline}, follow_redirects=False)
    assert response.status_code == 400 and last_position(client) == before
    later = client.post(f"/{n.slug}/-/silence", data={"deadline": "2999-01-01T12:00+02:00"}, follow_redirects=False)
    assert later.status_code == 303
    listed = client.get(f"/{n.slug}/-/silence.json").json()["procedures"]
    assert "2999-01-01T10:00:00.000000+00:00" in [p["deadline"] for p in listed]


def test_labels_and_codes_that_would_read_as_json_twins_are_refused(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "sec")
    before = last_position(client)
    published = client.post(f"/{n.slug}/-/publish", data={"label": "Rev 1.json"},
                            files={"file": ("r.txt", b"1. Text.\n", "text/plain")}, follow_redirects=False)
    registered = client.post(f"/{n.slug}/-/delegations", data={"code": "X.JSON", "name": "X", "kind": "observer"},
                             follow_redirects=False)
    assert published.status_code == registered.status_code == 400 and last_position(client) == before
    assert "JSON twin" in published.text and "JSON twin" in registered.text
