# ruff: noqa: F811 - pytest fixtures imported from actsetup are parameters here
"""Every role x every action: observers write nothing, delegations act only for themselves,
stakeholders only submit inputs, the secretariat's tools are the secretariat's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from actsetup import CHAIR, Negotiation, app_client, client, last_position, n, sign_in, tracker_of  # noqa: F401
from starlette.testclient import TestClient

ANONYMOUS, DELEGATE, SECRETARIAT, STAKEHOLDER = None, "mex", "sec", "can"
ROLES = {"observer": ANONYMOUS, "delegate": DELEGATE, "secretariat": SECRETARIAT, "stakeholder": STAKEHOLDER}

REVISION = b"1. States shall cooperate in good faith.\n\n2. States shall report every three years.\n"


@dataclass(frozen=True)
class Action:
    method: str
    path: Callable[[Negotiation], str]
    allowed: str  # the role that may
    data: Callable[[Negotiation], dict[str, Any]] = lambda n: {}
    files: bool = False


ACTIONS: dict[str, Action] = {
    "propose form": Action("GET", lambda n: f"/{n.slug}/paragraphs/{n.paragraph}/propose", "delegate"),
    "propose": Action("POST", lambda n: f"/{n.slug}/paragraphs/{n.paragraph}/propose", "delegate",
                      lambda n: {"action": "retain", "step": "submit"}),
    "support": Action("POST", lambda n: f"/{n.slug}/amendments/{n.nor_amendment}/position", "delegate",
                      lambda n: {"stance": "supports"}),
    "co-sponsor": Action("POST", lambda n: f"/{n.slug}/amendments/{n.nor_amendment}/position", "delegate",
                         lambda n: {"stance": "co_sponsors"}),
    "drop position": Action("POST", lambda n: f"/{n.slug}/amendments/{n.nor_amendment}/position/drop", "delegate"),
    "revise form": Action("GET", lambda n: f"/{n.slug}/amendments/{n.mex_amendment}/revise", "delegate"),
    "revise": Action("POST", lambda n: f"/{n.slug}/amendments/{n.mex_amendment}/revise", "delegate",
                     lambda n: {"old_text": "two", "new_text": "four", "step": "submit"}),
    "withdraw": Action("POST", lambda n: f"/{n.slug}/amendments/{n.mex_amendment}/withdraw", "delegate",
                       lambda n: {"reason": "consulted capitals"}),
    "break silence": Action("POST", lambda n: f"/{n.slug}/-/silence/{n.silence}/break", "delegate",
                            lambda n: {"reason": "more time"}),
    "compile view": Action("GET", lambda n: f"/{n.slug}/-/compile", "secretariat"),
    "decide": Action("POST", lambda n: f"/{n.slug}/amendments/{n.nor_amendment}/decide", "secretariat",
                     lambda n: {"outcome": "partly_incorporated", "note": "in part"}),
    "mark agreed": Action("POST", lambda n: f"/{n.slug}/paragraphs/{n.paragraph}/mark", "secretariat",
                          lambda n: {"status": "agreed_ad_ref"}),
    "publish form": Action("GET", lambda n: f"/{n.slug}/-/publish", "secretariat"),
    "publish": Action("POST", lambda n: f"/{n.slug}/-/publish", "secretariat",
                      lambda n: {"label": "Rev 1", "file": ("rev1.txt", REVISION, "text/plain")}, files=True),
    "open silence": Action("POST", lambda n: f"/{n.slug}/-/silence", "secretariat",
                           lambda n: {"deadline": "2999-01-01T12:00", "paragraphs": "1"}),
    "conclude silence": Action("POST", lambda n: f"/{n.slug}/-/silence/{n.silence_due}/conclude", "secretariat"),
    "roster": Action("GET", lambda n: f"/{n.slug}/-/delegations", "secretariat"),
    "register delegation": Action("POST", lambda n: f"/{n.slug}/-/delegations", "secretariat",
                                  lambda n: {"code": "JPN", "name": "Japan", "kind": "member_state"}),
    "join group": Action("POST", lambda n: f"/{n.slug}/-/groups/join", "secretariat",
                         lambda n: {"member": "NOR", "group": "G77"}),
    "leave group": Action("POST", lambda n: f"/{n.slug}/-/groups/leave", "secretariat",
                          lambda n: {"member": "MEX", "group": "G77"}),
    "users page": Action("GET", lambda n: "/-/users", "secretariat"),
    "register user": Action("POST", lambda n: "/-/users", "secretariat",
                            lambda n: {"username": f"new-{n.slug}", "role": "delegate", "delegation": "NOR",
                                       "password": "a long enough password"}),
    "disable user": Action("POST", lambda n: "/-/users/bra/disable", "secretariat"),
    "submit input": Action("POST", lambda n: f"/{n.slug}/inputs", "stakeholder",
                           lambda n: {"text": "Please consult civil society.", "paragraph": n.paragraph}),
}


def send(client: TestClient, action: Action, n: Negotiation) -> Any:
    data = action.data(n)
    if action.method == "GET":
        return client.get(action.path(n), follow_redirects=False)
    if action.files:
        files = {k: v for k, v in data.items() if isinstance(v, tuple)}
        fields = {k: v for k, v in data.items() if not isinstance(v, tuple)}
        return client.post(action.path(n), data=fields, files=files, follow_redirects=False)
    return client.post(action.path(n), data=data, follow_redirects=False)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("name", list(ACTIONS))
def test_role_x_action(client: TestClient, n: Negotiation, role: str, name: str) -> None:
    action = ACTIONS[name]
    sign_in(client, ROLES[role])
    before = last_position(client)
    response = send(client, action, n)
    if role == action.allowed:
        assert response.status_code == (200 if action.method == "GET" else 303), response.text
        if action.method == "POST":
            assert last_position(client) > before
        if name == "disable user":
            tracker_of(client).enable_user("bra", CHAIR)
        return
    if role == "observer":
        if action.method == "GET":
            assert response.status_code == 303
            assert response.headers["location"].startswith("/-/login?next=")
        else:
            assert response.status_code == 401
    else:
        assert response.status_code == 403, response.text
    assert last_position(client) == before, "a refused action wrote something"


def test_json_clients_get_json_answers(client: TestClient, n: Negotiation) -> None:
    sign_in(client, DELEGATE)
    ok = client.post(f"/{n.slug}/amendments/{n.nor_amendment}/position", json={"stance": "supports"},
                     headers={"accept": "application/json"})
    assert ok.status_code == 200 and ok.json()["ok"] is True and ok.json()["position"] > 0
    refused = client.post(f"/{n.slug}/amendments/{n.nor_amendment}/decide", json={"outcome": "incorporated"},
                          headers={"accept": "application/json"})
    assert refused.status_code == 403 and "error" in refused.json()
    sign_in(client, ANONYMOUS)
    anonymous = client.post(f"/{n.slug}/inputs", json={"text": "x"}, headers={"accept": "application/json"})
    assert anonymous.status_code == 401 and "sign in" in anonymous.json()["error"]


def test_a_delegation_acts_only_for_itself(client: TestClient, n: Negotiation) -> None:
    """Form fields naming another delegation are never read; the session's delegation acts."""
    sign_in(client, DELEGATE)
    response = client.post(f"/{n.slug}/paragraphs/{n.other}/propose", follow_redirects=False, data={
        "action": "reserve", "step": "submit", "delegation": "NOR", "actor": "NOR", "user": "nor"})
    assert response.status_code == 303
    amendment_id = response.headers["location"].split("#a-")[1]
    recorded = tracker_of(client).amendment(n.slug, amendment_id)
    assert recorded.delegation == "MEX"
    events = [e for _, e in tracker_of(client).log(n.slug) if e.originator_id == recorded.id]
    assert events[0].actor.delegation == "MEX" and events[0].actor.user == "mex"


