"""A paragraph's history: its text in every revision with the redlines between them, every
amendment on it with its versions, positions and outcome, its statuses, inputs and blame."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from projections.blame import paragraph_blame
from projections.readmodel import ReadModel


def test_its_text_in_every_revision_with_the_redline_between(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    page = client.get(f"/obs/paragraphs/{ids['parties']}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Paragraph 3." in text
    assert f'href="/obs/revisions/Zero%20draft#p-{ids["parties"]}"' in text
    assert f'href="/obs/revisions/Rev%201/2#p-{ids["parties"]}"' in text
    assert '<del class="rl-del">[two][three]</del><ins class="rl-ins">three</ins>' in text
    assert '<del class="rl-del">2.</del><ins class="rl-ins">3.</ins>' in text  # renumbered
    assert f"paragraph={ids['parties']}" in text  # the same redline on the compare page
    twin = client.get(f"/obs/paragraphs/{ids['parties']}.json").json()
    assert [(t["label"], t["num"]) for t in twin["texts"]] == [("Zero draft", "2."), ("Rev 1/2", "3.")]
    assert twin["texts"][1]["match"]["from_num"] == "2."


def test_every_amendment_with_its_positions_and_outcome(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    twin = client.get(f"/obs/paragraphs/{ids['states']}.json").json()
    [must] = twin["amendments"]
    assert (must["id"], must["delegation"], must["status"], must["decided_in"]) == (
        ids["must"], "MEX", "incorporated", "Rev 1/2")
    assert [(p["delegation"], p["stance"], p["current"]) for p in must["positions"]] == [
        ("NOR", "supports", True), ("FRA", "opposes", True), ("BRA", "co_sponsors", False)]
    assert must["positions"][1]["note"] == "Too strong"
    assert [v["status"] for v in must["versions"]] == ["proposed", "incorporated"]
    page = client.get(f"/obs/paragraphs/{ids['states']}").text
    assert f'id="a-{ids["must"]}"' in page and "MEX: replace" in page
    assert "Stronger &lt;script&gt;x&lt;/script&gt;" in page and "<script>" not in page
    assert '<tr class="past"><td><a href="/obs/delegations/BRA">BRA</a></td><td>co-sponsors</td>' in page


def test_pending_and_settled_amendments_and_statuses(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    twin = client.get(f"/obs/paragraphs/{ids['parties']}.json").json()
    by_id = {a["id"]: a for a in twin["amendments"]}
    assert by_id[ids["years"]]["status"] == "not_retained" and by_id[ids["years"]]["on_behalf_of"] == "EU"
    assert by_id[ids["annually"]]["pending"] and not by_id[ids["years"]]["pending"]
    secretariat = client.get(f"/obs/paragraphs/{ids['secretariat']}.json").json()
    assert [s["status"] for s in secretariat["statuses"]] == ["open", "agreed_ad_ref", "reopened"]
    assert secretariat["status"] == "reopened" and secretariat["statuses"][1]["note"] == "agreed in plenary"
    page = client.get(f"/obs/paragraphs/{ids['secretariat']}").text
    assert '<span class="status status-agreed_ad_ref">agreed ad ref</span>' in page
    assert '<small class="status status-reopened">re-opened</small>' in page
    withdrawn = client.get(f"/obs/paragraphs/{ids['exchange']}.json").json()["amendments"]
    assert [(a["action"], a["status"], a["decision_note"]) for a in withdrawn] == [
        ("reserve", "withdrawn", "consulted capital")]


def test_blame_credits_the_amendments_words(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    twin = client.get(f"/obs/paragraphs/{ids['secretariat']}.json").json()
    assert twin["blame"]["label"] == "Rev 1/2"
    spans = twin["blame"]["spans"]
    assert "".join(s["text"] for s in spans) == twin["texts"][-1]["text"]
    credited = [s for s in spans if s["kind"] == "amendment"]
    assert credited and credited[0]["delegation"] == "NOR" and "of this compact" in credited[0]["text"]
    page = client.get(f"/obs/paragraphs/{ids['secretariat']}").text
    assert '<span class="blame-span blame-amendment">' in page and f'href="#a-{ids["compact"]}"' in page


def test_hostile_text_is_inert_on_the_history(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    for name in ("hostile", "secretariat"):  # in the text; in a rationale and a position's note
        page = client.get(f"/obs/paragraphs/{ids[name]}").text
        assert "<script>" not in page and "<img" not in page and "\u202e" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("paragraph_id", ["nope", "00000000-0000-0000-0000-000000000000", "%00", "x" * 300])
def test_unknown_paragraphs_are_404(site: tuple[TestClient, dict[str, str]], paragraph_id: str) -> None:
    client, ids = site
    assert client.get(f"/obs/paragraphs/{paragraph_id}").status_code == 404
    assert client.get(f"/obs/paragraphs/{paragraph_id}.json").json()["error"]
    assert client.get(f"/nope/paragraphs/{ids['states']}").status_code == 404


def test_a_paragraph_of_the_demo(demo: TestClient, demo_db: str) -> None:
    client = demo
    found = client.get("/paris/search.json?q=hold the increase in the global average").json()["paragraphs"]
    paragraph_id = found[-1]["paragraph_id"]
    twin = client.get(f"/paris/paragraphs/{paragraph_id}.json").json()
    aosis = [a for a in twin["amendments"] if a["delegation"] == "AOSIS"]
    assert aosis and aosis[0]["status"] == "partly_incorporated"
    assert {p["delegation"] for p in aosis[0]["positions"]} == {"LDC", "MDV", "EU", "SAU"}
    page = client.get(f"/paris/paragraphs/{paragraph_id}")
    assert page.status_code == 200 and page.text.count('class="version"') == len(twin["texts"])
    # The page's blame is its paragraph's share of the revision's whole blame, computed
    # from that paragraph's versions alone: the same spans, for every paragraph.
    read = ReadModel.open(demo_db)
    try:
        credited = 0
        for slug in ("paris", "migrants"):
            label = read.revisions(slug)[-1]["label"]
            for p in read.blame(slug, label)["paragraphs"]:
                assert paragraph_blame(read.views, slug, label, p["id"]) == p["spans"]
                credited += any(s["kind"] == "amendment" for s in p["spans"])
        assert credited
        assert twin["blame"]["spans"] == paragraph_blame(read.views, "paris", twin["blame"]["label"], paragraph_id)
    finally:
        read.close()
