"""The pages in a real browser (Debian's Chromium through Playwright), against the tracker
served on loopback: compare, replay, hostile text kept inert, and a proposal showing up on
an observer's open page without a reload. Screenshots go to tests/browser/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from loopback import Served, Watched

from tracker import passwords
from tracker.application import Tracker
from tracker.domain.base import Actor
from tracker.text.document import ParsedDocument, ParsedParagraph

from scenarios import CHAIR, setup_negotiation

MEX = Actor("MEX", "maria")
NOR = Actor("NOR", "nils")
HOSTILE = ('<script>alert("script")</script><img src=x onerror="alert(\'img\')">'
           '<a href="javascript:alert(1)" onclick="alert(2)">x</a> \u202egnirts desrever\u202c')
PASSWORD = "a long enough password"
OpenPage = Callable[[], Watched]


@pytest.fixture
def served_db(tmp_path: Path) -> str:
    db = str(tmp_path / "served.sqlite")
    tracker = Tracker.open(db)
    setup_negotiation(tracker)
    revised = ParsedDocument((
        ParsedParagraph("A new first paragraph on cooperation.", num="1."),
        *(ParsedParagraph(f"States should [act] on matter {i} in good faith.", num=f"{i + 1}.") for i in range(1, 6)),
    ))
    tracker.publish_revision("n", "Rev 1", revised, CHAIR, round_number=1)
    tracker.propose("n", "3", "replace", NOR, old_text="should", new_text=HOSTILE, rationale=HOSTILE)
    tracker.register_user("maria", "Maria", "delegate", "MEX", passwords.hash_password(PASSWORD), CHAIR)
    tracker.close()
    return db


def paragraph_url(served: Served, num: str, label: str = "Rev 1") -> str:
    found = next(p for p in served.site.reader.revision("n", label)["paragraphs"] if p["num"] == num)
    return f"{served.url}/n/paragraphs/{found['id']}"


def test_compare_inline_and_side_by_side(served: Served, open_page: OpenPage) -> None:
    watched = open_page()
    page = watched.page
    page.goto(f"{served.url}/n/compare?from={quote('Zero draft')}&to={quote('Rev 1')}")
    page.wait_for_selector("html[data-live=open]", state="attached")
    assert page.locator("ins.rl-ins").count() > 0 and page.locator("del.rl-del").count() > 0
    assert page.locator("del.rl-del", has_text="shall").count() > 0
    assert page.locator("ins.rl-ins", has_text="should").count() > 0
    watched.screenshot("compare-inline")
    # Its first check found the page as drawn: nothing swapped for nothing.
    page.wait_for_selector("html[data-live-checks]", state="attached")
    assert page.get_attribute("html", "data-live-updates") is None
    page.goto(f"{served.url}/n/compare?from={quote('Zero draft')}&to={quote('Rev 1')}&view=side")
    assert page.locator("ins.rl-ins").count() > 0
    watched.screenshot("compare-side-by-side")
    watched.assert_clean()


def test_replay_steps_through_the_log(served: Served, open_page: OpenPage) -> None:
    watched = open_page()
    page = watched.page
    page.goto(f"{served.url}/n/replay")
    page.wait_for_selector("html[data-live-checks]", state="attached")  # its first live check done
    assert page.get_attribute("html", "data-live-updates") is None
    now = page.locator("h1").inner_text()
    page.locator("a[rel=prev]").first.click()
    page.wait_for_url(re.compile(r"/n/replay\?at=\d+$"))
    assert page.locator("h1").inner_text() != now
    shared = page.url
    watched.screenshot("replay-step-back")
    page.goto(f"{served.url}/n/replay?at=1")
    page.goto(shared)  # the shareable URL shows the same moment again
    assert page.locator("h1").inner_text() != now
    watched.assert_clean()


def test_hostile_text_in_an_amendment_stays_text(served: Served, open_page: OpenPage) -> None:
    watched = open_page()
    page = watched.page
    page.goto(paragraph_url(served, "3."))
    shown = page.locator("main").inner_text()
    assert '<script>alert("script")</script>' in shown
    assert "onerror=" in shown and "javascript:alert(1)" in shown
    # The override is kept (shown as its code point, or as the character), and its text too.
    assert "gnirts desrever" in shown and ("U+202E" in shown or "\u202e" in shown)
    assert page.locator("main script").count() == 0
    assert page.locator("main img").count() == 0
    assert page.locator("main [onclick], main [onerror]").count() == 0
    assert page.locator("main a[href^='javascript:']").count() == 0
    page.wait_for_timeout(300)  # let anything that would fire, fire
    watched.screenshot("hostile-amendment")
    watched.assert_clean()


def test_a_proposal_shows_up_on_an_observers_open_page(served: Served, served_db: str,
                                                        open_page: OpenPage) -> None:
    observer = open_page()
    page = observer.page
    page.goto(paragraph_url(served, "2."))
    page.wait_for_selector("html[data-live=open]", state="attached")
    page.evaluate("window.stillTheSamePage = true")
    assert "cooperate in earnest" not in page.locator("main").inner_text()

    # A delegation proposes, through the record (as another worker or the CLI would).
    tracker = Tracker.open(served_db)
    try:
        tracker.propose("n", "2", "replace", MEX, old_text="should",
                        new_text="shall cooperate in earnest <img src=x onerror=\"alert('swapped in')\">")
    finally:
        tracker.close()

    page.locator("main ins", has_text="shall cooperate in earnest").wait_for(timeout=10_000)
    assert page.evaluate("window.stillTheSamePage") is True  # updated in place, not reloaded
    assert int(page.get_attribute("html", "data-live-updates") or 0) >= 1
    assert page.locator("main img").count() == 0  # what came in live is as inert as the rest
    observer.screenshot("live-update-observer")
    observer.assert_clean()


def test_a_delegate_proposes_in_the_browser_and_an_observer_sees_it(served: Served, open_page: OpenPage) -> None:
    url = paragraph_url(served, "4.")
    observer = open_page()
    observer.page.goto(url)
    observer.page.wait_for_selector("html[data-live=open]", state="attached")
    observer.page.evaluate("window.stillTheSamePage = true")

    delegate = open_page()
    page = delegate.page
    page.goto(f"{served.url}/-/login?next={quote(url.removeprefix(served.url))}")
    page.fill("input[name=username]", "maria")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button")
    page.wait_for_url(url)
    page.click("main a[href$='/propose']")
    page.check("input[name=action][value=replace]")
    page.fill("textarea[name=old_text]", "in good faith")
    page.fill("textarea[name=new_text]", "with all deliberate speed")
    page.click("button[name=step][value=preview]")
    assert page.locator("main .preview ins", has_text="with all deliberate speed").count() > 0
    # A page answering a form is never refreshed under the user (its URL gives the empty form).
    assert page.locator("script[src='/-/static/live.js']").count() == 0
    delegate.screenshot("propose-preview")
    page.click("button[name=step][value=submit]")
    page.wait_for_load_state()

    observer.page.locator("main ins", has_text="with all deliberate speed").wait_for(timeout=10_000)
    assert observer.page.evaluate("window.stillTheSamePage") is True
    observer.screenshot("live-update-after-browser-proposal")
    delegate.assert_clean()
    observer.assert_clean()


def test_an_error_page_follows_nothing(served: Served, open_page: OpenPage) -> None:
    watched = open_page()
    asked: list[str] = []
    watched.page.on("request", lambda r: asked.append(r.url))
    response = watched.page.goto(f"{served.url}/nope/revisions/x")
    assert response is not None and response.status == 404
    watched.page.wait_for_load_state("networkidle")
    assert watched.page.get_attribute("html", "data-live") is None
    assert not [url for url in asked if "/-/live" in url]
    # The one console error is Chromium's own note of the 404 itself.
    assert len(watched.errors) == 1 and "404" in watched.errors[0] and not watched.dialogs


def test_an_observer_keeps_what_they_are_typing(served: Served, open_page: OpenPage) -> None:
    observer = open_page()
    page = observer.page
    page.goto(f"{served.url}/n/replay")
    page.wait_for_selector("html[data-live=open]", state="attached")
    field = page.locator("main input[name=at][type=text]")
    field.fill("2026-02-02T12:00Z")
    served.site.tracker.mark_paragraph("n", "2.", "bracketed", CHAIR)
    page.wait_for_selector("html[data-live=held]", state="attached")
    assert field.input_value() == "2026-02-02T12:00Z"
    observer.assert_clean()