def test_a_delegation_speaks_for_its_groups_only(client: TestClient, n: Negotiation) -> None:
    sign_in(client, DELEGATE)
    as_group = client.post(f"/{n.slug}/paragraphs/{n.other}/propose", follow_redirects=False, data={
        "action": "reserve", "step": "submit", "on_behalf_of": "G77"})
    assert as_group.status_code == 303
    amendment_id = as_group.headers["location"].split("#a-")[1]
    assert tracker_of(client).amendment(n.slug, amendment_id).on_behalf_of == "G77"
    sign_in(client, "nor")  # NOR is no member of the G77
    before = last_position(client)
    refused = client.post(f"/{n.slug}/paragraphs/{n.other}/propose", data={
        "action": "reserve", "step": "submit", "on_behalf_of": "G77"})
    assert refused.status_code == 400 and "not a member of G77" in refused.text
    assert last_position(client) == before


def test_group_membership_counts_at_the_time_of_acting(client: TestClient, n: Negotiation) -> None:
    tracker_of(client).leave_group(n.slug, "MEX", "G77", CHAIR)
    sign_in(client, DELEGATE)
    refused = client.post(f"/{n.slug}/paragraphs/{n.other}/propose", data={
        "action": "reserve", "step": "submit", "on_behalf_of": "G77"})
    assert refused.status_code == 400


