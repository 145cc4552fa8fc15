"""Signing in and out, one's own password, and the secretariat's list of users."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tracker.demo import demo_users_in
from tracker.domain.account import ROLES, Account
from tracker.passwords import MIN_LENGTH, hash_password
from web import reading  # noqa: F401 - the templates' filters
from web.auth import check_credentials, current, login_redirect, require, safe_next, sign_in, sign_out
from web.common import OrjsonResponse, json_requested, tracker
from web.forms import act_page, done, read_form, record

SECRETARIAT = "secretariat"


def _listed(a: Account) -> dict[str, Any]:
    # Never the hash: it stays in the record.
    return {"username": a.username, "name": a.name, "role": a.role, "delegation": a.delegation,
            "disabled": a.disabled}


async def _login_page(request: Request, next_path: str, username: str = "", message: str = "",
                      status_code: int = 200) -> Response:
    demo = await run_in_threadpool(demo_users_in, tracker(request))
    context = {"next": next_path, "username": username, "message": message,
               "demo_users": [{"username": u.username, "password": u.password, "role": u.role,
                               "delegation": u.delegation} for u in demo]}
    return act_page(request, "act_login.html", context, status_code=status_code)


async def login(request: Request) -> Response:
    if request.method == "GET":
        return await _login_page(request, safe_next(request.query_params.get("next")))
    form = await read_form(request)
    username = form.text("username", required=True).strip().lower()
    password = form.text("password", required=True)
    next_path = safe_next(form.text("next"))
    account = await check_credentials(request, username, password)
    if account is None:
        # One message for every failure: it tells nothing about which usernames exist.
        return await _login_page(request, next_path, username, "Wrong username or password.", 401)
    sign_in(request, account)
    if json_requested(request):
        return done(request, next_path, user=_listed(account))
    return RedirectResponse(next_path, status_code=303)


async def logout(request: Request) -> Response:
    sign_out(request)
    return done(request, "/")


async def account_page(request: Request) -> Response:
    """One's own account: who one acts for, and a new password."""
    if request.method == "GET" and (redirect := login_redirect(request)) is not None:
        return redirect
    who = require(request)
    message = ""
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        old, new = form.text("current", required=True), form.text("password", required=True)
        if new != form.text("confirm", required=True):
            raise HTTPException(400, "the new password and its confirmation differ")
        if await check_credentials(request, who.username, old) is None:
            message, status = "The current password is wrong.", 403
        else:
            password_hash = await run_in_threadpool(hash_password, new)
            await run_in_threadpool(record, request, tracker(request).change_password, who.username, password_hash,
                                    who.actor)
            # The session's stamp follows the new hash; other sessions of this user end.
            sign_in(request, await run_in_threadpool(tracker(request).account, who.username))
            return done(request, "/-/account")
    context = {"username": who.username, "name": who.name, "role": who.role, "delegation": who.delegation,
               "min_length": MIN_LENGTH, "message": message}
    return act_page(request, "act_account.html", context, status_code=status)


async def users(request: Request) -> Response:
    if request.method == "GET" and (redirect := login_redirect(request)) is not None:
        return redirect
    who = require(request, SECRETARIAT)
    if request.method == "POST":
        form = await read_form(request)
        username = form.text("username", required=True)
        role = form.choice("role", ROLES)
        delegation = form.text("delegation", required=True).strip()
        name = form.text("name").strip() or username.strip()
        password = form.text("password", required=True)
        password_hash = await run_in_threadpool(hash_password, password)
        await run_in_threadpool(record, request, tracker(request).register_user, username, name, role, delegation,
                                password_hash, who.actor)
        return done(request, "/-/users", status=201, username=username.strip().lower())
    listed = [_listed(a) for a in await run_in_threadpool(tracker(request).accounts)]
    return act_page(request, "act_users.html", {"users": listed, "roles": list(ROLES), "min_length": MIN_LENGTH})


async def disable(request: Request) -> Response:
    who = require(request, SECRETARIAT)
    form = await read_form(request)
    username = request.path_params["username"]
    if username == who.username:
        raise HTTPException(400, "you cannot disable your own account")
    await run_in_threadpool(record, request, tracker(request).disable_user, username, who.actor,
                            form.text("reason"))
    return done(request, "/-/users", form)


async def enable(request: Request) -> Response:
    who = require(request, SECRETARIAT)
    form = await read_form(request)
    await run_in_threadpool(record, request, tracker(request).enable_user, request.path_params["username"],
                            who.actor)
    return done(request, "/-/users", form)


def whoami(request: Request) -> Response:
    """Who the session is, for scripts and pages that adapt to it."""
    found = current(request)
    return OrjsonResponse({"user": None if found is None else {
        "username": found.username, "name": found.name, "role": found.role, "delegation": found.delegation}})


routes = [
    Route("/-/login", login, methods=["GET", "POST"]),
    Route("/-/login.json", login),
    Route("/-/logout", logout, methods=["POST"]),
    Route("/-/account", account_page, methods=["GET", "POST"]),
    Route("/-/account.json", account_page),
    Route("/-/users", users, methods=["GET", "POST"]),
    Route("/-/users.json", users),
    Route("/-/users/{username}/disable", disable, methods=["POST"]),
    Route("/-/users/{username}/enable", enable, methods=["POST"]),
    Route("/-/whoami.json", whoami),
]
