"""Live updates without a network: the main fragment, the event stream's form, the page
cache (kept only for anonymous reads, dropped when the negotiation moves)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from tracker.application import Tracker
from tracker.domain.base import Actor
from tracker.text.document import ParsedDocument, ParsedParagraph
from web import common, live
from web.app import create_app
from web.cache import PageCache, negotiation_of

from scenarios import CHAIR, setup_negotiation

MEX = Actor("MEX", "maria")
PAGES = ["/", "/n", "/n/revisions/Zero%20draft", "/n/revisions/Rev%201", "/n/compare"]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    db = str(tmp_path / "t.sqlite")
    tracker = Tracker.open(db)
    setup_negotiation(tracker)
    revised = ParsedDocument(tuple(
        ParsedParagraph(f"States should [act] on matter {i} in good faith.", num=f"{i}.") for i in range(1, 6)))
    tracker.publish_revision("n", "Rev 1", revised, CHAIR, round_number=1)
    tracker.create_negotiation("other", "Another negotiation", CHAIR)
    tracker.close()
    yield create_app(db, follow_interval=60)  # the tests catch up themselves


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every full page rendered (a page served from the cache is not)."""
    seen: list[str] = []
    original = common.templates.TemplateResponse

    def counting(request: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(name)
        return original(request, name, *args, **kwargs)

    monkeypatch.setattr(common.templates, "TemplateResponse", counting)
    return seen


def propose(app: Any, slug: str = "n") -> int:
    site = app.state.site
    if slug == "n":
        site.tracker.propose("n", "1", "replace", MEX, old_text="should", new_text="shall")
    else:
        site.tracker.register_delegation(slug, "NOR", "Norway", "member_state", CHAIR)
    return site.catch_up()


@pytest.mark.parametrize("url", PAGES)
def test_the_main_fragment_is_what_the_page_holds_in_main(client: TestClient, url: str) -> None:
    whole = client.get(url)
    part = client.get(url, headers={"x-fragment": "main"})
    assert part.status_code == whole.status_code == 200
    assert part.headers["x-fragment"] == "main"
    assert "<html" not in part.text and "<main" not in part.text and part.text.strip()
    start = whole.text.index(">", whole.text.index("<main")) + 1
    assert whole.text[start:whole.text.index("</main>")].strip() == part.text.strip()


def test_pages_load_the_live_script_and_htmx_under_the_csp(client: TestClient) -> None:
    page = client.get("/n")
    assert '<script src="/-/static/live.js" defer></script>' in page.text
    assert '<script src="/-/static/htmx-2.0.11.min.js" defer></script>' in page.text
    assert "<script>" not in page.text and " on" + "load=" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for name in ("live.js", "htmx-2.0.11.min.js"):
        script = client.get(f"/-/static/{name}")
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]


def test_stream_form_and_its_end_when_the_application_stops(app: Any, client: TestClient) -> None:
    live = app.state.live
    live.close()  # as at shutdown: a stream opened now says what it must and ends
    body = client.get("/-/live/n")
    assert body.headers["content-type"].startswith("text/event-stream")
    version = live.version("n")
    assert body.text == f"retry: 3000\n\nevent: ready\nid: {version}\ndata: {version}\n\n"
    assert client.get("/-/live/n", headers={"last-event-id": str(version)}).text == "retry: 3000\n\n"
    assert "event: moved" in client.get("/-/live/n", headers={"last-event-id": "1"}).text
    assert "event: ready" in client.get("/-/live").text
    assert client.get("/-/live/nope").status_code == 404
    assert client.get("/-/live/nope", headers={"accept": "application/json"}).json()["error"]


def test_versions_move_only_for_the_negotiation_that_moved(app: Any, client: TestClient) -> None:
    live = app.state.live
    before = {slug: live.version(slug) for slug in ("n", "other", None)}
    position = propose(app, "other")
    assert live.version("other") == live.version(None) == position > before["other"]
    assert live.version("n") == before["n"]
    # From any thread (the follower's), and never backwards.
    mover = threading.Thread(target=propose, args=(app, "n"))
    mover.start()
    mover.join()
    assert live.version("n") == live.version(None) > position
    live.moved(1)
    assert live.version(None) > position


