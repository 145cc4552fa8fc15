"""Blame: every span of a revision's text traced to the event that brought it in: the
amendment (and delegation) whose words it is, or the revision that introduced it."""

from __future__ import annotations

from typing import Any, cast

from projections import moments
from projections.database import ViewDatabase
from tracker.domain.base import NotFound
from tracker.text.blame import Span, carry

CREDITED = ("incorporated", "partly_incorporated")


def _revisions_until(views: ViewDatabase, slug: str, label: str,
                     sources: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(label, source key) of every revision up to ``label``, each recorded in ``sources``."""
    revisions = views.query(
        "SELECT label, position, delegation, usr FROM view_revisions WHERE negotiation = ? ORDER BY position",
        (slug,))
    labels = [r[0] for r in revisions]
    if label not in labels:
        raise NotFound(f"no revision {label!r} in negotiation {slug!r}")
    found = []
    for current, position, delegation, user in revisions[: labels.index(label) + 1]:
        source = f"revision:{current}"
        sources[source] = {"kind": "revision", "label": current, "position": position,
                           "delegation": delegation, "user": user}
        found.append((current, source))
    return found


def _spans(text: str, spans: tuple[Span, ...], sources: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"start": s.start, "end": s.end, "text": text[s.start:s.end], **sources[s.source]} for s in spans]


def blame(views: ViewDatabase, slug: str, label: str) -> dict[str, Any]:
    sources: dict[str, dict[str, Any]] = {}
    state: dict[str, tuple[str, tuple[Span, ...]]] = {}
    paragraphs: list[dict[str, Any]] = []
    for current, source in _revisions_until(views, slug, label, sources):
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
            {"id": p["id"], "num": p["num"], "text": p["text"], "spans": _spans(p["text"], state[p["id"]][1], sources)}
            for p in paragraphs
        ],
    }


def paragraph_blame(views: ViewDatabase, slug: str, label: str, paragraph_id: str) -> list[dict[str, Any]]:
    """The spans of one paragraph's text in ``label``, as ``blame`` gives them, at the cost
    of that paragraph's own versions only (the paragraph page needs no other)."""
    sources: dict[str, dict[str, Any]] = {}
    revisions = _revisions_until(views, slug, label, sources)
    texts = dict(views.query(
        "SELECT label, text FROM view_revision_paragraphs WHERE paragraph_id = ? AND negotiation = ?",
        (paragraph_id, slug)))
    if label not in texts:
        raise NotFound(f"no paragraph {paragraph_id!r} in revision {label!r}")
    proposals = _credited_to(views, slug, paragraph_id, sources)
    text, spans = "", cast(tuple[Span, ...], ())
    for current, source in revisions:
        if current not in texts:
            # Out of this revision: back in a later one, it starts afresh (as in ``blame``).
            text, spans = "", ()
            continue
        offered = proposals.get((current, paragraph_id), []) + (proposals.get((current, ""), []) if not text else [])
        spans = carry(text, spans, texts[current], source, offered)
        text = texts[current]
    return _spans(text, spans, sources)


def _credited(views: ViewDatabase, slug: str, label: str,
              sources: dict[str, dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """Words of the amendments settled into ``label``, by the paragraph they amend
    ("" for new paragraphs, which have no id until the revision gives them one)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for (_, paragraph_id), offered in _settled(views, slug, "decided_in = ?", (label,), sources).items():
        found[paragraph_id] = offered
    return found


def _credited_to(views: ViewDatabase, slug: str, paragraph_id: str,
                 sources: dict[str, dict[str, Any]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Words of the amendments that may have settled into one paragraph: those on it, and
    every new paragraph (any of which it may be), by (revision, paragraph)."""
    return _settled(views, slug, "(paragraph_id = ? OR action = 'new_paragraph')", (paragraph_id,), sources)


def _settled(views: ViewDatabase, slug: str, where: str, args: tuple[Any, ...],
             sources: dict[str, dict[str, Any]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    rows = views.query(
        "SELECT id, paragraph_id, action, new_text, delegation, on_behalf_of, proposed, decided_in FROM view_amendments "
        f"WHERE negotiation = ? AND valid_to IS NULL AND {where} "
        f"AND status IN ({', '.join('?' * len(CREDITED))}) AND new_text <> '' ORDER BY proposed",
        (slug, *args, *CREDITED))
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for amendment_id, paragraph_id, action, new_text, delegation, on_behalf_of, proposed, decided_in in rows:
        source = f"amendment:{amendment_id}"
        sources[source] = {"kind": "amendment", "amendment_id": amendment_id, "position": proposed,
                           "delegation": delegation, "on_behalf_of": on_behalf_of, "action": action}
        key = (decided_in or "", "" if action == "new_paragraph" else paragraph_id)
        found.setdefault(key, []).append((source, new_text))
    return found
