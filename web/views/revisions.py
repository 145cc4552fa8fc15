"""A revision's whole text: a permalink for every paragraph, brackets highlighted, status shown."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web import reading
from web.common import page, param, reader


def revision(request: Request) -> Response:
    slug = request.path_params["slug"]
    label = param(request, "label")
    read = reader(request)
    found = read.revision(slug, label)
    details = read.details(slug)
    revisions = read.revisions(slug)
    labels = [r["label"] for r in revisions]
    index = labels.index(label)
    listed = revisions[index]
    # Statuses as they stood at the end of this revision's life: just before the next one.
    until = revisions[index + 1]["position"] - 1 if index + 1 < len(revisions) else read.last_position(slug)
    statuses = read.statuses(slug, until)
    for p in found["paragraphs"]:
        p["status"] = statuses.get(p["id"], "open")
    reading.mark_bracketed(found["paragraphs"])
    language = reading.text_language(details)
    context = {
        **found,
        "title": details["title"], "symbol": listed["symbol"], "date": listed["date"], "round": listed["round"],
        "timestamp": listed["timestamp"], "published_by": listed["published_by"], "statuses_at": until,
        "language": language, "direction": reading.direction(language),
        "previous": labels[index - 1] if index else None,
        "next": labels[index + 1] if index + 1 < len(labels) else None,
    }
    return page(request, "revision.html", context)


routes = [Route("/{slug}/revisions/{label:path}", revision)]
