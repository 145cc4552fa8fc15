"""Checkpoints: the changing part of a moment (pending amendments, their positions,
paragraph statuses) stored every ``EVERY`` events of a negotiation, whole at one in
``FULL`` of them and as the changes since the checkpoint before at the others.

Any moment is then the nearest whole checkpoint at or before it, the changes stored
since, and the few temporal rows that opened or closed after the last of them, whatever
the length of the log: scanning the temporal rows for "valid at p" reads most of the
history once the log is long.

Checkpoints are a view like the others: derived from the temporal rows only, dropped and
rebuilt with them, and written after the follower has applied the events they cover. The
positions they sit at depend only on the log (every ``EVERY``-th event of a negotiation),
so a rebuild writes the same checkpoints as following the log did.
"""

from __future__ import annotations

import gc
import marshal
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter
from sys import intern
from typing import Any, NamedTuple

import lz4.block
import orjson

from projections.database import ViewDatabase
from projections.follower import TRACKING
from projections.projector import PENDING

# Measured on the generated log of 1M events (~80k positions and ~4.4k pending amendments
# at a typical moment): decoding a whole checkpoint costs ~10 ms, moving it on by the rows
# ~2.4 us an event, by stored changes ~0.5 ms a thousand events. Whole checkpoints every
# 10,000 events (~1.1 MB each) with the changes every 1,000 (~40 kB each) leave a mean of
# 500 events to read from the rows: 140 MiB in all, a seventh of whole ones every 1,000.
EVERY = 1_000
FULL = 10

AMENDMENT_FIELDS = ("id", "version", "base_revision", "paragraph_id", "action", "old_text", "new_text",
                    "after_paragraph_id", "on_behalf_of", "rationale", "round", "delegation", "status",
                    "decided_in", "decision_note", "proposed", "valid_from")
_ID = itemgetter("id")
_PROPOSED = itemgetter("proposed")
_PENDING_MARKS = ", ".join("?" * len(PENDING))
# A position as a moment shows it: [delegation, stance, since]. A list, not a dict: a
# moment holds ~80,000 of them, and a dict costs three times a list to build.
Position = list[Any]
# An amendment as a moment shows it: its AMENDMENT_FIELDS, then its "positions".
Amendment = dict[str, Any]


