"""Checkpoints: the changing part of a moment (pending amendments, their positions,
paragraph statuses) stored every ``EVERY`` events of a negotiation, whole at one in
``FULL`` of them and as the changes since the checkpoint before at the others.

Any moment is then the nearest whole checkpoint at or before it, the changes stored
since, and the few temporal rows that opened or closed after the last of them, whatever
the length of the log: scanning the temporal rows for "valid at p" reads most of the
history once the log is long.

Checkpoints are a view like the others: derived from the temporal rows, dropped and
rebuilt with them. The positions they sit at depend only on the log (every ``EVERY``-th
event of a negotiation), so whoever writes one writes the same. Two writers, one format:
``build`` reads the rows back after the follower has applied the events they cover;
``Checkpointer`` is fed the same rows while a rebuild replays the log, and keeps the
moment in memory instead of reading back what it has just written.
"""

from __future__ import annotations

import ctypes
import gc
import marshal
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from operator import attrgetter, itemgetter
from sys import intern
from typing import Any, NamedTuple

import lz4.block
import orjson

from projections import catalog
from projections.database import TRACKING, ViewDatabase
from projections.projector import COLUMNS, PENDING, Position, Row
from tracker.records import Encoded

# Measured on the generated log of 1M events (up to ~6,000 pending amendments and ~160,000
# positions at a moment): whole checkpoints every 10,000 events (3.9 MB each on average,
# 7.4 MB at most) with the changes every 1,000 (~40 kB each) leave a mean of 500 events to
# read from the rows, at a ninth of the storage of whole ones every 1,000 (~400 MiB in
# all); whole ones more often would shorten the worst moment by ~0.4 ms a change set
# spared, and cost the rebuild ~15 ms each.
EVERY = 1_000
FULL = 10

AMENDMENT_FIELDS = ("id", "version", "base_revision", "paragraph_id", "action", "old_text", "new_text",
                    "after_paragraph_id", "on_behalf_of", "rationale", "round", "delegation", "status",
                    "decided_in", "decision_note", "proposed", "valid_from")
_ID = itemgetter("id")
_PROPOSED_OF = attrgetter("proposed")
_SINCE = itemgetter(2)
_PENDING_MARKS = ", ".join("?" * len(PENDING))
# An amendment as a moment shows it: its AMENDMENT_FIELDS, then its "positions".
Amendment = dict[str, Any]
_NONE = b"[]"


# glibc's mallopt parameters (malloc.h).
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_KEPT = 64 << 20


def keep_freed_memory() -> None:
    """Ask the C allocator to keep what a moment frees for the next one.

    A moment allocates and frees ~10 MB (a whole checkpoint decompressed, the values
    decoded from it). By default glibc hands such blocks back to the kernel as soon as
    they are freed and faults them in again, page by page, on the next moment: measured
    on a whole checkpoint of 6 MB, 13 ms to decode it so against 7 ms with the memory
    kept. Keeping up to 64 MB for reuse costs a process at most that much. Elsewhere than
    glibc, nothing to do.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # no such C library (TypeError: Windows)
        return
    mallopt(_M_MMAP_THRESHOLD, _KEPT)
    mallopt(_M_TOP_PAD, _KEPT)


@contextmanager
def without_gc() -> Iterator[None]:
    """A moment makes thousands of objects and no cycles: the cyclic collector, run every
    few hundred of them, would only look at them again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


_KEYS = (*AMENDMENT_FIELDS, "positions")
_KEY_SET = frozenset(_KEYS)
_POSITIONS_KEY = b',"positions":'
_AT_HAND = frozenset({"id", "proposed", "paragraph_id"})


