"""Replay: the negotiation as it stood at any position or time, stepped and slid through,
with a shareable URL; the log read a window at a time; malformed moments refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tracker.application import Tracker
from tracker.domain.base import Actor
from web.app import create_app
from web.views.replay import WINDOW

from scenarios import setup_negotiation


def events(client: TestClient) -> list[dict[str, object]]:
    return client.get("/obs/replay.json").json()["log"]


def test_now_by_default_with_the_last_event_described(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    twin = client.get("/obs/replay.json").json()
    assert twin["position"] == twin["last"] and twin["next"] is None
    assert twin["event"]["type"] == "Amendment.PositionTaken" and twin["event"]["actor"]["delegation"] == "NOR"
    assert twin["label"] == "Rev 1/2" and twin["pending"] == 1
    page = client.get("/obs/replay").text
    assert "Amendment PositionTaken</strong> by NOR" in page
    assert f'<input id="at-slider" type="range" name="at" min="{twin["first"]}" max="{twin["last"]}" step="1" value="{twin["position"]}">' in page
    assert '<form class="slider" method="get" action="/obs/replay">' in page and "<button>Go</button>" in page
    assert '<span aria-disabled="true">Step forward →</span>' in page


def test_a_moment_in_the_past_as_it_stood(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    proposed = client.get(f"/obs/paragraphs/{ids['states']}.json").json()["amendments"][0]["proposed"]
    twin = client.get(f"/obs/replay.json?at={proposed}").json()
    assert twin["label"] == "Zero draft" and twin["event"]["type"] == "Amendment.Proposed"
    assert twin["event"]["position"] == proposed and twin["url"].endswith(f"/obs/replay?at={proposed}")
    states = next(p for p in twin["paragraphs"] if p["num"] == "1.")
    assert [a["id"] for a in states["amendments"]] == [ids["must"]] and states["amendments"][0]["positions"] == []
    later = client.get(f"/obs/replay.json?at={proposed + 3}").json()
    states = next(p for p in later["paragraphs"] if p["num"] == "1.")
    # A moment's positions are [delegation, stance, since] (what ReadModel.at returns).
    assert [p[0] for p in states["amendments"][0]["positions"]] == ["NOR", "FRA", "BRA"]
    page = client.get(f"/obs/replay?at={proposed}").text
    assert f'value="http://testserver/obs/replay?at={proposed}"' in page
    assert "MEX: replace" in page and '<del class="rl-del">[shall][should]</del>' in page


def test_the_positions_held_at_a_moment_are_shown(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    proposed = client.get(f"/obs/paragraphs/{ids['states']}.json").json()["amendments"][0]["proposed"]
    page = client.get(f"/obs/replay?at={proposed + 3}").text
    assert "NOR supports, FRA opposes, BRA co-sponsors" in page
    assert f'href="/obs/amendments/{ids["must"]}"' in page


def test_stepping_moves_one_event_of_this_negotiation(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    first = client.get("/obs/replay.json").json()["first"]
    twin = client.get(f"/obs/replay.json?at={first}").json()
    assert twin["previous"] is None and twin["event"]["type"] == "Negotiation.Created"
    assert twin["label"] is None and twin["paragraphs"] == []
    seen = [first]
    for _ in range(5):
        seen.append(client.get(f"/obs/replay.json?at={seen[-1]}").json()["next"])
    assert seen == sorted(seen) and len(set(seen)) == 6
    back = client.get(f"/obs/replay.json?at={seen[-1]}").json()["previous"]
    assert back == seen[-2]
    page = client.get(f"/obs/replay?at={seen[2]}").text
    assert f'rel="prev" href="/obs/replay?at={seen[1]}"' in page and f'rel="next" href="/obs/replay?at={seen[3]}"' in page
    # Before the negotiation began (its first position is after the other negotiation's).
    before = client.get(f"/obs/replay.json?at={first - 1}").json()
    assert before["event"] is None and before["paragraphs"] == []


def test_the_log_is_a_window_around_the_moment(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    twin = client.get("/obs/replay.json").json()
    middle = twin["log"][WINDOW // 2]["position"]
    around = client.get(f"/obs/replay.json?at={middle}").json()["log"]
    assert len(around) <= 2 * WINDOW + 1
    assert middle in [e["position"] for e in around]
    assert all(e["position"] >= twin["first"] for e in around)
    page = client.get(f"/obs/replay?at={middle}").text
    assert len(re.findall(r'<li[^>]*><a href="/obs/replay\?at=\d+">', page)) == len(around)
    assert 'aria-current="step"' in page


def test_at_a_time(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    now = client.get("/obs/replay.json").json()
    stamp = now["event"]["timestamp"]
    assert client.get("/obs/replay.json", params={"at": stamp}).json()["position"] == now["position"]
    assert client.get(f"/obs/replay.json?at={stamp}").json()["position"] == now["position"]  # "+" read as " "
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.get(f"/obs/replay.json?at={tomorrow}").json()["position"] == now["position"]
    long_ago = client.get("/obs/replay.json?at=2000-01-01").json()
    assert long_ago["position"] == 0 and long_ago["paragraphs"] == []
    assert client.get("/obs/replay.json?at=2000-01-01T00:00%2B02:00").status_code == 200


@pytest.mark.parametrize("at", ["abc", "-1", "1.5", "1e3", "99999999999999999999999", str(2**63), "2026-13-45",
                                "12:00:99", "%3Cscript%3E", "%00", "٣",
                                # Times that exist, but not in UTC: past either end of the calendar.
                                "0001-01-01T00:00%2B14:00", "9999-12-31T23:59:59-14:00"])
def test_malformed_moments_are_400(site: tuple[TestClient, dict[str, str]], at: str) -> None:
    client, _ = site
    response = client.get(f"/obs/replay?at={at}")
    assert response.status_code == 400
    assert "<script>" not in response.text
    assert client.get(f"/obs/replay.json?at={at}").json()["error"]


def test_after_the_last_event_is_400_and_unknown_negotiations_404(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    last = client.get("/obs/replay.json").json()["last"]
    assert client.get(f"/obs/replay?at={last + 1}").status_code == 400
    assert client.get("/nope/replay").status_code == 404
    assert client.get("/nope/replay.json?at=1").status_code == 404


def test_a_long_log_is_never_read_whole(tmp_path: Path) -> None:
    db = str(tmp_path / "t.sqlite")
    tracker = Tracker.open(db)
    setup_negotiation(tracker)
    amendment, _ = tracker.propose("n", "1", "retain", Actor("MEX", "u"))
    for i in range(150):
        tracker.take_position("n", str(amendment), ("supports", "opposes")[i % 2], Actor("NOR", "u"))
    tracker.close()
    with TestClient(create_app(db)) as client:
        twin = client.get("/n/replay.json").json()
        assert len(twin["log"]) == WINDOW + 1
        middle = client.get(f"/n/replay.json?at={twin['first'] + 80}").json()
        assert len(middle["log"]) == 2 * WINDOW + 1


def test_the_demo_replay(demo: TestClient) -> None:
    client = demo
    revisions = client.get("/paris.json").json()["revisions"]
    at = revisions[1]["position"]
    twin = client.get(f"/paris/replay.json?at={at}").json()
    assert twin["label"] == "4 Dec" and twin["event"]["type"] == "Revision.Published"
    assert len(twin["paragraphs"]) == 431
    page = client.get(f"/paris/replay?at={at}")
    assert page.status_code == 200 and 'class="br br-d1' in page.text
