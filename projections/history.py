"""A paragraph's whole life: its text in every revision that has it, every amendment on it
(each version, with every position taken and dropped, and the outcome), its status changes
the stakeholders' inputs on it, and where the words of its latest text come from (blame)."""

from __future__ import annotations

from typing import Any

import orjson

from projections.blame import paragraph_blame
from projections.database import ViewDatabase
from tracker.domain.base import NotFound

_AMENDMENT_FIELDS = ("id", "version", "base_revision", "paragraph_id", "action", "old_text", "new_text", "after_paragraph_id",
                     "on_behalf_of", "rationale", "round", "delegation", "status", "decided_in", "decision_note",
                     "proposed", "valid_from", "valid_to")


def paragraph_history(views: ViewDatabase, slug: str, paragraph_id: str) -> dict[str, Any]:
    texts = [
        {"label": r[0], "position": r[1], "timestamp": r[2], "num": r[3], "text": r[4], "kind": r[5],
         "level": r[6], "footnotes": orjson.loads(r[7]), "match": orjson.loads(r[8])}
        for r in views.query(
            "SELECT r.label, r.position, r.timestamp, p.num, p.text, p.kind, p.level, p.footnotes, p.match "
            "FROM view_revision_paragraphs p JOIN view_revisions r ON r.negotiation = p.negotiation "
            "AND r.label = p.label WHERE p.paragraph_id = ? AND p.negotiation = ? ORDER BY r.position",
            (paragraph_id, slug))
    ]
    if not texts:
        raise NotFound(f"no paragraph {paragraph_id!r} in negotiation {slug!r}")
    labels = [r[0] for r in views.query(
        "SELECT label FROM view_revisions WHERE negotiation = ? ORDER BY position", (slug,))]
    present = {t["label"] for t in texts}
    statuses = [
        {"status": r[0], "note": r[1], "actor": {"delegation": r[2], "user": r[3]}, "position": r[4],
         "until": r[5], "timestamp": r[6]}
        for r in views.query(
            "SELECT s.status, s.note, s.delegation, s.usr, s.valid_from, s.valid_to, e.timestamp "
            "FROM view_paragraph_status s LEFT JOIN view_events e ON e.position = s.valid_from "
            "WHERE s.paragraph_id = ? ORDER BY s.valid_from", (paragraph_id,))
    ]
    return {
        "negotiation": slug,
        "id": paragraph_id,
        "num": texts[-1]["num"],
        "status": statuses[-1]["status"] if statuses else "open",
        # Revisions published after it came in that no longer have it.
        "absent_from": [label for label in labels[labels.index(texts[0]["label"]):] if label not in present],
        "texts": texts,
        "blame": {"label": texts[-1]["label"],
                  "spans": paragraph_blame(views, slug, texts[-1]["label"], paragraph_id)},
        "statuses": statuses,
        "amendments": _amendments(views, slug, paragraph_id),
        "inputs": [
            {"id": r[0], "delegation": r[1], "user": r[2], "theme": r[3], "text": r[4], "position": r[5],
             "timestamp": r[6]}
            for r in views.query(
                "SELECT id, delegation, usr, theme, text, position, timestamp FROM view_inputs "
                "WHERE negotiation = ? AND paragraph_id = ? ORDER BY position", (slug, paragraph_id))
        ],
    }


def _amendments(views: ViewDatabase, slug: str, paragraph_id: str) -> list[dict[str, Any]]:
    """Each amendment as it stands now, with its earlier versions and its positions' history."""
    versions: dict[str, list[dict[str, Any]]] = {}
    for row in views.query(
            f"SELECT {', '.join(_AMENDMENT_FIELDS)} FROM view_amendments WHERE negotiation = ? "
            "AND (paragraph_id = ? OR after_paragraph_id = ?) ORDER BY proposed, version", (slug, paragraph_id,
                                                                                            paragraph_id)):
        version = dict(zip(_AMENDMENT_FIELDS, row, strict=True))
        versions.setdefault(version["id"], []).append(version)
    if not versions:
        return []
    marks = ", ".join("?" * len(versions))
    positions: dict[str, list[dict[str, Any]]] = {}
    for amendment_id, delegation, stance, note, user, round_number, since, until in views.query(
            "SELECT amendment_id, delegation, stance, note, usr, round, valid_from, valid_to FROM view_positions "
            f"WHERE amendment_id IN ({marks}) ORDER BY valid_from", tuple(versions)):
        positions.setdefault(amendment_id, []).append(
            {"delegation": delegation, "stance": stance, "note": note, "user": user, "round": round_number,
             "since": since, "until": until, "current": until is None})
    found = []
    for amendment_id, history in versions.items():
        current = dict(history[-1])
        # A move of another paragraph to just after this one is on its history too.
        current["on_this_paragraph"] = current["paragraph_id"] == paragraph_id
        current["versions"] = [
            {k: v[k] for k in ("version", "status", "old_text", "new_text", "rationale", "decision_note",
                               "valid_from", "valid_to")}
            for v in history
        ]
        current["positions"] = positions.get(amendment_id, [])
        found.append(current)
    return found
