# ruff: noqa: F811 - pytest fixtures imported from actsetup are parameters here
"""What each action does when it is allowed, and how a refused one answers."""

from __future__ import annotations

import pytest
from actsetup import (  # noqa: F401
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


def propose(client: TestClient, n: Negotiation, step: str = "submit", **fields: str):  # type: ignore[no-untyped-def]
    return client.post(f"/{n.slug}/paragraphs/{n.paragraph}/propose", data={"step": step, **fields},
                       follow_redirects=False)


# --- delegations -------------------------------------------------------------------------------


def test_the_propose_form_offers_every_action_and_the_groups(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "mex")
    page = client.get(f"/{n.slug}/paragraphs/{n.paragraph}/propose")
    assert page.status_code == 200
    for action in ("replace", "insert", "delete", "new_paragraph", "delete_paragraph", "move", "retain", "reserve"):
        assert f'value="{action}"' in page.text
    assert "<option>G77</option>" in page.text
    assert 'name="step" value="submit"' not in page.text  # a preview comes first
    twin = client.get(f"/{n.slug}/paragraphs/{n.paragraph}/propose", headers={"accept": "application/json"}).json()
    assert twin["paragraph"]["text"].startswith("States [shall][should]") and twin["delegation"] == "MEX"


@pytest.mark.parametrize("fields, shows", [
    ({"action": "replace", "old_text": "[shall][should]", "new_text": "shall"},
     ['<del class="rl-del">[shall][should]</del>', '<ins class="rl-ins">shall</ins>']),
    ({"action": "insert", "old_text": "cooperate", "new_text": "closely"}, ['<ins class="rl-ins">closely </ins>']),
    ({"action": "delete", "old_text": " in good faith"}, ['<del class="rl-del">']),
    ({"action": "new_paragraph", "new_text": "States shall meet."}, ["rl-inserted", "States shall meet."]),
    ({"action": "delete_paragraph"}, ["rl-deleted", "the paragraph would be deleted"]),
    ({"action": "retain"}, ["retained as it stands"]),
    ({"action": "reserve"}, ["a reservation on the paragraph"]),
])
def test_the_preview_shows_the_redline_and_writes_nothing(client: TestClient, n: Negotiation,
                                                          fields: dict[str, str], shows: list[str]) -> None:
    sign_in(client, "mex")
    before = last_position(client)
    response = propose(client, n, "preview", **fields)
    assert response.status_code == 200, response.text
    for piece in shows:
        assert piece in response.text
    assert 'name="step" value="submit"' in response.text
    assert last_position(client) == before


def test_a_move_names_the_paragraph_it_goes_after(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "mex")
    preview = propose(client, n, "preview", action="move", after=n.other)
    assert preview.status_code == 200 and "would move after paragraph 2." in preview.text
    done = propose(client, n, action="move", after=n.other)
    assert done.status_code == 303
    amendment_id = done.headers["location"].split("#a-")[1]
    assert tracker_of(client).amendment(n.slug, amendment_id).after_paragraph_id == n.other


def test_a_refused_proposal_comes_back_with_the_reason(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "mex")
    before = last_position(client)
    for step in ("preview", "submit"):
        response = propose(client, n, step, action="replace", old_text="not in the text", new_text="x")
        assert response.status_code == 400
        assert "does not contain" in response.text and "not in the text" in response.text  # kept in the form
    bad_action = propose(client, n, action="rewrite")
    assert bad_action.status_code == 400 and "must be one of" in bad_action.text
    assert last_position(client) == before


def test_proposing_then_seeing_it_everywhere(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "mex")
    response = propose(client, n, action="replace", old_text="[shall][should]", new_text="must",
                       rationale="Stronger.")
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"/{n.slug}/paragraphs/{n.paragraph}#a-")
    amendment_id = location.split("#a-")[1]
    page = client.get(f"/{n.slug}/amendments/{amendment_id}")
    assert page.status_code == 200 and "Stronger." in page.text and '<ins class="rl-ins">must</ins>' in page.text
    assert "Revise" in page.text and "Withdraw" in page.text  # its proposer's actions
    twin = client.get(f"/{n.slug}/amendments/{amendment_id}.json").json()
    assert (twin["delegation"], twin["status"], twin["proposed_text"]) == (
        "MEX", "proposed", "States must cooperate in good faith.")
    # Another delegation sees support buttons instead; an observer sees none.
    sign_in(client, "nor")
    other = client.get(f"/{n.slug}/amendments/{amendment_id}").text
    assert 'value="supports"' in other and "Withdraw" not in other
    sign_in(client, None)
    public = client.get(f"/{n.slug}/amendments/{amendment_id}").text
    assert 'value="supports"' not in public and "<form" not in public.split("</header>")[1]


