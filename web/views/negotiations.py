"""The list of negotiations and a negotiation's page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.common import page, param, tracker


def negotiations(request: Request) -> Response:
    listed = [
        {"slug": n.slug, "title": n.title, "symbol": n.symbol, "revisions": n.revision_labels}
        for n in tracker(request).negotiations()
    ]
    return page(request, "negotiations.html", {"negotiations": listed})


def negotiation(request: Request) -> Response:
    slug = param(request, "slug")
    n = tracker(request).negotiation(slug)
    published = [
        {"label": p.label, "position": p.position, "timestamp": p.timestamp, "date": p.revision.issued_on,
         "round": p.revision.round_number, "paragraphs": len(p.revision.paragraphs)}
        for p in tracker(request).published(slug)
    ]
    context = {
        "slug": n.slug, "title": n.title, "symbol": n.symbol, "mandate": n.mandate, "languages": n.languages,
        "phases": n.phases, "rounds": n.rounds, "delegations": list(n.delegations.values()), "revisions": published,
    }
    return page(request, "negotiation.html", context)


routes = [
    Route("/", negotiations),
    Route("/index.json", negotiations),
    Route("/{slug}", negotiation),
]
