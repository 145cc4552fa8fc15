"""The compilation text: each paragraph with its pending proposals in place, attributed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web import reading
from web.common import page, reader


def compilation(request: Request) -> Response:
    slug = request.path_params["slug"]
    read = reader(request)
    details = read.details(slug)
    compiled = read.compilation(slug)
    reading.mark_bracketed(compiled["paragraphs"])
    placed = {a["id"] for p in compiled["paragraphs"] for a in p["proposals"]}
    # Proposals on paragraphs the current text no longer has are pending all the same.
    compiled["elsewhere"] = [] if len(placed) == compiled["totals"]["proposals"] else [
        a for a in read.at(slug, compiled["position"])["amendments"] if a["id"] not in placed]
    language = reading.text_language(details)
    compiled.update({"title": details["title"], "language": language, "direction": reading.direction(language)})
    return page(request, "compilation.html", compiled)


routes = [
    Route("/{slug}/compilation", compilation),
    Route("/{slug}/compilation.json", compilation),
]
