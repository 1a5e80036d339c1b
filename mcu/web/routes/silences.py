"""Silences for planned events (a water shutdown by schedule, drills at the plant): the ones in force, a form
to add one and a button to end one early — the same as `mcu alerts silence|silences|unsilence`."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from config import InputError
from mcu.silences import add_silence, end_silence
from mcu.web.auth import require, workspace
from mcu.web.records import to_json
from mcu.web.templating import flash, render
from storage import alert_state
from storage.users import User

router = APIRouter()
SPANS = {"2h": "2 часа", "6h": "6 часов", "12h": "12 часов", "1d": "сутки", "3d": "3 дня", "7d": "неделю"}
SPAN_HOURS = {"2h": 2, "6h": 6, "12h": 12, "1d": 24, "3d": 72, "7d": 168}


@router.get("/silences")
def silences_page(request: Request, user: User = Depends(require("silences"))) -> Response:
    space = workspace(request)
    with space.db.transaction() as session:
        found = alert_state.silences(session, space.now())
    return render(request, "silences.html", silences=found, spans=SPANS)


@router.get("/silences.json")
def silences_json(request: Request, user: User = Depends(require("silences"))) -> Response:
    space = workspace(request)
    with space.db.transaction() as session:
        found = alert_state.silences(session, space.now())
    return JSONResponse({"silences": to_json(found)})


@router.post("/silences")
def silences_add(request: Request, topic: str = Form(""), place: str = Form(""), words: str = Form(""),
                 span: str = Form("6h"), until: str = Form(""), reason: str = Form(""),
                 user: User = Depends(require("silences.edit"))) -> Response:
    space = workspace(request)
    now = space.now()
    tz = space.settings.town.tz
    try:
        if until:
            try:
                ends = datetime.fromisoformat(until)
            except ValueError:
                raise InputError("не понимаю срок «до», нужна дата и время") from None
            ends = ends if ends.tzinfo else ends.replace(tzinfo=tz)
        elif span in SPAN_HOURS:
            ends = now + timedelta(hours=SPAN_HOURS[span])
        else:
            raise InputError("выберите срок тишины")
        if not (topic or place.strip() or words.strip()):
            raise InputError("тишина без условий заглушит всё: укажите тему, место или слова")
        number = add_silence(space.db, space.settings, topic=topic or None, place=place.strip() or None,
                             words=words.strip() or None, now=now, ends=ends, reason=reason.strip(),
                             author=user.label, chat="web")
    except InputError as exc:
        flash(request, f"Тишина не добавлена: {exc}.", "error")
    else:
        flash(request, f"Тишина №{number} действует до {ends.astimezone(tz):%d.%m %H:%M}.")
    return RedirectResponse("/silences", status_code=303)


@router.post("/silences/{silence_id}/end")
def silences_end(request: Request, silence_id: int, user: User = Depends(require("silences.edit"))) -> Response:
    space = workspace(request)
    try:
        end_silence(space.db, silence_id, user.label, space.now(), chat="web")
    except InputError as exc:
        flash(request, f"Не получилось: {exc}.", "error")
    else:
        flash(request, f"Тишина №{silence_id} снята.")
    return RedirectResponse("/silences", status_code=303)
