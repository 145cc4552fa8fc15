"""Live updates: open pages learn that the views moved on, by server-sent events.

``/-/live/{slug}`` streams one negotiation's moves, ``/-/live`` every move (the list of
negotiations). Each event carries the position the views reached as its ``id``; a page
that hears one fetches its own URL again and swaps its ``<main>`` (web/static/live.js).
A reconnecting browser sends back the last ``id`` it saw, so a move made while it was
away is told at once.

The same record of which negotiation moved when keys the page cache (web/cache.py).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.site import Site

# Browsers reconnect by themselves after this many milliseconds when a stream drops.
RETRY_MS = 3000
# A comment line this often keeps proxies and idle timers from closing a quiet stream.
KEEP_ALIVE = 20.0

_hubs: weakref.WeakSet[Hub] = weakref.WeakSet()


@dataclass(eq=False)
class _Stream:
    slug: str | None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False


class Hub:
    """Which negotiation moved at which position, and the open streams to tell.

    ``moved`` is called from whichever thread caught the views up (the follower thread,
    or a request's after a command); the streams live on the event loop, so the news
    crosses over with ``call_soon_threadsafe``.
    """

    def __init__(self, site: Site, loop: asyncio.AbstractEventLoop) -> None:
        self.site = site
        self.loop = loop
        self.position = site.position
        # Before ``_base`` nothing is known per negotiation: every page counts as changed there.
        self._base = self.position
        self._changed: dict[str, int] = {}
        self._lock = threading.Lock()
        self._streams: set[_Stream] = set()
        self._closed = False
        _hubs.add(self)

    def version(self, slug: str | None) -> int:
        """The position of the last event seen for ``slug`` (every negotiation's: None)."""
        if slug is None:
            return self.position
        return self._changed.get(slug, self._base)

    def moved(self, position: int) -> None:
        with self._lock:
            if position <= self.position:
                return
            try:
                slugs: set[str] | None = self.site.reader.negotiations_between(self.position, position)
            except Exception:  # noqa: BLE001 - not knowing which moved only costs precision
                slugs = None
            if slugs is None:
                self._changed.clear()
                self._base = position
            else:
                for slug in slugs:
                    self._changed[slug] = position
            self.position = position
        try:
            self.loop.call_soon_threadsafe(self._publish, position, slugs)
        except RuntimeError:  # the loop has closed: the server is gone, nobody to tell
            pass

    def _publish(self, position: int, slugs: set[str] | None) -> None:
        for stream in self._streams:
            if stream.slug is None or slugs is None or stream.slug in slugs:
                stream.wake.set()

    def subscribe(self, slug: str | None) -> _Stream:
        stream = _Stream(slug, closed=self._closed)
        self._streams.add(stream)
        return stream

    def unsubscribe(self, stream: _Stream) -> None:
        self._streams.discard(stream)

    def close(self) -> None:
        """End every open stream (the server is stopping); new ones end at once."""
        self._closed = True
        for stream in self._streams:
            stream.closed = True
            stream.wake.set()

    @property
    def streams(self) -> int:
        return len(self._streams)


def end_streams() -> None:
    """End the open streams of every hub in this process."""
    for hub in list(_hubs):
        hub.close()


def hub(request: Request) -> Hub:
    return request.app.state.live


def _event(kind: str, version: int) -> bytes:
    return f"event: {kind}\nid: {version}\ndata: {version}\n\n".encode()


async def _events(hub: Hub, stream: _Stream, last_seen: str | None) -> AsyncIterator[bytes]:
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        version = hub.version(stream.slug)
        if last_seen is None:
            # The page was drawn a moment before this stream opened: it checks once.
            yield _event("ready", version)
        elif last_seen != str(version):
            yield _event("moved", version)
        while not stream.closed:
            try:
                await asyncio.wait_for(stream.wake.wait(), KEEP_ALIVE)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            stream.wake.clear()
            if not stream.closed:
                yield _event("moved", hub.version(stream.slug))
    finally:
        hub.unsubscribe(stream)


async def events(request: Request) -> Response:
    slug = request.path_params.get("slug")
    if slug is not None:
        # Unknown negotiations are 404 like every other page (NotFound is mapped by the app).
        await run_in_threadpool(request.app.state.site.tracker.negotiation, slug)
    live = hub(request)
    stream = live.subscribe(slug)
    headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
    return StreamingResponse(_events(live, stream, request.headers.get("last-event-id")),
                             media_type="text/event-stream", headers=headers)


routes: list[BaseRoute] = [Route("/-/live", events), Route("/-/live/{slug}", events)]


class Live:
    """ASGI layer that starts the hub once the site is up and ends its streams first when
    the application stops (otherwise the server would wait on them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state

        async def started(message: Message) -> None:
            if message["type"] == "lifespan.startup.complete":
                site: Site = state.site
                state.live = Hub(site, asyncio.get_running_loop())
                site.watchers.append(state.live.moved)
                state.live.moved(site.position)  # a move made while the hub was being set up
            await send(message)

        async def stopping() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown" and hasattr(state, "live"):
                state.site.watchers.remove(state.live.moved)
                state.live.close()
            return message

        await self.app(scope, stopping, started)


class Server(uvicorn.Server):
    """uvicorn's server, which ends the live streams before it waits for open connections
    to finish: a stream never finishes by itself, and the lifespan's end comes only after."""

    async def shutdown(self, sockets: Any = None) -> None:
        end_streams()
        await super().shutdown(sockets)


def run(app: ASGIApp, host: str, port: int, **options: Any) -> None:
    """Serve ``app`` with uvicorn until stopped (Ctrl-C, SIGTERM), ending live streams first.
    ``uvicorn.run`` alone would wait on an open page's stream forever."""
    options = {"log_level": "warning", "timeout_graceful_shutdown": 5, **options}
    Server(uvicorn.Config(app, host=host, port=port, **options)).run()