class Pending(Encoded, Mapping[str, Any]):
    """A pending amendment at a moment: its ``AMENDMENT_FIELDS``, then its ``positions``
    (``[delegation, stance, since]`` each, oldest first); read-only to all but the
    snapshot holding it, which moves it on (``take``, ``close``) as it applies changes.

    Held as the JSON a checkpoint stored of it (fields, then positions), then that of the
    positions taken since, those that closed cut out; decoded only when read. A moment
    holds thousands of amendments and ~75,000 positions and is mostly written out whole
    (``show --at``): as these bytes joined, which spares making and freeing objects for
    each (most of a moment's time). The keys a moment is arranged by (``id``,
    ``proposed``, ``paragraph_id``) are at hand without decoding.
    """

    __slots__ = ("id", "proposed", "paragraph_id", "_json", "_taken", "_decoded")

    def __init__(self, amendment_id: str, proposed: int, paragraph_id: str, stored: bytes) -> None:
        self.id = amendment_id
        self.proposed = proposed
        self.paragraph_id = paragraph_id
        self._json = stored
        self._taken: list[bytes] | None = None  # JSON arrays of positions taken since
        self._decoded: dict[str, Any] | None = None

    @classmethod
    def of(cls, fields: Amendment, positions: bytes = _NONE) -> Pending:
        """A version from its fields, holding the positions of this JSON array."""
        return cls(fields["id"], fields["proposed"], fields["paragraph_id"],
                   orjson.dumps(fields)[:-1] + _POSITIONS_KEY + positions + b"}")

    def take(self, taken: bytes) -> None:
        """The positions of this JSON array, all younger than those held, were taken."""
        if self._taken is None:
            self._taken = [taken]
        else:
            self._taken.append(taken)
        self._decoded = None

    def close(self, delegations: Collection[str]) -> None:
        """The positions these delegations held have closed."""
        start = self._json.rfind(_POSITIONS_KEY)
        for delegation in delegations:
            cut = _without(self._json, delegation, start)
            if cut is not None:
                self._json = cut
            elif self._taken is not None:
                for index, taken in enumerate(self._taken):
                    cut = _without(taken, delegation)
                    if cut is not None:
                        self._taken[index] = cut
                        break
        self._decoded = None

    def json(self) -> bytes:
        if self._taken is not None:
            taken = [array[1:-1] for array in self._taken if array != _NONE]
            if taken:
                held = self._json
                # orjson writes no spaces: arrays join at their brackets.
                self._json = ((held[:-3] + b"[" if held.endswith(b"[]}") else held[:-2] + b",")
                              + b",".join(taken) + b"]}")
            self._taken = None
        return self._json

    def positions_json(self) -> bytes:
        whole = self.json()
        return whole[whole.rfind(_POSITIONS_KEY) + len(_POSITIONS_KEY):-1]

    def fields(self) -> Amendment:
        """Its fields, without its positions."""
        return {key: value for key, value in self._read().items() if key != "positions"}

    def _read(self) -> dict[str, Any]:
        found = self._decoded
        if found is None:
            found = self._decoded = orjson.loads(self.json())
        return found

    def __getitem__(self, key: str) -> Any:
        if key in _AT_HAND:
            return getattr(self, key)
        return self._read()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_KEYS)

    def __len__(self) -> int:
        return len(_KEYS)

    def __contains__(self, key: object) -> bool:
        return key in _KEY_SET

    def __repr__(self) -> str:
        return f"Pending({self._read()!r})"


def _without(array: bytes, delegation: str, start: int = 0) -> bytes | None:
    """The JSON ``array`` (from ``start``) less the position ``delegation`` holds, or None
    when it holds none there. orjson writes a position ``["CODE","stance",since]``, and
    neither codes (Negotiation's rules: letters, digits, '-', '_', '.') nor stances hold a
    quote, a comma or a bracket: a position starts at the one ``["CODE","`` and ends at
    the first ``]`` after it."""
    at = array.find(b'["' + delegation.encode() + b'","', start)
    if at < 0:
        return None
    end = array.index(b"]", at) + 1
    if array[end:end + 1] == b",":
        end += 1
    elif array[at - 1:at] == b",":
        at -= 1
    return array[:at] + array[end:]


class Snapshot:
    """The changing part of a moment, as it stood just after event ``position``:
    paragraph statuses, and each pending amendment (``Pending``, with its positions) by
    id. ``apply`` never edits the dicts and lists of the ``Changes`` it applies: a
    checkpoint may store them after.
    """

    __slots__ = ("position", "statuses", "amendments")

    def __init__(self, position: int, statuses: dict[str, str], amendments: dict[str, Pending]) -> None:
        self.position = position
        self.statuses = statuses
        self.amendments = amendments

    @classmethod
    def empty(cls) -> Snapshot:
        return cls(0, {}, {})

    def pending(self) -> list[Pending]:
        """The pending amendments in the order they were proposed, as ``moments.moment``
        shows them (its own objects: a snapshot read for one moment is not moved on after)."""
        return sorted(self.amendments.values(), key=_PROPOSED_OF)


# --- moving a snapshot on --------------------------------------------------------------


