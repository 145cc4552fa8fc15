"""Who is signed in: the session's user, loaded from the record on every request.

The session (a signed cookie) holds only the username and a stamp of the password hash:
changing the password or disabling the account ends every open session at once.
The delegation a user acts for always comes from the account, never from a form.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response

from tracker.domain.account import Account
from tracker.domain.base import Actor
from tracker.passwords import verify_nothing, verify_password
from web.common import json_requested

SESSION_USER = "user"
SESSION_STAMP = "stamp"


@dataclass(frozen=True)
class User(BaseUser):
    username: str
    name: str
    role: str
    delegation: str

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def identity(self) -> str:
        return self.username

    @property
    def actor(self) -> Actor:
        return Actor(self.delegation, self.username)


@dataclass(frozen=True)
class Anonymous(BaseUser):
    """An observer: reads everything, writes nothing."""

    username: str = ""
    name: str = ""
    role: str = ""
    delegation: str = ""

    @property
    def is_authenticated(self) -> bool:
        return False

    @property
    def display_name(self) -> str:
        return ""


ANONYMOUS = Anonymous()


def stamp(account: Account) -> str:
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:24]


def user_of(account: Account) -> User:
    return User(account.username, account.name, account.role, account.delegation)


class SessionBackend(AuthenticationBackend):
    """``scope["user"]``: the session's account while it is active and its password unchanged."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        session = conn.session
        username = session.get(SESSION_USER)
        if not isinstance(username, str) or not username:
            return AuthCredentials(), ANONYMOUS
        tracker = conn.app.state.site.tracker
        account = await run_in_threadpool(tracker.find_account, username)
        if account is None or account.disabled or session.get(SESSION_STAMP) != stamp(account):
            session.clear()
            return AuthCredentials(), ANONYMOUS
        return AuthCredentials(["authenticated", account.role]), user_of(account)


async def check_credentials(request: Request, username: str, password: str) -> Account | None:
    """The account if the password is right; the same work is done for unknown users."""
    tracker = request.app.state.site.tracker
    account = await run_in_threadpool(tracker.find_account, username)
    if account is None:
        await run_in_threadpool(verify_nothing, password)
        return None
    if not await run_in_threadpool(verify_password, account.password_hash, password):
        return None
    # A disabled account is refused only after the password was checked: the answer
    # tells nothing about an account to someone who does not know its password.
    return None if account.disabled else account


def sign_in(request: Request, account: Account) -> None:
    request.session.clear()
    request.session[SESSION_USER] = account.username
    request.session[SESSION_STAMP] = stamp(account)


def sign_out(request: Request) -> None:
    request.session.clear()


def current(request: Request) -> User | None:
    found = request.scope.get("user")
    return found if isinstance(found, User) else None


def require(request: Request, *roles: str) -> User:
    """The signed-in user, who must have one of ``roles`` (any role if none given)."""
    user = current(request)
    if user is None:
        raise HTTPException(401, "sign in first (/-/login)")
    if roles and user.role not in roles:
        raise HTTPException(403, f"a {user.role} may not do this: it is for the {' or '.join(roles)}")
    return user


def login_redirect(request: Request) -> Response | None:
    """For pages behind a login: the way to the login page, back here afterwards."""
    if current(request) is not None or json_requested(request):
        return None  # scripts get a 401 from ``require`` instead
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/-/login?next={quote(target, safe='')}", status_code=303)


def safe_next(target: str | None) -> str:
    """Only a path of this site: never an absolute or scheme-relative URL elsewhere."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or any(
            c in target for c in "\r\n\t\\"):
        return "/"
    return target
