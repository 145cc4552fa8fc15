"""Search a negotiation: the text of its revisions, its amendments (text, rationale,
decision) and its positions (delegation, note). Each kind is paged on its own, so a page
never reads more than ``limit + 1`` rows of each.

Matching is a case-insensitive substring (``LOWER(...) LIKE``); SQLite lowers ASCII only,
PostgreSQL every script.
"""

from __future__ import annotations

from typing import Any

from projections.database import ViewDatabase

_ESCAPE = "!"


def like_pattern(query: str) -> str:
    """``%query%`` with LIKE's wildcards taken literally."""
    escaped = query.lower().replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    return f"%{escaped}%"


def _like(column: str) -> str:
    return f"LOWER({column}) LIKE ? ESCAPE '{_ESCAPE}'"


def search(views: ViewDatabase, slug: str, query: str, limit: int, offset: int) -> dict[str, Any]:
    pattern = like_pattern(query)
    paragraphs = views.query(
        "SELECT p.paragraph_id, p.label, p.num, p.text, p.kind, r.position FROM view_revision_paragraphs p "
        "JOIN view_revisions r ON r.negotiation = p.negotiation AND r.label = p.label "
        f"WHERE p.negotiation = ? AND {_like('p.text')} ORDER BY r.position DESC, p.ord LIMIT ? OFFSET ?",
        (slug, pattern, limit + 1, offset))
    amendments = views.query(
        "SELECT id, paragraph_id, base_revision, action, old_text, new_text, rationale, decision_note, delegation, "
        "on_behalf_of, status, proposed FROM view_amendments WHERE negotiation = ? AND valid_to IS NULL AND "
        f"({_like('old_text')} OR {_like('new_text')} OR {_like('rationale')} OR {_like('decision_note')}) "
        "ORDER BY proposed LIMIT ? OFFSET ?",
        (slug, pattern, pattern, pattern, pattern, limit + 1, offset))
    positions = views.query(
        "SELECT p.amendment_id, a.paragraph_id, p.delegation, d.name, p.stance, p.note, p.valid_from, a.delegation, "
        "a.action FROM view_positions p "
        "JOIN view_amendments a ON a.id = p.amendment_id AND a.valid_to IS NULL "
        "LEFT JOIN view_delegations d ON d.negotiation = p.negotiation AND d.code = p.delegation "
        f"WHERE p.negotiation = ? AND p.valid_to IS NULL AND ({_like('p.delegation')} OR {_like('p.note')} "
        f"OR {_like('d.name')}) ORDER BY p.valid_from LIMIT ? OFFSET ?",
        (slug, pattern, pattern, pattern, limit + 1, offset))
    return {
        "paragraphs": [
            {"paragraph_id": r[0], "label": r[1], "num": r[2], "text": r[3], "kind": r[4], "position": r[5]}
            for r in paragraphs[:limit]
        ],
        "amendments": [
            dict(zip(("id", "paragraph_id", "base_revision", "action", "old_text", "new_text", "rationale",
                      "decision_note", "delegation", "on_behalf_of", "status", "proposed"), r, strict=True))
            for r in amendments[:limit]
        ],
        "positions": [
            dict(zip(("amendment_id", "paragraph_id", "delegation", "name", "stance", "note", "since", "proposer",
                      "action"), r, strict=True))
            for r in positions[:limit]
        ],
        "more": len(paragraphs) > limit or len(amendments) > limit or len(positions) > limit,
    }
