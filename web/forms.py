"""What every action shares: reading a form (or a JSON body) strictly, running a command
off the event loop, and answering with a redirect (or JSON).

A malformed request gets a 400 that says which field is wrong; a refused command gets
the domain's message (400/403/404/409 through the app's handlers) and writes nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tracker.domain.base import DomainError, Forbidden, NotFound
from tracker.domain.negotiation import Negotiation
from web.auth import User, require, safe_next
from web.common import OrjsonResponse, json_requested, site, templates, tracker, user

T = TypeVar("T")

MAX_FIELD = 100_000  # characters of one field: ten pages of text


def bad(message: str) -> HTTPException:
    return HTTPException(400, message)


def _clean(name: str, value: str) -> str:
    # Tabs and line breaks are text; other control characters are not (and PostgreSQL
    # refuses NUL). Bidi controls are format characters: kept, and shown inert on output.
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in value):
        raise bad(f"field {name!r} contains control characters")
    if len(value) > MAX_FIELD:
        raise bad(f"field {name!r} is longer than {MAX_FIELD} characters")
    return value


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


class Form:
    """The submitted fields: each read once, by name, as the type the action expects."""

    def __init__(self, values: dict[str, list[Any]]) -> None:
        self.values = values

    def text(self, name: str, *, required: bool = False, default: str = "") -> str:
        found = self.values.get(name)
        if not found:
            if required:
                raise bad(f"field {name!r} is required")
            return default
        if len(found) > 1:
            raise bad(f"field {name!r} was given {len(found)} times")
        value = found[0]
        if not isinstance(value, str):
            raise bad(f"field {name!r} must be text")
        if required and not value.strip():
            raise bad(f"field {name!r} must not be empty")
        return _clean(name, value)

    def texts(self, name: str) -> list[str]:
        values = self.values.get(name, [])
        if not all(isinstance(v, str) for v in values):
            raise bad(f"field {name!r} must be text")
        return [_clean(name, v) for v in values]

    def choice(self, name: str, options: Sequence[str], *, required: bool = True, default: str = "") -> str:
        value = self.text(name, required=required, default=default)
        if value and value not in options:
            raise bad(f"field {name!r} must be one of {', '.join(options)}")
        return value

    def number(self, name: str) -> int | None:
        value = self.text(name).strip()
        if not value:
            return None
        if not value.isascii() or not value.isdigit() or len(value) > 9:
            raise bad(f"field {name!r} must be a whole number")
        return int(value)

    def file(self, name: str) -> Upload:
        found = self.values.get(name)
        if not found or not isinstance(found[0], Upload) or len(found) > 1:
            raise bad(f"field {name!r} must be one file")
        return found[0]


async def read_form(request: Request) -> Form:
    """A urlencoded or multipart form, or a JSON object (scripts), as a ``Form``."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            raise bad("the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise bad("the JSON body must be an object of fields")
        values: dict[str, list[Any]] = {}
        for key, value in body.items():
            listed = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in listed):
                raise bad(f"field {key!r} must be text")
            values[key] = [str(v) for v in listed]
        return Form(values)
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data", ""):
        raise HTTPException(415, "send a form (urlencoded or multipart) or a JSON object")
    collected: dict[str, list[Any]] = {}
    # Files are read whole (the body limit bounds them) so the spooled copies close here.
    async with request.form() as form:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                value = Upload(value.filename or "", await value.read())
            collected.setdefault(key, []).append(value)
    return Form(collected)


def record(request: Request, command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a command, then bring the views up to date with it, so that the page the user
    is sent back to shows what they did. Blocking: call it in a thread."""
    result = command(*args, **kwargs)
    site(request).catch_up()
    return result


async def act(request: Request, roles: Sequence[str], work: Callable[[Form], Response]) -> Response:
    """For a user in one of ``roles``: read the form on the event loop, then do the
    (blocking) work in a thread. Nobody else's body is even read."""
    require(request, *roles)
    form = await read_form(request)
    return await run_in_threadpool(work, form)


def taking_part(request: Request, slug: str, *roles: str) -> tuple[User, Negotiation]:
    """The signed-in user (in one of ``roles``) and the negotiation, whose roster must
    have the user's delegation: nobody acts where their delegation takes no part."""
    who = require(request, *roles)
    negotiation = tracker(request).negotiation(slug)
    if who.delegation not in negotiation.delegations:
        raise Forbidden(f"{who.delegation} takes no part in negotiation {slug!r}")
    return who, negotiation


def done(request: Request, location: str, form: Form | None = None, status: int = 200, **result: Any) -> Response:
    """After an action: back to the page acted on (a form's ``back`` field, if it is a
    path of this site), or JSON for scripts."""
    target = safe_next(form.text("back")) if form is not None and form.text("back") else location
    if json_requested(request):
        return OrjsonResponse({"ok": True, "location": target, **result}, status_code=status)
    return RedirectResponse(target, status_code=303)


def status_of(error: DomainError) -> int:
    return 404 if isinstance(error, NotFound) else 403 if isinstance(error, Forbidden) else 400


def act_page(request: Request, template: str, context: dict[str, Any], html: dict[str, Any] | None = None,
             status_code: int = 200) -> Response:
    """Like ``page``, with pieces only the HTML shows (rendered redlines, choices)."""
    if json_requested(request):
        return OrjsonResponse(context, status_code=status_code)
    return templates.TemplateResponse(
        request, template, {"data": context, "user": user(request), **(html or {})}, status_code=status_code)
