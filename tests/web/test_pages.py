"""The read-only pages and their JSON twins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tracker.application import Tracker
from tracker.domain.base import Actor
from tracker.text.document import ParsedDocument, ParsedParagraph
from web.app import create_app

CHAIR = Actor("SECRETARIAT", "tester")
HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> \u202eevil'


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    db = str(tmp_path / "t.sqlite")
    app = Tracker.open(db)
    doc = ParsedDocument((ParsedParagraph("States shall cooperate.", num="1."), ParsedParagraph(HOSTILE, num="2.")))
    app.publish_revision("compact", "Rev 1/2", doc, CHAIR, title="A <b>compact</b>")
    app.close()
    with TestClient(create_app(db)) as test_client:
        yield test_client


def test_pages_and_json_twins(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and "compact" in home.text
    assert "default-src 'none'" in home.headers["content-security-policy"]
    assert client.get("/index.json").json()["negotiations"][0]["slug"] == "compact"
    page = client.get("/compact")
    assert page.status_code == 200 and "Rev 1/2" in page.text
    assert client.get("/compact.json").json()["revisions"][0]["label"] == "Rev 1/2"
    text = client.get("/compact/revisions/Rev%201/2")
    assert text.status_code == 200 and "States shall cooperate." in text.text
    twin = client.get("/compact/revisions/Rev%201/2.json").json()
    assert [p["num"] for p in twin["paragraphs"]] == ["1.", "2."]
    assert client.get("/compact/revisions/Rev%201/2", headers={"accept": "application/json"}).json() == twin


def test_user_text_is_escaped(client: TestClient) -> None:
    page = client.get("/compact/revisions/Rev%201/2").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page
    assert "<b>compact</b>" not in client.get("/compact").text


@pytest.mark.parametrize("url", ["/nope", "/nope.json", "/compact/revisions/Rev%209", "/compact/revisions/%00.json"])
def test_unknown_things_are_404(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    if url.endswith(".json"):
        assert "error" in response.json()


def test_compare_page_and_its_json_twin(tmp_path: Path) -> None:
    db = str(tmp_path / "t.sqlite")
    app = Tracker.open(db)
    app.publish_revision("c", "Zero", ParsedDocument((ParsedParagraph("States shall cooperate.", num="1."),
                                                      ParsedParagraph("Parties shall report.", num="2."))), CHAIR)
    app.publish_revision("c", "Rev 1", ParsedDocument((ParsedParagraph("New first paragraph.", num="1."),
                                                       ParsedParagraph("States should cooperate.", num="2."),
                                                       ParsedParagraph("Parties shall report.", num="3."),
                                                       ParsedParagraph(HOSTILE, num="4."))), CHAIR)
    app.close()
    with TestClient(create_app(db)) as client:
        page = client.get("/c/compare")
        assert page.status_code == 200
        assert '<del class="rl-del">shall</del><ins class="rl-ins">should</ins>' in page.text
        assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
        assert 'href="/-/static/redline.css"' in page.text
        twin = client.get("/c/compare.json?from=Zero&to=Rev%201").json()
        assert (twin["from"], twin["to"]) == ("Zero", "Rev 1")
        assert [e["status"] for e in twin["paragraphs"]] == ["inserted", "changed", "equal", "inserted"]
        assert twin["paragraphs"][1]["renumbered"] and twin["stats"]["renumbered"] == 2
        css = client.get("/-/static/redline.css")
        assert css.status_code == 200 and "unicode-bidi: isolate" in css.text
        assert client.get("/c/compare?from=Zero&to=Nope").status_code == 404
        assert client.get("/nope/compare").status_code == 404
