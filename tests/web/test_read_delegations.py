"""The delegations of a negotiation and one delegation's positions."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient


def test_the_list_with_groups_members_and_counts(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    page = client.get("/obs/delegations")
    assert page.status_code == 200
    assert 'href="/obs/delegations/G77"' in page.text and "Group of 77 and China" in page.text
    twin = client.get("/obs/delegations.json").json()
    assert twin == client.get("/obs/delegations", headers={"accept": "application/json"}).json()
    by_code = {d["code"]: d for d in twin["delegations"]}
    assert by_code["BRA"]["groups"] == ["G77"] and by_code["G77"]["members"] == ["BRA"]
    assert (by_code["MEX"]["proposals"], by_code["NOR"]["positions"]) == (2, 2)
    assert by_code["SECRETARIAT"]["kind"] == "secretariat"


def test_a_delegations_proposals_and_positions(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    twin = client.get("/obs/delegations/FRA.json").json()
    assert twin["delegation"] == {"code": "FRA", "name": "FRA", "kind": "member_state"}
    [years] = twin["proposed"]
    assert (years["id"], years["on_behalf_of"], years["status"], years["groups_at_the_time"]) == (
        ids["years"], "EU", "not_retained", ["EU"])
    assert [(p["amendment_id"], p["stance"], p["note"]) for p in twin["positions"]] == [(ids["must"], "opposes", "Too strong")]
    page = client.get("/obs/delegations/FRA").text
    assert f'href="/obs/paragraphs/{ids["parties"]}#a-{ids["years"]}"' in page
    assert f'href="/obs/paragraphs/{ids["states"]}#a-{ids["must"]}"' in page
    assert "Too strong" in page and "not retained" in page
    group = client.get("/obs/delegations/EU.json").json()
    assert [a["id"] for a in group["proposed_on_its_behalf"]] == [ids["years"]]
    bra = client.get("/obs/delegations/BRA").text
    assert '<tr class="past">' in bra  # the co-sponsorship it dropped


def test_hostile_notes_are_inert(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    page = client.get("/obs/delegations/MEX").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page and "<img" not in page and "\u202e" not in page


@pytest.mark.parametrize("url", ["/obs/delegations/XYZ", "/obs/delegations/XYZ.json", "/nope/delegations",
                                 "/nope/delegations/MEX", "/obs/delegations/%3Cscript%3E"])
def test_unknown_delegations_are_404(site: tuple[TestClient, dict[str, str]], url: str) -> None:
    client, _ = site
    response = client.get(url)
    assert response.status_code == 404 and "<script>" not in response.text


def test_the_demo_delegations(demo: TestClient) -> None:
    client = demo
    twin = client.get("/paris/delegations/AOSIS.json").json()
    assert twin["proposed"][0]["status"] == "partly_incorporated"
    assert client.get("/paris/delegations/SAU").status_code == 200
    codes = {d["code"] for d in client.get("/migrants/delegations.json").json()["delegations"]}
    assert {"EU", "G77", "HUN", "MADE"} <= codes
