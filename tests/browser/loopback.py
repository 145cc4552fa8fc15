"""The tracker served for real on loopback, in a thread on a socket bound beforehand to
127.0.0.1 port 0 (no port races); and a browser page watched for what must not happen."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from web.app import create_app
from web.live import Server
from web.site import Site

SCREENSHOTS = Path(__file__).parent / "screenshots"


@dataclass
class Served:
    url: str
    app: Any
    server: uvicorn.Server

    @property
    def site(self) -> Site:
        return self.app.state.site

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            time.sleep(0.02)


def serve(db: str) -> Iterator[Served]:
    """Serve ``db`` until resumed; then stop, and check the server did stop (no graceful
    timeout: a stream left open would hold it up, and fail here)."""
    app = create_app(db, follow_interval=0.05)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = Server(uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="served", daemon=True)
    thread.start()
    served = Served(f"http://127.0.0.1:{port}", app, server)
    served.wait_for(lambda: server.started or not thread.is_alive())
    assert server.started, "the server did not start"
    try:
        yield served
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        assert not thread.is_alive(), "the server did not stop"


@dataclass
class Watched:
    """A page with everything that must not happen recorded: console errors, failed
    requests, dialogs (an ``alert`` from injected text would open one)."""

    page: Any
    errors: list[str]
    dialogs: list[str]

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        # caret="initial": hiding the caret makes Playwright inject a <style>, which our CSP
        # refuses, and the refusal would show up as the page's own console error.
        self.page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    def assert_clean(self) -> None:
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"
        assert not self.errors, f"console errors: {self.errors}"
