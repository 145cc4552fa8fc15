"""Sites the read-only page tests share: a constructed negotiation per module, and the
demo (real texts) built once per session, since reading never changes it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tracker.application import Tracker
from tracker.demo import build_demo
from web.app import create_app

from realdata import DATA, need_data
from scenarios import observed_negotiation


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client on ``observed_negotiation`` (slug ``obs``), and that negotiation's ids."""
    db = str(tmp_path_factory.mktemp("read") / "t.sqlite")
    tracker = Tracker.open(db)
    ids = observed_negotiation(tracker)
    tracker.close()
    with TestClient(create_app(db)) as client:
        yield client, ids


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    data = need_data(DATA)
    db = str(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    tracker = Tracker.open(db)
    list(build_demo(tracker, data))
    tracker.close()
    return db


@pytest.fixture
def demo(demo_db: str) -> Iterator[TestClient]:
    """A client on the demo negotiations, for tests that only read."""
    with TestClient(create_app(demo_db)) as client:
        yield client
