"""The CLI contract of DESIGN.md, driven as a script would drive it: a subprocess each."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tracker.text.tokens import tokenize

from realdata import MIGRANTS, PARIS, need_data

ENGLISH = ["A_RES_74_148_E.xml", "A_RES_76_172-2119207E.xml", "A_RES_78_217-2325999E.xml"]
PARIS_ROUNDS = [
    ("23 Oct", "agreement_23-oct-2015_index.md"),
    ("4 Dec", "agreement_4-dec-2015_index.md"),
    ("9 Dec", "agreement_9-dec-2015_index.md"),
    ("12 Dec", "agreement_12-dec-2015_index.md"),
]


def tracker(db: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACKER_USER": "tester"}
    env.pop("TRACKER_DB", None)
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", db, *args], capture_output=True, text=True, env=env, timeout=120
    )
    if check and result.returncode != 0:
        raise AssertionError(f"tracker {' '.join(args)} failed: {result.stderr}")
    return result


def as_json(db: str, *args: str) -> Any:
    return json.loads(tracker(db, *args).stdout)


@pytest.fixture(scope="module")
def migrants_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    need_data(MIGRANTS)
    db = str(tmp_path_factory.mktemp("cli") / "migrants.sqlite")
    for name, label in zip(ENGLISH, ["74/148", "76/172", "78/217"], strict=True):
        tracker(db, "import", str(MIGRANTS / name), "--negotiation", "migrants", "--label", label)
    return db


def test_revisions_json(migrants_db: str) -> None:
    out = as_json(migrants_db, "revisions", "--negotiation", "migrants", "--json")
    assert out["negotiation"] == "migrants"
    labels = [r["label"] for r in out["revisions"]]
    assert labels == ["74/148", "76/172", "78/217"]
    positions = [r["position"] for r in out["revisions"]]
    assert positions == sorted(positions)
    assert all(r["timestamp"] for r in out["revisions"])
    assert [r["symbol"] for r in out["revisions"]] == ["A/RES/74/148", "A/RES/76/172", "A/RES/78/217"]


def test_show_json_shape_and_matching(migrants_db: str) -> None:
    texts = {
        label: as_json(migrants_db, "show", "--negotiation", "migrants", "--label", label, "--json")
        for label in ("74/148", "76/172", "78/217")
    }
    shown = texts["78/217"]
    assert shown["negotiation"] == "migrants" and shown["label"] == "78/217"
    first = shown["paragraphs"][0]
    assert set(first) >= {"id", "num", "text", "footnotes"}
    operative = [p for p in shown["paragraphs"] if p["kind"] == "operative"]
    assert [p["num"] for p in operative[:3]] == ["1.", "2.", "3."]
    for p in shown["paragraphs"]:
        assert p["num"] == "" or not p["text"].startswith(p["num"]), p
    # Footnotes stay out of the text.
    assert not any("Treaty Series" in p["text"] for p in shown["paragraphs"])
    assert any("Treaty Series" in f["text"] for p in shown["paragraphs"] for f in p["footnotes"])
    # Renumbered and reworded paragraphs keep their ids across years.
    for older, newer in (("74/148", "76/172"), ("76/172", "78/217")):
        old_ids = {p["id"] for p in texts[older]["paragraphs"]}
        carried = [p for p in texts[newer]["paragraphs"] if p["id"] in old_ids]
        assert len(carried) >= 0.8 * len(texts[older]["paragraphs"])
        renumbered = [p for p in carried if p["match"]["from_num"] != p["num"]]
        assert renumbered, "some paragraphs were renumbered between these years"
        for p in carried:
            assert p["match"]["method"] in {"exact", "similar", "moved", "position"}


def test_show_at_position_and_time(migrants_db: str) -> None:
    revisions = as_json(migrants_db, "revisions", "--negotiation", "migrants", "--json")["revisions"]
    second = revisions[1]
    at = as_json(migrants_db, "show", "--negotiation", "migrants", "--at", str(second["position"]), "--json")
    assert at["label"] == "76/172"
    just_before = as_json(migrants_db, "show", "--negotiation", "migrants", "--at", str(second["position"] - 1), "--json")
    assert just_before["label"] == "74/148"
    at_time = as_json(migrants_db, "show", "--negotiation", "migrants", "--at", second["timestamp"], "--json")
    assert at_time["label"] == "76/172"
    before_all = as_json(migrants_db, "show", "--negotiation", "migrants", "--at", "1999-01-01T00:00:00Z", "--json")
    assert before_all["paragraphs"] == []


def test_log_json_lines(migrants_db: str) -> None:
    lines = tracker(migrants_db, "log", "--negotiation", "migrants", "--json").stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["type"] == "Negotiation.Created"
    positions = [r["position"] for r in records]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    for r in records:
        assert {"position", "type", "timestamp", "actor"} <= set(r)
        assert r["actor"] == {"delegation": "SECRETARIAT", "user": "tester"}
    assert sum(r["type"] == "Revision.Published" for r in records) == 3


def test_diff_json_rebuilds_both_sides(migrants_db: str) -> None:
    out = as_json(migrants_db, "diff", "--negotiation", "migrants", "76/172", "78/217", "--json")
    assert out["from"] == "76/172" and out["to"] == "78/217"
    old = as_json(migrants_db, "show", "--negotiation", "migrants", "--label", "76/172", "--json")["paragraphs"]
    new = as_json(migrants_db, "show", "--negotiation", "migrants", "--label", "78/217", "--json")["paragraphs"]
    by_old = {p["id"]: p for p in old}
    by_new = {p["id"]: p for p in new}
    statuses = set()
    for entry in out["paragraphs"]:
        statuses.add(entry["status"])
        assert entry["status"] in {"equal", "changed", "inserted", "deleted", "moved"}
        old_text = "".join(t for op, t in entry["ops"] if op in "=-")
        new_text = "".join(t for op, t in entry["ops"] if op in "=+")
        if entry["from_id"]:
            assert old_text == by_old[entry["from_id"]]["text"]
        if entry["to_id"]:
            assert new_text == by_new[entry["to_id"]]["text"]
        for _, text in entry["ops"]:
            assert "".join(tokenize(text)) == text
    assert {"equal", "changed", "inserted"} <= statuses
    # entries follow the new text's order
    new_order = [e["to_id"] for e in out["paragraphs"] if e["to_id"]]
    assert new_order == [p["id"] for p in new]
    text = tracker(migrants_db, "diff", "--negotiation", "migrants", "76/172", "78/217").stdout
    assert "[-" in text and "{+" in text


@pytest.mark.parametrize("fmt", ["auto", "md"])
def test_paris_rounds_import_and_keep_ids(tmp_path: Path, fmt: str) -> None:
    need_data(PARIS)
    db = str(tmp_path / "paris.sqlite")
    for label, name in PARIS_ROUNDS:
        tracker(db, "import", str(PARIS / name), "-n", "paris", "--label", label, "--format", fmt)
    shown = {label: as_json(db, "show", "-n", "paris", "--label", label, "--json") for label, _ in PARIS_ROUNDS}
    for (older, _), (newer, _) in zip(PARIS_ROUNDS, PARIS_ROUNDS[1:]):
        old_ids = {p["id"] for p in shown[older]["paragraphs"]}
        new_paragraphs = shown[newer]["paragraphs"]
        carried = sum(p["id"] in old_ids for p in new_paragraphs)
        assert carried >= 0.5 * len(new_paragraphs), (older, newer, carried)
    # The preamble's first line survives all four rounds with one id.
    firsts = {
        label: next(p["id"] for p in s["paragraphs"] if p["text"].startswith("The Parties to this Agreement"))
        for label, s in shown.items()
    }
    assert len(set(firsts.values())) == 1


def _count_events(db: str) -> int:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
        return sum(conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables if "event" in t)


BAD_FILES = {
    "not-xml.xml": b"this is not xml <at all",
    "truncated.xml": b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><statement><preamble><p>Recal',
    "binary.bin": bytes(range(256)) * 8,
    "latin1.txt": "1. Décide de créer un comité.\n".encode("latin-1"),
    "empty.md": b"",
    "bomb.xml": b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<akomaNtoso><p>&lol3;</p></akomaNtoso>""",
    "xxe.xml": b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><akomaNtoso>&e;</akomaNtoso>""",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_changes_nothing(tmp_path: Path, name: str) -> None:
    db = str(tmp_path / "t.sqlite")
    good = tmp_path / "good.txt"
    good.write_text("1. States shall cooperate.\n\n2. States shall report.\n", encoding="utf-8")
    tracker(db, "import", str(good), "-n", "existing", "--label", "Zero draft")
    before = _count_events(db)
    bad = tmp_path / name
    bad.write_bytes(BAD_FILES[name])
    for slug in ("existing", "brand-new"):
        result = tracker(db, "import", str(bad), "-n", slug, "--label", "Rev 1", check=False)
        assert result.returncode != 0
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("tracker: ")
    assert _count_events(db) == before
    assert as_json(db, "negotiation", "list", "--json") == [
        {"slug": "existing", "title": "existing", "symbol": "", "revisions": 1}
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "-n", "nope", "--json"], "unknown negotiation 'nope'"),
        (["show", "-n", "existing", "--label", "Rev 9"], "no revision 'Rev 9'"),
        (["show", "-n", "existing", "--at", "yesterday"], "bad time"),
        (["import", "/no/such/file.md", "-n", "x", "--label", "a"], "no such file"),
        (["import", "good.txt", "-n", "existing", "--label", "Zero draft"], "already exists"),
        (["import", "good.txt", "-n", "bad slug!", "--label", "a"], "bad negotiation slug"),
        (["diff", "-n", "existing", "Zero draft", "Rev 7"], "no revision 'Rev 7'"),
        (["amendment", "propose", "-n", "existing", "1", "retain", "--as", "MEX"], "unknown delegation 'MEX'"),
        (["amendment", "show", "-n", "existing", "not-a-uuid"], "bad amendment id"),
        (["round", "schedule", "-n", "existing", "--number", "1", "--starts", "2026-13-01", "--ends", "2026-01-02"],
         "bad start date"),
        # Numbers past what the log can hold, digits that are not ASCII, and what click
        # itself refuses: one line too.
        (["show", "-n", "existing", "--at", "99999999999999999999"], "bad position"),
        (["show", "-n", "existing", "--at", "\u00b2"], "bad time"),
        (["compilation", "-n", "existing", "--at", "99999999999999999999"], "not in the range"),
        (["compilation", "-n", "existing", "--at", "soon"], "is not a valid integer"),
        (["round", "schedule", "-n", "existing", "--number", "99999999999999999999", "--starts", "2026-01-01",
          "--ends", "2026-01-02"], "round numbers run from 1 to 999"),
        (["serve", "--port", "999999"], "not in the range"),
        (["amendment", "support", "-n", "existing"], "Missing argument"),
        (["--no-such-option"], "No such option"),
    ],
)
def test_clean_one_line_errors(tmp_path: Path, args: list[str], message: str) -> None:
    db = str(tmp_path / "t.sqlite")
    good = tmp_path / "good.txt"
    good.write_text("1. States shall cooperate.\n", encoding="utf-8")
    tracker(db, "import", str(good), "-n", "existing", "--label", "Zero draft")
    args = [str(good) if a == "good.txt" else a for a in args]
    result = tracker(db, *args, check=False)
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_bad_db_settings(tmp_path: Path) -> None:
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("meeting notes, not a database\n", encoding="utf-8")
    for db, message in [
        (str(tmp_path / "missing-folder" / "x.sqlite"), "does not exist"),
        (str(not_sqlite), "is not a SQLite database"),
        ("mysql://localhost/x", "unsupported database URL"),
        ("postgresql://127.0.0.1:1/nothing", "cannot reach the database"),
    ]:
        result = tracker(db, "negotiation", "list", check=False)
        assert result.returncode != 0 and message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not_sqlite.read_text(encoding="utf-8") == "meeting notes, not a database\n"


def test_every_command_has_help() -> None:
    from click import Group

    from tracker.cli import main

    def walk(group: Group, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, command in group.commands.items():
            found += walk(command, [*path, name]) if isinstance(command, Group) else [[*path, name]]
        return found

    for path in walk(main, []):
        result = subprocess.run([sys.executable, "-m", "tracker", *path, "--help"], capture_output=True, text=True)
        assert result.returncode == 0 and "Usage:" in result.stdout, path


def test_domain_actions_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "t.sqlite")
    good = tmp_path / "zero.txt"
    good.write_text("1. States shall cooperate in good faith.\n\n2. States shall report every two years.\n")
    run = lambda *a: tracker(db, *a)  # noqa: E731
    run("import", str(good), "-n", "c", "--label", "Zero draft")
    run("delegation", "register", "-n", "c", "--code", "MEX", "--name", "Mexico")
    run("delegation", "register", "-n", "c", "--code", "NOR", "--name", "Norway")
    run("delegation", "register", "-n", "c", "--code", "G77", "--name", "G77 and China", "--kind", "group")
    run("delegation", "register", "-n", "c", "--code", "NGO", "--name", "An NGO", "--kind", "stakeholder")
    run("delegation", "join", "-n", "c", "MEX", "G77")
    run("round", "schedule", "-n", "c", "--number", "1", "--starts", "2026-02-02", "--ends", "2026-02-04")
    run("round", "open", "-n", "c", "1")
    proposed = as_json(db, "amendment", "propose", "-n", "c", "2", "replace", "--old", "two", "--new", "three",
                       "--as", "MEX", "--on-behalf-of", "G77", "--json")
    amendment_id = proposed["id"]
    run("amendment", "support", "-n", "c", amendment_id, "--as", "NOR")
    refused = tracker(db, "amendment", "withdraw", "-n", "c", amendment_id, "--as", "NOR", check=False)
    assert refused.returncode == 1 and "only MEX" in refused.stderr
    run("amendment", "revise", "-n", "c", amendment_id, "--new", "four", "--as", "MEX")
    run("amendment", "decide", "-n", "c", amendment_id, "not_retained")
    shown = as_json(db, "amendment", "show", "-n", "c", amendment_id, "--json")
    assert shown["status"] == "not_retained" and shown["positions"] == {"NOR": {"stance": "supports", "note": ""}}
    assert shown["round"] == 1
    run("paragraph", "mark", "-n", "c", "1", "agreed_ad_ref")
    opened = as_json(db, "silence", "open", "-n", "c", "--deadline", "2999-01-01T12:00Z", "--paragraph", "2", "--json")
    run("silence", "break", "-n", "c", opened["id"], "--reason", "consulting", "--as", "NOR")
    run("input", "submit", "-n", "c", "--text", "Please consult us.", "--paragraph", "1", "--as", "NGO")
    refused = tracker(db, "amendment", "propose", "-n", "c", "1", "retain", "--as", "NGO", check=False)
    assert "stakeholder" in refused.stderr
    types = [json.loads(line)["type"] for line in run("log", "-n", "c", "--json").stdout.splitlines()]
    for expected in ("Amendment.Proposed", "Amendment.PositionTaken", "Amendment.Revised", "Amendment.Decided",
                     "Paragraph.StatusChanged", "SilenceProcedure.Opened", "SilenceProcedure.Broken",
                     "StakeholderInput.Submitted", "Negotiation.RoundOpened", "Negotiation.GroupJoined"):
        assert expected in types
