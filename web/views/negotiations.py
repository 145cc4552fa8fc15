"""The list of negotiations and a negotiation's page."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from projections.readmodel import ReadModel
from web import reading  # noqa: F401 - the templates' filters
from web.common import page, param, reader


@lru_cache(maxsize=16)
def _progress(read: ReadModel, slug: str, position: int) -> dict[str, Any]:
    """Progress counts the brackets of every revision (~25 ms on the Paris rounds): once
    per state of the log (``position``), not on every view of the page. Read only."""
    return read.progress(slug)


def negotiations(request: Request) -> Response:
    return page(request, "negotiations.html", {"negotiations": reader(request).negotiations()})


def negotiation(request: Request) -> Response:
    """Phases, rounds with dates, revisions, delegations and groups, and progress per round."""
    slug = param(request, "slug")
    found = reader(request).negotiation(slug)
    found["progress"] = _progress(reader(request), slug, reader(request).last_position(slug))
    return page(request, "negotiation.html", found)


routes = [
    Route("/", negotiations),
    Route("/index.json", negotiations),
    Route("/{slug}", negotiation),
]
