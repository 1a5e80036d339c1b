"""Sources, their cursors and their health, as `status` reports them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import CursorRow, SourceRow

MAIN_CURSOR = "main"


@dataclass(frozen=True, slots=True)
class SourceHealth:
    name: str
    kind: str
    enabled: bool
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    posts_collected: int
    problems: int


def ensure_source(session: Session, name: str, kind: str, enabled: bool = True) -> SourceRow:
    row = session.scalar(select(SourceRow).where(SourceRow.name == name))
    if row is None:
        row = SourceRow(name=name, kind=kind, enabled=enabled, posts_collected=0, problems=0)
        session.add(row)
        session.flush()
    else:
        row.kind, row.enabled = kind, enabled
    return row


def get_cursor(session: Session, source_id: int, key: str = MAIN_CURSOR) -> str | None:
    row = session.get(CursorRow, (source_id, key))
    return row.value if row is not None else None


def set_cursor(session: Session, source_id: int, value: str, at: datetime, key: str = MAIN_CURSOR) -> None:
    row = session.get(CursorRow, (source_id, key))
    if row is None:
        session.add(CursorRow(source_id=source_id, key=key, value=value, updated_at=at))
    else:
        row.value, row.updated_at = value, at


def record_success(session: Session, source_id: int, at: datetime, collected: int, problems: int) -> None:
    row = session.get(SourceRow, source_id)
    if row is not None:
        row.last_run_at = row.last_success_at = at
        row.posts_collected += collected
        row.problems += problems


def record_failure(session: Session, name: str, kind: str, at: datetime, error: str) -> None:
    row = ensure_source(session, name, kind)
    row.last_run_at = row.last_error_at = at
    row.last_error = error[:1000]


def source_health(session: Session) -> list[SourceHealth]:
    rows = session.scalars(select(SourceRow).order_by(SourceRow.name))
    return [
        SourceHealth(
            r.name, r.kind, r.enabled, r.last_run_at, r.last_success_at, r.last_error_at, r.last_error,
            r.posts_collected, r.problems,
        )
        for r in rows
    ]
