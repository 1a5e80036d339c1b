"""Ratings of bodies by period (answered share, time to answer, within deadline, formulaic answers, conflicts,
satisfaction, repeats). The seam for the responses component: until it is installed the page says so."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from mcu.web.auth import require
from mcu.web.components import missing
from mcu.web.templating import render
from storage.users import User

router = APIRouter()
COMPONENT = "responses"


@router.get("/ratings")
def ratings_page(request: Request, user: User = Depends(require("ratings"))) -> Response:
    return render(request, "pending.html", title="Рейтинг органов", component=missing(COMPONENT),
                  what=("Здесь будет рейтинг ответственных органов за неделю и месяц: доля отвеченных обращений, "
                        "время до ответа, ответы в срок, доля «отписок», конфликты, удовлетворённость и повторные жалобы."),
                  scope=None)


@router.get("/ratings.json")
def ratings_json(request: Request, user: User = Depends(require("ratings"))) -> Response:
    return JSONResponse({"bodies": [], "component": COMPONENT, "installed": not missing(COMPONENT)})
