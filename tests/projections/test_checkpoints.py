"""Checkpoints: a moment read from the nearest checkpoint (whole, or the changes since one)
and the rows since equals the moment read from the temporal rows alone, at every
position, on both stores."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stores import fresh_schema
from test_views import held_in, logged

from projections import checkpoints, moments
from projections.checkpoints import AMENDMENT_FIELDS, Checkpointer, Pending, Snapshot
from projections.database import ViewDatabase
from projections.projector import Batch, State
from projections.readmodel import ReadModel
from tracker.application import Tracker
from tracker.records import dumps
from tracker.storage import is_postgres

from scenarios import CHAIR, random_commands, setup_negotiation


def moment_from_rows(views: ViewDatabase, slug: str, position: int) -> dict[str, Any]:
    """The moment as ``moments.moment`` read it before checkpoints: every part straight
    from the temporal rows valid at ``position``."""
    last = moments.last_revision_at(views, slug, position)
    paragraphs = moments.revision_paragraphs(views, slug, last[0]) if last else []
    status = moments.statuses_at(views, slug, position)
    for p in paragraphs:
        p["status"] = status.get(p["id"], "open")
    amendments = moments.amendments_at(views, slug, position)
    positions = moments.positions_at(views, slug, position)
    for a in amendments:
        a["positions"] = positions.get(a["id"], [])
    return {"negotiation": slug, "position": position, "label": last[0] if last else None,
            "paragraphs": paragraphs, "amendments": amendments}


def assert_moments_match_rows(read: ReadModel, slug: str) -> int:
    """Every position of the log and one past it."""
    last = max(logged(read), default=0)
    for position in range(last + 2):
        got = read.at(slug, position)
        expected = moment_from_rows(read.views, slug, position)
        assert got == expected, position
        assert dumps(got) == dumps(expected), position  # what `show --at --json` prints
    return last


def whole(row: tuple[Any, ...]) -> bool:
    """A whole checkpoint, not the changes since the one before."""
    return bool(row[2])  # (negotiation, position, whole, data)


def stored(read: ReadModel) -> list[tuple[Any, ...]]:
    """Every checkpoint as (negotiation, position, whole, what it holds)."""
    rows = read.views.query("SELECT negotiation, position, whole, data FROM view_checkpoints "
                            "ORDER BY negotiation, position")
    return [(slug, at, whole, held_in(at, whole, bytes(data))) for slug, at, whole, data in rows]


@contextmanager
def fresh_store(db: str) -> Iterator[str]:
    """An empty store of the same kind as ``db``: a property test runs many examples in one test."""
    if not is_postgres(db):
        path = Path(f"{db}.{uuid.uuid4().hex[:8]}")
        try:
            yield str(path)
        finally:
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()
        return
    with fresh_schema(db.partition("?")[0]) as url:
        yield url


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), steps=st.integers(1, 60), every=st.integers(1, 9), full=st.integers(1, 4))
def test_a_moment_from_a_checkpoint_equals_the_moment_from_rows(db: str, seed: int, steps: int,
                                                                every: int, full: int) -> None:
    with fresh_store(db) as store, pytest.MonkeyPatch.context() as patch:
        patch.setattr(checkpoints, "EVERY", every)
        patch.setattr(checkpoints, "FULL", full)
        tracker = Tracker.open(store)
        read = ReadModel.open(store, tracker=tracker)
        try:
            rng = random.Random(seed)
            setup_negotiation(tracker)
            # Followed now and then (checkpoints written as events arrive) or only at the end.
            random_commands(tracker, rng, steps, read if seed % 2 else None)
            read.catch_up()
            events = len(list(tracker.log("n")))
            assert len(stored(read)) == events // every
            assert sum(whole(row) for row in stored(read)) == events // every // full
            assert_moments_match_rows(read, "n")
        finally:
            read.close()
            tracker.close()


def test_checkpoints_after_rebuild_equal_those_written_while_following(
        db: str, tracker: Tracker, read: ReadModel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoints, "EVERY", 4)
    monkeypatch.setattr(checkpoints, "FULL", 3)
    setup_negotiation(tracker)
    # A second negotiation interleaved: each has its own checkpoints, every 4 of its events.
    tracker.create_negotiation("m", "M", CHAIR)
    tracker.register_delegation("m", "MEX", "MEX", "member_state", CHAIR)
    rng = random.Random(11)
    for _ in range(6):
        random_commands(tracker, rng, 15, read)
        tracker.register_delegation("m", f"S{rng.randint(0, 10**6)}", "S", "member_state", CHAIR)
        read.catch_up()
    incremental = stored(read)
    slugs = {row[0] for row in incremental}
    assert slugs == {"n", "m"} and len(incremental) > 20
    for slug in slugs:
        events = len(logged(read, slug))
        assert sum(row[0] == slug for row in incremental) == events // 4
        assert sum(row[0] == slug and whole(row) for row in incremental) == events // 4 // 3
    read.rebuild()
    assert stored(read) == incremental
    assert_moments_match_rows(read, "n")
    # Dropped and written again by whoever follows next, the same checkpoints.
    with read.views.write() as cursor:
        cursor.execute("DELETE FROM view_checkpoints WHERE position > ?", (incremental[5][1],))
    other = ReadModel.open(db, tracker=tracker)
    try:
        other.catch_up()
    finally:
        other.close()
    assert stored(read) == incremental


def test_checkpoints_stop_where_the_views_stop(tracker: Tracker, read: ReadModel,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoints, "EVERY", 3)
    monkeypatch.setattr(checkpoints, "FULL", 2)
    setup_negotiation(tracker)
    random_commands(tracker, random.Random(5), 30)
    half = tracker.recorder.max_notification_id() // 2
    read.follower.catch_up(until=half)
    checkpoints.build(read.views)
    written = [row[1] for row in stored(read)]
    assert written and max(written) <= half
    # What lies past the last checkpoint is read from the rows.
    assert_moments_match_rows(read, "n")
    read.catch_up()
    assert len(stored(read)) > len(written)
    assert_moments_match_rows(read, "n")


def test_an_amendment_pending_again_keeps_the_positions_it_held(db: str) -> None:
    """No command makes a decided amendment pending again; the views would still answer."""
    views = ViewDatabase.open(db)
    try:
        with views.write() as cursor:
            cursor.execute("INSERT INTO view_negotiations VALUES ('n', 'x', 'N', '', '', '[]', '[]', '[]', 1, 1)")
            for version, status, valid_from, valid_to in ((1, "proposed", 10, 20), (2, "withdrawn", 20, 30),
                                                          (3, "revised", 30, None)):
                cursor.execute(
                    f"INSERT INTO view_amendments ({', '.join(AMENDMENT_FIELDS)}, negotiation, valid_to) "
                    "VALUES (?, ?, 'Zero', 'p', 'retain', '', '', '', '', '', 1, 'MEX', ?, NULL, '', 10, ?, 'n', ?)",
                    ("a", version, status, valid_from, valid_to))
            for delegation, stance, valid_from, valid_to in (("NOR", "supports", 12, None), ("FRA", "opposes", 14, 32),
                                                             ("JPN", "supports", 15, 25), ("BRA", "reserves", 31, None)):
                cursor.execute("INSERT INTO view_positions VALUES ('a', 'n', ?, ?, '', 'u', 1, ?, ?, '', NULL)",
                               (delegation, stance, valid_from, valid_to))
        for hops in ([40], [22, 40], [25, 31, 33], [5, 11, 21, 29, 30, 31, 32, 35]):
            snapshot = Snapshot.empty()
            for position in hops:
                checkpoints.advance(views, "n", snapshot, position)
                expected = moments.positions_at(views, "n", position)
                held = {key: amendment["positions"] for key, amendment in snapshot.amendments.items()}
                assert {k: v for k, v in held.items() if v} == expected, (hops, position)
                assert [row["version"] for row in snapshot.amendments.values()] == [
                    a["version"] for a in moments.amendments_at(views, "n", position)]
    finally:
        views.close()


def test_the_stored_form_round_trips_whatever_holds_the_values() -> None:
    big = 2**33
    snapshot = Snapshot(
        big + 50, {"p2": "bracketed", "p1": "agreed_ad_ref"},
        {"a": Pending.of(amendment("a", 2, "Zero", "p1", "replace", "old", "new é", "", "G77", "why", 1, "BRA",
                                   "revised", None, "", 5, big + 40),
                         orjson.dumps([position("NOR", "supports", 6), position("FRA", "opposes", big + 1)])),
         "b": Pending.of(amendment("b", 1, "Zero", "p2", "retain", "", "", "", "", "", None, "MEX", "proposed", None,
                                   "", 3, 3))})
    data = checkpoints.encode(snapshot)
    decoded = checkpoints.decode(snapshot.position, data)
    assert decoded.statuses == snapshot.statuses and decoded.position == snapshot.position
    assert decoded.amendments == snapshot.amendments
    assert [a["id"] for a in decoded.pending()] == ["b", "a"]  # in the order proposed
    # The same values held by other objects (made apart here, shared by a decoded
    # checkpoint), the positions in another form: the same checkpoint, whoever wrote it.
    apart = Snapshot(
        snapshot.position, dict(reversed(snapshot.statuses.items())),
        {k: Pending.of({f: int(str(v)) if type(v) is int else "".join(v) if type(v) is str else v
                        for f, v in a.fields().items()})
         for k, a in reversed(snapshot.amendments.items())})
    moved = apart.amendments["a"]
    moved.take(orjson.dumps([position("NOR", "supports", 6), position("JPN", "opposes", 7)]))
    moved.close(["JPN"])
    moved.take(orjson.dumps([position("FRA", "opposes", big + 1)]))

    def held(snapshot: Snapshot, compress: bool = False) -> tuple[Any, ...]:
        decoded = checkpoints.decode(snapshot.position, checkpoints.encode(snapshot, compress))
        return decoded.statuses, list(decoded.amendments.values())

    assert held(apart) == held(decoded) == held(snapshot) == held(snapshot, compress=True)
    # Stored as they are, or compressed where they cross a connection: either says which.
    assert checkpoints.encode(snapshot)[:1] == b"m" and checkpoints.encode(snapshot, True)[:1] == b"z"
    changes = checkpoints.Changes(["p1"], [("p2", "open")], ["b"], [], {}, {"a": ["NOR"]}, {"a": b'[["X","y",1]]'})
    assert checkpoints.decode_changes(checkpoints.encode_changes(changes)) == changes
    assert checkpoints.decode_changes(checkpoints.encode_changes(changes, True)) == changes
    decoded.amendments["b"].take(orjson.dumps([position("MEX", "supports", big + 2)]))
    assert held(decoded) != held(snapshot)


def test_positions_taken_and_closed_are_written_as_the_list_they_make() -> None:
    fields = amendment(*(f"v{i}" for i in range(len(AMENDMENT_FIELDS))))
    stored = [position("NOR", "supports", 6), position("FRA", "opposes", 8), position("JPN", "reserves", 9)]
    plain = Pending.of(fields, orjson.dumps(stored))
    assert plain["positions"] == stored and plain.positions_json() == orjson.dumps(stored)
    assert dumps({"a": plain}) == dumps({"a": {**fields, "positions": stored}})
    # Only taken since: written as the stored bytes and the new ones, decoded only if read.
    taken = [position("MEX", "supports", 10), position("BRA", "opposes", 11)]
    later = Pending.of(fields, orjson.dumps(stored))
    later.take(orjson.dumps(taken[:1]))
    later.take(b"[]")
    later.take(orjson.dumps(taken[1:]))
    assert later._decoded is None and later.json() == orjson.dumps({**fields, "positions": stored + taken})
    # Closed since the checkpoint (the delegation's own, and one taken since), and taken again.
    later.close(["FRA", "BRA", "NOR"])
    later.take(orjson.dumps([position("FRA", "supports", 12)]))
    expected = [position("JPN", "reserves", 9), position("MEX", "supports", 10), position("FRA", "supports", 12)]
    assert later["positions"] == expected and later.json() == orjson.dumps({**fields, "positions": expected})
    empty = Pending.of(fields)
    assert empty["positions"] == [] and empty.positions_json() == b"[]"
    empty.take(b"[]")
    empty.take(b'[["MEX","supports",1]]')
    assert empty.positions_json() == b'[["MEX","supports",1]]' and empty["positions"] == [position("MEX", "supports", 1)]


def test_moments_share_nothing_a_caller_could_change(tracker: Tracker, read: ReadModel,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoints, "EVERY", 50)
    setup_negotiation(tracker)
    random_commands(tracker, random.Random(3), 120)
    read.catch_up()
    start = stored(read)[0][1]
    before = dumps(read.at("n", start))
    for at in range(start, start + 50):
        moment = read.at("n", at)
        for amendment in moment["amendments"]:  # what a caller may do with its copy
            for held in amendment["positions"]:
                held[1] = "mangled"
            amendment["positions"].append(position("X", "supports", 0))
            with pytest.raises(TypeError):
                amendment["status"] = "mangled"  # type: ignore[index]
    assert dumps(read.at("n", start)) == before


def position(delegation: str, stance: str, since: int) -> list[Any]:
    return [delegation, stance, since]


def amendment(*values: Any) -> dict[str, Any]:
    return dict(zip(AMENDMENT_FIELDS, values, strict=True))


def test_a_pending_amendment_has_the_fields_of_its_row_and_its_positions() -> None:
    row = amendment(*(f"v{i}" for i in range(len(AMENDMENT_FIELDS))))
    held = [position("NOR", "supports", 3)]
    pending = Snapshot(1, {}, {row["id"]: Pending.of(dict(row), orjson.dumps(held))}).pending()
    assert pending == [{**row, "positions": held}] and {**row, "positions": held} == pending[0]
    assert list(pending[0]) == [*AMENDMENT_FIELDS, "positions"] and len(pending[0]) == len(AMENDMENT_FIELDS) + 1
    assert "rationale" in pending[0] and "x" not in pending[0] and pending[0].get("x") is None
    assert dumps(pending[0]) == dumps({**row, "positions": [position("NOR", "supports", 3)]})
    # Stored, as a whole checkpoint holds it: the same, decoded only when read.
    stored = Pending(row["id"], row["proposed"], row["paragraph_id"],
                     orjson.dumps({**row, "positions": [position("NOR", "supports", 3)]}))
    assert stored.json() == dumps(pending[0]) and stored.fields() == row and stored["positions"] == held
    assert stored == pending[0] and dumps(stored) == dumps(pending[0]) and stored["status"] == row["status"]
    with pytest.raises(TypeError):
        stored["status"] = "mangled"  # type: ignore[index]


def test_a_closed_position_is_cut_out_of_the_stored_json() -> None:
    fields = amendment(*(f'v{i} ["FRA","' for i in range(len(AMENDMENT_FIELDS))))  # text that looks like one
    held = [position("FR", "supports", 1), position("FRA", "opposes", 2), position("FRA.X", "reserves", 3),
            position("F-R_A", "co_sponsors", 4)]
    for gone in ("FR", "FRA", "FRA.X", "F-R_A"):
        for taken_after in ([], [position("JPN", "supports", 9)]):
            pending = Pending.of(fields, orjson.dumps(held))
            pending.take(orjson.dumps(taken_after))
            pending.close([gone])
            expected = [p for p in held if p[0] != gone] + taken_after
            assert pending.json() == orjson.dumps({**fields, "positions": expected}), gone
    single = Pending.of(fields, orjson.dumps(held[:1]))
    single.close(["FR", "NOR"])  # NOR holds none here: nothing to cut
    assert single["positions"] == [] and single.fields() == fields


def test_a_rebuild_checkpoints_what_the_rows_hold_even_rows_no_command_makes(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rebuild's checkpointer, fed rows no command makes today (an amendment pending
    again after its withdrawal, a position taken on it meanwhile), writes what a reader of
    the same rows finds."""
    monkeypatch.setattr(checkpoints, "FULL", 3)
    views = ViewDatabase.open(db)
    written: list[tuple[int, int, bytes]] = []
    try:
        with views.write() as cursor:
            state = State(cursor)
            state.checkpointer = Checkpointer(state.positions, compress=views.postgres)
            batch = Batch(state)
            holders = state.positions.setdefault("a", {})

            def version(at: int, number: int, status: str) -> None:
                if number > 1:
                    batch.close("view_amendments", ("a",), at)
                batch.add("view_amendments", ["a", number, "n", "Zero", "p", "retain", "", "", "", "", f"r{number}", 1,
                                              "MEX", status, None, "", 1, at, None])

            def take(at: int, delegation: str, stance: str) -> None:
                held = holders.pop(delegation, None)
                if held is not None:
                    batch.close("view_positions", ("a", delegation), at, held)
                holders[delegation] = [delegation, stance, at]
                batch.add("view_positions", ["a", "n", delegation, stance, "", "u", 1, at, None, "", None])

            def drop(at: int, delegation: str) -> None:
                batch.close("view_positions", ("a", delegation), at, holders.pop(delegation))

            def status(at: int, value: str) -> None:
                if at > 1:
                    batch.close("view_paragraph_status", ("p",), at)
                batch.add("view_paragraph_status", ["n", "p", value, "", "SECRETARIAT", "u", at, None])

            def checkpoint(at: int) -> None:
                written.append((at, *state.checkpointer.checkpoint("n", at)))

            version(1, 1, "proposed")
            status(1, "open")
            take(2, "NOR", "supports")
            take(3, "FRA", "opposes")
            checkpoint(3)
            version(4, 2, "withdrawn")
            take(5, "JPN", "supports")  # on an amendment no longer pending
            checkpoint(5)
            version(6, 3, "revised")  # pending again, with what it held
            drop(7, "NOR")
            take(8, "BRA", "reserves")
            status(8, "bracketed")
            checkpoint(8)  # the third: whole
            take(9, "FRA", "supports")
            checkpoint(9)
            batch.flush(cursor)
            cursor.executemany("INSERT INTO view_checkpoints (negotiation, position, whole, data) VALUES ('n', ?, ?, ?)",
                               written)
        assert [whole for _, whole, _ in written] == [0, 0, 1, 0]
        for at, _, _ in written:
            stored = checkpoints._stored(views, "n", at)
            from_rows = Snapshot.empty()
            checkpoints.advance(views, "n", from_rows, at)
            assert (stored.statuses, stored.amendments) == (from_rows.statuses, from_rows.amendments), at
        assert stored.amendments["a"]["positions"] == [
            position("JPN", "supports", 5), position("BRA", "reserves", 8), position("FRA", "supports", 9)]
    finally:
        views.close()


@pytest.mark.postgres
def test_postgresql_keeps_checkpoints_as_they_are(postgres_db: str) -> None:
    """Whole checkpoints are stored uncompressed on purpose: TOAST must not compress them."""
    for _ in range(2):  # set when the table is made, and found set when opened again
        views = ViewDatabase.open(postgres_db)
        try:
            assert views.query("SELECT attstorage FROM pg_attribute WHERE attrelid = 'view_checkpoints'::regclass "
                               "AND attname = 'data'") == [("e",)]
        finally:
            views.close()
