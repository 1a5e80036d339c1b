"""The дорожная карта: recurring problems (topic × place or institution × body) and the plan items made of them —
problem, evidence, responsible body, measure, deadline, status, with the history of edits — as `mcu roadmap` shows
them. Roles with ``roadmap.edit`` change the status, the responsible body, the deadline and the measure, and ask
for drafts of new recurring problems; every change is written to the item's history and the audit log."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from alerts.reports import render_report, roadmap_report
from mcu.digests import MIME
from mcu.ratings import draft_roadmap, recurring_problems, roadmap_items
from mcu.web.auth import require, workspace
from mcu.web.records import to_json
from mcu.web.templating import flash, render
from responses.roadmap import STATUS_TITLES, STATUSES
from storage import alert_state
from storage import roadmap as store
from storage.users import User
from storage.workspace import data_now

router = APIRouter()
DOWNLOADS = {"docx": "Word (DOCX)", "xlsx": "Excel (XLSX)", "html": "HTML"}
FIELD_TITLES = {"status": "статус", "body_id": "ответственный", "deadline": "срок", "measure": "мера",
                "title": "формулировка", "place": "место", "evidence": "основание", "created": "создан"}


def _reference(request: Request) -> datetime:
    """The moment recurring problems are counted to: now, or the newest post when collection stopped (the demo)."""
    space = workspace(request)
    with space.db.transaction() as session:
        return data_now(session, space.now())


@router.get("/roadmap")
def roadmap_page(request: Request, user: User = Depends(require("ratings"))) -> Response:
    space = workspace(request)
    settings = space.settings
    now = _reference(request)
    with space.db.transaction() as session:
        items = roadmap_items(session, settings, now)
        problems = recurring_problems(session, settings, now)
        history = {item.id: [(e.at, e.actor, e.field, e.old, e.new) for e in store.history(session, item.id)]
                   for item in items}
    known = {item.key for item in items}
    return render(request, "roadmap.html", items=items, problems=problems, known=known, history=history,
                  statuses={code: STATUS_TITLES[code] for code in STATUSES}, downloads=DOWNLOADS,
                  bodies={b.id: b.title for b in settings.bodies}, field_titles=FIELD_TITLES,
                  short=round(settings.responses.roadmap.short_window / 86400),
                  long=round(settings.responses.roadmap.long_window / 86400))


@router.get("/roadmap.json")
def roadmap_json(request: Request, user: User = Depends(require("ratings"))) -> Response:
    space = workspace(request)
    now = _reference(request)
    with space.db.transaction() as session:
        items = roadmap_items(session, space.settings, now)
        problems = recurring_problems(session, space.settings, now)
    return JSONResponse({"items": [dict(to_json(i), flagged=i.flagged) for i in items],
                         "problems": [dict(to_json(p), trend=p.trend) for p in problems]})


def _changes(request: Request, status: str, body: str, deadline: str, measure: str | None) -> dict[str, object]:
    settings = workspace(request).settings
    if status not in STATUSES:
        raise HTTPException(400, f"Статус: {', '.join(STATUSES)}.")
    bodies = {b.id for b in settings.bodies}
    if body and body not in bodies:
        raise HTTPException(400, f"Неизвестный исполнитель «{body}».")
    try:
        due = date.fromisoformat(deadline) if deadline else None
    except ValueError:
        raise HTTPException(400, f"Срок: не понимаю дату {deadline!r}, нужна вида 2026-03-31.") from None
    changes: dict[str, object] = {"status": status, "body_id": body or None, "deadline": due}
    if measure is not None:
        changes["measure"] = measure.strip()
    return changes


def _words(field: str, value: object, bodies: dict[str, str]) -> str:
    if value in (None, ""):
        return "—"
    if field == "status":
        return STATUS_TITLES.get(str(value), str(value))
    if field == "body_id":
        return bodies.get(str(value), str(value))
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return str(value)


@router.post("/roadmap/draft")
def roadmap_draft(request: Request, user: User = Depends(require("roadmap.edit"))) -> Response:
    """Draft items for recurring problems the roadmap does not hold yet (`mcu roadmap draft`)."""
    space = workspace(request)
    now = _reference(request)
    with space.db.transaction() as session:
        added = draft_roadmap(session, space.settings, now, user.label)
        if added:
            alert_state.audit(session, None, "roadmap", user.label, space.now(), chat="web",
                              detail="черновики: " + ", ".join(f"№{i.id} {i.title}" for i in added))
    flash(request, f"Добавлено черновиков: {len(added)}." if added
          else "Новых повторяющихся проблем нет: всё уже в дорожной карте или жалоб мало.")
    return RedirectResponse("/roadmap", status_code=303)


@router.post("/roadmap/{item_id}")
def roadmap_edit(request: Request, item_id: int, status: str = Form(...), body: str = Form(""),
                 deadline: str = Form(""), measure: str | None = Form(None),
                 user: User = Depends(require("roadmap.edit"))) -> Response:
    space = workspace(request)
    changes = _changes(request, status, body, deadline, measure)
    bodies = {b.id: b.title for b in space.settings.bodies}
    now = space.now()
    with space.db.transaction() as session:
        row = store.row(session, item_id)
        if row is None:
            raise HTTPException(404, f"Пункта №{item_id} в дорожной карте нет.")
        before = {field: getattr(row, field) for field in changes}
        changed = store.edit(session, row, changes, user.label, now)
        if changed:
            detail = "; ".join(f"{FIELD_TITLES.get(f, f)}: {_words(f, before[f], bodies)} → {_words(f, changes[f], bodies)}"
                               for f in changed)
            alert_state.audit(session, None, "roadmap", user.label, now, chat="web", detail=f"№{item_id}: {detail}")
    flash(request, f"Пункт №{item_id}: изменено — {', '.join(FIELD_TITLES.get(f, f) for f in changed)}." if changed
          else f"Пункт №{item_id}: без изменений.")
    return RedirectResponse(f"/roadmap#item-{item_id}", status_code=303)


@router.get("/roadmap/download")
def roadmap_download(request: Request, format: str = "docx", user: User = Depends(require("ratings"))) -> Response:
    """The дорожная карта справкой, as `mcu roadmap export`."""
    if format not in DOWNLOADS:
        raise HTTPException(400, f"Формат: {', '.join(DOWNLOADS)}.")
    space = workspace(request)
    settings = space.settings
    now = _reference(request)
    with space.db.transaction() as session:
        items = roadmap_items(session, settings, now)
        problems = recurring_problems(session, settings, now)
    tz = settings.town.tz
    report = roadmap_report(settings.town.name, items, problems, {b.id: b.title for b in settings.bodies},
                            {t.code: t.title for t in settings.topics}, space.now(), tz)
    name = f"roadmap-{space.now().astimezone(tz):%Y-%m-%d}.{format}"
    with space.db.transaction() as session:
        alert_state.audit(session, None, "report", user.label, space.now(), chat="web", detail=name)
    return Response(render_report(report, format, tz), media_type=MIME[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
