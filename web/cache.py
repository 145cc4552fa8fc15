"""Rendered pages kept as bytes, served again without rendering while nothing changed.

Rendering a long text costs milliseconds, a redline several; sending kept bytes costs
microseconds. A page of a negotiation stays valid until that negotiation has a new event
(``Hub.version``: a revision's text and the redline between two published revisions stay
valid as long as nothing happens in their negotiation); the list of negotiations until
anything happens. Pages are kept plain and gzipped, compressed once when kept (compressing
on every request would cost more than rendering).

Only anonymous reads are kept or served: a request with any cookie or credentials goes
straight through, so a signed-in user's page is never kept nor shown to anyone else.
"""

from __future__ import annotations

import asyncio
import gzip
from collections import OrderedDict
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Smaller bodies gain nothing from compression worth its header.
GZIP_FROM = 1024
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# What a response varies on besides its URL (the JSON twin, the live updates' fragment).
VARY = b"Accept, Accept-Encoding, X-Fragment"

Key = tuple[str, bytes, bool, bool]


@dataclass(eq=False)
class _Page:
    version: int
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    gzipped: bytes | None = None

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


def negotiation_of(path: str) -> str | None:
    """The negotiation a page belongs to (None: the list of every negotiation)."""
    first = path.strip("/").split("/", 1)[0].removesuffix(".json")
    return None if first in {"", "index"} else first


def _cacheable_request(scope: Scope, headers: Headers) -> bool:
    return (
        scope["method"] == "GET"
        # The application's own pages (sign-in, static files, live streams, tools).
        and "/-/" not in scope["path"] + "/"
        and "cookie" not in headers
        and "authorization" not in headers
    )


def _cacheable_response(status: int, headers: Headers) -> bool:
    kind = headers.get("content-type", "")
    control = headers.get("cache-control", "")
    return (
        status == 200
        and "set-cookie" not in headers
        and "content-encoding" not in headers
        and (kind.startswith("text/html") or kind.startswith("application/json"))
        and "no-store" not in control and "private" not in control
    )


class PageCache:
    """ASGI layer: answers anonymous GETs from kept pages while their version holds."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Key, _Page] = OrderedDict()
        self._size = 0
        # One rendering per page at a time: a hundred readers arriving together on a
        # page that just changed wait for the first instead of rendering it a hundred times.
        self._rendering: dict[Key, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        live = getattr(scope["app"].state, "live", None) if scope["type"] == "http" else None
        if live is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not _cacheable_request(scope, headers):
            await self.app(scope, receive, send)
            return
        key: Key = (scope["path"], scope["query_string"], "application/json" in headers.get("accept", ""),
                    headers.get("x-fragment") == "main")
        version = live.version(negotiation_of(scope["path"]))
        page = self._fresh(key, version)
        if page is None and key in self._rendering:
            await self._rendering[key].wait()
            page = self._fresh(key, version)
        if page is not None:
            await self._serve(page, "gzip" in headers.get("accept-encoding", ""), send)
            return
        done = self._rendering[key] = asyncio.Event()
        try:
            await self._render(scope, receive, send, key, version)
        finally:
            del self._rendering[key]
            done.set()

    def _fresh(self, key: Key, version: int) -> _Page | None:
        page = self._pages.get(key)
        if page is None or page.version != version:
            return None
        self._pages.move_to_end(key)
        return page

    async def _serve(self, page: _Page, gzip_accepted: bool, send: Send) -> None:
        body = page.body
        headers = list(page.headers)
        if gzip_accepted and page.gzipped is not None:
            body = page.gzipped
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": page.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _render(self, scope: Scope, receive: Receive, send: Send, key: Key, version: int) -> None:
        status = 0
        kept: list[tuple[bytes, bytes]] | None = None
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal status, kept
            if message["type"] == "http.response.start":
                status = message["status"]
                raw = list(message.get("headers", []))
                if _cacheable_response(status, Headers(raw=raw)):
                    sent = [(k, v) for k, v in raw if k.lower() != b"vary"] + [(b"vary", VARY)]
                    kept = [(k, v) for k, v in sent if k.lower() != b"content-length"]
                    message = {**message, "headers": sent}
            elif message["type"] == "http.response.body" and kept is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await send(message)
                    # Compressed once, now, while readers of the same page wait for it:
                    # a hundred of them compressing it each would cost more than rendering.
                    body = b"".join(chunks)
                    gzipped = await run_in_threadpool(gzip.compress, body, 6) if len(body) >= GZIP_FROM else None
                    self._keep(key, _Page(version, status, kept, body, gzipped))
                    return
            await send(message)

        await self.app(scope, receive, keep)

    def _keep(self, key: Key, page: _Page) -> None:
        if page.size > self.max_bytes // 8:
            return
        old = self._pages.pop(key, None)
        if old is not None:
            self._size -= old.size
        self._pages[key] = page
        self._size += page.size
        self._evict()

    def _evict(self) -> None:
        while self._size > self.max_bytes and self._pages:
            _, oldest = self._pages.popitem(last=False)
            self._size -= oldest.size
