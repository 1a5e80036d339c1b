"""The госпаблики scoreboard: official pages with their checks, score, ranking and recommendations. The seam
for the gospublics component: until it is installed the page says so."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from mcu.web.auth import require
from mcu.web.components import missing
from mcu.web.templating import render
from storage.users import User

router = APIRouter()
COMPONENT = "gospublics"


@router.get("/gospublics")
def gospublics_page(request: Request, user: User = Depends(require("gospublics"))) -> Response:
    return render(request, "pending.html", title="Госпаблики", component=missing(COMPONENT),
                  what=("Здесь будет таблица официальных страниц органов и учреждений: регулярность публикаций и "
                        "затишья, ответы на вопросы жителей, открытые комментарии, оформление (аватар, обложка, "
                        "описание, контакты, ссылка на сайт, отметка госорганизации), итоговый балл, место в рейтинге "
                        "и конкретные рекомендации."),
                  scope=None)


@router.get("/gospublics.json")
def gospublics_json(request: Request, user: User = Depends(require("gospublics"))) -> Response:
    return JSONResponse({"pages": [], "component": COMPONENT, "installed": not missing(COMPONENT)})