@contextmanager
def without_gc() -> Iterator[None]:
    """A moment makes ~100,000 objects and no cycles: the cyclic collector, run every few
    hundred of them, would only look at them again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class Snapshot:
    """The changing part of a moment, as it stood just after event ``position``.

    ``amendments`` and ``positions`` map each pending amendment's id to its current
    version (a dict of ``AMENDMENT_FIELDS``) and to its positions, oldest first.
    ``apply`` replaces the dicts and lists it changes, never edits them: they may be those
    of the ``Changes`` applied, which a checkpoint stores after.
    """

    __slots__ = ("position", "statuses", "amendments", "positions")

    def __init__(self, position: int, statuses: dict[str, str], amendments: dict[str, Amendment],
                 positions: dict[str, list[Position]]) -> None:
        self.position = position
        self.statuses = statuses
        self.amendments = amendments
        self.positions = positions

    @classmethod
    def empty(cls) -> Snapshot:
        return cls(0, {}, {}, {})

    def pending(self) -> list[Amendment]:
        """The pending amendments in the order they were proposed, as ``moments.moment``
        shows them. Gives the snapshot's own dicts away, each with its ``positions`` added:
        the last use of a snapshot decoded for one moment (copies would cost ~2 ms)."""
        found = sorted(self.amendments.values(), key=_PROPOSED)
        for amendment, held in zip(found, map(self.positions.__getitem__, map(_ID, found)), strict=True):
            amendment["positions"] = held
        return found


# --- moving a snapshot on --------------------------------------------------------------


class Changes(NamedTuple):
    """What happened between two positions to a snapshot, as ``apply`` needs it."""

    closed_statuses: list[str]  # paragraph ids
    opened_statuses: list[tuple[str, str]]  # (paragraph id, status), oldest first
    gone: list[str]  # ids of amendments pending no more
    joined: list[Amendment]  # new pending versions
    # The positions a joined amendment held before, when it was pending once already (no
    # command does this today): they are in no checkpoint.
    restored: dict[str, list[Position]]
    dropped: dict[str, list[str]]  # amendment id -> delegations whose position closed
    taken: dict[str, list[Position]]  # amendment id -> positions opened, oldest first


_CLOSED = "negotiation = ? AND valid_to > ? AND valid_to <= ? AND valid_from <= ?"
_OPENED = "negotiation = ? AND valid_from > ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"


def advance(views: ViewDatabase, slug: str, snapshot: Snapshot, position: int) -> Changes:
    """Move ``snapshot`` on to ``position`` (not before it) by the rows in between, and
    return the changes it took."""
    changes = read_changes(views, slug, snapshot, position)
    apply(snapshot, changes, max(position, snapshot.position))
    return changes


def read_changes(views: ViewDatabase, slug: str, snapshot: Snapshot, position: int) -> Changes:
    """The rows valid at the snapshot's position and closed by ``position``, and those
    opened since and still valid at ``position``, on what the snapshot holds."""
    start = snapshot.position
    if position <= start:
        return Changes([], [], [], [], {}, {}, {})
    closed = (slug, start, position, start)
    opened = (slug, start, position, position)
    closed_statuses = [paragraph_id for paragraph_id, in views.query(
        f"SELECT paragraph_id FROM view_paragraph_status WHERE {_CLOSED}", closed)]
    opened_statuses = views.query(
        f"SELECT paragraph_id, status FROM view_paragraph_status WHERE {_OPENED} ORDER BY valid_from", opened)

    joined = [_amendment(row) for row in views.query(
        f"SELECT {', '.join(AMENDMENT_FIELDS)} FROM view_amendments WHERE {_OPENED} "
        f"AND status IN ({_PENDING_MARKS}) ORDER BY valid_from", (*opened, *PENDING))]
    joined_ids = set(map(_ID, joined))
    held = snapshot.positions
    gone = {amendment_id for amendment_id, in views.query(f"SELECT id FROM view_amendments WHERE {_CLOSED}", closed)
            if amendment_id in held and amendment_id not in joined_ids}
    restored = {amendment["id"]: _positions_of(views, amendment["id"], start) for amendment in joined
                if amendment["id"] not in held and amendment["proposed"] <= start}

    def pending(amendment_id: str) -> bool:
        return amendment_id in joined_ids or (amendment_id in held and amendment_id not in gone)

    dropped: dict[str, list[str]] = {}
    for amendment_id, delegation in views.query(
            f"SELECT amendment_id, delegation FROM view_positions WHERE {_CLOSED}", closed):
        if pending(amendment_id):
            dropped.setdefault(amendment_id, []).append(delegation)
    taken: dict[str, list[Position]] = {}
    for amendment_id, delegation, stance, since in views.query(
            f"SELECT amendment_id, delegation, stance, valid_from FROM view_positions WHERE {_OPENED} "
            "ORDER BY valid_from", opened):
        if pending(amendment_id):
            taken.setdefault(amendment_id, []).append([intern(delegation), intern(stance), since])
    return Changes(closed_statuses, opened_statuses, sorted(gone), joined, restored, dropped, taken)


# Fields whose few values recur in thousands of amendments: one object each, so that a whole
# checkpoint stores each once and decodes it once.
_RECURRING = frozenset({"base_revision", "paragraph_id", "action", "after_paragraph_id", "on_behalf_of",
                        "delegation", "status", "decided_in"})


def _amendment(row: tuple[Any, ...]) -> Amendment:
    return {field: intern(value) if field in _RECURRING and type(value) is str else value
            for field, value in zip(AMENDMENT_FIELDS, row, strict=True)}


def _positions_of(views: ViewDatabase, amendment_id: str, position: int) -> list[Position]:
    rows = views.query(
        "SELECT delegation, stance, valid_from FROM view_positions WHERE amendment_id = ? AND valid_from <= ? "
        "AND (valid_to IS NULL OR valid_to > ?) ORDER BY valid_from", (amendment_id, position, position))
    return [[intern(delegation), intern(stance), since] for delegation, stance, since in rows]


def apply(snapshot: Snapshot, changes: Changes, position: int) -> None:
    """Move ``snapshot`` on to ``position`` by ``changes``: its mappings are changed, never
    the dicts and lists in them (see ``Snapshot``)."""
    statuses = snapshot.statuses
    for paragraph_id in changes.closed_statuses:
        statuses.pop(paragraph_id, None)
    statuses.update(changes.opened_statuses)
    amendments = snapshot.amendments
    held = snapshot.positions
    for amendment_id in changes.gone:
        del amendments[amendment_id], held[amendment_id]
    for amendment in changes.joined:
        amendments[amendment["id"]] = amendment
        if amendment["id"] not in held:
            held[amendment["id"]] = changes.restored.get(amendment["id"], [])
    for amendment_id, delegations in changes.dropped.items():
        held[amendment_id] = [p for p in held[amendment_id] if p[0] not in delegations]
    for amendment_id, new in changes.taken.items():
        # Every position taken since the snapshot is younger than those it holds.
        held[amendment_id] = held[amendment_id] + new
    snapshot.position = position


# --- reading -------------------------------------------------------------------------------


def snapshot_at(views: ViewDatabase, slug: str, position: int) -> Snapshot:
    """The changing part of the moment just after event ``position``: the last checkpoint
    at or before it, moved on by the rows in between.

    Decoded afresh for every moment: a cache of decoded checkpoints would have to share
    its ~100,000 positions between callers (a caller changing one would change what
    later moments show) or copy them, which costs as much as decoding them.
    """
    snapshot = _stored(views, slug, position)
    advance(views, slug, snapshot, position)
    return snapshot


# The checkpoints from the last whole one at or before a position up to that position.
_STORED = ("SELECT position, data, whole FROM view_checkpoints WHERE negotiation = ? AND position <= ? "
           "AND position >= COALESCE((SELECT MAX(position) FROM view_checkpoints WHERE negotiation = ? "
           "AND position <= ? AND whole = 1), 0) ORDER BY position")


def _stored(views: ViewDatabase, slug: str, position: int) -> Snapshot:
    """The snapshot at the last checkpoint at or before ``position``."""
    snapshot = Snapshot.empty()
    for at, data, whole in views.query(_STORED, (slug, position, slug, position)):
        if whole:
            snapshot = decode(at, data)
        else:
            apply(snapshot, Changes(*orjson.loads(lz4.block.decompress(data))), at)
    return snapshot


# --- the stored form -------------------------------------------------------------------------
#
# Each checkpoint is one LZ4 block in ``data``; ``whole`` says which kind it is.
#
# A whole checkpoint is the marshal of [statuses, the pending amendments in the order
# proposed, each a dict of its fields and "positions"]: one C call builds the very dicts
# and lists a moment shows, with each delegation code and stance made once (interned where
# rows enter a snapshot; marshal stores a repeated object once and refers to it), in half
# the time of JSON and a list per position built in Python. Marshal's format is Python's own: fine for a view written and read by this
# program, rebuilt from the log whenever it is dropped.
#
# The changes since the checkpoint before are the JSON of their ``Changes``: small, read
# a few at a time.

def decode(position: int, data: bytes) -> Snapshot:
    """The snapshot a whole checkpoint holds."""
    statuses, pending = marshal.loads(lz4.block.decompress(data))
    held = {amendment["id"]: amendment.pop("positions") for amendment in pending}
    return Snapshot(position, statuses, {amendment["id"]: amendment for amendment in pending}, held)


def encode(snapshot: Snapshot) -> bytes:
    """A whole checkpoint. Its bytes may differ with how the values were made (marshal
    notes which objects are shared), never what it decodes to."""
    amendments = [{**amendment, "positions": snapshot.positions[amendment["id"]]}
                  for amendment in sorted(snapshot.amendments.values(), key=_PROPOSED)]
    return lz4.block.compress(marshal.dumps([dict(sorted(snapshot.statuses.items())), amendments]))


def encode_changes(changes: Changes) -> bytes:
    return lz4.block.compress(orjson.dumps(list(changes)))


# --- writing ----------------------------------------------------------------------------------

_INSERT = ("INSERT INTO view_checkpoints (negotiation, position, whole, data) "
           "VALUES (?, ?, ?, ?) ON CONFLICT (negotiation, position) DO NOTHING")


def build(views: ViewDatabase) -> int:
    """Write the checkpoints the views lack, up to where they have followed the log;
    return how many. Safe beside other processes doing the same: a checkpoint is the same
    whoever writes it."""
    rows = views.query("SELECT position FROM view_tracking WHERE name = ?", (TRACKING,))
    if not rows:
        return 0
    # Every row valid at or before this position is final: events after it only close
    # rows later than it or open new ones.
    followed = rows[0][0]
    written = 0
    with without_gc():
        for slug, in views.query("SELECT slug FROM view_negotiations ORDER BY slug"):
            written += _build_negotiation(views, slug, followed)
    return written


def _build_negotiation(views: ViewDatabase, slug: str, followed: int) -> int:
    snapshot: Snapshot | None = None
    written = 0
    while True:
        last, count = views.query(
            "SELECT MAX(position), COUNT(*) FROM view_checkpoints WHERE negotiation = ?", (slug,))[0]
        due = _next_checkpoint(views, slug, last or 0)
        if due is None or due > followed:
            return written
        if snapshot is None or snapshot.position != (last or 0):
            # The first one here, or another process wrote the last: start from that.
            snapshot = _stored(views, slug, last or 0)
        changes = advance(views, slug, snapshot, due)
        if (count + 1) % FULL:
            stored = (0, encode_changes(changes))
        else:
            stored = (1, encode(snapshot))
        with views.write() as cursor:
            cursor.execute(_INSERT, (slug, due, *stored))
        written += 1


def _next_checkpoint(views: ViewDatabase, slug: str, after: int) -> int | None:
    rows = views.query("SELECT position FROM view_events WHERE negotiation = ? AND position > ? "
                       "ORDER BY position LIMIT 1 OFFSET ?", (slug, after, EVERY - 1))
    return rows[0][0] if rows else None
