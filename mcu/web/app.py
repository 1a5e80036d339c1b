"""The workspace as an ASGI app: sessions, security headers, CSRF on every form, the pages, and the errors a
person can meet as Russian pages (or JSON for scripts)."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from mcu.web.auth import Forbidden, NotSignedIn, csrf_protect, login_url
from mcu.web.context import Workspace
from mcu.web.routes import (
    appeals,
    audit,
    gospublics,
    login,
    queue,
    ratings,
    reports,
    roadmap,
    search,
    silences,
    sources,
    stories,
)
from mcu.web.security import SESSION_COOKIE, SecurityHeaders
from mcu.web.templating import render

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
CRASH_PAGE = ('<!doctype html><html lang="ru"><meta charset="utf-8"><title>Ошибка</title>'
              '<p>Внутренняя ошибка. Подробности — в журнале сервера. <a href="/">На главную</a></p></html>')
ROUTERS = (login, queue, stories, appeals, ratings, roadmap, gospublics, sources, reports, search, silences, audit)


def _wants_page(request: Request) -> bool:
    """A person's browser asking for a page (not htmx, not a script reading JSON or a file)."""
    return (request.method == "GET" and "hx-request" not in request.headers
            and not request.url.path.endswith((".json", ".svg")) and "text/html" in request.headers.get("accept", ""))


def _problem(request: Request, status: int, text: str) -> Response:
    if _wants_page(request) or (request.method == "POST" and "hx-request" not in request.headers):
        return render(request, "error.html", status_code=status, status=status, message=text)
    return JSONResponse({"error": text}, status_code=status)


def create_app(space: Workspace) -> FastAPI:
    app = FastAPI(title="МЦУ — рабочее место", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(csrf_protect)])
    app.state.workspace = space
    web = space.settings.web
    app.add_middleware(SessionMiddleware, secret_key=space.secret, session_cookie=SESSION_COOKIE,
                       max_age=int(web.session_lifetime), same_site="lax", https_only=web.secure_cookies)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in ROUTERS:
        app.include_router(module.router)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        if _wants_page(request):
            return RedirectResponse(login_url(request), status_code=303)
        response = JSONResponse({"error": "нужно войти"}, status_code=401)
        if "hx-request" in request.headers:
            response.headers["HX-Redirect"] = login_url(request)
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Forbidden) -> Response:
        return _problem(request, 403, "У вашей роли нет доступа к этому разделу. Если он нужен для работы, "
                                      "обратитесь к руководителю МЦУ.")

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException) -> Response:
        # Our own errors carry Russian text; the framework's ("Not Found", "Method Not Allowed") are replaced.
        text = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else {
            404: "Такой страницы нет.", 405: "Так эту страницу открыть нельзя."}.get(exc.status_code, "Не получилось.")
        return _problem(request, exc.status_code, text)

    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        return _problem(request, 400, f"Не понял запрос: проверьте поля ({fields}).")

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        # Outside the other middleware: no session here, so a plain page that shows nothing of the error.
        log.exception("ошибка на странице %s", request.url.path)
        return HTMLResponse(CRASH_PAGE, status_code=500)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> Response:
        return Response("ok", media_type="text/plain")

    return app
