"""The web application: routes from the view modules, the security layers, the site.

URL scheme (observers read everything; ``.json`` or ``Accept: application/json`` gives
any page's JSON twin; the application's own pages live under ``/-/``): see README.md.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from tracker.domain.base import DomainError, Forbidden, NotFound
from web import cache, live, security
from web.common import HERE, error
from web.site import Site
from web.views import (
    accounts,
    amendments,
    compare,
    compilation,
    delegations,
    inputs,
    negotiations,
    paragraphs,
    replay,
    revisions,
    search,
    secretariat,
)


async def domain_error(request: Request, exc: Exception) -> Response:
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden) else 400
    return error(request, status, str(exc))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error(request, exc.status_code, exc.detail)


def create_app(db: str, *, secret_key: str | None = None, follow_interval: float = 0.2) -> ASGIApp:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.site = Site(db, follow_interval=follow_interval)
        app.state.site.start()
        try:
            yield
        finally:
            app.state.site.close()

    # The application's own paths (/-/...) first, then per-negotiation paths; within a
    # negotiation each resource has its own second segment, so order matters only there.
    routes = [
        *compare.routes[:1],  # /-/static/redline.css before the static mount
        Mount("/-/static", StaticFiles(directory=HERE / "static"), name="static"),
        *live.routes,
        *accounts.routes,
        *negotiations.routes,
        *secretariat.routes,
        *amendments.routes,
        *inputs.routes,
        *compare.routes[1:],
        *compilation.routes,
        *replay.routes,
        *search.routes,
        *paragraphs.routes,
        *delegations.routes,
        *revisions.routes,
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(security.SecurityHeaders), Middleware(live.Live), Middleware(cache.PageCache),
                    *security.middleware(secret_key)],
        exception_handlers={DomainError: domain_error, HTTPException: http_error},
        lifespan=lifespan,
    )
    return app


def app_from_environment() -> ASGIApp:
    """The application each worker process builds (``uvicorn --factory``)."""
    return create_app(os.environ["TRACKER_DB"])


def serve(db: str, host: str, port: int, workers: int = 1) -> None:
    """What ``tracker serve`` runs."""
    if workers <= 1:
        live.run(create_app(db), host, port, log_level="warning")
        return
    import uvicorn

    os.environ["TRACKER_DB"] = db
    # Every worker must sign session cookies with the same key, or a user signed in by one
    # would be a stranger to the next.
    os.environ.setdefault("TRACKER_SECRET", secrets.token_urlsafe(32))
    uvicorn.run("web.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning", timeout_graceful_shutdown=5)
