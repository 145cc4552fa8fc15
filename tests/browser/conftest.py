"""The tracker served for real on loopback (loopback.py), and Debian's Chromium driven by
Playwright. Chromium is the system's (``apt-get install chromium``), never a downloaded
build: tests that need it skip when it is absent, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback import Served, Watched, serve

from realdata import IN_CI

CHROMIUM = os.environ.get("TRACKER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# No first-run work, no calls home: the browser talks to the loopback server only.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture
def served_db(tmp_path: Path) -> str:
    """Where the served site's record lives: tests fill it before asking for ``served``."""
    return str(tmp_path / "served.sqlite")


@pytest.fixture
def served(served_db: str) -> Iterator[Served]:
    yield from serve(served_db)


# Per module, not per session: while Playwright's sync API runs, it holds this thread's
# event loop, and a later test calling asyncio.run() here would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = ""
    if not Path(CHROMIUM).exists():
        problem = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = problem or "playwright is not installed (pip install -e '.[test]')"
    if problem:
        if IN_CI:
            pytest.fail(f"browser tests must run under CI=true: {problem}")
        pytest.skip(problem)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[], Watched]]:
    """A new page in its own browser context (its own cookies: another person)."""
    contexts: list[Any] = []

    def make() -> Watched:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        contexts.append(context)
        page = context.new_page()
        watched = Watched(page, [], [])
        page.on("console", lambda m: watched.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: watched.errors.append(str(e)))

        def dialog(d: Any) -> None:
            watched.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)
        return watched

    yield make
    for context in contexts:
        context.close()
