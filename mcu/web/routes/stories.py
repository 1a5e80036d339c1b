"""A story: its course, every post and comment with a link to the original, entities and places, the alert
history and audit, and the bot's actions — take, false alarm, close — plus merge and split.

Actions go through the same functions as `mcu stories mark|merge|split` (and, for stories that alerted, the
bot's buttons), so the state, the labels for calibration, the audit log and the chat messages agree."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from config import InputError
from mcu.corrections import Splitter, merge_stories, mark_story
from mcu.web.auth import require, workspace
from mcu.web.charts import timeline_svg
from mcu.web.records import to_json
from mcu.web.templating import flash, render
from storage import workspace as queries
from storage.users import User
from storage.workspace import StoryDetail

router = APIRouter()
VERDICTS = {"take": ("taken", "взята в работу"), "false": ("false", "отмечена как ложное срабатывание"),
            "close": ("closed", "закрыта")}
WEB = "web"  # where an action came from, in the audit log


def _detail(request: Request, story_id: int) -> StoryDetail | Response:
    space = workspace(request)
    with space.db.transaction() as session:
        current = queries.resolve_story(session, story_id)
        if current is None:
            raise HTTPException(404, "Такой истории нет.")
        if current != story_id:
            return RedirectResponse(f"/stories/{current}", status_code=303)
        detail = queries.story_detail(session, story_id)
    if detail is None:
        raise HTTPException(404, "Такой истории нет.")
    return detail


# Before the page route: "/stories/12.json" must not be read as story "12.json".
@router.get("/stories/{story_id}.json")
def story_json(request: Request, story_id: int, user: User = Depends(require("story"))) -> Response:
    detail = _detail(request, story_id)
    if isinstance(detail, Response):
        return detail
    return JSONResponse(to_json(detail))


@router.get("/stories/{story_id}")
def story_page(request: Request, story_id: int, user: User = Depends(require("story"))) -> Response:
    detail = _detail(request, story_id)
    if isinstance(detail, Response):
        return detail
    return render(request, "story.html", story=detail,
                  factors=sorted(detail.factors.items(), key=lambda item: -item[1]))


@router.get("/stories/{story_id}/timeline.svg")
def story_timeline(request: Request, story_id: int, user: User = Depends(require("story"))) -> Response:
    space = workspace(request)
    with space.db.transaction() as session:
        buckets = queries.timeline(session, story_id)
    if not buckets:
        raise HTTPException(404, "У истории нет постов.")
    return Response(timeline_svg(buckets, space.settings.town.tz), media_type="image/svg+xml")


@router.post("/stories/{story_id}/act")
def story_act(request: Request, story_id: int, action: str = Form(...),
              user: User = Depends(require("story.act"))) -> Response:
    if action not in VERDICTS:
        raise HTTPException(400, "Неизвестное действие.")
    verdict, words = VERDICTS[action]
    space = workspace(request)
    try:
        mark_story(space.db, story_id, verdict, user.label, space.now(), space.alerting, chat=WEB)
    except InputError as exc:
        flash(request, f"Не получилось: {exc}.", "error")
    else:
        flash(request, f"История №{story_id} {words}.")
        space.after_action()
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


def _numbers(text: str) -> list[int]:
    return list(dict.fromkeys(int(n) for n in re.findall(r"\d+", text)))


@router.post("/stories/{story_id}/merge")
def story_merge(request: Request, story_id: int, others: str = Form(""),
                user: User = Depends(require("story.edit"))) -> Response:
    space = workspace(request)
    numbers = _numbers(others)
    if not numbers:
        flash(request, "Укажите номера историй, которые нужно присоединить, например: 12, 15.", "error")
        return RedirectResponse(f"/stories/{story_id}", status_code=303)
    try:
        moved = merge_stories(space.db, story_id, numbers, user.label, space.now(), chat=WEB)
    except InputError as exc:
        flash(request, f"Не объединено: {exc}.", "error")
    else:
        flash(request, f"Истории {', '.join(f'№{n}' for n in numbers)} присоединены к №{story_id}: "
                       f"перенесено постов {moved}. Уровень пересчитается при следующем разборе.")
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


@router.post("/stories/{story_id}/split")
async def story_split(request: Request, story_id: int, user: User = Depends(require("story.edit"))) -> Response:
    form = await request.form()
    posts = [int(v) for v in form.getlist("post") if isinstance(v, str) and v.isdigit()]
    if not posts:
        flash(request, "Отметьте посты, которые нужно вынести в новую историю.", "error")
        return RedirectResponse(f"/stories/{story_id}", status_code=303)
    space = workspace(request)
    splitter = _splitter(request)
    try:
        new, moved = await run_in_threadpool(splitter.split, space.db, story_id, posts, user.label, space.now(), WEB)
    except InputError as exc:
        flash(request, f"Не разделено: {exc}.", "error")
        return RedirectResponse(f"/stories/{story_id}", status_code=303)
    flash(request, f"Из истории №{story_id} вынесено постов {moved} в новую историю №{new}.")
    return RedirectResponse(f"/stories/{new}", status_code=303)


def _splitter(request: Request) -> Splitter:
    """One splitter per app: it holds the lemmatizer, which takes a moment to load."""
    state = request.app.state
    if getattr(state, "splitter", None) is None:
        state.splitter = Splitter(workspace(request).settings)
    return state.splitter  # type: ignore[no-any-return]

