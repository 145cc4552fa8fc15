"""What every view module shares: templates, the JSON twin, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.templating import Jinja2Templates

from projections.readmodel import ReadModel
from tracker.application import Tracker
from tracker.records import dumps
from web.site import Site

HERE = Path(__file__).parent


class OrjsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content)


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change with a release, not while serving: no file check per include.
        auto_reload=False,
    )
    return Jinja2Templates(env=env)


templates = _templates()


def site(request: Request) -> Site:
    return request.app.state.site


def reader(request: Request) -> ReadModel:
    """The views, for answering."""
    return site(request).reader


def tracker(request: Request) -> Tracker:
    """The record, for commands (then ``site(request).catch_up()``)."""
    return site(request).tracker


def json_requested(request: Request) -> bool:
    """The JSON twin: a ``.json`` suffix, or ``Accept: application/json``."""
    return request.url.path.endswith(".json") or "application/json" in request.headers.get("accept", "")


def param(request: Request, name: str) -> str:
    """A path parameter without the JSON twin's ``.json`` suffix."""
    return str(request.path_params[name]).removesuffix(".json")


def user(request: Request) -> Any:
    """The signed-in user, or None (set by the authentication middleware)."""
    found = request.scope.get("user")
    return found if getattr(found, "is_authenticated", False) else None


def fragment_requested(request: Request) -> bool:
    """Live updates ask for the page's ``<main>`` alone (``X-Fragment: main``)."""
    return request.headers.get("x-fragment") == "main"


def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """An HTML page, or its JSON twin: the same ``context``, so the two never disagree."""
    if json_requested(request):
        return OrjsonResponse(context, status_code=status_code)
    variables = {"data": context, "user": user(request)}
    if fragment_requested(request):
        return HTMLResponse(main_fragment(request, template, variables), status_code=status_code,
                            headers={"x-fragment": "main"})
    return templates.TemplateResponse(request, template, variables, status_code=status_code)


def main_fragment(request: Request, template: str, variables: dict[str, Any]) -> str:
    """Only what the page's ``<main>`` holds: what a live update swaps. Cut from the whole
    page, because a block rendered alone would miss the template's top-level ``set`` and
    ``import`` statements; user text is escaped, so only base.html's own tags match."""
    whole = templates.get_template(template).render({"request": request, **variables})
    start = whole.index(">", whole.index("<main")) + 1
    return whole[start:whole.rindex("</main>")]


def error(request: Request, status: int, message: str) -> Response:
    if json_requested(request):
        return Response(orjson.dumps({"error": message}), status, media_type="application/json")
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message, "user": user(request)}, status_code=status)
