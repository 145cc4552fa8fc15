"""The negotiation as it stood just after any event: working text, pending amendments,
positions, paragraph status. Temporal rows make each part one indexed query; a whole
moment starts from the nearest checkpoint (projections/checkpoints.py) instead."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from projections import checkpoints
from projections.checkpoints import AMENDMENT_FIELDS
from projections.database import ViewDatabase
from projections.projector import PENDING

_AT = "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"


def last_revision_at(views: ViewDatabase, slug: str, position: int) -> tuple[str, int] | None:
    rows = views.query(
        "SELECT label, position FROM view_revisions WHERE negotiation = ? AND position <= ? "
        "ORDER BY position DESC LIMIT 1", (slug, position))
    return (rows[0][0], rows[0][1]) if rows else None


def revision_paragraphs(views: ViewDatabase, slug: str, label: str) -> list[dict[str, Any]]:
    rows = views.query(
        "SELECT paragraph_id, num, text, kind, level, footnotes, match FROM view_revision_paragraphs "
        "WHERE negotiation = ? AND label = ? ORDER BY ord", (slug, label))
    return [
        {"id": r[0], "num": r[1], "text": r[2], "kind": r[3], "level": r[4], "footnotes": orjson.loads(r[5]),
         "match": orjson.loads(r[6])}
        for r in rows
    ]


def statuses_at(views: ViewDatabase, slug: str, position: int) -> dict[str, str]:
    rows = views.query(
        f"SELECT paragraph_id, status FROM view_paragraph_status WHERE negotiation = ? AND {_AT}",
        (slug, position, position))
    return dict(rows)


def amendments_at(
    views: ViewDatabase, slug: str, position: int, statuses: Sequence[str] = PENDING
) -> list[dict[str, Any]]:
    """Amendments (their version valid at ``position``) whose status is one of ``statuses``."""
    marks = ", ".join("?" * len(statuses))
    rows = views.query(
        f"SELECT {', '.join(AMENDMENT_FIELDS)} FROM view_amendments "
        f"WHERE negotiation = ? AND {_AT} AND status IN ({marks}) ORDER BY proposed",
        (slug, position, position, *statuses))
    return [dict(zip(AMENDMENT_FIELDS, r, strict=True)) for r in rows]


def positions_at(
    views: ViewDatabase, slug: str, position: int, statuses: Sequence[str] = PENDING
) -> dict[str, list[list[Any]]]:
    """Positions valid at ``position`` on the amendments ``amendments_at`` returns, each
    ``[delegation, stance, since]``, oldest first."""
    marks = ", ".join("?" * len(statuses))
    rows = views.query(
        "SELECT p.amendment_id, p.delegation, p.stance, p.valid_from FROM view_amendments a "
        "JOIN view_positions p ON p.amendment_id = a.id "
        f"WHERE a.negotiation = ? AND a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to > ?) "
        f"AND a.status IN ({marks}) AND p.valid_from <= ? AND (p.valid_to IS NULL OR p.valid_to > ?) "
        "ORDER BY p.valid_from",
        (slug, position, position, *statuses, position, position))
    found: dict[str, list[list[Any]]] = {}
    for amendment_id, delegation, stance, since in rows:
        found.setdefault(amendment_id, []).append([delegation, stance, since])
    return found


def moment(views: ViewDatabase, slug: str, position: int) -> dict[str, Any]:
    """Everything ``show --at`` prints."""
    with checkpoints.without_gc():
        last = last_revision_at(views, slug, position)
        paragraphs = revision_paragraphs(views, slug, last[0]) if last else []
        snapshot = checkpoints.snapshot_at(views, slug, position)
        status = snapshot.statuses
        for p in paragraphs:
            p["status"] = status.get(p["id"], "open")
        return {
            "negotiation": slug,
            "position": position,
            "label": last[0] if last else None,
            "paragraphs": paragraphs,
            "amendments": snapshot.pending(),
        }
