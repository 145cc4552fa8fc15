"""Query parameters of the read pages: checked, so that a malformed one is a 400, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request

# Log positions and page numbers are stored as 64-bit integers.
MAX_INT = 2**63 - 1
MAX_QUERY = 200


def bad(message: str) -> HTTPException:
    return HTTPException(400, message)


def integer(request: Request, name: str, default: int, *, low: int = 0, high: int = MAX_INT) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise bad(f"{name} must be a whole number from {low} to {high}, not {raw[:40]!r}")
    value = int(raw)
    if not low <= value <= high:
        raise bad(f"{name} must be from {low} to {high}, not {value}")
    return value


def choice(request: Request, name: str, choices: tuple[str, ...]) -> str:
    value = request.query_params.get(name) or choices[0]
    if value not in choices:
        raise bad(f"{name} must be one of {', '.join(choices)}")
    return value


def text(request: Request, name: str, *, limit: int = MAX_QUERY) -> str:
    value = request.query_params.get(name, "").strip()
    if len(value) > limit:
        raise bad(f"{name} is longer than {limit} characters")
    if "\x00" in value:
        raise bad(f"{name} has a NUL character")
    return value


def moment(raw: str) -> datetime:
    """An ISO 8601 time, in UTC (without a zone, it is UTC)."""
    if "T" in raw and raw.count(" ") == 1:
        # "+02:00" typed into a URL by hand arrives as " 02:00".
        raw = raw.replace(" ", "+")
    try:
        parsed = datetime.fromisoformat(raw)
        # In UTC now, where a time at the very edge of the calendar overflows ("0001-01-01T00:00+14:00").
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise bad(f"at must be a log position or an ISO 8601 time, not {raw[:40]!r}") from None
