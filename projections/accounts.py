"""User accounts in the views: nothing to show.

Accounts belong to no negotiation and their events hold password hashes, so no view
copies them: the web reads an account from the record itself (``Tracker.account``). The
handlers exist because the follower refuses events it has no handler for; returning None
tells it the event belongs to no negotiation's log.
"""

from __future__ import annotations

from typing import Any

from projections.projector import Batch, on


def _no_view(b: Batch, position: int, aggregate: str, e: dict[str, Any]) -> None:
    return None


for _event in ("Registered", "PasswordChanged", "Disabled", "Enabled"):
    on(f"account.{_event}")(_no_view)
