"""The audit log: who did what and when — buttons in Telegram, commands, the workspace, the system itself."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from mcu.web.auth import require, workspace
from mcu.web.records import to_json
from mcu.web.templating import render
from storage import workspace as queries
from storage.users import User

router = APIRouter()
PAGE = 300


@router.get("/audit")
def audit_page(request: Request, user: User = Depends(require("audit"))) -> Response:
    space = workspace(request)
    with space.db.transaction() as session:
        lines = queries.audit_journal(session, PAGE)
    return render(request, "audit.html", lines=lines, limit=PAGE)


@router.get("/audit.json")
def audit_json(request: Request, user: User = Depends(require("audit"))) -> Response:
    space = workspace(request)
    with space.db.transaction() as session:
        lines = queries.audit_journal(session, PAGE)
    return JSONResponse({"entries": to_json(lines)})
