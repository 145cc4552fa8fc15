"""The compilation text: each paragraph with its pending proposals in place, attributed."""

from __future__ import annotations

from starlette.testclient import TestClient


def test_pending_proposals_in_place_attributed(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    page = client.get("/obs/compilation")
    assert page.status_code == 200
    text = page.text
    start = text.index(f'id="p-{ids["parties"]}"')
    assert text.index(f'id="a-{ids["annually"]}"') > start
    assert 'G77 (BRA), opposed by NOR: replace &#34;every three years&#34; with &#34;annually&#34;' in text
    assert '<del class="rl-del">every three years</del><ins class="rl-ins">annually</ins>' in text
    assert f'id="a-{ids["must"]}"' not in text  # decided: no longer pending
    assert '<span class="status status-bracketed">bracketed</span>' in text
    assert "1 pair of brackets" in text


def test_the_json_twin_counts_brackets_and_statuses(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    twin = client.get("/obs/compilation.json").json()
    assert twin == client.get("/obs/compilation", headers={"accept": "application/json"}).json()
    assert twin["label"] == "Rev 1/2" and twin["totals"]["proposals"] == 1 and twin["elsewhere"] == []
    assert twin["totals"]["by_status"] == {"open": 6, "reopened": 1}
    by_id = {p["id"]: p for p in twin["paragraphs"]}
    assert [a["id"] for a in by_id[ids["parties"]]["proposals"]] == [ids["annually"]]
    assert by_id[ids["states"]]["brackets"]["pairs"] == 1 and by_id[ids["states"]]["bracketed"]


def test_hostile_text_is_inert(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    page = client.get("/obs/compilation").text
    assert "<script>" not in page and "<img" not in page and "\u202e" not in page


def test_unknown_negotiation(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    assert client.get("/nope/compilation").status_code == 404
    assert client.get("/nope/compilation.json").json()["error"]


def test_the_demo_compilation(demo: TestClient) -> None:
    client = demo
    page = client.get("/paris/compilation")
    assert page.status_code == 200 and "<h2 id=\"elsewhere\">" in page.text
    twin = client.get("/paris/compilation.json").json()
    assert twin["label"] == "12 Dec" and twin["totals"]["by_status"]["agreed_ad_ref"] == 1
    assert [(a["delegation"], a["action"]) for a in twin["elsewhere"]] == [("SAU", "reserve")]
