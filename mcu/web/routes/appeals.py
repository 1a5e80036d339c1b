"""Appeals: residents' complaints and questions routed to bodies, with deadline timers, reply quality and
satisfaction. The seam for the responses component: until it is installed the page says so and what to do.
A body's executor will see only its own body's appeals."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from mcu.web.auth import require
from mcu.web.components import missing
from mcu.web.templating import render
from storage.users import User

router = APIRouter()
COMPONENT = "responses"


@router.get("/appeals")
def appeals_page(request: Request, user: User = Depends(require("appeals"))) -> Response:
    return render(request, "pending.html", title="Обращения", component=missing(COMPONENT),
                  what=("Здесь будут обращения жителей, распределённые по ответственным органам: таймеры сроков "
                        "ответа, орган, качество ответа («отписка», по существу, конфликт) и удовлетворённость жителей."),
                  scope=f"Вы увидите только обращения к органу «{user.body}»." if user.body else None)


@router.get("/appeals.json")
def appeals_json(request: Request, user: User = Depends(require("appeals"))) -> Response:
    return JSONResponse({"appeals": [], "component": COMPONENT, "installed": not missing(COMPONENT)})
