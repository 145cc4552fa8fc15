"""Turns events of the log into rows of the views.

One handler per event topic, applied to a ``Batch`` that buffers rows and writes them in
bulk: the follower applies a page of events and its tracking position in one transaction.
Handlers read only the event and what earlier events left in the views, so replaying the
same log always gives the same rows (no clock, no randomness).

Most handlers take the event's values as the domain has them (``on``); those of the
amendments' events, nearly every event of a long log, take the stored JSON as it is, typed
values still tagged (``on(..., raw=True)``): the views want the strings it holds, and
turning them into datetimes and UUIDs only to turn them back would double a rebuild's
decoding.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any
from uuid import UUID

import orjson

from tracker.domain.base import Actor

Row = list[Any]
# A position held on an amendment: [delegation, stance, since].
Position = list[Any]

# Column orders of the tables written in bulk (see database.TABLES).
COLUMNS: dict[str, tuple[str, ...]] = {
    "view_events": ("position", "negotiation", "type", "timestamp", "delegation", "usr", "aggregate_id"),
    "view_owners": ("aggregate_id", "negotiation", "kind"),
    "view_delegations": ("negotiation", "code", "name", "kind", "registered"),
    "view_memberships": ("negotiation", "grp", "member", "valid_from", "valid_to", "joined_at", "left_at"),
    "view_revisions": ("negotiation", "label", "ord", "position", "timestamp", "symbol", "issued_on", "round",
                       "based_on", "delegation", "usr", "source"),
    "view_revision_paragraphs": ("negotiation", "label", "ord", "paragraph_id", "num", "text", "kind", "level",
                                 "footnotes", "match"),
    "view_paragraph_status": ("negotiation", "paragraph_id", "status", "note", "delegation", "usr", "valid_from",
                              "valid_to"),
    "view_amendments": ("id", "version", "negotiation", "base_revision", "paragraph_id", "action", "old_text",
                        "new_text", "after_paragraph_id", "on_behalf_of", "rationale", "round", "delegation",
                        "status", "decided_in", "decision_note", "proposed", "valid_from", "valid_to"),
    "view_positions": ("amendment_id", "negotiation", "delegation", "stance", "note", "usr", "round", "valid_from",
                       "valid_to", "timestamp", "taken_by"),
    "view_silence": ("id", "version", "negotiation", "revision_label", "paragraph_ids", "deadline", "note", "status",
                     "broken_by", "reason", "valid_from", "valid_to"),
    "view_inputs": ("id", "negotiation", "delegation", "usr", "paragraph_id", "theme", "text", "position",
                    "timestamp"),
    # Written by a rebuild's checkpointer (projections/checkpoints.py).
    "view_checkpoints": ("negotiation", "position", "whole", "data"),
}
NEGOTIATION_COLUMNS = ("slug", "id", "title", "symbol", "mandate", "languages", "phases", "rounds", "created",
                       "updated")

# The key that identifies "the same thing" across versions of a temporal table.
TEMPORAL_KEYS: dict[str, tuple[str, ...]] = {
    "view_memberships": ("negotiation", "grp", "member"),
    "view_paragraph_status": ("paragraph_id",),
    "view_amendments": ("id",),
    "view_positions": ("amendment_id", "delegation"),
    "view_silence": ("id",),
}

_INSERT = {
    table: f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    for table, cols in COLUMNS.items()
}
_CLOSE = {
    table: f"UPDATE {table} SET valid_to = ? WHERE {' AND '.join(f'{k} = ?' for k in key)} AND valid_to IS NULL"
    for table, key in TEMPORAL_KEYS.items()
}
_VALID_TO = {table: COLUMNS[table].index("valid_to") for table in TEMPORAL_KEYS}
# A position's row is keyed by the event that took it (view_positions' primary key): the
# event that replaces it closes it by that position.
_CLOSE_TAKEN = "UPDATE view_positions SET valid_to = ? WHERE valid_from = ?"
_TAKEN_AT = COLUMNS["view_positions"].index("valid_from")


def _key_getter(table: str) -> Callable[[Row], tuple[Any, ...]]:
    """A temporal row's key, as ``Batch.close`` is given it: a tuple even of one column."""
    indexes = [COLUMNS[table].index(k) for k in TEMPORAL_KEYS[table]]
    if len(indexes) == 1:
        only = indexes[0]
        return lambda row: (row[only],)
    return itemgetter(*indexes)