class Changes(NamedTuple):
    """What happened between two positions to a snapshot, as ``apply`` needs it; every
    list in one order whoever made it (sorted, positions oldest first)."""

    closed_statuses: list[str]  # paragraph ids
    opened_statuses: list[tuple[str, str]]  # (paragraph id, status)
    gone: list[str]  # ids of amendments pending no more
    joined: list[Amendment]  # new pending versions
    # The positions a joined amendment held before, when it was pending once already (no
    # command does this today): they are in no checkpoint.
    restored: dict[str, bytes]
    dropped: dict[str, list[str]]  # amendment id -> delegations whose position closed
    # amendment id -> the JSON of the positions opened, oldest first: added to what a
    # moment writes out as it is (``Pending``).
    taken: dict[str, bytes]


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
    closed_statuses = sorted(paragraph_id for paragraph_id, in views.query(
        f"SELECT paragraph_id FROM view_paragraph_status WHERE {_CLOSED}", closed))
    opened_statuses = sorted((paragraph_id, status) for paragraph_id, status in views.query(
        f"SELECT paragraph_id, status FROM view_paragraph_status WHERE {_OPENED}", opened))

    joined = sorted((_amendment(row) for row in views.query(
        f"SELECT {', '.join(AMENDMENT_FIELDS)} FROM view_amendments WHERE {_OPENED} "
        f"AND status IN ({_PENDING_MARKS})", (*opened, *PENDING))), key=_ID)
    joined_ids = set(map(_ID, joined))
    held = snapshot.amendments
    gone = {amendment_id for amendment_id, in views.query(f"SELECT id FROM view_amendments WHERE {_CLOSED}", closed)
            if amendment_id in held and amendment_id not in joined_ids}
    restored = {amendment["id"]: orjson.dumps(_positions_of(views, amendment["id"], start)) for amendment in joined
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
    return Changes(closed_statuses, opened_statuses, sorted(gone), joined, restored,
                   {key: sorted(dropped[key]) for key in sorted(dropped)},
                   {key: orjson.dumps(taken[key]) for key in sorted(taken)})


# Fields whose few values recur in thousands of amendments: one object each, so that a whole
# checkpoint stores each once and decodes it once.
_RECURRING = frozenset({"base_revision", "paragraph_id", "action", "after_paragraph_id", "on_behalf_of",
                        "delegation", "status", "decided_in"})


def _amendment(values: Iterable[Any]) -> Amendment:
    return {field: intern(value) if field in _RECURRING and type(value) is str else value
            for field, value in zip(AMENDMENT_FIELDS, values, strict=True)}


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
    for amendment_id in changes.gone:
        del amendments[amendment_id]
    for fields in changes.joined:
        before = amendments.get(fields["id"])
        # A new version holds the positions the one before held.
        held = before.positions_json() if before is not None else changes.restored.get(fields["id"], _NONE)
        amendments[fields["id"]] = Pending.of(fields, held)
    for amendment_id, delegations in changes.dropped.items():
        amendments[amendment_id].close(delegations)
    for amendment_id, new in changes.taken.items():
        amendments[amendment_id].take(new)
    snapshot.position = position


# --- reading -------------------------------------------------------------------------------


def snapshot_at(views: ViewDatabase, slug: str, position: int) -> Snapshot:
    """The changing part of the moment just after event ``position``: the last checkpoint
    at or before it, moved on by the rows in between. Decoded afresh for every moment, so
    that no caller sees what another did to its copy."""
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
            apply(snapshot, decode_changes(data), at)
    return snapshot


# --- the stored form -------------------------------------------------------------------------
#
# ``whole`` says which kind of checkpoint ``data`` holds.
#
# A whole checkpoint is the marshal of [statuses, then of the pending amendments in the
# order proposed: their ids, the positions they were proposed at, their paragraphs' ids,
# the JSON of each (fields, then positions)]: one C call and a few objects for each
# amendment, decoded further only when read (``Pending``).
# The changes since the checkpoint before are the marshal of their ``Changes``.
# Marshal's format is Python's own: fine for a view written and read by this program,
# rebuilt from the log whenever it is dropped.
#
# Either is stored as it is or as one LZ4 block, as its first byte says: compressed where
# the bytes cross a connection (PostgreSQL: a whole of 4.6 MB arrives in 7 ms, 1.7 MB in
# 2.6 ms), as they are where they are read from a mapped file (SQLite: LZ4 would cost the
# rebuilding process a sixth of its work and every moment a tenth of its time, for 250 MB
# less at 1M events).
_AS_IS, _LZ4 = b"m", b"z"


def _packed(data: bytes, compress: bool) -> bytes:
    return _LZ4 + lz4.block.compress(data) if compress else _AS_IS + data


def _unpacked(data: bytes) -> Any:
    body = memoryview(data)[1:]
    return lz4.block.decompress(body) if data[:1] == _LZ4 else body


def decode(position: int, data: bytes) -> Snapshot:
    """The snapshot a whole checkpoint holds."""
    statuses, ids, proposed, paragraphs, stored = marshal.loads(_unpacked(data))
    return Snapshot(position, statuses, dict(zip(ids, map(Pending, ids, proposed, paragraphs, stored))))


def encode(snapshot: Snapshot, compress: bool = False) -> bytes:
    """A whole checkpoint. Its bytes may differ with how the values were made (marshal
    notes which objects are shared), never what it decodes to."""
    pending = snapshot.pending()
    return _packed(marshal.dumps([
        dict(sorted(snapshot.statuses.items())), [a.id for a in pending], [a.proposed for a in pending],
        [a.paragraph_id for a in pending], [a.json() for a in pending]]), compress)


def encode_changes(changes: Changes, compress: bool = False) -> bytes:
    return _packed(marshal.dumps(list(changes)), compress)


def decode_changes(data: bytes) -> Changes:
    return Changes(*marshal.loads(_unpacked(data)))


# --- writing from the rows --------------------------------------------------------------------

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
        due = catalog.nth_event_after(views, slug, last or 0, EVERY)
        if due is None or due > followed:
            return written
        if snapshot is None or snapshot.position != (last or 0):
            # The first one here, or another process wrote the last: start from that.
            snapshot = _stored(views, slug, last or 0)
        changes = advance(views, slug, snapshot, due)
        if (count + 1) % FULL:
            stored = (0, encode_changes(changes, views.postgres))
        else:
            stored = (1, encode(snapshot, views.postgres))
        with views.write() as cursor:
            cursor.execute(_INSERT, (slug, due, *stored))
        written += 1


# --- writing while the log is replayed ----------------------------------------------------------

_AMENDMENT_COLUMNS = [COLUMNS["view_amendments"].index(field) for field in AMENDMENT_FIELDS]
_VERSION = itemgetter(*_AMENDMENT_COLUMNS)


class Checkpointer:
    """The checkpoints of a rebuild, made as it goes: told of every temporal row the
    projector opens and closes (``taken``, ``opened``, ``closed``), it keeps each negotiation's
    moment and what changed in it since its last checkpoint, so that the rows need never
    be read back; the follower asks for each checkpoint when it is due (``checkpoint``).

    The positions held are the projector's own (``projector.State.positions``): complete
    in a rebuild, which starts from empty views. What is valid at a checkpoint is what the
    rows say, as ``read_changes`` reads them: opened at or before it and not closed by then.
    """

    def __init__(self, positions: dict[str, dict[str, Position]], compress: bool) -> None:
        self.positions = positions
        self.compress = compress  # see ``encode``
        # How many events of each negotiation have gone by: a checkpoint is due at every
        # EVERY-th, counted by the follower (``checkpoint``).
        self.events: dict[str, int] = {}
        self.negotiations: dict[str, _Moment] = {}
        # Amendments and paragraphs by id: a close names only the key of the row it closes.
        self._of: dict[str, _Moment] = {}

    def taken(self, row: Row) -> None:
        """A position's row opened: nearly every event of a long log, only noted here and
        looked at by the checkpoint."""
        self._of[row[0]].taken.append(row)

    def opened(self, table: str, row: Row) -> None:
        if table == "view_amendments":
            moment = self._of.get(row[0]) or self._own(row[0], row[2])
            moment.version_opened(row)
        elif table == "view_paragraph_status":
            moment = self._of.get(row[1]) or self._own(row[1], row[0])
            moment.status_opened(row[1], row[2], row[6])

    def closed(self, table: str, key: tuple[Any, ...], held: Position | None) -> None:
        if table == "view_positions":
            self._of[key[0]].position_closed(key[0], held)
        elif table == "view_amendments":
            self._of[key[0]].version_closed(key[0])
        elif table == "view_paragraph_status":
            self._of[key[0]].status_closed(key[0])

    def checkpoint(self, slug: str, position: int) -> tuple[int, bytes]:
        """The checkpoint due just after ``position``, the EVERY-th event of ``slug`` since
        the last one: (whole, data)."""
        return self._moment(slug).checkpoint(position, self.compress)

    def _moment(self, slug: str) -> _Moment:
        moment = self.negotiations.get(slug)
        if moment is None:
            moment = self.negotiations[slug] = _Moment(self.positions)
        return moment

    def _own(self, key: str, slug: str) -> _Moment:
        moment = self._of[key] = self._moment(slug)
        return moment


class _Moment:
    """One negotiation's moment as the rows stand, what changed in it since its last
    checkpoint (at ``start``), and the snapshot a reader would have made of it at that
    checkpoint, moved on by the very changes each checkpoint stores: what a whole one
    holds, the JSON of its amendments joined rather than written again."""

    def __init__(self, positions: dict[str, dict[str, Position]]) -> None:
        self.written = 0
        self.start = 0
        self.statuses: dict[str, tuple[str, int]] = {}  # paragraph id -> (status, since)
        self.amendments: dict[str, Amendment] = {}  # pending versions
        self.positions = positions  # held, by amendment and delegation, oldest first
        self.snapshot = Snapshot.empty()
        self._since_checkpoint()

    def _since_checkpoint(self) -> None:
        self.closed_statuses: list[str] = []
        self.opened_statuses: set[str] = set()
        self.was_pending: dict[str, bool] = {}  # at ``start``, for the amendments changed since
        self.versioned: set[str] = set()
        self.gone: set[str] = set()
        self.dropped: dict[str, list[Position]] = {}  # positions held at ``start``, closed since
        self.taken: list[Row] = []  # the rows of the positions taken since ``start``

    # --- the rows, as they open and close ---

    def status_closed(self, paragraph_id: str) -> None:
        found = self.statuses.pop(paragraph_id, None)
        if found is not None and found[1] <= self.start:
            self.closed_statuses.append(paragraph_id)

    def status_opened(self, paragraph_id: str, status: str, since: int) -> None:
        self.statuses[paragraph_id] = (intern(status), since)
        self.opened_statuses.add(paragraph_id)

    def version_closed(self, amendment_id: str) -> None:
        self.was_pending.setdefault(amendment_id, amendment_id in self.amendments)
        found = self.amendments.pop(amendment_id, None)
        if found is not None and found["valid_from"] <= self.start:
            self.gone.add(amendment_id)

    def version_opened(self, row: Row) -> None:
        amendment_id = row[0]
        self.was_pending.setdefault(amendment_id, amendment_id in self.amendments)
        self.versioned.add(amendment_id)
        version = _amendment(_VERSION(row))
        if version["status"] in PENDING:
            self.amendments[amendment_id] = version
        else:
            self.amendments.pop(amendment_id, None)

    def position_closed(self, amendment_id: str, held: Position | None) -> None:
        if held is not None and held[2] <= self.start:
            self.dropped.setdefault(amendment_id, []).append(held)

    # --- checkpoints ---

    def checkpoint(self, position: int, compress: bool) -> tuple[int, bytes]:
        """The checkpoint at ``position``, (whole, data): whole at one in FULL, else the
        changes since the last one."""
        changes = self._changes()
        apply(self.snapshot, changes, position)
        self.start = position
        self._since_checkpoint()
        self.written += 1
        if self.written % FULL:
            return 0, encode_changes(changes, compress)
        return 1, encode(self.snapshot, compress)

    def _changes(self) -> Changes:
        start, amendments, positions = self.start, self.amendments, self.positions
        joined = [amendments[key] for key in sorted(self.versioned) if key in amendments]
        restored = {}
        for amendment in joined:
            key = amendment["id"]
            if not self.was_pending[key] and amendment["proposed"] <= start:
                held = [p for p in positions[key].values() if p[2] <= start] + self.dropped.get(key, [])
                restored[key] = orjson.dumps(sorted(held, key=_SINCE))
        taken: dict[str, list[Position]] = {}
        for row in self.taken:
            key = row[0]
            if key in amendments:
                # Still held: not closed (nor taken again) since.
                held = positions[key].get(row[2])
                if held is not None and held[2] == row[7]:
                    taken.setdefault(key, []).append(held)
        return Changes(
            sorted(self.closed_statuses),
            sorted((key, self.statuses[key][0]) for key in self.opened_statuses if key in self.statuses),
            sorted(key for key in self.gone if key not in amendments),
            joined,
            restored,
            {key: sorted(p[0] for p in self.dropped[key]) for key in sorted(self.dropped) if key in amendments},
            {key: orjson.dumps(taken[key]) for key in sorted(taken)},
        )
