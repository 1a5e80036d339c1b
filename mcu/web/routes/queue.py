"""The queue: open stories by risk — level, reasons, sources, growth, who took them — refreshed live by htmx."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from mcu.web.auth import require, workspace
from mcu.web.records import to_json
from mcu.web.templating import render
from storage import workspace as queries
from storage.users import User
from storage.workspace import QueueItem

router = APIRouter()
FILTERS = {"all": "все", "open": "ждут", "taken": "в работе", "mine": "мои"}


def _items(request: Request, user: User, show: str) -> list[QueueItem]:
    space = workspace(request)
    window = timedelta(days=space.settings.web.queue_days)
    with space.db.transaction() as session:
        items = queries.queue(session, space.now(), window)
    if show == "open":
        return [i for i in items if i.handling.status in ("open", "none")]
    if show == "taken":
        return [i for i in items if i.handling.status == "taken"]
    if show == "mine":
        return [i for i in items if i.handling.actor == user.label]
    return items


def _show(value: str) -> str:
    return value if value in FILTERS else "all"


@router.get("/queue")
def queue_page(request: Request, show: str = "all", user: User = Depends(require("queue"))) -> Response:
    show = _show(show)
    return render(request, "queue.html", items=_items(request, user, show), show=show, filters=FILTERS)


@router.get("/queue/list")
def queue_fragment(request: Request, show: str = "all", user: User = Depends(require("queue"))) -> Response:
    """The list alone, for htmx polling: the page stays where the reader scrolled."""
    show = _show(show)
    return render(request, "_queue_list.html", items=_items(request, user, show), show=show)


@router.get("/queue.json")
def queue_json(request: Request, show: str = "all", user: User = Depends(require("queue"))) -> Response:
    items = _items(request, user, _show(show))
    return JSONResponse({"stories": to_json(items), "count": len(items)})
