"""The secretariat's and co-facilitators' tools: the compile view and decisions on
proposals, publishing a revision, paragraph status, silence procedures, the roster.

Silence procedures are also where delegations break silence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.application import source_of
from tracker.domain.account import DELEGATE, SECRETARIAT
from tracker.domain.amendment import OUTCOMES
from tracker.domain.negotiation import DELEGATION_KINDS, GROUP
from tracker.domain.revision import PARAGRAPH_STATUSES
from tracker.formats import MAX_BYTES, detect_format, read_document
from tracker.text.document import FormatError
from web import reading  # noqa: F401 - the templates' filters
from web.auth import login_redirect, require
from web.common import reader, tracker
from web.forms import Form, act, act_page, bad, done, read_form, record, taking_part
from web.views.amendments import language

# A revision's file, with room for the form's other fields.
MAX_UPLOAD = MAX_BYTES + 64 * 1024
FORMATS = ("auto", "akn", "md", "txt")


def _in_a_url(form: Form, name: str) -> str:
    """A revision's label or a delegation's code: each is the last segment of its page's
    URL, where a ``.json`` ending would name the page's JSON twin instead."""
    value = form.text(name, required=True).strip()
    if value.lower().endswith(".json"):
        raise bad(f"field {name!r} may not end in .json (that ending asks for a page's JSON twin)")
    return value


def _guarded(request: Request, page: Any) -> Response:
    """A secretariat page: observers are sent to the login page first."""
    if (redirect := login_redirect(request)) is not None:
        return redirect
    return page(request)


# --- the compile view and decisions ----------------------------------------------------------


def _compile(request: Request) -> Response:
    slug = request.path_params["slug"]
    _, negotiation = taking_part(request, slug, SECRETARIAT)
    compiled = reader(request).compilation(slug)
    pending = [p for p in compiled["paragraphs"] if p["proposals"]]
    context = {"slug": slug, "title": negotiation.title, "language": language(negotiation), "label": compiled["label"],
               "position": compiled["position"],
               "paragraphs": pending, "outcomes": list(OUTCOMES), "totals": compiled["totals"]}
    return act_page(request, "act_compile.html", context)


def compile_view(request: Request) -> Response:
    return _guarded(request, _compile)


async def decide(request: Request) -> Response:
    def work(form: Form) -> Response:
        slug, amendment_id = request.path_params["slug"], request.path_params["amendment_id"]
        who, _ = taking_part(request, slug, SECRETARIAT)
        outcome = form.choice("outcome", OUTCOMES)
        at = record(request, tracker(request).decide_amendment, slug, amendment_id, outcome, who.actor,
                    form.text("revision") or None, form.text("note"))
        return done(request, f"/{slug}/-/compile", form, position=at)

    return await act(request, (SECRETARIAT,), work)


async def mark(request: Request) -> Response:
    def work(form: Form) -> Response:
        slug, paragraph_id = request.path_params["slug"], request.path_params["paragraph_id"]
        who, _ = taking_part(request, slug, SECRETARIAT)
        status = form.choice("status", PARAGRAPH_STATUSES)
        at = record(request, tracker(request).mark_paragraph, slug, paragraph_id, status, who.actor, form.text("note"))
        return done(request, f"/{slug}/paragraphs/{paragraph_id}", form, position=at)

    return await act(request, (SECRETARIAT,), work)


# --- publishing a revision -------------------------------------------------------------------


def _publish_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    _, negotiation = taking_part(request, slug, SECRETARIAT)
    context = {"slug": slug, "title": negotiation.title, "revisions": list(negotiation.revision_labels),
               "rounds": [r["number"] for r in negotiation.rounds], "formats": list(FORMATS),
               "max_bytes": MAX_BYTES}
    return act_page(request, "act_publish.html", context)


def publish_form(request: Request) -> Response:
    return _guarded(request, _publish_page)


def _date(form: Form, name: str) -> Any:
    value = form.text(name).strip()
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise bad(f"field {name!r} must be a date (YYYY-MM-DD)") from None


async def publish(request: Request) -> Response:
    require(request, SECRETARIAT)
    form = await read_form(request)
    upload = form.file("file")
    data, filename = upload.data, upload.filename

    def work() -> Response:
        slug = request.path_params["slug"]
        who, _ = taking_part(request, slug, SECRETARIAT)
        label = _in_a_url(form, "label")
        fmt = form.choice("format", FORMATS, required=False, default="auto") or "auto"
        issued, round_number = _date(form, "date"), form.number("round")
        try:
            document = read_document(data, format=fmt, filename=filename)
        except FormatError as error:
            raise HTTPException(400, f"the file cannot be published: {error}") from None
        detected = fmt if fmt != "auto" else detect_format(data, filename)
        at = record(request, tracker(request).publish_revision, slug, label, document, who.actor,
                    symbol=form.text("symbol").strip(), issued_on=issued, round_number=round_number,
                    source=source_of(data, filename, detected))
        return done(request, f"/{slug}/revisions/{quote(label, safe='/')}", status=201, label=label, position=at)

    return await run_in_threadpool(work)


# --- silence procedures ----------------------------------------------------------------------