def test_anonymous_reads_are_served_from_the_cache(client: TestClient, renders: list[str]) -> None:
    first = client.get("/n/revisions/Rev%201")
    again = client.get("/n/revisions/Rev%201")
    assert renders == ["revision.html"]
    assert again.text == first.text and again.headers["content-type"] == first.headers["content-type"]
    assert "Accept-Encoding" in again.headers["vary"]
    assert "script-src 'self'" in again.headers["content-security-policy"]
    twin = client.get("/n/revisions/Rev%201", headers={"accept": "application/json"})
    assert twin.json()["label"] == "Rev 1"  # a variant of its own, not the HTML kept above
    client.get("/n/revisions/Rev%201", headers={"x-fragment": "main"})
    assert client.get("/n/revisions/Rev%201").text == first.text


def test_gzip_is_made_once_and_served_as_such(client: TestClient) -> None:
    plain = client.get("/n/compare", headers={"accept-encoding": "identity"})
    zipped = client.get("/n/compare", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(plain.content)
    assert zipped.text == plain.text  # the client undid the gzip


def test_signed_in_or_credentialed_reads_are_never_cached(client: TestClient, renders: list[str]) -> None:
    client.get("/n")
    client.cookies.set("session", "whoever")
    client.get("/n")
    client.get("/n")
    client.cookies.clear()
    client.get("/n", headers={"authorization": "Bearer x"})
    assert renders == ["negotiation.html"] * 4
    client.get("/n")
    assert len(renders) == 4  # the anonymous page kept at first is still good


def test_a_move_drops_that_negotiation_pages_only(app: Any, client: TestClient, renders: list[str]) -> None:
    client.get("/n")
    client.get("/other")
    client.get("/")
    propose(app, "n")
    for url in ("/n", "/other", "/"):
        client.get(url)
    assert renders == ["negotiation.html", "negotiation.html", "negotiations.html",
                       "negotiation.html", "negotiations.html"]


def test_what_is_not_kept(client: TestClient, renders: list[str]) -> None:
    for _ in range(2):
        assert client.get("/n/revisions/nope").status_code == 404
        assert client.head("/n").status_code == 200
    assert renders.count("error.html") == 2 and renders.count("negotiation.html") == 2


def test_pages_and_negotiations() -> None:
    assert [negotiation_of(p) for p in ("/", "/index.json", "/n", "/n.json", "/n/compare", "/a%20b/x")] == [
        None, None, "n", "n", "n", "a%20b"]


def test_many_readers_of_a_changed_page_render_it_once(app: Any, client: TestClient, renders: list[str]) -> None:
    async def read_together() -> list[int]:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://t") as reader:
            answers = await asyncio.gather(*(reader.get("/n/compare") for _ in range(20)))
        return [a.status_code for a in answers]

    # In a thread of its own: a browser test's driver may hold this thread's event loop.
    with ThreadPoolExecutor(1) as runner:
        assert runner.submit(asyncio.run, read_together()).result() == [200] * 20
    assert renders == ["compare.html"]


def test_news_after_the_loop_closed_is_dropped(app: Any, client: TestClient) -> None:
    loop = asyncio.new_event_loop()
    loop.close()
    hub = live.Hub(app.state.site, loop)
    hub.moved(hub.position + 1)  # no error: nobody is left to tell
    assert hub.version(None) == hub.position


def test_the_cache_keeps_within_its_size() -> None:
    class Versions:
        def version(self, slug: str | None) -> int:
            return 1

    renders: list[str] = []

    def sized(request: Any) -> HTMLResponse:
        renders.append(request.url.path)
        return HTMLResponse("x" * int(request.path_params["size"]))

    inner = Starlette(routes=[Route("/n/{size:int}", sized)])
    inner.state.live = Versions()
    cached = Starlette(routes=[Mount("/", PageCache(inner, max_bytes=8000))])
    cached.state.live = inner.state.live
    with TestClient(cached) as client:
        for path in ["/n/400", "/n/500", "/n/400", "/n/2000", "/n/400", "/n/500"]:
            client.get(path, headers={"accept-encoding": "identity"})
    # 2000 bytes is more than an eighth of 8000: never kept; 400 and 500 kept, then served.
    assert renders == ["/n/400", "/n/500", "/n/2000"]
    with TestClient(cached) as client:
        for i in range(8):  # 8 more pages of 900 bytes: past 8000, the least recently used go
            client.get(f"/n/900?i={i}", headers={"accept-encoding": "identity"})
        renders.clear()
        client.get("/n/900?i=7")
        client.get("/n/400")
    assert renders == ["/n/400"]
