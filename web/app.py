"""The web application object: read-only pages over the record, each with a JSON twin.

A first cut for ``tracker serve``; the full UI for delegations, the secretariat and
observers builds on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from tracker.application import Tracker
from tracker.domain.base import DomainError, NotFound
from tracker.records import dumps, revision_paragraphs
from tracker.text import render
from tracker.text.redline import redline_cached

HERE = Path(__file__).parent
CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"


class OrjsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content)


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


templates = _templates()


def _tracker(request: Request) -> Tracker:
    return request.app.state.tracker


def _json_requested(request: Request) -> bool:
    """The JSON twin: a ``.json`` suffix, or ``Accept: application/json``."""
    return request.url.path.endswith(".json") or "application/json" in request.headers.get("accept", "")


def _wants_json(request: Request, path: str) -> tuple[bool, str]:
    """``_json_requested``, and the path parameter without its ``.json`` suffix."""
    return _json_requested(request), path.removesuffix(".json")


def _page(request: Request, template: str, context: dict[str, Any], as_json: bool) -> Response:
    if as_json:
        return OrjsonResponse(context)
    return templates.TemplateResponse(request, template, {"data": context})


def negotiations(request: Request) -> Response:
    as_json = _json_requested(request)
    listed = [
        {"slug": n.slug, "title": n.title, "symbol": n.symbol, "revisions": n.revision_labels}
        for n in _tracker(request).negotiations()
    ]
    return _page(request, "negotiations.html", {"negotiations": listed}, as_json)


def negotiation(request: Request) -> Response:
    as_json, slug = _wants_json(request, request.path_params["slug"])
    n = _tracker(request).negotiation(slug)
    published = [
        {"label": p.label, "position": p.position, "timestamp": p.timestamp, "date": p.revision.issued_on,
         "round": p.revision.round_number, "paragraphs": len(p.revision.paragraphs)}
        for p in _tracker(request).published(slug)
    ]
    context = {
        "slug": n.slug, "title": n.title, "symbol": n.symbol, "mandate": n.mandate, "languages": n.languages,
        "phases": n.phases, "rounds": n.rounds, "delegations": list(n.delegations.values()), "revisions": published,
    }
    return _page(request, "negotiation.html", context, as_json)


def revision(request: Request) -> Response:
    as_json, label = _wants_json(request, request.path_params["label"])
    slug = request.path_params["slug"]
    r = _tracker(request).revision(slug, label)
    n = _tracker(request).negotiation(slug)
    context = {
        "negotiation": slug, "title": n.title, "label": r.label, "symbol": r.symbol, "date": r.issued_on,
        "language": n.languages[0] if n.languages else "en", "paragraphs": revision_paragraphs(r.paragraphs),
    }
    return _page(request, "revision.html", context, as_json)


def compare(request: Request) -> Response:
    """The redline between any two revisions: ``?from=LABEL&to=LABEL`` (default: the last two)."""
    as_json = _json_requested(request)
    slug = request.path_params["slug"]
    tracker = _tracker(request)
    n = tracker.negotiation(slug)
    labels = n.revision_labels
    from_label = request.query_params.get("from") or (labels[-2] if len(labels) > 1 else "")
    to_label = request.query_params.get("to") or (labels[-1] if labels else "")
    if not from_label or not to_label:
        raise DomainError(f"negotiation {slug!r} has fewer than two revisions to compare")
    old, new = tracker.revision(slug, from_label), tracker.revision(slug, to_label)
    result = redline_cached(old.paragraphs, new.paragraphs)
    data = render.as_json(result, old.label, new.label)
    if as_json:
        return OrjsonResponse(data)
    lang = n.languages[0] if n.languages else "en"
    context = {"slug": slug, "title": n.title, "labels": labels, "from": old.label, "to": new.label,
               "stats": data["stats"], "redline": Markup(render.as_html(result, lang))}
    return templates.TemplateResponse(request, "compare.html", {"data": context})


def redline_css(request: Request) -> Response:
    # One stylesheet for redlines everywhere: the renderer's own.
    return Response(render.CSS, media_type="text/css", headers={"cache-control": "public, max-age=3600"})


async def domain_error(request: Request, exc: Exception) -> Response:
    status = 404 if isinstance(exc, NotFound) else 400
    return _error(request, status, str(exc))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(request, exc.status_code, exc.detail)


def _error(request: Request, status: int, message: str) -> Response:
    if _json_requested(request):
        return Response(orjson.dumps({"error": message}), status, media_type="application/json")
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message}, status_code=status)


class SecurityHeaders:
    """A strict Content-Security-Policy and friends on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def create_app(db: str) -> ASGIApp:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.tracker = Tracker.open(db)
        try:
            yield
        finally:
            app.state.tracker.close()

    app = Starlette(
        routes=[
            Route("/", negotiations),
            Route("/index.json", negotiations),
            Route("/-/static/redline.css", redline_css),
            Mount("/-/static", StaticFiles(directory=HERE / "static"), name="static"),
            Route("/{slug}/compare", compare),
            Route("/{slug}/compare.json", compare),
            Route("/{slug}", negotiation),
            Route("/{slug}/revisions/{label:path}", revision),
        ],
        exception_handlers={DomainError: domain_error, HTTPException: http_error},
        lifespan=lifespan,
    )
    return SecurityHeaders(app)


def serve(db: str, host: str, port: int) -> None:
    """What ``tracker serve`` runs."""
    import uvicorn

    uvicorn.run(create_app(db), host=host, port=port, log_level="warning")
