"""Shared fixtures: the real data folder, and a tracker on each real store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from stores import fresh_schema

from projections.readmodel import ReadModel
from tracker.application import Tracker

from realdata import IN_CI

# Locally, property tests draw new examples every run and keep finding new cases; in CI
# they draw the same ones every time, so that a landing never hangs on a lucky draw.
settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    settings.load_profile("ci")

PG_URL = os.environ.get("TRACKER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")



def _postgres_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except Exception as error:  # noqa: BLE001 - any failure means "not here"
        return f"{type(error).__name__}: {error}"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    problem = _postgres_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL must be reachable under CI=true ({PG_URL}): {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {problem}")
    return PG_URL


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[str]:
    """A fresh schema per test, dropped afterwards: tests never see each other's events."""
    with fresh_schema(postgres_url) as url:
        yield url


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    return str(tmp_path / "tracker.sqlite")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> str:
    """Each store for real: a SQLite file, and a schema on the PostgreSQL server."""
    return request.getfixturevalue(f"{request.param}_db")


@pytest.fixture
def tracker(db: str) -> Iterator[Tracker]:
    app = Tracker.open(db)
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def read(db: str, tracker: Tracker) -> Iterator[ReadModel]:
    """The read side over the same store, sharing the tracker's connection to the log."""
    model = ReadModel.open(db, tracker=tracker)
    try:
        yield model
    finally:
        model.close()
