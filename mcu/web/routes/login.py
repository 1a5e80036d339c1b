"""Signing in and out, the start page for each role, and the person's own page (password, linked Telegram)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from config import InputError
from mcu.accounts import LoginRefused, LoginThrottled, Throttle, authenticate, change_password
from mcu.web.auth import current_user, safe_next, signed_in_user, workspace
from mcu.web.permissions import permission_allowed
from mcu.web.security import csrf_token
from mcu.web.templating import MENU, flash, render
from storage.users import User

router = APIRouter()


def start_page(request: Request, user: User) -> str:
    """The first menu page the role may open (the queue for most, appeals for a body's executor)."""
    settings = workspace(request).settings
    for path, _, permission in MENU:
        if permission_allowed(settings, user, permission):
            return path
    return "/me"


@router.get("/")
def home(request: Request) -> Response:
    user = signed_in_user(request)
    return RedirectResponse(start_page(request, user) if user else "/login", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "") -> Response:
    user = signed_in_user(request)
    if user is not None:
        return RedirectResponse(safe_next(next, start_page(request, user)), status_code=303)
    return render(request, "login.html", next=safe_next(next, ""), error=None, login="")


@router.post("/login")
def login(request: Request, login: str = Form(""), password: str = Form(""), next: str = Form("")) -> Response:
    space = workspace(request)
    address = request.client.host if request.client else "-"
    throttle = Throttle.from_settings(space.settings.web.throttle)
    try:
        user = authenticate(space.db, login, password, address, throttle, space.now())
    except LoginThrottled as exc:
        error = (f"Слишком много неудачных попыток входа. Попробуйте через {exc.minutes} мин "
                 "или обратитесь к руководителю МЦУ.")
        return render(request, "login.html", status_code=429, next=safe_next(next, ""), error=error, login=login)
    except LoginRefused:
        return render(request, "login.html", status_code=401, next=safe_next(next, ""),
                      error="Неверное имя или пароль.", login=login)
    # A new session for the signed-in person: nothing from before the login carries over.
    request.session.clear()
    request.session.update({"uid": user.id, "epoch": user.session_epoch})
    csrf_token(request)
    request.state.user = user
    return RedirectResponse(safe_next(next, start_page(request, user)), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/me")
def me(request: Request, user: User = Depends(current_user)) -> Response:
    return render(request, "me.html")


@router.post("/me/password")
def my_password(request: Request, user: User = Depends(current_user), old: str = Form(""), new: str = Form(""),
                repeat: str = Form("")) -> Response:
    space = workspace(request)
    address = request.client.host if request.client else "-"
    try:
        authenticate(space.db, user.login, old, address, Throttle.from_settings(space.settings.web.throttle), space.now())
        if new != repeat:
            raise InputError("новый пароль и повтор не совпадают")
        change_password(space.db, user.login, new, space.now())
    except (LoginRefused, LoginThrottled):
        flash(request, "Текущий пароль неверен.", "error")
        return RedirectResponse("/me", status_code=303)
    except InputError as exc:
        flash(request, f"Пароль не изменён: {exc}.", "error")
        return RedirectResponse("/me", status_code=303)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
