"""Stakeholders' inputs: listed for everyone, submitted by stakeholders only, never an
amendment of the text."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.domain.account import STAKEHOLDER
from tracker.domain.base import NotFound
from web import reading  # noqa: F401 - the templates' filters
from web.common import param, reader, tracker, user
from web.forms import Form, act, act_page, done, record, taking_part


def inputs(request: Request) -> Response:
    slug = param(request, "slug")
    listed = reader(request).inputs(slug)
    negotiation = tracker(request).negotiation(slug)
    try:
        paragraphs = tracker(request).revision(slug).paragraphs
    except NotFound:
        paragraphs = []
    nums = {p["id"]: p["num"] for p in paragraphs}
    for item in listed:
        item["paragraph_num"] = nums.get(item["paragraph_id"], "")
    context = {"slug": slug, "title": negotiation.title, "inputs": listed}
    who = user(request)
    form = None
    if who is not None and who.role == STAKEHOLDER:
        form = {"paragraphs": [{"id": p["id"], "num": p["num"], "text": p["text"][:80]} for p in paragraphs],
                "selected": request.query_params.get("paragraph", "")}
    return act_page(request, "act_inputs.html", context, {"form": form})


async def submit(request: Request) -> Response:
    def work(form: Form) -> Response:
        slug = request.path_params["slug"]
        who, _ = taking_part(request, slug, STAKEHOLDER)
        input_id, at = record(request, tracker(request).submit_input, slug, form.text("text", required=True),
                              who.actor, paragraph=form.text("paragraph").strip(), theme=form.text("theme"))
        return done(request, f"/{slug}/inputs#input-{input_id}", status=201, id=str(input_id), position=at)

    return await act(request, (STAKEHOLDER,), work)


routes = [
    Route("/{slug}/inputs", inputs, methods=["GET"]),
    Route("/{slug}/inputs.json", inputs, methods=["GET"]),
    Route("/{slug}/inputs", submit, methods=["POST"]),
]
