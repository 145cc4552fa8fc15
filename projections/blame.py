"""Blame: every span of a revision's text traced to the event that brought it in: the
amendment (and delegation) whose words it is, or the revision that introduced it."""

from __future__ import annotations

from typing import Any

from projections import moments
from projections.database import ViewDatabase
from tracker.domain.base import NotFound
from tracker.text.blame import Span, carry

CREDITED = ("incorporated", "partly_incorporated")


def blame(views: ViewDatabase, slug: str, label: str) -> dict[str, Any]:
    revisions = views.query(
        "SELECT label, position, delegation, usr FROM view_revisions WHERE negotiation = ? ORDER BY position",
        (slug,))
    labels = [r[0] for r in revisions]
    if label not in labels:
        raise NotFound(f"no revision {label!r} in negotiation {slug!r}")
    sources: dict[str, dict[str, Any]] = {}
    state: dict[str, tuple[str, tuple[Span, ...]]] = {}
    paragraphs: list[dict[str, Any]] = []
    for current, position, delegation, user in revisions[: labels.index(label) + 1]:
        source = f"revision:{current}"
        sources[source] = {"kind": "revision", "label": current, "position": position,
                           "delegation": delegation, "user": user}
        proposals = _credited(views, slug, current, sources)
        paragraphs = moments.revision_paragraphs(views, slug, current)
        next_state = {}
        for p in paragraphs:
            old_text, old_spans = state.get(p["id"], ("", ()))
            offered = proposals.get(p["id"], []) + (proposals.get("", []) if not old_text else [])
            next_state[p["id"]] = (p["text"], carry(old_text, old_spans, p["text"], source, offered))
        state = next_state
    return {
        "negotiation": slug,
        "label": label,
        "paragraphs": [
            {"id": p["id"], "num": p["num"], "text": p["text"],
             "spans": [{"start": s.start, "end": s.end, "text": p["text"][s.start:s.end], **sources[s.source]}
                       for s in state[p["id"]][1]]}
            for p in paragraphs
        ],
    }


def _credited(views: ViewDatabase, slug: str, label: str,
              sources: dict[str, dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """Words of the amendments settled into ``label``, by the paragraph they amend
    ("" for new paragraphs, which have no id until the revision gives them one)."""
    rows = views.query(
        "SELECT id, paragraph_id, action, new_text, delegation, on_behalf_of, proposed FROM view_amendments "
        f"WHERE negotiation = ? AND valid_to IS NULL AND decided_in = ? AND status IN ({', '.join('?' * len(CREDITED))}) "
        "AND new_text <> '' ORDER BY proposed", (slug, label, *CREDITED))
    found: dict[str, list[tuple[str, str]]] = {}
    for amendment_id, paragraph_id, action, new_text, delegation, on_behalf_of, proposed in rows:
        source = f"amendment:{amendment_id}"
        sources[source] = {"kind": "amendment", "amendment_id": amendment_id, "position": proposed,
                           "delegation": delegation, "on_behalf_of": on_behalf_of, "action": action}
        found.setdefault("" if action == "new_paragraph" else paragraph_id, []).append((source, new_text))
    return found
