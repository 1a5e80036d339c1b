"""Digests and reports: read one in the page, download it as DOCX, XLSX, HTML or Markdown, make one for any
period, and fetch the files the daemon wrote on schedule. Every download is written to the audit log."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response

from alerts.digest.charts import all_charts
from config import InputError, Settings
from mcu.digests import FORMATS, MIME, build_digest, render as render_digest
from mcu.web.auth import require, workspace
from mcu.web.security import PREVIEW_POLICY
from mcu.web.templating import render
from storage import alert_state
from storage.workspace import data_now
from storage.users import User

router = APIRouter()
SAVED = re.compile(r"^digest-[\w.-]+\.(md|html|docx|xlsx)$")
FORMAT_TITLES = {"docx": "Word (DOCX)", "xlsx": "Excel (XLSX)", "html": "HTML", "md": "Markdown"}
MAX_DAYS = 366
CHARTS = threading.Lock()


@dataclass(frozen=True, slots=True)
class Period:
    kind: str  # day | week | custom
    start: datetime | None  # custom only
    end: datetime

    def query(self, **extra: str) -> str:
        tz_end = self.end
        values = {"period": self.kind, "end": tz_end.date().isoformat()}
        if self.start is not None:
            values["start"] = self.start.date().isoformat()
        return urlencode({**values, **extra})

    def slug(self, tz: object) -> str:
        last = (self.end - timedelta(seconds=1)).astimezone(tz)  # type: ignore[arg-type]
        if self.start is None:
            return f"{self.kind}-{last:%Y-%m-%d}"
        return f"{self.start.astimezone(tz):%Y-%m-%d}-{last:%Y-%m-%d}"  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class SavedFile:
    name: str
    size: int
    modified: datetime


def _day(value: str | None, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{what}: не понимаю дату {value!r}, нужна вида 2026-01-17.") from None


def period_from(settings: Settings, now: datetime, kind: str, start: str | None, end: str | None) -> Period:
    """A day or a week that ends with the day ``end`` (town time; today by default), or ``start``..``end``."""
    tz = settings.town.tz
    if kind not in ("day", "week", "custom"):
        raise HTTPException(400, "Период: day, week или custom.")
    last_day = _day(end, "Конец периода") or now.astimezone(tz).date()
    finish = datetime.combine(last_day + timedelta(days=1), time(0), tz)
    if kind != "custom":
        return Period(kind, None, finish)
    first_day = _day(start, "Начало периода")
    if first_day is None:
        raise HTTPException(400, "Для своего периода укажите начало.")
    if first_day > last_day:
        raise HTTPException(400, "Начало периода позже конца.")
    if (last_day - first_day).days >= MAX_DAYS:
        raise HTTPException(400, f"Период не длиннее {MAX_DAYS} дней.")
    return Period(kind, datetime.combine(first_day, time(0), tz), finish)


def _saved_files(settings: Settings) -> list[SavedFile]:
    folder = Path(settings.digest.out_dir)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if SAVED.match(path.name) and path.is_file():
            stat = path.stat()
            found.append(SavedFile(path.name, stat.st_size, datetime.fromtimestamp(stat.st_mtime).astimezone()))
    return sorted(found, key=lambda f: f.modified, reverse=True)[:60]


def _period(request: Request, period: str, start: str | None, end: str | None) -> Period:
    space = workspace(request)
    with space.db.transaction() as session:
        now = data_now(session, space.now())
    return period_from(space.settings, now, period, start, end)


@router.get("/reports")
def reports_page(request: Request, period: str = "week", start: str | None = None, end: str | None = None,
                 user: User = Depends(require("reports"))) -> Response:
    space = workspace(request)
    chosen = _period(request, period, start, end)
    if (chosen.kind == "custom" or end) and not _may_generate(request):
        chosen = _period(request, "week", None, None)
    tz = space.settings.town.tz
    return render(request, "reports.html", chosen=chosen, formats=FORMATS, format_titles=FORMAT_TITLES,
                  files=_saved_files(space.settings), last_day=(chosen.end - timedelta(seconds=1)).astimezone(tz).date(),
                  first_day=chosen.start.astimezone(tz).date() if chosen.start else None)


def _may_generate(request: Request) -> bool:
    from mcu.web.auth import allowed

    return allowed(request, "reports.generate")


def _build(request: Request, chosen: Period, user: User, fmt: str) -> bytes:
    space = workspace(request)
    if chosen.kind == "custom" and not _may_generate(request):
        raise HTTPException(403, "Сводку за свой период может готовить руководитель МЦУ, заместитель или аналитик.")
    try:
        data = build_digest(space.db, space.settings, "week" if chosen.kind == "custom" else chosen.kind, chosen.end,
                            chosen.start)
        with CHARTS:  # the digest charts draw through pyplot, whose state is global
            charts = all_charts(data) if fmt in ("html", "docx") else None
            return render_digest(data, space.settings, fmt, charts)
    except InputError as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/reports/view")
def report_view(request: Request, period: str = "week", start: str | None = None, end: str | None = None,
                user: User = Depends(require("reports"))) -> Response:
    """The HTML digest itself, shown in a frame of the reports page (its own inline styles and charts)."""
    chosen = _period(request, period, start, end)
    content = _build(request, chosen, user, "html")
    return Response(content, media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": PREVIEW_POLICY, "X-Frame-Options": "SAMEORIGIN"})


@router.get("/reports/download")
def report_download(request: Request, period: str = "week", start: str | None = None, end: str | None = None,
                    format: str = "docx", user: User = Depends(require("reports"))) -> Response:
    if format not in FORMATS:
        raise HTTPException(400, f"Формат: {', '.join(FORMATS)}.")
    space = workspace(request)
    chosen = _period(request, period, start, end)
    content = _build(request, chosen, user, format)
    name = f"digest-{chosen.slug(space.settings.town.tz)}.{format}"
    with space.db.transaction() as session:
        alert_state.audit(session, None, "report", user.label, space.now(), chat="web", detail=name)
    return Response(content, media_type=MIME[format], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/reports/files/{name}")
def saved_file(request: Request, name: str, user: User = Depends(require("reports"))) -> Response:
    space = workspace(request)
    if not SAVED.match(name) or name not in {f.name for f in _saved_files(space.settings)}:
        raise HTTPException(404, "Такого файла сводки нет.")
    with space.db.transaction() as session:
        alert_state.audit(session, None, "report", user.label, space.now(), chat="web", detail=name)
    suffix = name.rsplit(".", 1)[1]
    return FileResponse(Path(space.settings.digest.out_dir) / name, media_type=MIME[suffix], filename=name)
