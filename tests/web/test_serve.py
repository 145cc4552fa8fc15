"""`tracker serve --workers N`: every worker builds the same application from the
environment, and signs sessions with one shared key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from web import app as web_app


def test_several_workers_share_the_database_and_the_session_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "t.sqlite")
    monkeypatch.delenv("TRACKER_DB", raising=False)
    monkeypatch.delenv("TRACKER_SECRET", raising=False)
    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    web_app.serve(db, "127.0.0.1", 8123, workers=2)
    assert started["app"] == "web.app:app_from_environment" and started["factory"] and started["workers"] == 2
    assert os.environ["TRACKER_DB"] == db and len(os.environ["TRACKER_SECRET"]) >= 32
    with TestClient(web_app.app_from_environment()) as client:
        assert client.get("/index.json").json() == {"negotiations": []}
