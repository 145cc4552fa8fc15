"""What an observer browses by: the negotiations, a negotiation's details (phases, rounds,
delegations and groups), and its log read a page at a time, never whole."""

from __future__ import annotations

from typing import Any

import orjson

from projections.database import ViewDatabase
from tracker.domain.base import NotFound

_EVENT_FIELDS = ("position", "type", "timestamp", "delegation", "user", "aggregate_id")
_EVENTS = "SELECT position, type, timestamp, delegation, usr, aggregate_id FROM view_events"


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


def _event(row: tuple[Any, ...]) -> dict[str, Any]:
    found = dict(zip(_EVENT_FIELDS, row, strict=True))
    found["actor"] = {"delegation": found.pop("delegation"), "user": found.pop("user")}
    return found


def bounds(views: ViewDatabase, slug: str) -> tuple[int, int]:
    """The positions of the negotiation's first and last events (0, 0 when it has none)."""
    rows = views.query("SELECT MIN(position), MAX(position) FROM view_events WHERE negotiation = ?", (slug,))
    return rows[0][0] or 0, rows[0][1] or 0


def event_at(views: ViewDatabase, slug: str, position: int) -> dict[str, Any] | None:
    """The negotiation's last event at or before ``position``: the one a moment shows."""
    rows = views.query(f"{_EVENTS} WHERE negotiation = ? AND position <= ? ORDER BY position DESC LIMIT 1",
                       (slug, position))
    return _event(rows[0]) if rows else None


def events_before(views: ViewDatabase, slug: str, position: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` events strictly before ``position``, oldest first."""
    rows = views.query(f"{_EVENTS} WHERE negotiation = ? AND position < ? ORDER BY position DESC LIMIT ?",
                       (slug, position, limit))
    return [_event(r) for r in reversed(rows)]


def events_after(views: ViewDatabase, slug: str, position: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` events strictly after ``position``, oldest first."""
    rows = views.query(f"{_EVENTS} WHERE negotiation = ? AND position > ? ORDER BY position LIMIT ?",
                       (slug, position, limit))
    return [_event(r) for r in rows]
