"""The demo command: the real negotiations when the data is there, the sample otherwise."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from realdata import DATA, need_data


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_demo_on_real_texts(tmp_path: Path) -> None:
    need_data(DATA)
    db = str(tmp_path / "demo.sqlite")
    result = run("--db", db, "demo", "--data", str(DATA))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[paris]" in out and "[migrants]" in out
    assert "revision 12 Dec" in out and "revision 78/217" in out
    assert "7 amendments" in out
    revisions = json.loads(run("--db", db, "revisions", "-n", "paris", "--json").stdout)["revisions"]
    assert [r["label"] for r in revisions] == ["23 Oct", "4 Dec", "9 Dec", "12 Dec"]
    assert [r["round"] for r in revisions] == [1, 2, 3, 3]
    log = [json.loads(line) for line in run("--db", db, "log", "-n", "paris", "--json").stdout.splitlines()]
    types = {r["type"] for r in log}
    assert {"Amendment.Proposed", "Amendment.PositionTaken", "Amendment.Withdrawn", "Amendment.Decided",
            "StakeholderInput.Submitted", "SilenceProcedure.Broken", "Paragraph.StatusChanged"} <= types
    assert {r["actor"]["delegation"] for r in log} >= {"AOSIS", "USA", "COFAC", "SECRETARIAT"}
    again = run("--db", db, "demo", "--data", str(DATA))
    assert again.returncode == 0 and "already in the database" in again.stdout


def test_demo_without_real_texts_builds_the_sample(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.sqlite")
    result = run("--db", db, "demo", "--data", str(tmp_path / "nothing-here"))
    assert result.returncode == 0, result.stderr
    assert "building the sample negotiation" in result.stdout and "[sample]" in result.stdout
    diff = json.loads(run("--db", db, "diff", "-n", "sample", "Zero draft", "Rev 1", "--json").stdout)
    assert {e["status"] for e in diff["paragraphs"]} >= {"equal", "changed", "inserted"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.sqlite")
    assert run("--db", db, "demo", "--data", str(tmp_path / "none")).returncode == 0
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker", "--db", db, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/index.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer")
        assert response.status_code == 200
        assert response.json()["negotiations"][0]["slug"] == "sample"
    finally:
        server.terminate()
        server.wait(timeout=10)
