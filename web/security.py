"""Response headers, sessions, cross-site write refusal, body limits."""

from __future__ import annotations

import os
import secrets
from typing import Any
from urllib.parse import urlsplit

from starlette.authentication import AuthenticationError
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from web.auth import SessionBackend
from web.common import error

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


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


# Forms and JSON bodies; a route that takes files (publishing a revision) raises its own.
MAX_BODY = 1024 * 1024
SESSION_COOKIE = "tracker_session"
SESSION_MAX_AGE = 12 * 60 * 60
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def same_origin(headers: Headers) -> bool:
    """Whether a write may go ahead: it comes from this site's own pages, or not from a browser.

    Browsers say where a request comes from in Sec-Fetch-Site; only ``same-origin`` (our
    pages) and ``none`` (typed by the user) pass, not ``same-site`` (another port of the
    same host is another site). Older browsers send Origin only: it must name this host.
    A request with neither is not a browser's, so no cross-site page can have sent it.
    """
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return True
    host = headers.get("host", "")
    return origin != "null" and urlsplit(origin).netloc.lower() == host.lower()


class CrossSiteWrites:
    """Refuses writes sent by other sites' pages (CSRF), before a byte of the body is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS and not same_origin(Headers(scope=scope)):
            response = error(Request(scope), 403, "cross-site request refused: write from this site's own pages")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _bad_session(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    return Response(str(exc), status_code=400)


def secret(secret_key: str | None) -> str:
    """The key that signs session cookies. A random one per process means every restart
    signs everybody out: set TRACKER_SECRET where that matters (several workers too)."""
    return secret_key or os.environ.get("TRACKER_SECRET") or secrets.token_urlsafe(32)


def middleware(secret_key: str | None) -> list[Middleware]:
    """Everything between the headers and the routes, outermost first."""
    return [
        Middleware(CrossSiteWrites),
        Middleware(RequestBodyLimitMiddleware, max_body_size=MAX_BODY),
        Middleware(SessionMiddleware, secret_key=secret(secret_key), session_cookie=SESSION_COOKIE,
                   max_age=SESSION_MAX_AGE, same_site="lax", https_only=os.environ.get("TRACKER_HTTPS") == "1"),
        Middleware(AuthenticationMiddleware, backend=SessionBackend(), on_error=_bad_session),
    ]
