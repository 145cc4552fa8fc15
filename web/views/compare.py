"""The redline between any two revisions: inline or side by side, whole or one paragraph."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.domain.base import DomainError, NotFound
from tracker.text import render
from tracker.text.redline import redline_cached
from web import params, reading
from web.common import page, reader

VIEWS = ("inline", "side")


def compare(request: Request) -> Response:
    """``?from=LABEL&to=LABEL`` (default: the last two), ``view=inline|side``,
    ``paragraph=ID`` for one paragraph's entry only."""
    slug = request.path_params["slug"]
    read = reader(request)
    details = read.details(slug)
    labels = [r["label"] for r in read.revisions(slug)]
    view = params.choice(request, "view", VIEWS)
    paragraph = params.text(request, "paragraph")
    from_label = request.query_params.get("from") or (labels[-2] if len(labels) > 1 else "")
    to_label = request.query_params.get("to") or (labels[-1] if labels else "")
    if not from_label or not to_label:
        raise DomainError(f"negotiation {slug!r} has fewer than two revisions to compare")
    old, new = read.revision(slug, from_label), read.revision(slug, to_label)
    data = render.as_json(redline_cached(old["paragraphs"], new["paragraphs"]), from_label, to_label)
    if paragraph:
        data["paragraphs"] = [e for e in data["paragraphs"] if paragraph in (e["from_id"], e["to_id"])]
        if not data["paragraphs"]:
            raise NotFound(f"no paragraph {paragraph!r} in {from_label!r} or {to_label!r}")
    language = reading.text_language(details)
    data.update({"negotiation": slug, "title": details["title"], "labels": labels, "view": view,
                 "paragraph": paragraph or None, "language": language, "direction": reading.direction(language)})
    return page(request, "compare.html", data)


def redline_css(request: Request) -> Response:
    # One stylesheet for redlines everywhere: the renderer's own.
    return Response(render.CSS, media_type="text/css", headers={"cache-control": "public, max-age=3600"})


routes = [
    Route("/-/static/redline.css", redline_css),
    Route("/{slug}/compare", compare),
    Route("/{slug}/compare.json", compare),
]
