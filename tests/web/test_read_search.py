"""Search across revision text, amendments and positions: linked, escaped, paged, bounded."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tracker.application import Tracker
from tracker.domain.base import Actor
from web.app import create_app
from web.views.search import PER_PAGE

from scenarios import setup_negotiation


def test_text_hits_link_to_the_paragraph_in_each_revision(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    twin = client.get("/obs/search.json?q=SECRETARIAT shall").json()
    assert [(h["label"], h["paragraph_id"]) for h in twin["paragraphs"]] == [
        ("Rev 1/2", ids["secretariat"]), ("Zero draft", ids["secretariat"])]
    page = client.get("/obs/search?q=secretariat shall").text
    assert f'href="/obs/revisions/Rev%201/2#p-{ids["secretariat"]}"' in page
    assert f'href="/obs/paragraphs/{ids["secretariat"]}"' in page
    assert "The <mark>secretariat shall</mark> support" in page


def test_amendments_by_their_words_and_rationale(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    twin = client.get("/obs/search.json?q=frequency").json()
    assert [a["id"] for a in twin["amendments"]] == [ids["years"]]  # rationale and decision note
    assert [a["id"] for a in client.get("/obs/search.json?q=annually").json()["amendments"]] == [ids["annually"]]
    page = client.get("/obs/search?q=frequency").text
    assert f'href="/obs/paragraphs/{ids["parties"]}#a-{ids["years"]}"' in page


def test_positions_by_delegation_and_note(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    by_note = client.get("/obs/search.json?q=too strong").json()["positions"]
    assert [(p["delegation"], p["amendment_id"]) for p in by_note] == [("FRA", ids["must"])]
    by_name = client.get("/obs/search.json?q=group of 77").json()["positions"]
    assert by_name == []  # G77 took no position; its name matches no position
    by_code = client.get("/obs/search.json?q=nor").json()["positions"]
    assert {p["amendment_id"] for p in by_code} == {ids["must"], ids["annually"]}
    page = client.get("/obs/search?q=too strong").text
    assert f'href="/obs/paragraphs/{ids["states"]}#a-{ids["must"]}"' in page and "<mark>Too strong</mark>" in page


def test_the_query_and_the_hits_are_escaped(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    page = client.get("/obs/search", params={"q": "<script>alert(1)</script>"})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert "<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>" in page.text
    assert "\u202e" not in page.text
    quoted = client.get("/obs/search", params={"q": '"><img src=x onerror=alert(3)>'}).text
    assert "<img" not in quoted and 'value="&#34;&gt;&lt;img' in quoted


def test_like_wildcards_are_taken_literally(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    for query in ("%", "_", "!", "sh_ll", "s%l"):
        twin = client.get("/obs/search.json", params={"q": query}).json()
        assert twin["paragraphs"] == [] and twin["amendments"] == [] and twin["positions"] == []


def test_no_query_shows_the_form(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    page = client.get("/obs/search")
    assert page.status_code == 200 and 'role="search"' in page.text
    assert client.get("/obs/search.json").json()["paragraphs"] == []


@pytest.mark.parametrize("query", ["q=x&page=0", "q=x&page=-1", "q=x&page=abc", "q=x&page=99999999999999999999",
                                   "q=x&page=201", "q=" + "x" * 201, "q=%00"])
def test_malformed_queries_are_400(site: tuple[TestClient, dict[str, str]], query: str) -> None:
    client, _ = site
    assert client.get(f"/obs/search?{query}").status_code == 400
    assert client.get(f"/obs/search.json?{query}").json()["error"]
    assert client.get("/nope/search?q=x").status_code == 404


def test_results_are_paged(tmp_path: Path) -> None:
    db = str(tmp_path / "t.sqlite")
    tracker = Tracker.open(db)
    setup_negotiation(tracker)
    for i in range(PER_PAGE + 5):
        tracker.propose("n", str(i % 5 + 1), "retain", Actor("MEX", "u"), rationale=f"keep it, reason {i}")
    tracker.close()
    with TestClient(create_app(db)) as client:
        first = client.get("/n/search.json?q=keep it").json()
        assert len(first["amendments"]) == PER_PAGE and first["more"]
        second = client.get("/n/search.json?q=keep it&page=2").json()
        assert len(second["amendments"]) == 5 and not second["more"]
        assert not {a["id"] for a in first["amendments"]} & {a["id"] for a in second["amendments"]}
        page = client.get("/n/search?q=keep it").text
        assert 'rel="next" href="/n/search?q=keep%20it&amp;page=2"' in page


def test_the_demo_search(demo: TestClient) -> None:
    client = demo
    twin = client.get("/paris/search.json?q=indigenous peoples").json()
    assert twin["paragraphs"] and any(a["delegation"] == "NOR" for a in twin["amendments"])
    migrants = client.get("/migrants/search.json?q=Hungary did not endorse").json()
    assert [a["delegation"] for a in migrants["amendments"]] == ["HUN"]
    assert client.get("/migrants/search?q=Global Compact").status_code == 200
