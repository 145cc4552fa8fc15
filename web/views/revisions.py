"""A revision's whole text."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.records import revision_paragraphs
from web.common import page, param, tracker


def revision(request: Request) -> Response:
    label = param(request, "label")
    slug = request.path_params["slug"]
    r = tracker(request).revision(slug, label)
    n = tracker(request).negotiation(slug)
    context = {
        "negotiation": slug, "title": n.title, "label": r.label, "symbol": r.symbol, "date": r.issued_on,
        "language": n.languages[0] if n.languages else "en", "paragraphs": revision_paragraphs(r.paragraphs),
    }
    return page(request, "revision.html", context)


routes = [Route("/{slug}/revisions/{label:path}", revision)]