def test_no_delegation_touches_anothers_amendment(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "nor")
    before = last_position(client)
    for path, data in [(f"/{n.slug}/amendments/{n.mex_amendment}/withdraw", {}),
                       (f"/{n.slug}/amendments/{n.mex_amendment}/revise", {"new_text": "five", "old_text": "two",
                                                                          "step": "submit"})]:
        response = client.post(path, data=data)
        assert response.status_code == 403, response.text
        assert "MEX" in response.text
    assert client.get(f"/{n.slug}/amendments/{n.mex_amendment}/revise").status_code == 403
    # Nor on one's own: no position on a proposal one sponsors.
    sign_in(client, DELEGATE)
    own = client.post(f"/{n.slug}/amendments/{n.mex_amendment}/position", data={"stance": "supports"})
    assert own.status_code == 403
    assert last_position(client) == before


def test_delegations_outside_the_roster_act_nowhere(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "usa")
    before = last_position(client)
    response = client.post(f"/{n.slug}/paragraphs/{n.paragraph}/propose", data={"action": "retain", "step": "submit"})
    assert response.status_code == 403 and "takes no part" in response.text
    assert client.get(f"/{n.slug}/paragraphs/{n.paragraph}/propose").status_code == 403
    assert last_position(client) == before


def test_the_record_checks_the_delegation_kind_too(client: TestClient, n: Negotiation) -> None:
    """A secretariat account set up for a Member State still cannot run the process."""
    sign_in(client, "mexsec")
    before = last_position(client)
    response = client.post(f"/{n.slug}/paragraphs/{n.paragraph}/mark", data={"status": "agreed_ad_ref"})
    assert response.status_code == 403 and "co-facilitators or the secretariat" in response.text
    assert last_position(client) == before


def test_co_facilitators_use_the_secretariat_tools(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "cofac")
    response = client.post(f"/{n.slug}/amendments/{n.nor_amendment}/decide", data={"outcome": "not_retained"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert tracker_of(client).amendment(n.slug, n.nor_amendment).status == "not_retained"


def test_stakeholders_never_amend(client: TestClient, n: Negotiation) -> None:
    sign_in(client, STAKEHOLDER)
    before = last_position(client)
    for path, data in [
        (f"/{n.slug}/paragraphs/{n.paragraph}/propose", {"action": "delete_paragraph", "step": "submit"}),
        (f"/{n.slug}/paragraphs/{n.paragraph}/propose", {"action": "delete_paragraph", "step": "preview"}),
        (f"/{n.slug}/amendments/{n.nor_amendment}/position", {"stance": "supports"}),
        (f"/{n.slug}/amendments/{n.nor_amendment}/position/drop", {}),
        (f"/{n.slug}/amendments/{n.mex_amendment}/revise", {"new_text": "x", "step": "submit"}),
        (f"/{n.slug}/amendments/{n.mex_amendment}/withdraw", {}),
    ]:
        assert client.post(path, data=data).status_code == 403, path
    assert client.get(f"/{n.slug}/paragraphs/{n.paragraph}/propose").status_code == 403
    assert last_position(client) == before


def test_delegates_submit_no_inputs(client: TestClient, n: Negotiation) -> None:
    sign_in(client, DELEGATE)
    assert client.post(f"/{n.slug}/inputs", data={"text": "x", "theme": "t"}).status_code == 403
