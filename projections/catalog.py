"""What an observer browses by: the negotiations, a negotiation's details (phases, rounds,
delegations and groups), and its log read a page at a time, never whole."""

from __future__ import annotations

from typing import Any

import orjson

from projections.database import ViewDatabase
from tracker.domain.amendment import Amendment
from tracker.domain.base import NotFound

_EVENT_FIELDS = ("position", "type", "timestamp", "delegation", "user", "aggregate_id")


def negotiations(views: ViewDatabase) -> list[dict[str, Any]]:
    rows = views.query(
        "SELECT n.slug, n.title, n.symbol, n.languages, n.updated, "
        "(SELECT COUNT(*) FROM view_revisions r WHERE r.negotiation = n.slug), "
        "(SELECT r.label FROM view_revisions r WHERE r.negotiation = n.slug ORDER BY r.position DESC LIMIT 1) "
        "FROM view_negotiations n ORDER BY n.created")
    return [
        {"slug": r[0], "title": r[1], "symbol": r[2], "languages": orjson.loads(r[3]), "last_position": r[4],
         "revisions": r[5], "latest": r[6]}
        for r in rows
    ]


def negotiation(views: ViewDatabase, slug: str) -> dict[str, Any]:
    rows = views.query(
        "SELECT slug, title, symbol, mandate, languages, phases, rounds, created, updated "
        "FROM view_negotiations WHERE slug = ?", (slug,))
    if not rows:
        raise NotFound(f"unknown negotiation {slug!r}")
    slug, title, symbol, mandate, languages, phases, rounds, created, updated = rows[0]
    return {
        "slug": slug, "title": title, "symbol": symbol, "mandate": mandate, "languages": orjson.loads(languages),
        "phases": orjson.loads(phases), "rounds": orjson.loads(rounds), "created": created, "updated": updated,
    }


def delegations(views: ViewDatabase, slug: str) -> list[dict[str, Any]]:
    """Every delegation with the groups it belongs to now, its members if it is a group,
    and how many proposals and positions it has on record."""
    members: dict[str, list[str]] = {}
    groups: dict[str, list[str]] = {}
    for group, member in views.query(
            "SELECT grp, member FROM view_memberships WHERE negotiation = ? AND valid_to IS NULL "
            "ORDER BY valid_from", (slug,)):
        members.setdefault(group, []).append(member)
        groups.setdefault(member, []).append(group)
    proposals = dict(views.query(
        "SELECT delegation, COUNT(*) FROM view_amendments WHERE negotiation = ? AND valid_to IS NULL "
        "GROUP BY delegation", (slug,)))
    positions = dict(views.query(
        "SELECT delegation, COUNT(*) FROM view_positions WHERE negotiation = ? AND valid_to IS NULL "
        "GROUP BY delegation", (slug,)))
    return [
        {"code": code, "name": name, "kind": kind, "groups": groups.get(code, []), "members": members.get(code, []),
         "proposals": proposals.get(code, 0), "positions": positions.get(code, 0)}
        for code, name, kind in views.query(
            "SELECT code, name, kind FROM view_delegations WHERE negotiation = ? ORDER BY registered", (slug,))
    ]


# --- the log, a page at a time -------------------------------------------------------------
#
# Its entries are the rows of view_events and, for the positions taken (nine events in ten
# of a long log), the positions' own rows: each side is read through its own index, and
# what a page or a bound wants of both is merged from the little each gives.

_TAKEN = Amendment.PositionTaken.__qualname__
_EVENTS = "SELECT position, type, timestamp, delegation, usr, aggregate_id FROM view_events WHERE negotiation = ?"
_TAKEN_EVENTS = (f"SELECT valid_from, '{_TAKEN}', timestamp, COALESCE(taken_by, delegation), usr, amendment_id "
                 "FROM view_positions WHERE negotiation = ?")


def _event(row: tuple[Any, ...]) -> dict[str, Any]:
    found = dict(zip(_EVENT_FIELDS, row, strict=True))
    found["actor"] = {"delegation": found.pop("delegation"), "user": found.pop("user")}
    return found


