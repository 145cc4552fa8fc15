"""Signed-in users' pages and actions: accounts (to be built)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
