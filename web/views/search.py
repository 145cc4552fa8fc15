"""Search a negotiation's text, amendments and positions, a page of results at a time."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web import params, reading  # noqa: F401 - the templates' filters
from web.common import page, reader

PER_PAGE = 50
# Deep pages of a substring search cost a scan each: a bound keeps them cheap.
MAX_PAGE = 200


def search(request: Request) -> Response:
    """``?q=WORDS&page=N``: paragraphs of any revision, amendments (their words, rationale
    and decision note) and current positions (delegation code or name, note)."""
    slug = request.path_params["slug"]
    read = reader(request)
    details = read.details(slug)
    query = params.text(request, "q")
    number = params.integer(request, "page", 1, low=1, high=MAX_PAGE)
    context = {"negotiation": slug, "title": details["title"], "q": query, "page": number, "per_page": PER_PAGE,
               "paragraphs": [], "amendments": [], "positions": [], "more": False}
    if query:
        context.update(read.search(slug, query, PER_PAGE, (number - 1) * PER_PAGE))
    return page(request, "search.html", context)


routes = [
    Route("/{slug}/search", search),
    Route("/{slug}/search.json", search),
]
