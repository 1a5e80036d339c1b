"""Jinja2 for the workspace: autoescaping always on (post text and names are hostile), Russian wording helpers,
and one ``render`` that every view uses, so every page knows who is signed in, the CSRF token and the menu."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from alerts.digest.data import PLATFORM_TITLES, SENTIMENT_TITLES
from alerts.message import LEVEL_TITLES
from mcu.accounts import role_title
from mcu.web.auth import allowed, signed_in_user, workspace
from mcu.web.security import CSRF_FIELD, csrf_token
from responses.records import QUALITY_TITLES, SATISFACTION_TITLES, SLA_TITLES
from risk.wording import plural

TEMPLATES = Path(__file__).parent / "templates"
STATUS_WORDS = {"none": "не разобрана", "open": "ждёт", "taken": "в работе", "false_positive": "ложное срабатывание",
                "closed": "закрыта"}
ACTION_WORDS = {"taken": "взято в работу", "false_positive": "ложное срабатывание", "closed": "закрыто",
                "merge": "объединение", "split": "разделение", "silenced": "промолчала (тишина)",
                "reminded": "напоминание", "escalated": "эскалация", "silence": "тишина", "unsilence": "тишина снята",
                "user_link": "связь с Telegram", "report": "сводка", "export": "выгрузка",
                "source_enable": "источник включён", "source_disable": "источник отключён",
                "roadmap": "дорожная карта"}
APPEAL_KINDS = {"complaint": "жалоба", "request": "просьба", "question": "вопрос"}
# (path, title, permission): the menu, in the order people use it.
MENU = (
    ("/queue", "Очередь", "queue"),
    ("/appeals", "Обращения", "appeals"),
    ("/ratings", "Рейтинг органов", "ratings"),
    ("/gospublics", "Госпаблики", "gospublics"),
    ("/search", "Поиск", "search"),
    ("/reports", "Сводки", "reports"),
    ("/sources", "Источники", "sources"),
    ("/silences", "Тишины", "silences"),
    ("/audit", "Журнал", "audit"),
)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["level"] = lambda code: LEVEL_TITLES.get(code, code)
    env.filters["platform"] = lambda code: PLATFORM_TITLES.get(code, code)
    env.filters["sentiment"] = lambda code: SENTIMENT_TITLES.get(code, code or "—")
    env.filters["status"] = lambda code: STATUS_WORDS.get(code, code)
    env.filters["action"] = lambda code: ACTION_WORDS.get(code, code)
    env.filters["num"] = lambda value: "—" if value is None else f"{value:,}".replace(",", "\u202f")
    env.filters["quality"] = lambda code: QUALITY_TITLES.get(code or "", "—")
    env.filters["satisfaction"] = lambda code: SATISFACTION_TITLES.get(code or "", "—")
    env.filters["sla"] = lambda code: SLA_TITLES.get(code, code)
    env.filters["appeal_kind"] = lambda code: APPEAL_KINDS.get(code, code)
    env.filters["percent"] = lambda value: "—" if value is None else f"{round(100 * value)}\u202f%"
    env.globals["share"] = lambda part, whole: f"{round(100 * part / whole)}\u202f%" if whole else "—"
    env.globals["plural"] = plural
    return env


templates = Jinja2Templates(env=_environment())


def moment(value: datetime | None, tz: Any, with_year: bool = False) -> str:
    if value is None:
        return "—"
    return value.astimezone(tz).strftime("%d.%m.%Y %H:%M" if with_year else "%d.%m %H:%M")


def ago(value: datetime | None, now: datetime) -> str:
    """«12 мин назад», «3 ч назад», «через 2 ч»: how long, in words a person reads at a glance."""
    if value is None:
        return "—"
    delta = now - value
    future = delta < timedelta(0)
    seconds = abs(delta.total_seconds())
    if seconds < 60:
        return "только что" if not future else "меньше минуты"
    if seconds < 3600:
        text = f"{int(seconds // 60)} мин"
    elif seconds < 48 * 3600:
        text = f"{int(seconds // 3600)} ч"
    else:
        text = plural(int(seconds // 86400), "день", "дня", "дней")
    return f"через {text}" if future else f"{text} назад"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    space = workspace(request)
    settings = space.settings
    tz = settings.town.tz
    now = space.now()
    user = signed_in_user(request)
    flashes = request.session.pop("flash", []) if user is not None else []
    topics = {t.code: t.title for t in settings.topics}
    base = {
        "request": request,
        "user": user,
        "role_title": role_title(settings, user.role) if user else "",
        "town": settings.town.name,
        "menu": [(path, title) for path, title, permission in MENU if allowed(request, permission)],
        "csrf_field": CSRF_FIELD,
        "csrf": csrf_token(request),
        "flashes": flashes,
        "now": now,
        "refresh": int(settings.web.refresh),
        "topics": topics,
        "topic": lambda code: topics.get(code, code),
        "moment": lambda value, with_year=False: moment(value, tz, with_year),
        "ago": lambda value: ago(value, now),
        "may": lambda permission: allowed(request, permission),
    }
    return templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)


def flash(request: Request, text: str, kind: str = "ok") -> None:
    """A one-line message shown on the next page (after a redirect that follows a form)."""
    request.session.setdefault("flash", [])
    request.session["flash"] = [*request.session["flash"], {"text": text, "kind": kind}][-5:]