_KEY_OF = {table: _key_getter(table) for table in TEMPORAL_KEYS}
_UPSERT_NEGOTIATION = (
    f"INSERT INTO view_negotiations ({', '.join(NEGOTIATION_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(NEGOTIATION_COLUMNS))}) ON CONFLICT (slug) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in NEGOTIATION_COLUMNS[2:])
)

PENDING = ("proposed", "revised")


def dumps(value: Any) -> str:
    return orjson.dumps(value, default=_default).decode()


def _default(value: Any) -> Any:
    if isinstance(value, Actor):
        return value.as_dict()
    raise TypeError(type(value).__name__)


def _iso(value: datetime | date | None) -> str | None:
    if isinstance(value, datetime):
        return utc_iso(value)
    return value.isoformat() if value is not None else None


def utc_iso(moment: datetime) -> str:
    """One fixed-width UTC form, so that times compare correctly as text in SQL."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


# The length of a time as utc_iso writes it: 2026-01-02T03:04:05.123456+00:00
_UTC_ISO = 32


def stored_time(stamp: str) -> str:
    """An event's time as stored (ISO 8601) in utc_iso's form, which it nearly always is."""
    if len(stamp) == _UTC_ISO and stamp.endswith("+00:00"):
        return stamp
    # Not the one form utc_iso writes (no microseconds, or another zone).
    return utc_iso(datetime.fromisoformat(stamp))


class State:
    """What the projector remembers between events: caches of rows it will change again.

    Everything here can be reloaded from the views, so it is dropped whenever another
    process may have written them.
    """

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.owners: dict[str, str] = {}
        self.slugs: dict[str, str] = {}  # negotiation id -> slug
        self.negotiations: dict[str, dict[str, Any]] = {}
        self.amendments: dict[str, Row] = {}
        self.silences: dict[str, Row] = {}
        # The positions held on each amendment, by delegation, oldest first, each
        # [delegation, stance, since]: most positions are first positions, and knowing that
        # saves closing a row that does not exist; the row to close is found by its key, the
        # position that opened it. A rebuild's checkpoints read them too.
        self.positions: dict[str, dict[str, Position]] = {}
        # The round open in each negotiation, asked for by every position taken; forgotten
        # whenever the negotiation changes.
        self.rounds: dict[str, int | None] = {}
        # Told of every temporal row opened and closed (a rebuild's checkpoints.Checkpointer).
        self.checkpointer: Any = None

    def open_round(self, slug: str) -> int | None:
        try:
            return self.rounds[slug]
        except KeyError:
            found = self.rounds[slug] = open_round(self.negotiation(slug))
            return found

    def positions_on(self, amendment_id: str) -> dict[str, Position]:
        found = self.positions.get(amendment_id)
        if found is None:
            self.cursor.execute(
                "SELECT delegation, stance, valid_from FROM view_positions WHERE amendment_id = ? "
                "AND valid_to IS NULL ORDER BY valid_from", (amendment_id,))
            found = self.positions[amendment_id] = {row[0]: list(row) for row in self.cursor.fetchall()}
        return found

    def owner(self, aggregate_id: str) -> str:
        slug = self.owners.get(aggregate_id)
        if slug is None:
            row = self._one("SELECT negotiation FROM view_owners WHERE aggregate_id = ?", (aggregate_id,))
            slug = self.owners[aggregate_id] = row[0]
        return slug

    def negotiation(self, slug: str) -> dict[str, Any]:
        found = self.negotiations.get(slug)
        if found is None:
            row = self._one(f"SELECT {', '.join(NEGOTIATION_COLUMNS)} FROM view_negotiations WHERE slug = ?", (slug,))
            found = dict(zip(NEGOTIATION_COLUMNS, row, strict=True))
            for key in ("languages", "phases", "rounds"):
                found[key] = orjson.loads(found[key])
            self.negotiations[slug] = found
        return found

    def current(self, table: str, cache: dict[str, Row], key: str) -> Row:
        row = cache.get(key)
        if row is None:
            found = self._one(f"SELECT {', '.join(COLUMNS[table])} FROM {table} WHERE id = ? AND valid_to IS NULL", (key,))
            row = cache[key] = list(found)
        return row

    def _one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...]:
        self.cursor.execute(sql, params)
        row = self.cursor.fetchone()
        if row is None:
            raise LookupError(f"the views are missing a row the log refers to ({sql.split('FROM')[1].split()[0]} {params})")
        return row


class Batch:
    """Rows to write, buffered; closes of rows written in earlier batches become UPDATEs."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.rows: dict[str, list[Row]] = {table: [] for table in COLUMNS}
        self.closes: dict[str, list[tuple[Any, ...]]] = {table: [] for table in TEMPORAL_KEYS}
        self.closes_taken: list[tuple[int, int]] = []  # (closed at, taken at) of earlier batches' positions
        self.open: dict[tuple[str, tuple[Any, ...]], Row] = {}
        self.taken_at: dict[int, Row] = {}  # this batch's position rows, by the position that took them
        self.touched: set[str] = set()
        self.watch = state.checkpointer
        self._positions = self.rows["view_positions"]

    def add(self, table: str, row: Row) -> Row:
        if table == "view_positions":
            return self.take(row)
        self.rows[table].append(row)
        if table not in TEMPORAL_KEYS:
            return row
        self.open[(table, _KEY_OF[table](row))] = row
        if self.watch is not None:
            self.watch.opened(table, row)
        return row

    def take(self, row: Row) -> Row:
        """``add`` of a position's row: nine rows in ten of a long log, so spelt out."""
        self._positions.append(row)
        self.taken_at[row[_TAKEN_AT]] = row
        if self.watch is not None:
            self.watch.taken(row)
        return row

    def close(self, table: str, key: tuple[Any, ...], position: int, held: Position | None = None) -> None:
        """Close the open version of ``key`` at ``position``. A position's row is found by
        ``held``, the position it holds, which says when it was taken."""
        if self.watch is not None:
            self.watch.closed(table, key, held)
        if table == "view_positions":
            taken = held[2]  # type: ignore[index]
            row = self.taken_at.pop(taken, None)
            if row is None:
                self.closes_taken.append((position, taken))
                return
        else:
            row = self.open.pop((table, key), None)
            if row is None:
                self.closes[table].append((position, *key))
                return
        row[_VALID_TO[table]] = position

    def flush(self, cursor: Any) -> None:
        # Closes first: they only ever touch rows of earlier batches, never this one's.
        for table, params in self.closes.items():
            if params:
                cursor.executemany(_CLOSE[table], params)
        if self.closes_taken:
            cursor.executemany(_CLOSE_TAKEN, self.closes_taken)
        for table, rows in self.rows.items():
            if rows:
                cursor.executemany(_INSERT[table], rows)
        for slug in self.touched:
            n = self.state.negotiations[slug]
            cursor.execute(_UPSERT_NEGOTIATION, [
                n[c] if c not in ("languages", "phases", "rounds") else dumps(n[c]) for c in NEGOTIATION_COLUMNS
            ])


