"""The redline between any two revisions."""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.domain.base import DomainError
from tracker.text import render
from tracker.text.redline import redline_cached
from web.common import OrjsonResponse, json_requested, templates, tracker


def compare(request: Request) -> Response:
    """``?from=LABEL&to=LABEL`` (default: the last two)."""
    slug = request.path_params["slug"]
    n = tracker(request).negotiation(slug)
    labels = n.revision_labels
    from_label = request.query_params.get("from") or (labels[-2] if len(labels) > 1 else "")
    to_label = request.query_params.get("to") or (labels[-1] if labels else "")
    if not from_label or not to_label:
        raise DomainError(f"negotiation {slug!r} has fewer than two revisions to compare")
    old, new = tracker(request).revision(slug, from_label), tracker(request).revision(slug, to_label)
    result = redline_cached(old.paragraphs, new.paragraphs)
    data = render.as_json(result, old.label, new.label)
    if json_requested(request):
        return OrjsonResponse(data)
    lang = n.languages[0] if n.languages else "en"
    context = {"slug": slug, "title": n.title, "labels": labels, "from": old.label, "to": new.label,
               "stats": data["stats"], "redline": Markup(render.as_html(result, lang))}
    return templates.TemplateResponse(request, "compare.html", {"data": context})


def redline_css(request: Request) -> Response:
    # One stylesheet for redlines everywhere: the renderer's own.
    return Response(render.CSS, media_type="text/css", headers={"cache-control": "public, max-age=3600"})


routes = [
    Route("/-/static/redline.css", redline_css),
    Route("/{slug}/compare", compare),
    Route("/{slug}/compare.json", compare),
]