def _entries(views: ViewDatabase, slug: str, beyond: str, position: int, limit: int) -> list[tuple[Any, ...]]:
    """Up to ``limit`` entries nearest ``position`` on one side of it (``beyond``: one of
    < <= >), nearest first."""
    order = "" if beyond == ">" else " DESC"
    return views.query(
        f"SELECT * FROM ({_EVENTS} AND position {beyond} ? ORDER BY position{order} LIMIT ?) AS e UNION ALL "
        f"SELECT * FROM ({_TAKEN_EVENTS} AND valid_from {beyond} ? ORDER BY valid_from{order} LIMIT ?) AS p "
        f"ORDER BY 1{order} LIMIT ?", (slug, position, limit, slug, position, limit, limit))


def _bound(views: ViewDatabase, slug: str, of: str) -> int | None:
    """``of`` (MIN or MAX) of the positions of the negotiation's entries."""
    rows = views.query(
        f"SELECT {of}(p) FROM (SELECT {of}(position) AS p FROM view_events WHERE negotiation = ? "
        f"UNION ALL SELECT {of}(valid_from) FROM view_positions WHERE negotiation = ?) AS b", (slug, slug))
    return rows[0][0]


def bounds(views: ViewDatabase, slug: str) -> tuple[int, int]:
    """The positions of the negotiation's first and last events (0, 0 when it has none)."""
    return _bound(views, slug, "MIN") or 0, _bound(views, slug, "MAX") or 0


def last_position(views: ViewDatabase, slug: str) -> int:
    return _bound(views, slug, "MAX") or 0


def position_at_time(views: ViewDatabase, slug: str, moment_iso: str) -> int:
    """The position of the negotiation's last event at or before that time, the latest by
    its time (0: before it began). Times follow the log's order whenever the clocks that
    stamped them agree, and found so, it is the last index entry before that time on each
    side instead of every one of them (100 ms at a million events)."""
    rows = views.query(
        "SELECT * FROM (SELECT timestamp, position FROM view_events WHERE negotiation = ? AND timestamp <= ? "
        "ORDER BY timestamp DESC, position DESC LIMIT 1) AS e UNION ALL SELECT * FROM (SELECT timestamp, valid_from "
        "FROM view_positions WHERE negotiation = ? AND timestamp <= ? ORDER BY timestamp DESC, valid_from DESC "
        "LIMIT 1) AS p ORDER BY 1 DESC, 2 DESC LIMIT 1", (slug, moment_iso, slug, moment_iso))
    return rows[0][1] if rows else 0


def event_at(views: ViewDatabase, slug: str, position: int) -> dict[str, Any] | None:
    """The negotiation's last event at or before ``position``: the one a moment shows."""
    rows = _entries(views, slug, "<=", position, 1)
    return _event(rows[0]) if rows else None


def events_before(views: ViewDatabase, slug: str, position: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` events strictly before ``position``, oldest first."""
    return [_event(r) for r in reversed(_entries(views, slug, "<", position, limit))]


def events_after(views: ViewDatabase, slug: str, position: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` events strictly after ``position``, oldest first."""
    return [_event(r) for r in _entries(views, slug, ">", position, limit)]


def nth_event_after(views: ViewDatabase, slug: str, position: int, n: int) -> int | None:
    """The position of the negotiation's ``n``-th event after ``position``, if there is one yet."""
    rows = views.query(
        "SELECT * FROM (SELECT position FROM view_events WHERE negotiation = ? AND position > ? "
        "ORDER BY position LIMIT ?) AS e UNION ALL SELECT * FROM (SELECT valid_from FROM view_positions "
        "WHERE negotiation = ? AND valid_from > ? ORDER BY valid_from LIMIT ?) AS p ORDER BY 1 LIMIT 1 OFFSET ?",
        (slug, position, n, slug, position, n, n - 1))
    return rows[0][0] if rows else None


def negotiations_between(views: ViewDatabase, after: int, upto: int) -> set[str]:
    """The negotiations with events after ``after`` up to ``upto``."""
    rows = views.query(
        "SELECT negotiation FROM view_events WHERE position > ? AND position <= ? UNION "
        "SELECT negotiation FROM view_positions WHERE valid_from > ? AND valid_from <= ?", (after, upto, after, upto))
    return {row[0] for row in rows}