def test_positions_taken_changed_and_dropped(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "mex")
    path = f"/{n.slug}/amendments/{n.nor_amendment}"
    back = f"/{n.slug}/-/compile#a-{n.nor_amendment}"
    response = client.post(f"{path}/position", data={"stance": "supports", "note": "fine", "back": back},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == back
    assert tracker_of(client).amendment(n.slug, n.nor_amendment).positions["MEX"]["stance"] == "supports"
    again = client.post(f"{path}/position", data={"stance": "supports"})
    assert again.status_code == 400 and "already supports" in again.text
    page = client.get(path).text
    assert 'value="supports" aria-pressed="true"' in page and "Drop MEX’s position" in page
    assert client.post(f"{path}/position/drop", follow_redirects=False).status_code == 303
    assert "MEX" not in tracker_of(client).amendment(n.slug, n.nor_amendment).positions
    assert client.post(f"{path}/position/drop").status_code == 400


def test_a_back_field_never_leads_off_site(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "mex")
    response = client.post(f"/{n.slug}/amendments/{n.nor_amendment}/position",
                           data={"stance": "supports", "back": "https://evil.example/"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_revising_with_a_preview(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "mex")
    path = f"/{n.slug}/amendments/{n.mex_amendment}/revise"
    form = client.get(path)
    assert form.status_code == 200 and ">two</textarea>" in form.text and ">three</textarea>" in form.text
    preview = client.post(path, data={"old_text": "two", "new_text": "five", "rationale": "", "step": "preview"})
    assert preview.status_code == 200 and '<ins class="rl-ins">five</ins>' in preview.text
    same = client.post(path, data={"old_text": "two", "new_text": "three", "step": "submit"})
    assert same.status_code == 400 and "changes nothing" in same.text
    done = client.post(path, data={"old_text": "two", "new_text": "five", "step": "submit"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/{n.slug}/amendments/{n.mex_amendment}"
    revised = tracker_of(client).amendment(n.slug, n.mex_amendment)
    assert (revised.new_text, revised.status) == ("five", "revised")


def test_withdrawing_ends_the_actions(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "mex")
    path = f"/{n.slug}/amendments/{n.mex_amendment}"
    assert client.post(f"{path}/withdraw", data={"reason": "no longer needed"}, follow_redirects=False).status_code == 303
    assert tracker_of(client).amendment(n.slug, n.mex_amendment).status == "withdrawn"
    page = client.get(path).text
    assert "withdrawn" in page and "Withdraw</button>" not in page
    assert client.post(f"{path}/withdraw").status_code == 400


def test_breaking_silence(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "nor")
    page = client.get(f"/{n.slug}/-/silence")
    assert page.status_code == 200 and "Break silence" in page.text and "Open a silence procedure" not in page.text
    no_reason = client.post(f"/{n.slug}/-/silence/{n.silence}/break", data={"reason": " "})
    assert no_reason.status_code == 400
    broken = client.post(f"/{n.slug}/-/silence/{n.silence}/break", data={"reason": "capitals"}, follow_redirects=False)
    assert broken.status_code == 303
    assert tracker_of(client).silence_procedure(n.slug, n.silence).broken_by == "NOR"
    assert "broken by NOR: capitals" in client.get(f"/{n.slug}/-/silence").text
    late = client.post(f"/{n.slug}/-/silence/{n.silence_due}/break", data={"reason": "too late"})
    assert late.status_code == 400 and "deadline" in late.text


# --- the secretariat -----------------------------------------------------------------------


def test_the_compile_view_decides_each_proposal(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "sec")
    page = client.get(f"/{n.slug}/-/compile")
    assert page.status_code == 200
    assert page.text.count('action="/' + n.slug + '/amendments/') >= 2  # a decision form per proposal
    assert "NOR, opposed by MEX" in page.text
    twin = client.get(f"/{n.slug}/-/compile.json").json()
    assert {p["id"] for p in twin["paragraphs"]} == {n.paragraph, n.other}
    decided = client.post(f"/{n.slug}/amendments/{n.nor_amendment}/decide",
                          data={"outcome": "incorporated", "note": "as proposed"}, follow_redirects=False)
    assert decided.status_code == 303 and decided.headers["location"] == f"/{n.slug}/-/compile"
    assert tracker_of(client).amendment(n.slug, n.nor_amendment).decision["outcome"] == "incorporated"
    assert "NOR, opposed by MEX" not in client.get(f"/{n.slug}/-/compile").text
    twice = client.post(f"/{n.slug}/amendments/{n.nor_amendment}/decide", data={"outcome": "not_retained"})
    assert twice.status_code == 400 and "incorporated" in twice.text


def test_agreed_ad_ref_and_reopened(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "sec")
    mark = f"/{n.slug}/paragraphs/{n.paragraph}/mark"
    assert client.post(mark, data={"status": "agreed_ad_ref"}, follow_redirects=False).status_code == 303
    assert client.post(mark, data={"status": "bracketed"}).status_code == 400  # re-open it first
    assert client.post(mark, data={"status": "reopened", "note": "new proposals"},
                       follow_redirects=False).status_code == 303
    assert tracker_of(client).paragraph(n.slug, n.paragraph).status == "reopened"
    assert client.post(mark, data={"status": "signed"}).status_code == 400


def test_publishing_a_revision(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "sec")
    text = b"1. States shall cooperate in good faith.\n\n2. States shall report every three years.\n"
    response = client.post(f"/{n.slug}/-/publish", data={"label": "Rev 1/2", "date": "2026-03-01"},
                           files={"file": ("rev.txt", text, "text/plain")}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/{n.slug}/revisions/Rev%201/2"
    revision = tracker_of(client).revision(n.slug, "Rev 1/2")
    assert revision.source["filename"] == "rev.txt" and str(revision.issued_on) == "2026-03-01"
    assert revision.paragraphs[0]["id"] == n.paragraph  # matched to the zero draft's paragraph
    duplicate = client.post(f"/{n.slug}/-/publish", data={"label": "Rev 1/2"}, files={"file": ("rev.txt", text)})
    assert duplicate.status_code == 400 and "already exists" in duplicate.text


@pytest.mark.parametrize("fields, file, message", [
    ({"label": "Rev 2"}, ("empty.txt", b"   "), "empty file"),
    ({"label": "Rev 2"}, ("doc.docx", b"PK\x03\x04rest"), "docx"),
    ({"label": "Rev 2", "format": "akn"}, ("bad.xml", b"<akomaNtoso><unclosed>"), "cannot be published"),
    ({"label": "Rev 2", "date": "1st of May"}, ("rev.txt", b"1. Text."), "date"),
    ({"label": "Rev 2", "round": "two"}, ("rev.txt", b"1. Text."), "whole number"),
    ({"label": "Rev 2", "round": "7"}, ("rev.txt", b"1. Text."), "round 7"),
    ({"label": " "}, ("rev.txt", b"1. Text."), "label"),
    ({"label": "Rev 2"}, None, "file"),
])
def test_a_refused_file_leaves_nothing_written(client: TestClient, n: Negotiation, fields: dict[str, str],
                                               file: tuple[str, bytes] | None, message: str) -> None:
    sign_in(client, "sec")
    before = last_position(client)
    response = client.post(f"/{n.slug}/-/publish", data=fields, files={"file": file} if file else None)
    if file is None:
        response = client.post(f"/{n.slug}/-/publish", data=fields)
    assert response.status_code in (400, 404), response.text
    assert message in response.text
    assert last_position(client) == before
    assert tracker_of(client).negotiation(n.slug).revision_labels == ["Zero draft"]


def test_silence_procedures_opened_and_concluded(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "sec")
    before = last_position(client)
    for deadline, message in [("soon", "date and time"), ("2001-01-01T00:00", "in the future")]:
        refused = client.post(f"/{n.slug}/-/silence", data={"deadline": deadline})
        assert refused.status_code == 400 and message in refused.text
    assert client.post(f"/{n.slug}/-/silence", data={"deadline": "2999-01-01T00:00", "paragraphs": "9"}).status_code == 404
    assert last_position(client) == before
    opened = client.post(f"/{n.slug}/-/silence", data={"deadline": "2999-01-01T12:00", "paragraphs": "1, 2",
                                                       "note": "until noon"}, follow_redirects=False)
    assert opened.status_code == 303
    page = client.get(f"/{n.slug}/-/silence").text
    assert "2999-01-01T12:00" in page and "until noon" in page
    early = client.post(f"/{n.slug}/-/silence/{n.silence}/conclude")
    assert early.status_code == 400 and "not passed" in early.text
    concluded = client.post(f"/{n.slug}/-/silence/{n.silence_due}/conclude", follow_redirects=False)
    assert concluded.status_code == 303
    assert tracker_of(client).paragraph(n.slug, n.paragraph).status == "agreed_ad_ref"


def test_the_roster(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "sec")
    page = client.get(f"/{n.slug}/-/delegations")
    assert page.status_code == 200 and "G77" in page.text
    ok = client.post(f"/{n.slug}/-/delegations", data={"code": "EU", "name": "European Union", "kind": "group"},
                     follow_redirects=False)
    assert ok.status_code == 303
    assert client.post(f"/{n.slug}/-/delegations", data={"code": "EU", "name": "Again", "kind": "group"}).status_code == 400
    assert client.post(f"/{n.slug}/-/delegations", data={"code": "<b>", "name": "x", "kind": "group"}).status_code == 400
    assert client.post(f"/{n.slug}/-/delegations", data={"code": "X", "name": "x", "kind": "empire"}).status_code == 400
    assert client.post(f"/{n.slug}/-/groups/join", data={"member": "NOR", "group": "EU"},
                       follow_redirects=False).status_code == 303
    assert "EU" in tracker_of(client).negotiation(n.slug).groups_of("NOR")
    assert client.post(f"/{n.slug}/-/groups/join", data={"member": "NOR", "group": "MEX"}).status_code == 400
    assert client.post(f"/{n.slug}/-/groups/leave", data={"member": "NOR", "group": "EU"},
                       follow_redirects=False).status_code == 303
    assert client.post(f"/{n.slug}/-/groups/leave", data={"member": "NOR", "group": "EU"}).status_code == 400


def test_users_registered_disabled_and_enabled(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "sec")
    username = f"u-{n.slug}"
    created = client.post("/-/users", data={"username": username.upper(), "name": "New", "role": "delegate",
                                            "delegation": "NOR", "password": "long password"}, follow_redirects=False)
    assert created.status_code == 303
    assert username in client.get("/-/users").text
    listed = client.get("/-/users", headers={"accept": "application/json"}).json()["users"]
    assert all("password" not in str(u) for u in listed)
    for fields, message in [
        ({"username": username, "role": "delegate", "delegation": "NOR", "password": "long password"}, "already"),
        ({"username": "bad name", "role": "delegate", "delegation": "NOR", "password": "long password"}, "username"),
        ({"username": "x1", "role": "king", "delegation": "NOR", "password": "long password"}, "role"),
        ({"username": "x2", "role": "delegate", "delegation": "NOR", "password": "short"}, "at least 8"),
        ({"username": "x3", "role": "delegate", "delegation": "N O R", "password": "long password"}, "code"),
    ]:
        refused = client.post("/-/users", data=fields)
        assert refused.status_code == 400 and message in refused.text, fields
    assert client.post("/-/users/sec/disable").status_code == 400  # not oneself
    assert client.post(f"/-/users/{username}/disable", follow_redirects=False).status_code == 303
    assert client.post(f"/-/users/{username}/disable").status_code == 400
    assert client.post("/-/users/nobody/disable").status_code == 404
    sign_in(client, None)
    assert client.post("/-/login", data={"username": username, "password": "long password"}).status_code == 401
    sign_in(client, "sec")
    assert client.post(f"/-/users/{username}/enable", follow_redirects=False).status_code == 303
    sign_in(client, username, "long password")
    assert client.get("/-/whoami.json").json()["user"]["delegation"] == "NOR"


# --- stakeholders ----------------------------------------------------------------------------


def test_inputs_on_a_paragraph_or_a_theme(client: TestClient, n: Negotiation) -> None:
    sign_in(client, "can")
    form = client.get(f"/{n.slug}/inputs?paragraph={n.paragraph}")
    assert form.status_code == 200 and f'<option value="{n.paragraph}" selected>' in form.text
    on_paragraph = client.post(f"/{n.slug}/inputs", data={"paragraph": n.paragraph, "text": "Mind the workers."},
                               follow_redirects=False)
    assert on_paragraph.status_code == 303 and on_paragraph.headers["location"].startswith(f"/{n.slug}/inputs#input-")
    on_theme = client.post(f"/{n.slug}/inputs", data={"theme": "gender", "text": "Mainstream gender."},
                           follow_redirects=False)
    assert on_theme.status_code == 303
    assert client.post(f"/{n.slug}/inputs", data={"text": "On nothing."}).status_code == 400
    assert client.post(f"/{n.slug}/inputs", data={"theme": "t"}).status_code == 400
    sign_in(client, None)  # listed for everyone
    public = client.get(f"/{n.slug}/inputs")
    assert "Mind the workers." in public.text and "Mainstream gender." in public.text
    assert "Submit an input" not in public.text
    listed = client.get(f"/{n.slug}/inputs.json").json()["inputs"]
    assert [(i["delegation"], i["paragraph_id"], i["theme"]) for i in listed] == [
        ("CAN-INT", n.paragraph, ""), ("CAN-INT", "", "gender")]


# --- what each role sees in the header and beside the text -----------------------------------


@pytest.mark.parametrize("username, sees, hidden", [
    (None, ["Sign in"], ["Sign out", "Propose an amendment", "Mark agreed ad ref"]),
    ("mex", ["Sign out", "MEX", "Propose an amendment"], ["Mark agreed ad ref", "Submit an input"]),
    ("sec", ["Sign out", "Users", "Mark agreed ad ref"], ["Propose an amendment"]),
])
def test_the_partials_follow_the_role(client: TestClient, n: Negotiation, username: str | None, sees: list[str],
                                      hidden: list[str]) -> None:
    sign_in(client, username)
    page = client.get(f"/{n.slug}/revisions/Zero%20draft")
    assert page.status_code == 200
    for text in sees:
        assert text in page.text, text
    for text in hidden:
        assert text not in page.text, text


def test_pages_behind_a_login_send_observers_to_it_and_back(client: TestClient, n: Negotiation) -> None:
    response = client.get(f"/{n.slug}/-/compile?x=1", follow_redirects=False)
    assert response.status_code == 303
    target = response.headers["location"]
    assert target == f"/-/login?next=%2F{n.slug}%2F-%2Fcompile%3Fx%3D1"
    login = client.get(target)
    assert f'name="next" value="/{n.slug}/-/compile?x=1"' in login.text
    back = client.post("/-/login", data={"username": "sec", "password": PASSWORD, "next": f"/{n.slug}/-/compile?x=1"},
                       follow_redirects=False)
    assert back.headers["location"] == f"/{n.slug}/-/compile?x=1"


@pytest.mark.parametrize("path", ["/{slug}/-/compile.json", "/{slug}/-/publish.json", "/{slug}/-/silence.json",
                                  "/{slug}/-/delegations.json", "/-/users.json", "/-/account.json",
                                  "/{slug}/paragraphs/{paragraph}/propose.json"])
def test_every_tool_page_has_a_json_twin(client: TestClient, n: Negotiation, path: str) -> None:
    url = path.format(slug=n.slug, paragraph=n.paragraph)
    assert client.get(url).status_code == 401  # scripts are not sent to a login page
    sign_in(client, "mex" if "propose" in path else "sec")
    response = client.get(url)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
