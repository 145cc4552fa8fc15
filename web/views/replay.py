"""Replay: the negotiation as it stood just after any event of its log, stepped through
one event at a time or slid to, with a shareable URL. The log is read a window at a time."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web import params, reading
from web.common import page, reader

# Events listed on each side of the moment shown.
WINDOW = 10


def replay(request: Request) -> Response:
    """``?at=POSITION`` (a place in the whole log) or ``?at=ISO_TIME``; default: now."""
    slug = request.path_params["slug"]
    read = reader(request)
    details = read.details(slug)
    first, last = read.log_bounds(slug)
    raw = request.query_params.get("at", "").strip()
    if raw and not raw.isdigit() and not raw.startswith(("-", "+")) and ("-" in raw or ":" in raw):
        moment = read.at_time(slug, params.moment(raw))
    else:
        moment = read.at(slug, params.integer(request, "at", last, low=0, high=last))
    position = moment["position"]
    reading.mark_bracketed(moment["paragraphs"])
    event = read.event_at(slug, position)
    anchor = event["position"] if event else position
    before = read.events_before(slug, anchor, WINDOW)
    after = read.events_after(slug, anchor, WINDOW)
    language = reading.text_language(details)
    context = {
        **moment,
        **_placed(moment),
        "title": details["title"], "language": language, "direction": reading.direction(language),
        "first": first, "last": last, "event": event,
        "previous": before[-1]["position"] if before else None,
        "next": after[0]["position"] if after else None,
        "log": [*before, *([event] if event else []), *after],
        "url": str(request.url.replace(path=f"/{slug}/replay", query=f"at={position}")),
    }
    return page(request, "replay.html", context)


def _placed(moment: dict[str, Any]) -> dict[str, Any]:
    """The pending amendments under the paragraphs they amend; those on paragraphs the
    text no longer has, apart."""
    on: dict[str, list[dict[str, Any]]] = {}
    for amendment in moment["amendments"]:
        on.setdefault(amendment["paragraph_id"], []).append(amendment)
    for paragraph in moment["paragraphs"]:
        paragraph["amendments"] = on.pop(paragraph["id"], [])
    return {"amendments": [a for pending in on.values() for a in pending],
            "pending": len(moment["amendments"])}


routes = [
    Route("/{slug}/replay", replay),
    Route("/{slug}/replay.json", replay),
]