Handler = Callable[[Batch, int, str, dict[str, Any]], str | None]
HANDLERS: dict[str, Handler] = {}
RAW_HANDLERS: dict[str, Handler] = {}
# The topics whose handlers write the event's entry in the log themselves, in a row of
# their own view: the follower adds none to view_events.
LOGGED: set[str] = set()


def on(topic: str, *, raw: bool = False, logged: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        (RAW_HANDLERS if raw else HANDLERS)["tracker." + topic] = handler
        if logged:
            LOGGED.add("tracker." + topic)
        return handler

    return register


# --- negotiations -----------------------------------------------------------------------


@on("negotiation.Created")
def _created(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    slug = e["slug"]
    b.state.owners[aggregate] = slug
    b.add("view_owners", [aggregate, slug, "negotiation"])
    b.state.negotiations[slug] = {
        "slug": slug, "id": aggregate, "title": e["title"], "symbol": e["symbol"], "mandate": e["mandate"],
        "languages": list(e["languages"]), "phases": [], "rounds": [], "created": position, "updated": position,
    }
    b.touched.add(slug)
    b.add("view_delegations", [slug, "SECRETARIAT", "Secretariat", "secretariat", position])
    return slug


def _negotiation_event(change: Callable[[dict[str, Any], dict[str, Any], int, Batch], None]) -> Handler:
    def handler(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
        slug = b.state.owner(aggregate)
        negotiation = b.state.negotiation(slug)
        change(negotiation, e, position, b)
        b.state.rounds.pop(slug, None)
        negotiation["updated"] = position
        b.touched.add(slug)
        return slug

    return handler


def _details(n: dict[str, Any], e: dict[str, Any], position: int, b: Batch) -> None:
    n.update({k: v for k, v in e["changes"].items() if k in NEGOTIATION_COLUMNS})


def _phase(n: dict[str, Any], e: dict[str, Any], position: int, b: Batch) -> None:
    n["phases"].append({"name": e["name"], "starts": _iso(e["starts"]), "ends": _iso(e["ends"]),
                        "description": e["description"]})


def _round(n: dict[str, Any], e: dict[str, Any], position: int, b: Batch) -> None:
    n["rounds"].append({"number": e["number"], "starts": _iso(e["starts"]), "ends": _iso(e["ends"]),
                        "venue": e["venue"], "status": "scheduled", "opened": None, "closed": None})
    n["rounds"].sort(key=lambda r: r["number"])


def _round_status(status: str, field: str) -> Callable[[dict[str, Any], dict[str, Any], int, Batch], None]:
    def change(n: dict[str, Any], e: dict[str, Any], position: int, b: Batch) -> None:
        for r in n["rounds"]:
            if r["number"] == e["number"]:
                r["status"], r[field] = status, position

    return change


def _registered(n: dict[str, Any], e: dict[str, Any], position: int, b: Batch) -> None:
    b.add("view_delegations", [n["slug"], e["code"], e["name"], e["kind"], position])


def _joined(n: dict[str, Any], e: dict[str, Any], position: int, b: Batch) -> None:
    b.add("view_memberships", [n["slug"], e["group"], e["member"], position, None, _iso(e["timestamp"]), None])


def _left(n: dict[str, Any], e: dict[str, Any], position: int, b: Batch) -> None:
    b.close("view_memberships", (n["slug"], e["group"], e["member"]), position)


def _nothing(n: dict[str, Any], e: dict[str, Any], position: int, b: Batch) -> None:
    pass


on("negotiation.DetailsChanged")(_negotiation_event(_details))
on("negotiation.PhaseAdded")(_negotiation_event(_phase))
on("negotiation.RoundScheduled")(_negotiation_event(_round))
on("negotiation.RoundOpened")(_negotiation_event(_round_status("open", "opened")))
on("negotiation.RoundClosed")(_negotiation_event(_round_status("closed", "closed")))
on("negotiation.DelegationRegistered")(_negotiation_event(_registered))
on("negotiation.GroupJoined")(_negotiation_event(_joined))
on("negotiation.GroupLeft")(_negotiation_event(_left))
on("negotiation.RevisionListed")(_negotiation_event(_nothing))


def open_round(n: dict[str, Any]) -> int | None:
    numbers = [r["number"] for r in n["rounds"] if r["status"] == "open"]
    return max(numbers) if numbers else None


# --- revisions and paragraphs ----------------------------------------------------------


def _own(b: Batch, aggregate: str, negotiation_id: Any, kind: str) -> str:
    slug = b.state.owner(str(negotiation_id))
    b.state.owners[aggregate] = slug
    b.add("view_owners", [aggregate, slug, kind])
    return slug


@on("revision.Published")
def _published(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    slug = _own(b, aggregate, e["negotiation_id"], "revision")
    actor: Actor = e["actor"]
    b.add("view_revisions", [
        slug, e["label"], position, position, _iso(e["timestamp"]), e["symbol"], _iso(e["issued_on"]),
        e["round_number"], e["based_on"], actor.delegation, actor.user, dumps(e["source"]),
    ])
    for ord_, p in enumerate(e["paragraphs"]):
        b.add("view_revision_paragraphs", [
            slug, e["label"], ord_, p["id"], p["num"], p["text"], p["kind"], p["level"],
            dumps(p["footnotes"]), dumps(p["match"]),
        ])
    return slug


@on("paragraph.Introduced")
def _introduced(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    slug = _own(b, aggregate, e["negotiation_id"], "paragraph")
    actor: Actor = e["actor"]
    b.add("view_paragraph_status", [slug, aggregate, "open", "", actor.delegation, actor.user, position, None])
    return slug


@on("paragraph.StatusChanged")
def _status(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    slug = b.state.owner(aggregate)
    actor: Actor = e["actor"]
    b.close("view_paragraph_status", (aggregate,), position)
    b.add("view_paragraph_status", [slug, aggregate, e["status"], e["note"], actor.delegation, actor.user, position,
                                    None])
    return slug


# --- amendments and positions ------------------------------------------------------------

_INDEX = {table: {name: i for i, name in enumerate(columns)} for table, columns in COLUMNS.items()}


@on("amendment.Proposed", raw=True)
def _proposed(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    # A raw event's typed values are tagged: {"_type_": ..., "_data_": what it holds}.
    slug = _own(b, aggregate, UUID(e["negotiation_id"]["_data_"]), "amendment")
    row = [
        aggregate, 1, slug, e["base_revision"], e["paragraph_id"], e["action"], e["old_text"], e["new_text"],
        e["after_paragraph_id"], e["on_behalf_of"], e["rationale"], e["round_number"], e["actor"]["_data_"]["delegation"],
        "proposed", None, "", position, position, None,
    ]
    b.state.amendments[aggregate] = b.add("view_amendments", row)
    b.state.positions[aggregate] = {}
    return slug


def _next_version(b: Batch, table: str, cache: dict[str, Row], position: int, aggregate: str,
                  **changes: Any) -> str:
    """Close the current version of a versioned row and add the next one with ``changes``."""
    index = _INDEX[table]
    current = b.state.current(table, cache, aggregate)
    b.close(table, (aggregate,), position)
    row = list(current)
    row[index["version"]] += 1
    for name, value in changes.items():
        row[index[name]] = value
    row[index["valid_from"]], row[index["valid_to"]] = position, None
    cache[aggregate] = b.add(table, row)
    return row[index["negotiation"]]


def _new_version(b: Batch, position: int, aggregate: str, **changes: Any) -> str:
    return _next_version(b, "view_amendments", b.state.amendments, position, aggregate, **changes)


@on("amendment.Revised", raw=True)
def _revised(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    return _new_version(b, position, aggregate, old_text=e["old_text"], new_text=e["new_text"],
                        rationale=e["rationale"], status="revised")


@on("amendment.Withdrawn", raw=True)
def _withdrawn(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    return _new_version(b, position, aggregate, status="withdrawn", decision_note=e["reason"])


@on("amendment.Decided", raw=True)
def _decided(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    return _new_version(b, position, aggregate, status=e["outcome"], decided_in=e["revision_label"],
                        decision_note=e["note"])


@on("amendment.PositionTaken", raw=True, logged=True)
def _position(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    # Nine events in ten of a long log: the state's caches are read here directly, and
    # asked (loading what they lack) only when they have nothing.
    state = b.state
    slug = state.owners.get(aggregate) or state.owner(aggregate)
    holders = state.positions.get(aggregate)
    if holders is None:
        holders = state.positions_on(aggregate)
    delegation, stance = e["delegation"], e["stance"]
    held = holders.pop(delegation, None)
    if held is not None:
        b.close("view_positions", (aggregate, delegation), position, held)
    holders[delegation] = [delegation, stance, position]
    rounds = state.rounds
    round_number = rounds[slug] if slug in rounds else state.open_round(slug)
    actor = e["actor"]["_data_"]
    taken_by = actor["delegation"]
    b.take([aggregate, slug, delegation, stance, e["note"], actor["user"], round_number, position, None,
            stored_time(e["timestamp"]["_data_"]), None if taken_by == delegation else taken_by])
    return slug


@on("amendment.PositionDropped", raw=True)
def _dropped(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    held = b.state.positions_on(aggregate).pop(e["delegation"], None)
    if held is not None:
        b.close("view_positions", (aggregate, e["delegation"]), position, held)
    return b.state.owner(aggregate)


# --- silence procedures and stakeholder inputs ------------------------------------------


@on("silence.Opened")
def _silence_opened(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    slug = _own(b, aggregate, e["negotiation_id"], "silence")
    row = [aggregate, 1, slug, e["revision_label"], dumps(e["paragraph_ids"]), _iso(e["deadline"]), e["note"],
           "open", None, "", position, None]
    b.state.silences[aggregate] = b.add("view_silence", row)
    return slug


def _silence_version(b: Batch, position: int, aggregate: str, **changes: Any) -> str:
    return _next_version(b, "view_silence", b.state.silences, position, aggregate, **changes)


@on("silence.Broken")
def _silence_broken(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    return _silence_version(b, position, aggregate, status="broken", broken_by=e["delegation"], reason=e["reason"])


@on("silence.Passed")
def _silence_passed(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    return _silence_version(b, position, aggregate, status="passed")


@on("input.Submitted")
def _input(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> str:
    slug = _own(b, aggregate, e["negotiation_id"], "input")
    actor: Actor = e["actor"]
    b.add("view_inputs", [aggregate, slug, actor.delegation, actor.user, e["paragraph_id"], e["theme"], e["text"],
                          position, _iso(e["timestamp"])])
    return slug
