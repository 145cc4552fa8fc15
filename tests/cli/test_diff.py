"""``tracker diff``: --format json|text|html, --lang, and --files for two files compared directly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from realdata import MIGRANTS, need_data

ZERO = """1. States shall protect the human rights of all migrants, regardless of their status.

2. Calls upon States to cooperate on the safe and dignified return of migrants.

3. Encourages Member States to share good practices on labour migration and skills.

4. Requests the Secretary-General to report at its eightieth session.
"""
REV1 = """1. States shall protect the human rights of all migrants, regardless of their status.

2. Welcomes the work of the International Organization for Migration <script>alert(1)</script>.

3. Encourages Member States to share good practices on labour migration and skills.

4. Requests the Secretary-General to report at its eightieth session.

5. Calls upon States to cooperate on the safe, orderly and dignified return of migrants.
"""


def tracker(
    *args: str, db: str | None = None, check: bool = True, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACKER_USER": "tester"}
    env.pop("TRACKER_DB", None)
    prefix = ["--db", db] if db else []
    result = subprocess.run(
        [sys.executable, "-m", "tracker", *prefix, *args], capture_output=True, text=True, env=env, timeout=120,
        cwd=cwd,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"tracker {' '.join(args)} failed: {result.stderr}")
    return result


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("diff")
    (folder / "zero.txt").write_text(ZERO, encoding="utf-8")
    (folder / "rev1.txt").write_text(REV1, encoding="utf-8")
    return folder / "zero.txt", folder / "rev1.txt"


@pytest.fixture(scope="module")
def db(files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("diffdb") / "t.sqlite")
    for file, label in zip(files, ["Zero draft", "Rev 1"]):
        tracker("import", str(file), "-n", "demo", "--label", label, db=path)
    return path


def test_json_flag_and_format_json_agree(db: str) -> None:
    by_flag = json.loads(tracker("diff", "--negotiation", "demo", "Zero draft", "Rev 1", "--json", db=db).stdout)
    by_format = json.loads(tracker("diff", "-n", "demo", "Zero draft", "Rev 1", "--format", "json", db=db).stdout)
    assert by_flag == by_format
    assert by_flag["from"] == "Zero draft" and by_flag["to"] == "Rev 1"
    statuses = [(p["status"], p["from_num"], p["to_num"]) for p in by_flag["paragraphs"]]
    assert ("moved", "2.", "5.") in statuses
    assert by_flag["stats"]["moved"] == 1


def test_text_is_the_default(db: str) -> None:
    out = tracker("diff", "-n", "demo", "Zero draft", "Rev 1", db=db).stdout
    assert out == tracker("diff", "-n", "demo", "Zero draft", "Rev 1", "--format", "text", db=db).stdout
    assert "(moved from 2.) [-2.-]{+5.+} Calls upon States to cooperate on the safe{+, orderly+} and dignified" in out
    assert "(new) 2. {+Welcomes" in out


def test_html_uses_the_negotiation_language_by_default(db: str) -> None:
    html = tracker("diff", "-n", "demo", "Zero draft", "Rev 1", "--format", "html", db=db).stdout
    assert html.startswith("<!DOCTYPE html>")
    assert '<p class="rl-para' in html and 'lang="en" dir="ltr"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "rl-moved" in html
    arabic = tracker("diff", "-n", "demo", "Zero draft", "Rev 1", "--format", "html", "--lang", "ar", db=db).stdout
    assert 'lang="ar" dir="rtl"' in arabic and "<bdi><ins" in arabic


@pytest.mark.parametrize(
    "args",
    [
        ("diff", "-n", "demo", "Zero draft", "Rev 1", "--json", "--format", "text"),
        ("diff", "-n", "demo", "Zero draft", "Rev 1", "--format", "html", "--lang", 'en"><script>'),
        ("diff", "Zero draft", "Rev 1"),
        ("diff", "-n", "demo", "Zero draft", "Rev 9"),
        ("diff", "--files", "/nonexistent/a.txt", "/nonexistent/b.txt"),
        ("diff", "-n", "demo", "--files", "a", "b"),
    ],
)
def test_bad_input_is_one_line(db: str, args: tuple[str, ...]) -> None:
    result = tracker(*args, db=db, check=False)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_files_compared_directly(files: tuple[Path, Path], tmp_path: Path) -> None:
    zero, rev1 = files
    # No database is needed, nor created.
    out = json.loads(tracker("diff", "--files", str(zero), str(rev1), "--format", "json", cwd=tmp_path).stdout)
    assert not list(tmp_path.iterdir())
    assert out["from"] == "zero.txt" and out["to"] == "rev1.txt"
    entries = out["paragraphs"]
    assert [e["status"] for e in entries] == ["equal", "inserted", "equal", "equal", "moved"]
    assert [e["to_id"] for e in entries] == ["1", "2", "3", "4", "5"]
    moved = entries[-1]
    assert (moved["from_id"], moved["from_num"], moved["to_num"]) == ("2", "2.", "5.")
    assert ["+", ", orderly"] in moved["ops"]
    zero_text = ZERO.split("\n\n")[1].removeprefix("2. ").strip()
    assert "".join(t for op, t in moved["ops"] if op in "=-") == zero_text
    text = tracker("diff", "--files", str(zero), str(rev1)).stdout
    assert "(moved from 2.)" in text and "(new) 2." in text


def test_files_in_arabic_take_the_file_language(tmp_path: Path) -> None:
    need_data(MIGRANTS)
    old, new = MIGRANTS / "A_RES_76_172-2119207A.xml", MIGRANTS / "A_RES_78_217-2325999A.xml"
    html = tracker("diff", "--files", str(old), str(new), "--format", "html").stdout
    assert '<div class="redline" lang="ar" dir="rtl">' in html
    assert "<bdi><del class=\"rl-del\">74/148</del></bdi><bdi><ins class=\"rl-ins\">76/172</ins></bdi>" in html
    out = json.loads(tracker("diff", "--files", str(old), str(new), "--json").stdout)
    assert out["stats"]["moved"] >= 1 and out["stats"]["renumbered"] >= 1
