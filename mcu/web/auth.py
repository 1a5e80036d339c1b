"""Who is asking: the signed session names an account; pages demand a permission; forms carry a CSRF token.

A request without a valid session is sent to the login page (pages) or answered 401 (fragments, JSON, downloads);
a signed-in person without the permission gets 403. The session ends when the password changes or the account
is disabled (the account's ``session_epoch`` moves on).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request

from mcu.web.context import Workspace
from mcu.web.permissions import permission_allowed
from mcu.web.security import CSRF_FIELD, CSRF_HEADER, csrf_valid
from storage import users
from storage.users import User


class NotSignedIn(Exception):
    """No valid session: the handler decides between a redirect to the login page and a bare 401."""


class Forbidden(Exception):
    def __init__(self, permission: str) -> None:
        super().__init__(permission)
        self.permission = permission


def workspace(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


def signed_in_user(request: Request) -> User | None:
    """The session's account, if it is still active and the session is not older than its last password change."""
    if hasattr(request.state, "user"):
        return request.state.user  # type: ignore[no-any-return]
    user = None
    uid, epoch = request.session.get("uid"), request.session.get("epoch")
    if isinstance(uid, int):
        with workspace(request).db.transaction() as session:
            found = users.get_user(session, uid)
        if found is not None and found.active and found.session_epoch == epoch:
            user = found
        else:
            request.session.clear()
    request.state.user = user
    return user


def current_user(request: Request) -> User:
    user = signed_in_user(request)
    if user is None:
        raise NotSignedIn()
    return user


def require(permission: str) -> Callable[..., User]:
    """A dependency: the signed-in person, if they may ``permission``."""

    def check(request: Request, user: User = Depends(current_user)) -> User:
        if not permission_allowed(workspace(request).settings, user, permission):
            raise Forbidden(permission)
        return user

    check.__name__ = f"require_{permission.replace('.', '_')}"
    return check


def allowed(request: Request, permission: str) -> bool:
    """For templates: show a link or a button only to those who may use it."""
    return permission_allowed(workspace(request).settings, signed_in_user(request), permission)


async def csrf_protect(request: Request) -> None:
    """Every state-changing request must carry the session's token (form field or htmx header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value: Any = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not csrf_valid(request, sent):
        raise HTTPException(403, "Форма устарела или пришла не с этой страницы: обновите страницу и повторите.")


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only a path on this site: a login link must not send people elsewhere."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def login_url(request: Request) -> str:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(path, safe='')}"
