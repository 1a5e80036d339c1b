"""The госпаблики scoreboard: the official pages of the administration and institutions ranked within their kind,
with the score, every check (passed or failed, with its figures and a Russian explanation), the recommendations and
a link to the page — the same judgement as `mcu gospublics check` — and the «Мониторинг госпабликов» to download."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from gospublics import CHECK_TITLES, PLATFORM_TITLES, PageReport, Period
from gospublics.wording import duration, num, pct
from mcu.digests import MIME
from mcu.gospublics_run import Gospublics, monitoring, previous_month
from mcu.web.auth import require, workspace
from mcu.web.templating import render
from storage import alert_state
from storage.users import User
from storage.workspace import data_now

router = APIRouter()
PERIODS = {"week": "неделя", "month": "месяц (30 дней)", "calendar": "прошлый календарный месяц (ежемесячный отчёт)"}
DOWNLOADS = {"docx": "Word (DOCX)", "xlsx": "Excel (XLSX)", "html": "HTML"}


def _period(request: Request, kind: str) -> tuple[str, Period, datetime]:
    """(kind, period, the moment it is judged at): a week or 30 days to the end of today — or of the newest post's
    day when collection stopped (the demo) — or the calendar month before it, as the monthly report covers."""
    space = workspace(request)
    tz = space.settings.town.tz
    kind = kind if kind in PERIODS else "month"
    with space.db.transaction() as session:
        reference = data_now(session, space.now())
    if kind == "calendar":
        period = previous_month(reference, tz)
    else:
        end = datetime.combine(reference.astimezone(tz).date() + timedelta(days=1), time(0), tz)
        period = Period(end - timedelta(days=7 if kind == "week" else 30), end)
    return kind, period, min(space.now(), period.end)


def _reports(request: Request, period: Period, at: datetime) -> list[PageReport]:
    space = workspace(request)
    return Gospublics(space.settings, space.db).check(period, at)


def by_kind(reports: Sequence[PageReport], kinds: Sequence[str]) -> list[tuple[str, list[PageReport]]]:
    """Kinds in the config's order; in each, ranked pages by rank, then the pages that could not be judged."""
    order = {code: index for index, code in enumerate(kinds)}
    groups: dict[str, list[PageReport]] = {}
    for report in reports:
        groups.setdefault(report.page.kind, []).append(report)
    for members in groups.values():
        members.sort(key=lambda r: (r.rank is None, r.rank or 0, r.page.title))
    return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


@router.get("/gospublics")
def gospublics_page(request: Request, period: str = "month", user: User = Depends(require("gospublics"))) -> Response:
    space = workspace(request)
    settings = space.settings
    kind, span, at = _period(request, period)
    reports = _reports(request, span, at)
    tz = settings.town.tz
    return render(request, "gospublics.html", groups=by_kind(reports, list(settings.gospublics.kinds)),
                  count=len(reports), period=kind, periods=PERIODS, downloads=DOWNLOADS,
                  span_words=f"{span.start.astimezone(tz):%d.%m.%Y} — {(span.end - timedelta(seconds=1)).astimezone(tz):%d.%m.%Y}",
                  kinds={code: k.title for code, k in settings.gospublics.kinds.items()},
                  bodies={b.id: b.title for b in settings.bodies}, check_titles=CHECK_TITLES,
                  platforms=PLATFORM_TITLES, num=num, pct=pct, duration=duration)


@router.get("/gospublics.json")
def gospublics_json(request: Request, period: str = "month", user: User = Depends(require("gospublics"))) -> Response:
    kind, span, at = _period(request, period)
    reports = _reports(request, span, at)
    return JSONResponse({"period": kind, "start": span.start.isoformat(), "end": span.end.isoformat(),
                         "pages": [report.to_record() for report in reports]})


@router.get("/gospublics/report")
def gospublics_report(request: Request, period: str = "calendar", format: str = "docx",
                      user: User = Depends(require("gospublics"))) -> Response:
    """«Мониторинг госпабликов» for the period, as `mcu gospublics report` and the daemon's monthly job write it."""
    if format not in DOWNLOADS:
        raise HTTPException(400, f"Формат: {', '.join(DOWNLOADS)}.")
    from alerts.gospublics import render_report

    space = workspace(request)
    settings = space.settings
    kind, span, at = _period(request, period)
    reports = _reports(request, span, at)
    tz = settings.town.tz
    data = monitoring(settings, reports, span, at)
    content = render_report(data, tz, format, settings.gospublics.thresholds.min_posts_per_week)
    name = f"gospublics-{span.start.astimezone(tz):%Y-%m-%d}-{(span.end - timedelta(seconds=1)).astimezone(tz):%Y-%m-%d}.{format}"
    with space.db.transaction() as session:
        alert_state.audit(session, None, "report", user.label, space.now(), chat="web", detail=name)
    return Response(content, media_type=MIME[format], headers={"Content-Disposition": f'attachment; filename="{name}"'})
