"""A paragraph's history: its text in every revision (with the redline between successive
ones), every amendment on it with its positions and outcome, its status changes, its blame."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from projections.projector import PENDING
from web import reading
from web.common import page, param, reader


def paragraph(request: Request) -> Response:
    slug = request.path_params["slug"]
    paragraph_id = param(request, "paragraph_id")
    read = reader(request)
    found = read.paragraph(slug, paragraph_id)
    details = read.details(slug)
    language = reading.text_language(details)
    latest = found["texts"][-1]
    for version in found["texts"]:
        # Versions of one paragraph, not a run of paragraphs: no bracket spans two of them.
        reading.mark_bracketed([version])
    for amendment in found["amendments"]:
        amendment["pending"] = amendment["status"] in PENDING
    context = {
        **found,
        "title": details["title"], "language": language, "direction": reading.direction(language),
        "latest": latest["label"],
    }
    return page(request, "paragraph.html", context)


routes = [Route("/{slug}/paragraphs/{paragraph_id}", paragraph)]
