"""The delegations of a negotiation, and one delegation's record of positions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web import reading  # noqa: F401 - the templates' filters
from web.common import page, param, reader


def delegations(request: Request) -> Response:
    slug = param(request, "slug")
    read = reader(request)
    listed = read.delegations(slug)
    return page(request, "delegations.html", {"negotiation": slug, "title": read.details(slug)["title"],
                                              "delegations": listed})


def delegation(request: Request) -> Response:
    slug = request.path_params["slug"]
    read = reader(request)
    record = read.delegation(slug, param(request, "code"))
    record["title"] = read.details(slug)["title"]
    return page(request, "delegation.html", record)


routes = [
    Route("/{slug}/delegations", delegations),
    Route("/{slug}/delegations.json", delegations),
    Route("/{slug}/delegations/{code}", delegation),
]
