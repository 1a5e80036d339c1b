"""Appeals: residents' complaints, requests and questions routed to the responsible bodies — deadline timers in
working time, body, state, the first reply with its quality, and the residents' satisfaction; filters by body,
state and period; refreshed live by htmx. An ответственный исполнитель (a body's account) sees only the appeals
of its own body, whatever the address asks for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from config.schema import EXECUTOR_ROLE
from mcu.web.auth import allowed, require, workspace
from mcu.web.periods import TITLES as PERIOD_TITLES
from mcu.web.periods import Span, span_of
from mcu.web.records import to_json
from mcu.web.templating import render
from mcu.web.timers import Timer, timer
from responses import WorkCalendar, work_calendar
from storage import appeals as queries
from storage.appeals import STATE_GROUPS, AppealLine, AppealList
from storage.users import User

router = APIRouter()
LIMIT = 300
STATE_FILTERS = {"waiting": "ждут ответа", "overdue": "просрочены", "open": "срок не вышел", "answered": "с ответом",
                 "breached": "ответ с опозданием", "deleted": "удалены", "all": "все"}


@dataclass(frozen=True, slots=True)
class Shown:
    """What the page shows: the appeals with their timers, the filters as chosen, and the body a person is held to."""

    found: AppealList
    timers: dict[int, Timer]
    span: Span
    state: str
    body: str | None
    own_body: str | None  # set for an executor: the only body it may see


def calendar_of(request: Request) -> WorkCalendar:
    """One working calendar per app: it caches the days it has computed."""
    state = request.app.state
    if getattr(state, "work_calendar", None) is None:
        state.work_calendar = work_calendar(workspace(request).settings)
    return state.work_calendar  # type: ignore[no-any-return]


def _shown(request: Request, user: User, body: str, state: str, period: str, start: str | None,
           end: str | None) -> Shown:
    space = workspace(request)
    if user.role == EXECUTOR_ROLE:
        own: str | None = user.body or ""  # an executor without a body sees nothing rather than everything
        chosen_body: str | None = own
    else:
        own = None
        chosen_body = body if body in {b.id for b in space.settings.bodies} else None
    state = state if state in STATE_FILTERS else "waiting"
    span = span_of(request, period, start, end)
    now = space.now()
    with space.db.transaction() as session:
        found = queries.appeal_list(session, span.start, span.end, now, body=chosen_body, state=state, limit=LIMIT)
    calendar = calendar_of(request)
    timers = {line.appeal_id: timer(line.state, line.deadline_at, line.warn_at, now, calendar) for line in found.lines}
    return Shown(found, timers, span, state, chosen_body, own)


def _context(request: Request, shown: Shown) -> dict[str, Any]:
    settings = workspace(request).settings
    counts = shown.found.counts
    return {
        "shown": shown, "lines": shown.found.lines, "timers": shown.timers, "span": shown.span,
        "state": shown.state, "states": STATE_FILTERS, "periods": PERIOD_TITLES,
        "state_counts": {key: sum(counts.get(s, 0) for s in STATE_GROUPS[key]) for key in STATE_FILTERS},
        "bodies": {b.id: b.title for b in settings.bodies}, "limit": LIMIT,
        "query": shown.span.query(state=shown.state, body=shown.body if shown.own_body is None and shown.body else ""),
    }


@router.get("/appeals")
def appeals_page(request: Request, body: str = "", state: str = "waiting", period: str = "month",
                 start: str | None = None, end: str | None = None,
                 user: User = Depends(require("appeals"))) -> Response:
    shown = _shown(request, user, body, state, period, start, end)
    return render(request, "appeals.html", **_context(request, shown))


@router.get("/appeals/list")
def appeals_fragment(request: Request, body: str = "", state: str = "waiting", period: str = "month",
                     start: str | None = None, end: str | None = None,
                     user: User = Depends(require("appeals"))) -> Response:
    """The list alone, for htmx polling: timers move on and new replies show without a reload."""
    shown = _shown(request, user, body, state, period, start, end)
    return render(request, "_appeals_list.html", **_context(request, shown))


def line_record(line: AppealLine, clock: Timer, may_see_story: bool) -> dict[str, Any]:
    record: dict[str, Any] = to_json(line)
    if not may_see_story:
        record["story_title"] = None  # a story's title is its posts' words: only for those who may open stories
    record["timer"] = {"state": clock.state, "text": clock.text, "working_minutes": clock.working_minutes,
                       "calendar_minutes": clock.calendar_minutes}
    return record


@router.get("/appeals.json")
def appeals_json(request: Request, body: str = "", state: str = "waiting", period: str = "month",
                 start: str | None = None, end: str | None = None,
                 user: User = Depends(require("appeals"))) -> Response:
    shown = _shown(request, user, body, state, period, start, end)
    may_see_story = allowed(request, "story")
    return JSONResponse({
        "appeals": [line_record(line, shown.timers[line.appeal_id], may_see_story) for line in shown.found.lines],
        "matched": shown.found.matched, "counts": shown.found.counts, "state": shown.state, "body": shown.body,
        "start": shown.span.start.isoformat(), "end": shown.span.end.isoformat(),
    })
