"""A revision's whole text: permalinks, brackets, statuses, emphasis, footnotes, direction,
and hostile text kept inert."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tracker.application import Tracker
from tracker.text.document import ParsedDocument, ParsedParagraph
from web.app import create_app

from scenarios import CHAIR, observed_negotiation

ZERO, REV = "/obs/revisions/Zero%20draft", "/obs/revisions/Rev%201/2"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The constructed negotiation, and beside it an Arabic one (right to left)."""
    db = str(tmp_path_factory.mktemp("read") / "t.sqlite")
    tracker = Tracker.open(db)
    ids = observed_negotiation(tracker)
    tracker.create_negotiation("ar", "مشروع", CHAIR, languages=("ar",))
    arabic = ParsedDocument((ParsedParagraph("*إذ تشير* إلى [التزاماتها] السابقة،", num="1."),))
    tracker.publish_revision("ar", "المشروع", arabic, CHAIR)
    tracker.close()
    with TestClient(create_app(db)) as client:
        yield client, ids


def paragraph_html(page: str, paragraph_id: str) -> str:
    start = page.index(f'id="p-{paragraph_id}"')
    return page[start:page.index("</div>", start)]


def test_every_paragraph_has_an_anchor_and_a_link_to_its_history(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    page = client.get(REV).text
    for name in ("states", "secretariat", "parties", "exchange", "hostile", "recalling"):
        assert f'id="p-{ids[name]}"' in page
        assert f'href="#p-{ids[name]}"' in page
        assert f'href="/obs/paragraphs/{ids[name]}"' in page
    assert page.count('class="permalink"') == 7


def test_brackets_are_highlighted_and_alternatives_outlined(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    states = paragraph_html(client.get(ZERO).text, ids["states"])
    assert ('<span class="br br-d1 br-alt">[shall]</span><span class="br br-d1 br-alt">[should]</span>'
            ' cooperate <span class="br br-d1">[in good faith]</span>.') in states


def test_statuses_as_they_stood_at_the_end_of_each_revision(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    zero, rev = client.get(ZERO).text, client.get(REV).text
    assert '<span class="status status-agreed_ad_ref">agreed ad ref</span>' in paragraph_html(zero, ids["secretariat"])
    assert '<span class="status status-reopened">re-opened</span>' in paragraph_html(rev, ids["secretariat"])
    assert '<span class="status status-bracketed">bracketed</span>' in paragraph_html(rev, ids["states"])
    assert '<span class="status status-open">open</span>' in paragraph_html(rev, ids["exchange"])
    twin = client.get(REV + ".json").json()
    by_id = {p["id"]: p for p in twin["paragraphs"]}
    assert by_id[ids["secretariat"]]["status"] == "reopened" and by_id[ids["states"]]["bracketed"]


def test_emphasis_is_rendered_and_footnotes_listed(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    zero = client.get(ZERO).text
    assert "<em>Recalling</em> its <strong>earlier</strong> commitments," in zero
    states = paragraph_html(zero, ids["states"])
    assert f'<sup class="fnref"><a href="#fn-{ids["states"]}-1"' in states
    assert "See <em>A/RES/71/280</em>." in states


def test_hostile_text_is_inert(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    page = client.get(REV).text
    hostile = paragraph_html(page, ids["hostile"])
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in hostile
    assert "\u202e" not in page and '<span class="control" title="U+202E">U+202E</span>evil' in hostile
    assert "<b>on</b>" not in page


def test_text_carries_its_language_and_direction(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    assert '<article class="text" lang="en" dir="ltr">' in client.get(REV).text
    arabic = client.get("/ar/revisions/%D8%A7%D9%84%D9%85%D8%B4%D8%B1%D9%88%D8%B9")
    assert arabic.status_code == 200
    assert '<article class="text" lang="ar" dir="rtl">' in arabic.text
    assert "<em>إذ تشير</em> إلى <span class=\"br br-d1\">[التزاماتها]</span> السابقة،" in arabic.text


def test_json_twin_and_neighbours(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    twin = client.get(ZERO + ".json").json()
    assert twin == client.get(ZERO, headers={"accept": "application/json"}).json()
    assert (twin["negotiation"], twin["label"], twin["next"], twin["previous"]) == ("obs", "Zero draft", "Rev 1/2", None)
    assert [p["num"] for p in twin["paragraphs"]] == ["", "", "1.", "2.", "3.", "4."]
    assert twin["paragraphs"][2]["footnotes"] == [{"marker": "1", "text": "See *A/RES/71/280*."}]
    assert twin["language"] == "en" and twin["direction"] == "ltr" and twin["round"] == 1
    page = client.get(REV).text
    assert 'rel="prev" href="/obs/revisions/Zero%20draft"' in page
    assert '<link rel="alternate" type="application/json" href="/obs/revisions/Rev%201/2.json">' in page


@pytest.mark.parametrize("url", ["/obs/revisions/Rev%209", "/obs/revisions/Rev%209.json", "/nope/revisions/Zero%20draft",
                                 "/obs/revisions/%00", "/obs/revisions/..%2F..%2Fetc"])
def test_unknown_revisions_are_404(site: tuple[TestClient, dict[str, str]], url: str) -> None:
    client, _ = site
    assert client.get(url).status_code == 404


def test_the_demo_texts(demo: TestClient) -> None:
    client = demo
    page = client.get("/paris/revisions/23%20Oct")
    assert page.status_code == 200
    assert page.text.count('class="permalink"') == 566
    assert len(re.findall(r'class="br br-d\d', page.text)) > 900
    assert 'class="br br-d2' in page.text  # nested brackets
    assert "<em>" in page.text
    latest = client.get("/paris/revisions/12%20Dec").text
    assert '<span class="status status-agreed_ad_ref">agreed ad ref</span>' in latest
    migrants = client.get("/migrants/revisions/78/217")
    assert migrants.status_code == 200 and "<em>Reaffirming</em>" in migrants.text


def test_printing_leaves_the_text_and_hides_the_navigation(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    css = client.get("/-/static/tracker.css").text
    printed = css[css.index("@media print"):]
    # The print block's first rule: "@media print {  SELECTORS { display: none !important; }".
    selectors, declaration = printed.split("{")[1:3]
    assert "display: none" in declaration
    for selector in ("header", "footer", "nav", "form", ".actions", ".permalink"):
        assert selector in selectors.split(", ") or f" {selector}" in selectors
    # Changes stay readable in black and white.
    assert "text-decoration: underline" in printed and "text-decoration: line-through" in printed
