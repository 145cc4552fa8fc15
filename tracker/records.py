"""Plain-data shapes of the record for JSON output: one place, used by the CLI and above."""

from __future__ import annotations

from typing import Any

import orjson

from tracker.domain.base import Actor

_SKIP = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


def event_record(position: int, domain_event: Any) -> dict[str, Any]:
    """One event of the log as the contract prints it."""
    actor: Actor | None = getattr(domain_event, "actor", None)
    data = {k: v for k, v in vars(domain_event).items() if k not in _SKIP}
    return {
        "position": position,
        "type": type(domain_event).__qualname__,
        "timestamp": domain_event.timestamp,
        "actor": actor.as_dict() if actor else None,
        "aggregate_id": domain_event.originator_id,
        "version": domain_event.originator_version,
        "data": data,
    }


def revision_paragraphs(paragraphs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": p["id"],
            "num": p["num"],
            "text": p["text"],
            "kind": p["kind"],
            "level": p["level"],
            "footnotes": p["footnotes"],
            "match": p["match"],
        }
        for p in paragraphs
    ]


class Encoded:
    """A value that keeps the JSON it is written as: ``dumps`` writes ``json()`` as it is,
    without making the Python objects it stands for."""

    __slots__ = ()

    def json(self) -> bytes:
        raise NotImplementedError


def _default(value: Any) -> Any:
    # orjson writes dataclasses, UUIDs and datetimes itself; tuples it writes too.
    if isinstance(value, Encoded):
        return orjson.Fragment(value.json())
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(value: Any, *, indent: bool = False) -> bytes:
    option = orjson.OPT_INDENT_2 if indent else 0
    return orjson.dumps(value, default=_default, option=option | orjson.OPT_NON_STR_KEYS)

