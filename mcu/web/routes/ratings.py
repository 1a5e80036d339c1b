"""Ratings of the responsible bodies for a period — the same numbers as `mcu ratings`: appeals, answered share,
median time to the first reply, share within the deadline, formulaic answers, conflicts, satisfaction, repeated
complaints, the score with the parts and weights behind it — and the справка to download."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from alerts.reports import rating_report, render_report
from alerts.reports.ratings import RatingReport
from mcu.digests import MIME
from mcu.ratings import bounds, rating_data, target_minutes
from mcu.web.auth import require, workspace
from mcu.web.periods import TITLES as PERIOD_TITLES
from mcu.web.periods import Span, span_of
from mcu.web.templating import render
from storage import alert_state
from storage.users import User

router = APIRouter()
DOWNLOADS = {"docx": "Word (DOCX)", "xlsx": "Excel (XLSX)", "html": "HTML"}
PART_TITLES = {"answered": "доля обращений с ответом", "deadline": "ответы в срок",
               "speed": "скорость первого ответа (рабочее время)", "substance": "ответы по существу (не отписки)",
               "satisfaction": "довольны ответом", "conflicts": "без конфликтов", "repeats": "без повторных жалоб"}


def _data(request: Request, period: str, start: str | None, end: str | None) -> tuple[RatingReport, Span]:
    space = workspace(request)
    span = span_of(request, period, start, end, default="week")
    named = bounds("week", span.end, span.start)[2]
    with space.db.transaction() as session:
        data = rating_data(session, space.settings, named, span.start, span.end)
    return data, span


@router.get("/ratings")
def ratings_page(request: Request, period: str = "week", start: str | None = None, end: str | None = None,
                 user: User = Depends(require("ratings"))) -> Response:
    data, span = _data(request, period, start, end)
    settings = workspace(request).settings
    weights = settings.responses.weights.model_dump()
    return render(request, "ratings.html", data=data, span=span, periods=PERIOD_TITLES, downloads=DOWNLOADS,
                  weights=weights, part_titles=PART_TITLES, target=target_minutes(settings),
                  ranked=[r for r in data.ratings if r.score is not None],
                  unranked=[r for r in data.ratings if r.score is None])


@router.get("/ratings.json")
def ratings_json(request: Request, period: str = "week", start: str | None = None, end: str | None = None,
                 user: User = Depends(require("ratings"))) -> Response:
    data, span = _data(request, period, start, end)
    return JSONResponse({
        "period": data.period, "start": span.start.isoformat(), "end": span.end.isoformat(),
        "weights": dict(data.weights),
        "bodies": [dict(r.to_export(), parts=r.parts) for r in data.ratings],
    })


@router.get("/ratings/download")
def ratings_download(request: Request, period: str = "week", start: str | None = None, end: str | None = None,
                     format: str = "docx", user: User = Depends(require("ratings"))) -> Response:
    """The справка «Рейтинг ответственных исполнителей», as `mcu ratings --out`."""
    if format not in DOWNLOADS:
        raise HTTPException(400, f"Формат: {', '.join(DOWNLOADS)}.")
    space = workspace(request)
    data, span = _data(request, period, start, end)
    tz = space.settings.town.tz
    content = render_report(rating_report(data, tz), format, tz)
    name = f"ratings-{span.first_day:%Y-%m-%d}-{span.last_day:%Y-%m-%d}.{format}"
    with space.db.transaction() as session:
        alert_state.audit(session, None, "report", user.label, space.now(), chat="web", detail=name)
    return Response(content, media_type=MIME[format], headers={"Content-Disposition": f'attachment; filename="{name}"'})
