"""Both stores for real, and events that keep their types through orjson."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from tracker.application import Tracker
from tracker.domain.base import Actor
from tracker.storage import SQLITE_PAGE_SIZE, StorageError, persistence_env
from tracker.text.document import ParsedDocument, ParsedParagraph
from tracker.transcoder import OrjsonTranscoder, register_tracker_transcodings

SECRETARIAT = Actor("SECRETARIAT", "tester")


def transcoder() -> OrjsonTranscoder:
    t = OrjsonTranscoder()
    register_tracker_transcodings(t)
    return t


def test_types_round_trip_exactly() -> None:
    value = {
        "id": uuid.uuid4(),
        "at": datetime(2026, 2, 3, 4, 5, 6, 789012, tzinfo=timezone(timedelta(hours=-5))),
        "day": date(2026, 2, 3),
        "amount": Decimal("1.50"),
        "actor": Actor("MEX", "ana"),
        "nested": [{"ids": [uuid.uuid4(), uuid.uuid4()], "pair": (1, "a")}, None, 1.5, True],
        "text": "Arabic العربية, Chinese 中文, emoji 🌍, NUL-free",
        "tagged_lookalike": {"_type_": "x", "other": 1},
    }
    t = transcoder()
    assert t.decode(t.encode(value)) == value
    decoded = t.decode(t.encode(value))
    assert type(decoded["nested"][0]["pair"]) is tuple and type(decoded["day"]) is date
    assert type(decoded["at"]) is datetime and decoded["at"].utcoffset() == timedelta(hours=-5)


def test_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError):
        transcoder().encode({"x": object()})


def test_settings() -> None:
    assert persistence_env("x.sqlite")["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    pg = persistence_env("postgresql://alice:s%40cret@db.example:6543/negotiations?schema=s1")
    assert pg["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"], pg["POSTGRES_HOST"]) == ("alice", "s@cret", "db.example")
    assert (pg["POSTGRES_PORT"], pg["POSTGRES_DBNAME"], pg["POSTGRES_SCHEMA"]) == ("6543", "negotiations", "s1")
    for bad in ("postgresql://host/", "redis://x", "postgresql://h:notaport/db"):
        with pytest.raises(StorageError):
            persistence_env(bad)


def test_a_new_sqlite_file_gets_larger_pages_and_an_existing_one_keeps_its_own(tmp_path: Path) -> None:
    import sqlite3

    from projections.database import ViewDatabase

    def page_size(path: Path) -> int:
        with sqlite3.connect(path) as connection:
            return connection.execute("PRAGMA page_size").fetchone()[0]

    new = tmp_path / "new.sqlite"
    ViewDatabase.open(str(new)).close()  # the views may be the first to open a new file
    assert page_size(new) == SQLITE_PAGE_SIZE
    tracker = Tracker.open(str(new))
    tracker.publish_revision("c", "Zero draft", ParsedDocument((ParsedParagraph("Text.", num="1."),)), SECRETARIAT)
    tracker.close()
    assert page_size(new) == SQLITE_PAGE_SIZE

    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as connection:
        connection.execute("CREATE TABLE made_before (x)")
    before = page_size(old)
    assert before != SQLITE_PAGE_SIZE
    tracker = Tracker.open(str(old))
    tracker.publish_revision("c", "Zero draft", ParsedDocument((ParsedParagraph("Text.", num="1."),)), SECRETARIAT)
    tracker.close()
    assert page_size(old) == before


def test_same_record_on_each_store(db: str) -> None:
    """Write through one application, read through a fresh one: everything comes back typed."""
    writer = Tracker.open(db)
    doc = ParsedDocument((ParsedParagraph("Décide de créer un comité.", num="1."),), language="fr")
    writer.publish_revision("c", "Projet zéro", doc, SECRETARIAT, issued_on=date(2026, 2, 2))
    writer.register_delegation("c", "MEX", "Mexique", "member_state", SECRETARIAT)
    deadline = datetime.now(UTC) + timedelta(days=3)
    procedure_id, _ = writer.open_silence("c", deadline, SECRETARIAT, ["1"])
    writer.close()

    reader = Tracker.open(db)
    try:
        revision = reader.revision("c")
        assert revision.label == "Projet zéro" and revision.issued_on == date(2026, 2, 2)
        assert revision.paragraphs[0]["text"] == "Décide de créer un comité."
        assert reader.negotiation("c").languages == ["fr"]
        procedure = reader.silence_procedure("c", str(procedure_id))
        assert procedure.deadline == deadline and isinstance(procedure.negotiation_id, uuid.UUID)
        events = list(reader.log("c"))
        assert all(isinstance(e.actor, Actor) for _, e in events)
        assert [p for p, _ in events] == sorted(p for p, _ in events)
    finally:
        reader.close()


def test_negotiation_snapshots(db: str) -> None:
    """The roster grows with every registration; snapshots keep loading it cheap and exact."""
    app = Tracker.open(db)
    try:
        app.create_negotiation("big", "Big", SECRETARIAT)
        for i in range(120):
            app.register_delegation("big", f"S{i:03d}", f"State {i}", "member_state", SECRETARIAT)
        negotiation = app.negotiation("big")
        assert len(negotiation.delegations) == 121
        assert app.snapshots is not None and list(app.snapshots.get(negotiation.id))
    finally:
        app.close()


_PUBLISH_LONG = """
import sys
from tracker.application import Tracker
from tracker.domain.base import Actor
from tracker.text.document import ParsedDocument, ParsedParagraph
words = "States shall cooperate to protect the rights of migrants in accordance with international law "
doc = ParsedDocument(tuple(ParsedParagraph(f"{i} " + words * 1200, num=f"{i}.") for i in range(1, 121)))
tracker = Tracker.open(sys.argv[1])
tracker.publish_revision("long", "Zero draft", doc, Actor("SECRETARIAT", "tester"))
tracker.close()
"""


def test_a_long_revision_is_saved_on_each_store(db: str) -> None:
    """One save of more than 10 MB: a long text, which the Published event holds whole.
    psycopg's pipeline never finishes sending such a save (tracker/postgres.py). In a
    process of its own, so that were it to hang again, this test fails after its wait
    (the killed process takes its open transaction and locks with it) instead of
    hanging the suite."""
    import subprocess
    import sys

    try:
        subprocess.run([sys.executable, "-c", _PUBLISH_LONG, db], check=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the save of a long revision never finished")
    reader = Tracker.open(db)
    try:
        paragraphs = reader.revision("long").paragraphs
        assert len(paragraphs) == 120 and paragraphs[-1]["text"].startswith("120 States shall")
        assert sum(len(p["text"]) for p in paragraphs) > 10_000_000
    finally:
        reader.close()
