"""Sources and their health — what `mcu status` says: last success, last error, backlog, quotas, the bot — and,
for those who may, switching a source off and on (as `mcu sources disable|enable`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from config import mask_secrets
from mcu.source_health import source_state
from mcu.web.auth import require, workspace
from mcu.web.records import to_json
from mcu.web.templating import flash, render
from storage import alert_state, analysis_queue, current_revision, head_revision
from storage import outbox as outbox_store
from storage import sources as source_store
from storage import usage as usage_store
from storage.sources import SourceRecord
from storage.usage import Usage
from storage.users import User

router = APIRouter()


@dataclass(frozen=True, slots=True)
class SourceLine:
    name: str
    kind: str
    title: str | None
    url: str | None
    state: str
    healthy: bool
    enabled: bool
    origin: str
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    next_run_at: datetime | None
    collected: int
    audience: int | None
    backlog: int | None


@dataclass(frozen=True, slots=True)
class Status:
    schema: str | None
    schema_expected: str
    sources: tuple[SourceLine, ...]
    backlog: int
    outbox: dict[str, int]
    quotas: tuple[Usage, ...]
    bot_configured: bool
    role_chats: int


def _line(record: SourceRecord, now: datetime, backlog: dict[tuple[str, str], int], secrets: list) -> SourceLine:  # type: ignore[type-arg]
    state = source_state(record, now)
    ref = record.ref()
    return SourceLine(
        name=record.name, kind=record.kind, title=record.title, url=record.url, state=state,
        healthy=state in ("работает", "ещё не собирался"), enabled=record.enabled, origin=record.origin,
        last_success_at=record.last_success_at, last_error_at=record.last_error_at,
        last_error=mask_secrets(record.last_error, secrets) if record.last_error else None,
        next_run_at=record.next_run_at if record.active else None, collected=record.posts_collected,
        audience=record.audience, backlog=backlog.get((ref.platform, ref.handle), 0) if ref.platform else None,
    )


def _status(request: Request) -> Status:
    space = workspace(request)
    settings = space.settings
    now = space.now()
    with space.db.transaction() as session:
        # Read only: the daemon (and `mcu status`) bring the registry in line with the config.
        records = source_store.list_sources(session)
        per_source = analysis_queue.pending_by_source(session)
        backlog = analysis_queue.count_pending_analysis(session)
        queue = outbox_store.outbox_counts(session)
        quota = usage_store.load_usage(session, now.strftime("%Y-%m-%d"))
    bot = settings.api.telegram_bot.token
    return Status(
        schema=current_revision(space.db.engine), schema_expected=head_revision(),
        sources=tuple(_line(r, now, per_source, settings.secrets()) for r in records), backlog=backlog, outbox=queue,
        quotas=tuple(quota), bot_configured=bot is not None and bot.present,
        role_chats=sum(len(r.telegram_chats) for r in settings.roles.values()),
    )


@router.get("/sources")
def sources_page(request: Request, user: User = Depends(require("sources"))) -> Response:
    return render(request, "sources.html", status=_status(request))


@router.get("/sources.json")
def sources_json(request: Request, user: User = Depends(require("sources"))) -> Response:
    return JSONResponse(to_json(_status(request)))


@router.post("/sources/switch")
def sources_switch(request: Request, name: str = Form(...), enable: str = Form(...),
                   user: User = Depends(require("sources.edit"))) -> Response:
    space = workspace(request)
    turn_on = enable == "1"
    with space.db.transaction() as session:
        source_store.sync_config_sources(session, space.settings.sources)
        record = source_store.set_enabled(session, name, turn_on)
        if record is not None:
            alert_state.audit(session, None, "source_enable" if turn_on else "source_disable", user.label,
                              space.now(), chat="web", detail=name)
    if record is None:
        raise HTTPException(404, "Такого источника нет.")
    flash(request, f"Источник {name} {'включён' if turn_on else 'отключён'}.")
    return RedirectResponse("/sources", status_code=303)
