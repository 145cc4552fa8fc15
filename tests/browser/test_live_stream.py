"""Server-sent events over a real server on loopback (no browser needed): news arrives,
only for the negotiation it concerns, and stopping the server ends open streams."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from loopback import Served, serve

from tracker.application import Tracker
from tracker.domain.base import Actor

from scenarios import CHAIR, setup_negotiation

MEX = Actor("MEX", "maria")


@pytest.fixture
def served_db(tmp_path: Any) -> str:
    db = str(tmp_path / "served.sqlite")
    tracker = Tracker.open(db)
    setup_negotiation(tracker)
    tracker.create_negotiation("other", "Another negotiation", CHAIR)
    tracker.close()
    return db


def events(response: httpx2.Response) -> Iterator[dict[str, str]]:
    """The stream's events as they come (comments and the retry hint skipped)."""
    event: dict[str, str] = {}
    for line in response.iter_lines():
        if not line:
            if "event" in event:
                yield event
            event = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            event[name] = value.strip()


def propose_elsewhere(db: str, slug: str = "n") -> None:
    """A command written by another process's tracker: the server's follower finds it."""
    tracker = Tracker.open(db)
    try:
        if slug == "n":
            tracker.propose("n", "1", "replace", MEX, old_text="shall", new_text="should")
        else:
            tracker.register_delegation(slug, "NOR", "Norway", "member_state", CHAIR)
    finally:
        tracker.close()


def test_a_page_hears_of_its_negotiation_moving(served: Served, served_db: str) -> None:
    with httpx2.Client(base_url=served.url, timeout=10) as client, client.stream("GET", "/-/live/n") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        stream = events(response)
        ready = next(stream)
        assert ready["event"] == "ready" and ready["id"] == ready["data"]
        propose_elsewhere(served_db, "other")  # another negotiation: not told here
        propose_elsewhere(served_db, "n")
        moved = next(stream)
        assert moved["event"] == "moved" and int(moved["id"]) > int(ready["id"])
        assert int(moved["id"]) == served.site.position


def test_the_list_of_negotiations_hears_every_move(served: Served, served_db: str) -> None:
    with httpx2.Client(base_url=served.url, timeout=10) as client, client.stream("GET", "/-/live") as response:
        stream = events(response)
        ready = next(stream)
        propose_elsewhere(served_db, "other")
        assert int(next(stream)["id"]) > int(ready["id"])


def test_a_reconnecting_page_is_told_what_it_missed(served: Served, served_db: str) -> None:
    with httpx2.Client(base_url=served.url, timeout=10) as client:
        with client.stream("GET", "/-/live/n") as response:
            last = next(events(response))["id"]
        propose_elsewhere(served_db, "n")
        served.wait_for(lambda: served.app.state.live.version("n") > int(last))
        with client.stream("GET", "/-/live/n", headers={"last-event-id": last}) as response:
            moved = next(events(response))
            assert moved["event"] == "moved" and int(moved["id"]) > int(last)


def test_unknown_negotiation_has_no_stream(served: Served) -> None:
    assert httpx2.get(f"{served.url}/-/live/nope", timeout=10).status_code == 404


def test_stopping_the_server_ends_open_streams(served_db: str) -> None:
    served = serve(served_db)
    site = next(served)
    ended = threading.Event()

    def listen() -> None:
        with httpx2.Client(base_url=site.url, timeout=30) as client, client.stream("GET", "/-/live/n") as response:
            for _ in events(response):
                pass
        ended.set()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    site.wait_for(lambda: site.app.state.live.streams == 1)
    with pytest.raises(StopIteration):
        next(served)  # stops the server, and checks that it did stop
    assert ended.wait(10), "the open stream was not ended"