def _silence_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    who, negotiation = taking_part(request, slug, SECRETARIAT, DELEGATE)
    context = {"slug": slug, "title": negotiation.title, "procedures": reader(request).silence_procedures(slug),
               "role": who.role}
    return act_page(request, "act_silence.html", context)


def silence_page(request: Request) -> Response:
    return _guarded(request, _silence_page)


def _deadline(form: Form) -> datetime:
    value = form.text("deadline", required=True).strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        # In UTC here, as it is recorded: a time whose UTC falls off the calendar
        # ("9999-12-31T23:59-14:00") is refused now, not met by the views later.
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise bad("field 'deadline' must be a date and time (YYYY-MM-DDTHH:MM, UTC unless an offset is given)") from None


async def open_silence(request: Request) -> Response:
    def work(form: Form) -> Response:
        slug = request.path_params["slug"]
        who, _ = taking_part(request, slug, SECRETARIAT)
        paragraphs = [p.strip() for p in form.text("paragraphs").replace(",", " ").split() if p.strip()]
        procedure_id, at = record(request, tracker(request).open_silence, slug, _deadline(form), who.actor,
                                  paragraphs, form.text("note"))
        return done(request, f"/{slug}/-/silence", form, status=201, id=str(procedure_id), position=at)

    return await act(request, (SECRETARIAT,), work)


async def break_silence(request: Request) -> Response:
    def work(form: Form) -> Response:
        slug, procedure_id = request.path_params["slug"], request.path_params["procedure_id"]
        who, _ = taking_part(request, slug, DELEGATE)
        at = record(request, tracker(request).break_silence, slug, procedure_id, form.text("reason", required=True),
                    who.actor)
        return done(request, f"/{slug}/-/silence", form, position=at)

    return await act(request, (DELEGATE,), work)


async def conclude_silence(request: Request) -> Response:
    def work(form: Form) -> Response:
        slug, procedure_id = request.path_params["slug"], request.path_params["procedure_id"]
        who, _ = taking_part(request, slug, SECRETARIAT)
        at = record(request, tracker(request).conclude_silence, slug, procedure_id, who.actor)
        return done(request, f"/{slug}/-/silence", form, position=at)

    return await act(request, (SECRETARIAT,), work)


# --- the roster: delegations and groups ------------------------------------------------------


def _roster_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    _, negotiation = taking_part(request, slug, SECRETARIAT)
    delegations = [{**d, "groups": negotiation.groups_of(d["code"])} for d in negotiation.delegations.values()]
    context = {"slug": slug, "title": negotiation.title, "delegations": delegations, "kinds": list(DELEGATION_KINDS),
               "groups": [d["code"] for d in delegations if d["kind"] == GROUP]}
    return act_page(request, "act_delegations.html", context)


def roster_page(request: Request) -> Response:
    return _guarded(request, _roster_page)


async def register_delegation(request: Request) -> Response:
    def work(form: Form) -> Response:
        slug = request.path_params["slug"]
        who, _ = taking_part(request, slug, SECRETARIAT)
        code = _in_a_url(form, "code")
        at = record(request, tracker(request).register_delegation, slug, code, form.text("name", required=True),
                    form.choice("kind", DELEGATION_KINDS), who.actor)
        return done(request, f"/{slug}/-/delegations", form, status=201, code=code, position=at)

    return await act(request, (SECRETARIAT,), work)


def _membership(joining: bool) -> Any:
    async def change(request: Request) -> Response:
        def work(form: Form) -> Response:
            slug = request.path_params["slug"]
            who, _ = taking_part(request, slug, SECRETARIAT)
            command = tracker(request).join_group if joining else tracker(request).leave_group
            at = record(request, command, slug, form.text("member", required=True).strip(),
                        form.text("group", required=True).strip(), who.actor)
            return done(request, f"/{slug}/-/delegations", form, position=at)

        return await act(request, (SECRETARIAT,), work)

    return change


routes = [
    Route("/{slug}/-/compile.json", compile_view),
    Route("/{slug}/-/compile", compile_view),
    Route("/{slug}/amendments/{amendment_id}/decide", decide, methods=["POST"]),
    Route("/{slug}/paragraphs/{paragraph_id}/mark", mark, methods=["POST"]),
    Route("/{slug}/-/publish.json", publish_form),
    Route("/{slug}/-/publish", publish_form, methods=["GET"]),
    Route("/{slug}/-/publish", publish, methods=["POST"], max_body_size=MAX_UPLOAD),
    Route("/{slug}/-/silence.json", silence_page),
    Route("/{slug}/-/silence", silence_page, methods=["GET"]),
    Route("/{slug}/-/silence", open_silence, methods=["POST"]),
    Route("/{slug}/-/silence/{procedure_id}/break", break_silence, methods=["POST"]),
    Route("/{slug}/-/silence/{procedure_id}/conclude", conclude_silence, methods=["POST"]),
    Route("/{slug}/-/delegations.json", roster_page),
    Route("/{slug}/-/delegations", roster_page, methods=["GET"]),
    Route("/{slug}/-/delegations", register_delegation, methods=["POST"]),
    Route("/{slug}/-/groups/join", _membership(True), methods=["POST"]),
    Route("/{slug}/-/groups/leave", _membership(False), methods=["POST"]),
]
