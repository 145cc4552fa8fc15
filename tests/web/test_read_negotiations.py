"""Observers' list of negotiations and a negotiation's page (phases, rounds, revisions,
delegations, the progress chart), with their JSON twins."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tracker.application import Tracker
from web.app import create_app

from scenarios import observed_negotiation


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = str(tmp_path_factory.mktemp("read") / "t.sqlite")
    tracker = Tracker.open(db)
    observed_negotiation(tracker)
    tracker.close()
    with TestClient(create_app(db)) as test_client:
        yield test_client


def test_the_list_links_every_negotiation_and_its_latest_text(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/obs"' in page.text and 'href="/obs/revisions/Rev%201/2"' in page.text
    assert "<b>on</b>" not in page.text and "&lt;b&gt;on&lt;/b&gt;" in page.text
    assert '<link rel="alternate" type="application/json" href="/index.json">' in page.text
    listed = client.get("/index.json").json()["negotiations"]
    assert [(n["slug"], n["revisions"], n["latest"]) for n in listed] == [("obs", 2, "Rev 1/2")]


def test_a_negotiations_page_shows_phases_rounds_revisions_and_delegations(client: TestClient) -> None:
    page = client.get("/obs")
    assert page.status_code == 200
    text = page.text
    assert "Negotiations" in text and "Two rounds" in text
    assert "2026-02-02" in text and "2026-03-06" in text and "Geneva" in text
    assert 'href="/obs/revisions/Zero%20draft"' in text and 'href="/obs/revisions/Rev%201/2"' in text
    assert 'href="/obs/compare?from=Zero%20draft&amp;to=Rev%201/2"' in text
    for link in ("/obs/compilation", "/obs/compare", "/obs/replay", "/obs/search", "/obs/delegations"):
        assert f'"{link}"' in text
    assert 'href="/obs/delegations/EU"' in text and 'href="/obs/delegations/FRA"' in text
    assert "<i>now</i>" not in text


def test_the_chart_is_inline_svg_with_a_bar_per_round(client: TestClient) -> None:
    text = client.get("/obs").text
    svg = text[text.index("<svg"):text.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg
    assert "Round 1" in svg and "Round 2" in svg
    bars = re.findall(r'<rect x="[\d.]+" y="\d+" width="[\d.]+" height="20" class="chart-(\w+)"><title>([^<]+)</title>', svg)
    assert ("agreed_ad_ref", "Round 1: 1 agreed ad ref") in bars
    assert ("bracketed", "Round 2: 1 bracketed") in bars
    assert "style=" not in svg  # the CSP allows no inline styles
    assert "<table class=\"chart-table\">" in text  # the same numbers, readable without the picture


def test_the_json_twin_has_the_same_facts(client: TestClient) -> None:
    twin = client.get("/obs.json").json()
    assert twin == client.get("/obs", headers={"accept": "application/json"}).json()
    assert twin["title"] == "Compact <b>on</b> cooperation" and twin["symbol"] == "A/OBS/1"
    assert [p["name"] for p in twin["phases"]] == ["Negotiations"]
    assert [(r["number"], r["starts"], r["ends"], r["status"]) for r in twin["rounds"]] == [
        (1, "2026-02-02", "2026-02-04", "closed"), (2, "2026-03-02", "2026-03-06", "open")]
    assert [r["label"] for r in twin["revisions"]] == ["Zero draft", "Rev 1/2"]
    assert twin["revisions"][1]["date"] == "2026-03-02" and twin["revisions"][1]["round"] == 2
    fra = next(d for d in twin["delegations"] if d["code"] == "FRA")
    assert fra["groups"] == ["EU"] and fra["proposals"] == 1
    eu = next(d for d in twin["delegations"] if d["code"] == "EU")
    assert eu["members"] == ["FRA"] and eu["kind"] == "group"
    assert [r["round"] for r in twin["progress"]["rounds"]] == [1, 2]


@pytest.mark.parametrize("url", ["/nope", "/nope.json", "/%00", "/a%20b"])
def test_unknown_negotiations_are_404(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    if url.endswith(".json"):
        assert "error" in response.json()


def test_the_demo_negotiations(demo: TestClient) -> None:
    client = demo
    assert [n["slug"] for n in client.get("/index.json").json()["negotiations"]] == ["paris", "migrants"]
    page = client.get("/paris")
    assert page.status_code == 200 and "Paris-Le Bourget (COP 21)" in page.text
    assert "<title>Round 3: 1 agreed ad ref</title>" in page.text
    assert re.search(r"<title>Round 1: \d+ bracketed</title>", page.text)
    twin = client.get("/paris.json").json()
    assert [r["label"] for r in twin["revisions"]] == ["23 Oct", "4 Dec", "9 Dec", "12 Dec"]
    last_round = twin["progress"]["rounds"][-1]
    assert last_round["revisions"] == ["9 Dec", "12 Dec"] and last_round["paragraphs"]["agreed_ad_ref"] == 1
