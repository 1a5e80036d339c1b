"""Search over posts by words, topic, place, period, sentiment and platform; the result exports as CSV, XLSX or
JSON Lines (the records `mcu export posts` writes). Exports are written to the audit log: personal data leaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from alerts.digest.data import PLATFORM_TITLES, SENTIMENT_TITLES
from mcu.export import records_bytes
from mcu.web.auth import require, workspace
from mcu.web.context import Workspace
from mcu.web.records import to_json
from mcu.web.templating import render
from storage import alert_state
from storage.search import PostQuery, search_posts, search_records
from storage.workspace import data_now
from storage.users import User

router = APIRouter()
EXPORTS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
DEFAULT_DAYS = 30


@dataclass(frozen=True, slots=True)
class Form:
    """The search form as typed, to fill it in again."""

    q: str = ""
    topic: str = ""
    place: str = ""
    sentiment: str = ""
    platform: str = ""
    start: str = ""
    end: str = ""
    all_posts: bool = False


def _day(value: str, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{what}: не понимаю дату {value!r}, нужна вида 2026-01-17.") from None


def _query(request: Request, form: Form) -> PostQuery:
    space = workspace(request)
    settings = space.settings
    tz = settings.town.tz
    if form.topic and form.topic not in {t.code for t in settings.topics}:
        raise HTTPException(400, "Неизвестная тема.")
    if form.sentiment and form.sentiment not in SENTIMENT_TITLES:
        raise HTTPException(400, "Неизвестная тональность.")
    if form.platform and form.platform not in PLATFORM_TITLES:
        raise HTTPException(400, "Неизвестная площадка.")
    last = _day(form.end, "По") or _default_end(space).astimezone(tz).date()
    first = _day(form.start, "С") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise HTTPException(400, "Начало периода позже конца.")
    return PostQuery(
        start=datetime.combine(first, time(0), tz), end=datetime.combine(last + timedelta(days=1), time(0), tz),
        words=form.q.strip()[:200], topic=form.topic or None, place=form.place.strip()[:100] or None,
        sentiment=form.sentiment or None, platform=form.platform or None,
        relevance=None if form.all_posts else settings.nlp.relevance_threshold,
    )


def _default_end(space: Workspace) -> datetime:
    with space.db.transaction() as session:
        return data_now(session, space.now())


def _form(q: str, topic: str, place: str, sentiment: str, platform: str, start: str, end: str, all: str) -> Form:
    return Form(q, topic, place, sentiment, platform, start, end, all == "1")


@router.get("/search")
def search_page(request: Request, q: str = "", topic: str = "", place: str = "", sentiment: str = "",
                platform: str = "", start: str = "", end: str = "", all: str = "",
                user: User = Depends(require("search"))) -> Response:
    form = _form(q, topic, place, sentiment, platform, start, end, all)
    query = _query(request, form)
    space = workspace(request)
    searched = bool(request.url.query)
    hits, total = [], 0
    if searched:
        with space.db.transaction() as session:
            hits, total = search_posts(session, query, space.settings.web.search_limit)
    tz = space.settings.town.tz
    return render(request, "search.html", form=form, hits=hits, total=total, searched=searched,
                  first_day=query.start.astimezone(tz).date(), last_day=(query.end - timedelta(days=1)).astimezone(tz).date(),
                  sentiments=SENTIMENT_TITLES, platforms=PLATFORM_TITLES, exports=EXPORTS,
                  export_query=request.url.query)


@router.get("/search.json")
def search_json(request: Request, q: str = "", topic: str = "", place: str = "", sentiment: str = "",
                platform: str = "", start: str = "", end: str = "", all: str = "",
                user: User = Depends(require("search"))) -> Response:
    query = _query(request, _form(q, topic, place, sentiment, platform, start, end, all))
    space = workspace(request)
    with space.db.transaction() as session:
        hits, total = search_posts(session, query, space.settings.web.search_limit)
    return JSONResponse({"total": total, "shown": len(hits), "posts": to_json(hits)})


@router.get("/search/export")
def search_export(request: Request, q: str = "", topic: str = "", place: str = "", sentiment: str = "",
                  platform: str = "", start: str = "", end: str = "", all: str = "", format: str = "xlsx",
                  user: User = Depends(require("search"))) -> Response:
    if format not in EXPORTS:
        raise HTTPException(400, "Формат выгрузки: csv, xlsx или jsonl.")
    query = _query(request, _form(q, topic, place, sentiment, platform, start, end, all))
    space = workspace(request)
    with space.db.transaction() as session:
        content, count = records_bytes(search_records(session, query), format, kind="posts")
        tz = space.settings.town.tz
        name = f"posts-{query.start.astimezone(tz):%Y-%m-%d}-{(query.end - timedelta(days=1)).astimezone(tz):%Y-%m-%d}.{format}"
        alert_state.audit(session, None, "export", user.label, space.now(), chat="web",
                          detail=f"{name}: записей {count}; запрос: {request.url.query[:500]}")
    return Response(content, media_type=EXPORTS[format], headers={"Content-Disposition": f'attachment; filename="{name}"'})
