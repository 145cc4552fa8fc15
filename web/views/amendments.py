"""Delegations' actions: propose an amendment (seeing its redline first), take or drop a
position on others' proposals, revise or withdraw one's own; and an amendment's page.

The acting delegation is always the signed-in user's; a group is spoken for only when
that delegation is a member of it, which the record checks.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.domain.account import DELEGATE
from tracker.domain.amendment import (
    ACTIONS,
    DELETE,
    DELETE_PARAGRAPH,
    INSERT,
    MOVE,
    NEW_PARAGRAPH,
    REPLACE,
    RESERVE,
    RETAIN,
    STANCES,
    Amendment,
    check_proposal,
    proposed_text,
)
from tracker.domain.base import DomainError, Forbidden
from tracker.domain.negotiation import Negotiation
from tracker.text import render
from tracker.text.redline import redline
from web import reading  # noqa: F401 - the templates' filters
from web.auth import login_redirect
from web.common import param, tracker
from web.forms import Form, act, act_page, done, record, status_of, taking_part

ACTION_LABELS = {
    REPLACE: "Replace words (leave “words” empty to replace the whole paragraph)",
    INSERT: "Insert new words after the quoted words (or at the end)",
    DELETE: "Delete the quoted words",
    NEW_PARAGRAPH: "Add a new paragraph after this one",
    DELETE_PARAGRAPH: "Delete the whole paragraph",
    MOVE: "Move the paragraph after another one",
    RETAIN: "Retain the paragraph as it stands",
    RESERVE: "Enter a reservation on the paragraph",
}
STANCE_LABELS = {"supports": "Support", "opposes": "Oppose", "co_sponsors": "Co-sponsor", "reserves": "Reserve"}
FIELDS = ("action", "old_text", "new_text", "after", "on_behalf_of", "rationale")


def language(negotiation: Negotiation) -> str:
    return negotiation.languages[0] if negotiation.languages else "en"


def proposal_preview(action: str, paragraph: dict[str, Any], old_text: str, new_text: str, after_num: str,
                     lang: str) -> tuple[dict[str, Any], Markup | None]:
    """What the proposal would do, as words and as a redline of the paragraph."""
    base = {"id": paragraph["id"], "num": paragraph["num"], "text": paragraph["text"]}
    if action in (REPLACE, INSERT, DELETE):
        after = proposed_text(action, paragraph["text"], old_text, new_text) or ""
        result = redline([base], [{**base, "text": after}])
        summary = {"proposed_text": after, "note": ""}
    elif action == NEW_PARAGRAPH:
        result = redline([base], [base, {"id": "proposed", "num": "", "text": new_text}])
        summary = {"proposed_text": new_text, "note": "a new paragraph after this one"}
    elif action == DELETE_PARAGRAPH:
        result = redline([base], [])
        summary = {"proposed_text": None, "note": "the paragraph would be deleted"}
    else:
        notes = {MOVE: f"the paragraph would move after paragraph {after_num}" if after_num
                 else "the paragraph would move to the beginning",
                 RETAIN: "the paragraph would be retained as it stands",
                 RESERVE: "a reservation on the paragraph; the text does not change"}
        return {"proposed_text": None, "note": notes.get(action, "")}, None
    return summary, Markup(render.as_html(result, lang))


def _choices(negotiation: Negotiation, delegation: str, paragraphs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "actions": [{"value": a, "label": ACTION_LABELS[a]} for a in ACTIONS],
        "groups": negotiation.groups_of(delegation),
        "paragraphs": [{"id": p["id"], "num": p["num"], "text": p["text"][:80]} for p in paragraphs],
    }


def _values(form: Form | None, defaults: dict[str, str] | None = None) -> dict[str, str]:
    if form is None:
        return {name: (defaults or {}).get(name, "") for name in FIELDS}
    values = {name: form.text(name) for name in FIELDS}
    values["action"] = form.choice("action", ACTIONS)
    return values


# --- propose --------------------------------------------------------------------------------


def _propose_page(request: Request, form: Form | None) -> Response:
    slug, paragraph_id = request.path_params["slug"], request.path_params["paragraph_id"]
    who, negotiation = taking_part(request, slug, DELEGATE)
    revision = tracker(request).revision(slug, form.text("base") or None if form else None)
    paragraph = revision.paragraph(paragraph_id)
    values = _values(form, {"action": REPLACE})
    context: dict[str, Any] = {
        "slug": slug, "title": negotiation.title, "language": language(negotiation), "base": revision.label,
        "delegation": who.delegation,
        "paragraph": {"id": paragraph["id"], "num": paragraph["num"], "text": paragraph["text"]},
        "values": values, "preview": None, "error": None,
    }
    html: dict[str, Any] = {"choices": _choices(negotiation, who.delegation, revision.paragraphs), "redline": None}
    status = 200
    step = form.choice("step", ("preview", "submit"), required=False, default="preview") if form else ""
    if form is not None:
        try:
            if step == "preview":
                check_proposal(values["action"], paragraph["text"], values["old_text"], values["new_text"])
                after_num = revision.find(values["after"])["num"] if values["after"] else ""
                context["preview"], html["redline"] = proposal_preview(
                    values["action"], paragraph, values["old_text"], values["new_text"], after_num,
                    language(negotiation))
            else:
                amendment_id, position = record(
                    request, tracker(request).propose, slug, paragraph_id, values["action"], who.actor,
                    old_text=values["old_text"], new_text=values["new_text"], after=values["after"],
                    on_behalf_of=values["on_behalf_of"], rationale=values["rationale"], base_label=revision.label)
                return done(request, f"/{slug}/paragraphs/{paragraph['id']}#a-{amendment_id}", status=201, id=str(amendment_id),
                            position=position)
        except DomainError as error:
            # Back to the form with what was typed, and why it was refused.
            context["error"], status = str(error), status_of(error)
    return act_page(request, "act_propose.html", context, html, status)


def propose_form(request: Request) -> Response:
    if (redirect := login_redirect(request)) is not None:
        return redirect
    return _propose_page(request, None)


async def propose(request: Request) -> Response:
    return await act(request, (DELEGATE,), lambda form: _propose_page(request, form))


# --- an amendment ---------------------------------------------------------------------------


def _amendment_data(request: Request, a: Amendment) -> tuple[dict[str, Any], dict[str, Any]]:
    slug = request.path_params["slug"]
    negotiation = tracker(request).negotiation(slug)
    base = tracker(request).revision(slug, a.base_revision)
    paragraph = base.paragraph(a.paragraph_id)
    after_num = base.paragraph(a.after_paragraph_id)["num"] if a.after_paragraph_id else ""
    try:
        summary, shown = proposal_preview(a.action, paragraph, a.old_text, a.new_text, after_num,
                                          language(negotiation))
    except ValueError:
        summary, shown = {"proposed_text": None, "note": ""}, None
    data = {
        "slug": slug, "title": negotiation.title, "language": language(negotiation), "id": str(a.id),
        "base_revision": a.base_revision,
        "paragraph": {"id": paragraph["id"], "num": paragraph["num"], "text": paragraph["text"]},
        "action": a.action, "old_text": a.old_text, "new_text": a.new_text, "after_paragraph_id": a.after_paragraph_id,
        "on_behalf_of": a.on_behalf_of, "rationale": a.rationale, "delegation": a.delegation, "status": a.status,
        "round": a.round_number, "decision": a.decision, "proposed_text": summary["proposed_text"],
        "note": summary["note"],
        "positions": [{"delegation": d, "stance": p["stance"], "note": p["note"]} for d, p in a.positions.items()],
    }
    return data, {"redline": shown, "action_label": ACTION_LABELS.get(a.action, a.action)}


def amendment(request: Request) -> Response:
    a = tracker(request).amendment(request.path_params["slug"], param(request, "amendment_id"))
    data, html = _amendment_data(request, a)
    return act_page(request, "act_amendment.html", data, html)


def _revise_page(request: Request, form: Form | None) -> Response:
    slug, amendment_id = request.path_params["slug"], request.path_params["amendment_id"]
    who, negotiation = taking_part(request, slug, DELEGATE)
    a = tracker(request).amendment(slug, amendment_id)
    if a.delegation != who.delegation:
        raise Forbidden(f"only {a.delegation}, who proposed it, may revise this amendment")
    data, html = _amendment_data(request, a)
    values = {"old_text": a.old_text, "new_text": a.new_text, "rationale": a.rationale}
    if form is not None:
        values = {name: form.text(name) for name in values}
    data.update(values=values, preview=None, error=None)
    html["redline"] = None
    status = 200
    if form is not None:
        step = form.choice("step", ("preview", "submit"), required=False, default="preview")
        try:
            if step == "preview":
                check_proposal(a.action, data["paragraph"]["text"], values["old_text"], values["new_text"])
                data["preview"], html["redline"] = proposal_preview(
                    a.action, data["paragraph"], values["old_text"], values["new_text"], "", language(negotiation))
            else:
                position = record(request, tracker(request).revise_amendment, slug, amendment_id, who.actor,
                                  **values)
                return done(request, f"/{slug}/amendments/{amendment_id}", position=position)
        except DomainError as error:
            data["error"], status = str(error), status_of(error)
    return act_page(request, "act_revise.html", data, html, status)


def revise_form(request: Request) -> Response:
    if (redirect := login_redirect(request)) is not None:
        return redirect
    return _revise_page(request, None)


async def revise(request: Request) -> Response:
    return await act(request, (DELEGATE,), lambda form: _revise_page(request, form))


async def position(request: Request) -> Response:
    def work(form: Form) -> Response:
        slug, amendment_id = request.path_params["slug"], request.path_params["amendment_id"]
        who, _ = taking_part(request, slug, DELEGATE)
        stance = form.choice("stance", STANCES)
        at = record(request, tracker(request).take_position, slug, amendment_id, stance, who.actor, form.text("note"))
        return done(request, f"/{slug}/amendments/{amendment_id}", form, position=at)

    return await act(request, (DELEGATE,), work)


async def drop_position(request: Request) -> Response:
    def work(form: Form) -> Response:
        slug, amendment_id = request.path_params["slug"], request.path_params["amendment_id"]
        who, _ = taking_part(request, slug, DELEGATE)
        at = record(request, tracker(request).drop_position, slug, amendment_id, who.actor)
        return done(request, f"/{slug}/amendments/{amendment_id}", form, position=at)

    return await act(request, (DELEGATE,), work)


async def withdraw(request: Request) -> Response:
    def work(form: Form) -> Response:
        slug, amendment_id = request.path_params["slug"], request.path_params["amendment_id"]
        who, _ = taking_part(request, slug, DELEGATE)
        at = record(request, tracker(request).withdraw_amendment, slug, amendment_id, who.actor, form.text("reason"))
        return done(request, f"/{slug}/amendments/{amendment_id}", form, position=at)

    return await act(request, (DELEGATE,), work)


routes = [
    Route("/{slug}/paragraphs/{paragraph_id}/propose", propose_form, methods=["GET"]),
    Route("/{slug}/paragraphs/{paragraph_id}/propose.json", propose_form),
    Route("/{slug}/paragraphs/{paragraph_id}/propose", propose, methods=["POST"]),
    Route("/{slug}/amendments/{amendment_id}/revise", revise_form, methods=["GET"]),
    Route("/{slug}/amendments/{amendment_id}/revise.json", revise_form),
    Route("/{slug}/amendments/{amendment_id}/revise", revise, methods=["POST"]),
    Route("/{slug}/amendments/{amendment_id}/position", position, methods=["POST"]),
    Route("/{slug}/amendments/{amendment_id}/position/drop", drop_position, methods=["POST"]),
    Route("/{slug}/amendments/{amendment_id}/withdraw", withdraw, methods=["POST"]),
    Route("/{slug}/amendments/{amendment_id}", amendment),
]
