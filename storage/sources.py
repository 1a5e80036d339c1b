"""The source registry: sources from config and those analysts added, their cursors, health and closure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from collectors.source import SourceInfo, SourceRef
from config.schema import SourceSettings
from config.secret import mask_secrets
from storage.models import CursorRow, SourceRow

MAIN_CURSOR = "main"


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A registered source with its health, as the scheduler and `status` see it."""

    name: str
    kind: str
    enabled: bool
    origin: str
    handle: str | None = None
    external_id: str | None = None
    url: str | None = None
    title: str | None = None
    audience: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    interval: float | None = None
    closed_at: datetime | None = None
    closed_reason: str | None = None
    next_run_at: datetime | None = None
    last_refresh_at: datetime | None = None
    last_run_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    posts_collected: int = 0
    problems: int = 0

    @property
    def active(self) -> bool:
        return self.enabled and self.closed_at is None

    @property
    def failing(self) -> bool:
        return self.last_error_at is not None and (
            self.last_success_at is None or self.last_error_at > self.last_success_at
        )

    def ref(self) -> SourceRef:
        return SourceRef(self.name, self.kind, self.handle or self.name, self.url, self.external_id, dict(self.options))


# `status` and digests read the same record; the old name stays for callers that only want health.
SourceHealth = SourceRecord


def _record(row: SourceRow) -> SourceRecord:
    return SourceRecord(
        name=row.name, kind=row.kind, enabled=row.enabled, origin=row.origin, handle=row.handle,
        external_id=row.external_id, url=row.url, title=row.title, audience=row.audience,
        options=dict(row.options or {}), interval=row.interval, closed_at=row.closed_at,
        closed_reason=row.closed_reason, next_run_at=row.next_run_at, last_refresh_at=row.last_refresh_at,
        last_run_at=row.last_run_at, last_success_at=row.last_success_at, last_error_at=row.last_error_at,
        last_error=row.last_error, posts_collected=row.posts_collected, problems=row.problems,
    )


def _row(session: Session, name: str) -> SourceRow | None:
    return session.scalar(select(SourceRow).where(SourceRow.name == name))


def ensure_source(session: Session, name: str, kind: str, enabled: bool = True) -> SourceRow:
    row = _row(session, name)
    if row is None:
        row = SourceRow(name=name, kind=kind, enabled=enabled, origin="config", posts_collected=0, problems=0)
        session.add(row)
        session.flush()
    else:
        row.kind, row.enabled = kind, enabled
    return row


def get_source(session: Session, name: str) -> SourceRecord | None:
    row = _row(session, name)
    return _record(row) if row is not None else None


def list_sources(session: Session) -> list[SourceRecord]:
    return [_record(row) for row in session.scalars(select(SourceRow).order_by(SourceRow.name))]


def sync_config_sources(session: Session, configured: Sequence[SourceSettings]) -> None:
    """Make the registry match the config's sources; ones removed from config are disabled, not deleted."""
    names = set()
    for source in configured:
        names.add(source.name)
        row = ensure_source(session, source.name, source.kind, source.enabled)
        row.origin = "config"
        url = source.url or source.path
        if row.url is not None and row.url != url and source.kind != "vk_search":
            # Another address is another community: resolve it again and read it from its own beginning.
            row.handle = row.external_id = row.title = row.audience = None
            row.last_refresh_at = None
            session.execute(delete(CursorRow).where(CursorRow.source_id == row.id))
        row.url = url
        row.interval = source.interval
        row.options = {
            key: value
            for key, value in {"path": source.path, "queries": source.queries, "link_pattern": source.link_pattern}.items()
            if value
        }
        row.options["jitter"] = source.jitter  # 0 means no jitter, not "the default"
        if row.handle is None and source.kind == "vk_search":
            row.handle = "vk-search"
    for row in session.scalars(select(SourceRow).where(SourceRow.origin == "config")):
        if row.name not in names:
            row.enabled = False


def add_source(session: Session, name: str, info: SourceInfo, interval: float | None, at: datetime) -> SourceRecord:
    """Register a community an analyst added; raises ValueError (Russian) if the name or source is taken."""
    if _row(session, name) is not None:
        raise ValueError(f"источник с именем {name!r} уже есть")
    same = session.scalar(select(SourceRow).where(SourceRow.kind == info.kind, SourceRow.handle == info.handle))
    if same is not None:
        raise ValueError(f"этот источник уже добавлен под именем {same.name!r}")
    row = SourceRow(
        name=name, kind=info.kind, enabled=True, origin="analyst", handle=info.handle, external_id=info.external_id,
        url=info.url, title=info.title, audience=info.audience, options={}, interval=interval,
        posts_collected=0, problems=0, closed_at=at if info.closed else None,
        closed_reason="закрыт на платформе" if info.closed else None,
    )
    session.add(row)
    session.flush()
    return _record(row)


def update_info(session: Session, name: str, info: SourceInfo) -> None:
    row = _row(session, name)
    if row is not None:
        row.title = info.title or row.title
        row.audience = info.audience if info.audience is not None else row.audience
        row.handle = row.handle or info.handle
        row.external_id = row.external_id or info.external_id


def set_enabled(session: Session, name: str, enabled: bool) -> SourceRecord | None:
    """Enable or disable; enabling also reopens a source marked closed (an analyst checked it)."""
    row = _row(session, name)
    if row is None:
        return None
    row.enabled = enabled
    if enabled:
        row.closed_at = None
        row.closed_reason = None
    return _record(row)


def mark_closed(session: Session, name: str, reason: str, at: datetime) -> None:
    row = _row(session, name)
    if row is not None:
        row.closed_at = at
        # Error texts may echo a request URL with its token: masked before they are stored.
        row.closed_reason = row.last_error = mask_secrets(reason)[:1000]
        row.last_run_at = row.last_error_at = at


def get_cursor(session: Session, source_id: int, key: str = MAIN_CURSOR) -> str | None:
    row = session.get(CursorRow, (source_id, key))
    return row.value if row is not None else None


def set_cursor(session: Session, source_id: int, value: str, at: datetime, key: str = MAIN_CURSOR) -> None:
    row = session.get(CursorRow, (source_id, key))
    if row is None:
        session.add(CursorRow(source_id=source_id, key=key, value=value, updated_at=at))
    else:
        row.value, row.updated_at = value, at


def record_success(
    session: Session, source_id: int, at: datetime, collected: int, problems: int, next_run_at: datetime | None = None
) -> None:
    row = session.get(SourceRow, source_id)
    if row is not None:
        row.last_run_at = row.last_success_at = at
        row.posts_collected += collected
        row.problems += problems
        row.next_run_at = next_run_at


def record_refresh(session: Session, name: str, at: datetime) -> None:
    row = _row(session, name)
    if row is not None:
        row.last_refresh_at = at


def record_failure(
    session: Session, name: str, kind: str, at: datetime, error: str, next_run_at: datetime | None = None
) -> None:
    row = _row(session, name) or ensure_source(session, name, kind)
    row.last_run_at = row.last_error_at = at
    row.last_error = mask_secrets(error)[:1000]
    row.next_run_at = next_run_at


def source_health(session: Session) -> list[SourceRecord]:
    return list_sources(session)
