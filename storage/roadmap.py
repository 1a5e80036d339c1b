"""The дорожная карта in the store: items, their edits (who, when, what was and what became), and drafts added
from recurring problems without duplicating an item already there."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from responses.records import RoadmapItem
from responses.roadmap import Draft
from storage.responses_models import RoadmapEventRow, RoadmapItemRow

EDITABLE = ("title", "measure", "deadline", "body_id", "place", "status", "evidence")
CLOSED = ("done", "cancelled")


def to_item(row: RoadmapItemRow, complaints_after_close: int = 0) -> RoadmapItem:
    return RoadmapItem(
        id=row.id, key=row.key, title=row.title, topic=row.topic, place=row.place, body_id=row.body_id,
        evidence=row.evidence, measure=row.measure, deadline=row.deadline, status=row.status,
        created_at=row.created_at, updated_at=row.updated_at, closed_at=row.closed_at,
        complaints_after_close=complaints_after_close,
    )


def rows(session: Session, *, include_closed: bool = True) -> list[RoadmapItemRow]:
    query = select(RoadmapItemRow).order_by(RoadmapItemRow.id)
    if not include_closed:
        query = query.where(RoadmapItemRow.status.not_in(CLOSED))
    return list(session.scalars(query))


def row(session: Session, item_id: int) -> RoadmapItemRow | None:
    return session.get(RoadmapItemRow, item_id)


def keys(session: Session) -> set[str]:
    return set(session.scalars(select(RoadmapItemRow.key)))


def add_drafts(session: Session, drafts: Iterable[Draft], actor: str, at: datetime) -> list[RoadmapItemRow]:
    """Store new drafts; a key already in the roadmap is skipped (an analyst's item is never overwritten)."""
    known = keys(session)
    added = []
    for draft in drafts:
        if draft.key in known:
            continue
        item = RoadmapItemRow(key=draft.key, title=draft.title, topic=draft.topic, place=draft.place,
                              body_id=draft.body_id, evidence=draft.evidence, measure=draft.measure,
                              deadline=draft.deadline, status="draft", created_at=at, updated_at=at)
        session.add(item)
        session.flush()
        session.add(RoadmapEventRow(item_id=item.id, at=at, actor=actor, field="created", old=None, new=draft.title))
        known.add(draft.key)
        added.append(item)
    return added


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def edit(session: Session, item: RoadmapItemRow, changes: dict[str, object], actor: str, at: datetime) -> list[str]:
    """Apply changes, each with a history row; returns the fields that changed. Closing stamps ``closed_at``,
    reopening clears it."""
    changed = []
    for field, value in changes.items():
        if field not in EDITABLE:
            raise ValueError(f"поле {field!r} не редактируется")
        old = getattr(item, field)
        if old == value:
            continue
        setattr(item, field, value)
        session.add(RoadmapEventRow(item_id=item.id, at=at, actor=actor, field=field, old=_text(old), new=_text(value)))
        changed.append(field)
        if field == "status":
            item.closed_at = at if value in CLOSED else None
    if changed:
        item.updated_at = at
    return changed


def history(session: Session, item_id: int) -> Sequence[RoadmapEventRow]:
    return list(session.scalars(select(RoadmapEventRow).where(RoadmapEventRow.item_id == item_id)
                                .order_by(RoadmapEventRow.at, RoadmapEventRow.id)))
