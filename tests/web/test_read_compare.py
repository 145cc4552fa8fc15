"""Compare any two revisions: whole text or one paragraph, inline or side by side, moves
and renumbering shown; malformed parameters refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tracker.application import Tracker
from tracker.formats import read_document
from web.app import create_app
from web.reading import _emphasised

from realdata import MIGRANTS, need_data
from scenarios import CHAIR


def test_inline_redline_shows_changes_moves_and_renumbering(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    page = client.get("/obs/compare")
    assert page.status_code == 200
    text = page.text
    assert '<del class="rl-del">[shall][should]</del><ins class="rl-ins">must</ins>' in text
    assert '<p class="rl-para rl-moved rl-renumbered"' in text and "(moved from <bdi>3.</bdi>)" in text
    assert '<del class="rl-del">4.</del><ins class="rl-ins">5.</ins>' in text
    assert "1 moved, 3 renumbered" in text
    assert 'href="/-/static/redline.css"' in text
    assert "<script>alert(1)" not in text and "\u202e" not in text


def test_side_by_side_has_the_old_and_the_new_text_in_two_columns(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    text = client.get("/obs/compare?from=Zero%20draft&to=Rev%201/2&view=side").text
    table = text[text.index('<table class="redline side-by-side"'):text.index("</table>", text.index("side-by-side"))]
    assert '<th scope="col">Zero draft</th><th scope="col">Rev 1/2</th>' in table
    assert '<td><span class="rl-num">1.</span> States <del class="rl-del">[shall][should]</del> cooperate' in table
    assert '<td><span class="rl-num">1.</span> States <ins class="rl-ins">must</ins> cooperate' in table
    assert "(moved to 2.)" in table and "(moved from 3.)" in table
    assert '<tr class="rl-para rl-inserted"><td class="rl-none"></td>' in table
    assert f'href="/obs/paragraphs/{ids["exchange"]}"' in table
    assert "&lt;script&gt;" in table and "<script>alert" not in table
    assert '<span class="control" title="U+202E">U+202E</span>' in table


def test_the_json_twin_keeps_the_diff_contract(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    twin = client.get("/obs/compare.json?from=Zero%20draft&to=Rev%201/2").json()
    assert twin == client.get("/obs/compare?from=Zero%20draft&to=Rev%201/2",
                              headers={"accept": "application/json"}).json()
    assert (twin["from"], twin["to"], twin["view"]) == ("Zero draft", "Rev 1/2", "inline")
    assert [e["status"] for e in twin["paragraphs"]] == [
        "equal", "equal", "changed", "moved", "changed", "inserted", "equal"]
    assert twin["stats"]["moved"] == 1 and twin["stats"]["renumbered"] == 3
    for entry in twin["paragraphs"]:
        old = "".join(t for op, t in entry["ops"] if op != "+")
        new = "".join(t for op, t in entry["ops"] if op != "-")
        assert entry["status"] == "inserted" or old
        assert entry["status"] == "deleted" or new


def test_one_paragraph_between_any_two_revisions(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    twin = client.get(f"/obs/compare.json?from=Zero%20draft&to=Rev%201/2&paragraph={ids['parties']}").json()
    assert [(e["from_num"], e["to_num"], e["status"]) for e in twin["paragraphs"]] == [("2.", "3.", "changed")]
    assert twin["paragraph"] == ids["parties"]
    page = client.get(f"/obs/compare?from=Zero%20draft&to=Rev%201/2&paragraph={ids['parties']}&view=side")
    assert page.status_code == 200 and page.text.count('<tr class="rl-para') == 1
    assert f'href="/obs/paragraphs/{ids["parties"]}"' in page.text
    backwards = client.get(f"/obs/compare.json?from=Rev%201/2&to=Zero%20draft&paragraph={ids['exchange']}").json()
    assert [e["status"] for e in backwards["paragraphs"]] == ["deleted"]


@pytest.mark.parametrize("query, status", [
    ("from=Zero%20draft&to=Nope", 404), ("from=Nope&to=Rev%201/2", 404),
    ("paragraph=not-a-paragraph", 404), ("view=sideways", 400), ("view=%3Cscript%3E", 400),
    ("paragraph=" + "x" * 500, 400),
])
def test_bad_parameters(site: tuple[TestClient, dict[str, str]], query: str, status: int) -> None:
    client, _ = site
    response = client.get(f"/obs/compare?{query}")
    assert response.status_code == status
    assert "<script>" not in response.text
    assert client.get(f"/obs/compare.json?{query}").json()["error"]


def test_fewer_than_two_revisions_and_unknown_negotiations(tmp_path: Path) -> None:
    db = str(tmp_path / "t.sqlite")
    tracker = Tracker.open(db)
    tracker.create_negotiation("empty", "Empty", CHAIR)
    tracker.close()
    with TestClient(create_app(db)) as client:
        assert client.get("/empty/compare").status_code == 400
        assert client.get("/nope/compare").status_code == 404


def test_the_demo_redlines(demo: TestClient) -> None:
    client = demo
    for view in ("inline", "side"):
        page = client.get(f"/paris/compare?from=23%20Oct&to=12%20Dec&view={view}")
        assert page.status_code == 200 and "rl-moved" in page.text and "rl-num-change" in page.text
    twin = client.get("/migrants/compare.json?from=74/148&to=78/217").json()
    assert twin["stats"]["renumbered"] > 0 and twin["stats"]["inserted"] > 0


def test_the_arabic_resolution_reads_right_to_left(tmp_path: Path) -> None:
    """The real Arabic texts of two resolutions: each text and redline right to left, in
    Arabic; the page's own words (statuses, links) in English; moves of unnumbered
    (preambular) paragraphs said without an empty number."""
    folder = need_data(MIGRANTS)
    db = str(tmp_path / "ar.sqlite")
    tracker = Tracker.open(db)
    for label, name in (("76/172", "A_RES_76_172-2119207A.xml"), ("78/217", "A_RES_78_217-2325999A.xml")):
        data = (folder / name).read_bytes()
        tracker.publish_revision("ar", label, read_document(data, filename=name), CHAIR)
    tracker.close()
    with TestClient(create_app(db)) as client:
        assert client.get("/ar.json").json()["languages"] == ["ar"]
        revision = client.get("/ar/revisions/78/217").text
        assert '<article class="text" lang="ar" dir="rtl">' in revision
        assert '<p class="meta" lang="en">' in revision and 'dir="auto">حماية المهاجرين</a>' in revision
        side = client.get("/ar/compare?view=side").text
        assert '<table class="redline side-by-side" lang="ar" dir="rtl">' in side
        assert '<span class="rl-move">(moved)</span>' in side and "(moved to )" not in side
        # Emphasis shown as emphasis, its markers taken out, even where a change splits a pair.
        assert "<em>إن الجمعية العامة</em>" in side and "*" not in side.split("<table")[1]
        inline = client.get("/ar/compare").text
        assert 'lang="ar" dir="rtl"' in inline
        paragraph_id = client.get("/ar/revisions/78/217.json").json()["paragraphs"][3]["id"]
        history = client.get(f"/ar/paragraphs/{paragraph_id}").text
        assert '<p class="blame" lang="ar" dir="rtl">' in history and "*" not in history.split('class="blame"')[1]


def test_side_by_side_keeps_emphasis_split_by_a_change() -> None:
    assert _emphasised(["*Recalling", " also*", " the <b> "]) == ["<em>Recalling</em>", "<em> also</em>", " the &lt;b&gt; "]
    assert _emphasised(["2 * 3", " * 4"]) == ["2 * 3", " * 4"]  # not emphasis: left as typed
    assert _emphasised(["**strong** and *em", "\u202e*"]) == [
        "<strong>strong</strong> and <em>em</em>", '<em><span class="control" title="U+202E">U+202E</span></em>']
