"""Live updates: open pages learn of new events (server-sent events). To be built."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
