"""An alert's durable life: its state, the message standing for it in each chat, silences, audit, bot state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.lifecycle import Silence
from config.secret import mask_secrets
from storage.models import AlertAuditRow, AlertMessageRow, AlertStateRow, BotStateRow, SilenceRow


def state(session: Session, story_id: int) -> AlertStateRow | None:
    return session.get(AlertStateRow, story_id)


def note_alert(
    session: Session, story_id: int, level: str, at: datetime, *, new_message: bool, remind_at: datetime | None
) -> AlertStateRow:
    """Record that the story was told (``new_message``: a message that notifies, not a silent edit)."""
    row = session.get(AlertStateRow, story_id)
    if row is None:
        row = AlertStateRow(story_id=story_id, status="open", level=level, first_at=at, notified_at=at, remind_at=remind_at)
        session.add(row)
        return row
    row.level = level
    if new_message:
        row.notified_at = at
    if row.status == "open":
        row.remind_at = remind_at
    return row


def set_status(session: Session, story_id: int, status: str, actor: str, at: datetime) -> AlertStateRow | None:
    row = session.get(AlertStateRow, story_id)
    if row is None:
        return None
    row.status = status
    row.actor = actor
    row.acted_at = at
    row.remind_at = None  # somebody answered: no more reminders or escalation
    return row


def due_reminders(session: Session, now: datetime) -> list[AlertStateRow]:
    query = select(AlertStateRow).where(AlertStateRow.status == "open", AlertStateRow.remind_at <= now)
    return list(session.scalars(query.order_by(AlertStateRow.remind_at)))


def open_states(session: Session, include_done: bool = False) -> list[AlertStateRow]:
    query = select(AlertStateRow)
    if not include_done:
        query = query.where(AlertStateRow.status.in_(["open", "taken"]))
    return list(session.scalars(query.order_by(AlertStateRow.first_at.desc())))


# --- messages standing for a story ----------------------------------------------------------------


def message(session: Session, story_id: int, channel: str, target: str) -> AlertMessageRow | None:
    query = select(AlertMessageRow).where(
        AlertMessageRow.story_id == story_id, AlertMessageRow.channel == channel, AlertMessageRow.target == target
    )
    return session.scalars(query).first()


def messages(session: Session, story_id: int) -> list[AlertMessageRow]:
    return list(session.scalars(select(AlertMessageRow).where(AlertMessageRow.story_id == story_id)))


def record_message(
    session: Session, story_id: int, channel: str, target: str, message_id: int | None, text: str, at: datetime
) -> None:
    """The chat's message for the story is now ``message_id`` (a reminder replaces the one edits go to)."""
    row = message(session, story_id, channel, target)
    if row is None:
        row = AlertMessageRow(story_id=story_id, channel=channel, target=target)
        session.add(row)
    if message_id is not None:
        row.message_id = message_id
    row.text = text
    row.updated_at = at


# --- silences -------------------------------------------------------------------------------------------


def add_silence(
    session: Session, *, topic: str | None, place: str | None, words: str | None, starts_at: datetime,
    ends_at: datetime, reason: str, author: str,
) -> int:
    row = SilenceRow(topic=topic, place=place, words=words, starts_at=starts_at, ends_at=ends_at, reason=reason,
                     author=author)
    session.add(row)
    session.flush()
    return row.id


def silences(session: Session, at: datetime | None = None) -> list[Silence]:
    """Silences in force at ``at`` (all that have not ended, when ``at`` is None... or every one)."""
    query = select(SilenceRow)
    if at is not None:
        query = query.where(SilenceRow.ends_at > at)
    return [Silence(r.id, r.topic, r.place, r.words, r.starts_at, r.ends_at, r.reason)
            for r in session.scalars(query.order_by(SilenceRow.ends_at))]


def end_silence(session: Session, silence_id: int, at: datetime) -> bool:
    row = session.get(SilenceRow, silence_id)
    if row is None or row.ends_at <= at:
        return False
    row.ends_at = at
    return True


# --- audit and bot state ---------------------------------------------------------------------------------


def audit(session: Session, story_id: int | None, action: str, actor: str, at: datetime, chat: str | None = None,
          detail: str = "") -> None:
    session.add(AlertAuditRow(story_id=story_id, action=action, actor=actor, chat=chat, at=at, detail=mask_secrets(detail)[:2000]))


def audit_of(session: Session, story_id: int | None = None) -> list[AlertAuditRow]:
    query = select(AlertAuditRow)
    if story_id is not None:
        query = query.where(AlertAuditRow.story_id == story_id)
    return list(session.scalars(query.order_by(AlertAuditRow.at, AlertAuditRow.id)))


def has_audit(session: Session, story_id: int, action: str, detail: str) -> bool:
    query = select(AlertAuditRow.id).where(
        AlertAuditRow.story_id == story_id, AlertAuditRow.action == action, AlertAuditRow.detail == detail
    )
    return session.scalars(query.limit(1)).first() is not None


def bot_value(session: Session, key: str) -> str | None:
    row = session.get(BotStateRow, key)
    return row.value if row is not None else None


def set_bot_value(session: Session, key: str, value: str) -> None:
    row = session.get(BotStateRow, key)
    if row is None:
        session.add(BotStateRow(key=key, value=value))
    else:
        row.value = value


def chats_in(rows: Sequence[AlertMessageRow]) -> list[tuple[str, str]]:
    return [(r.channel, r.target) for r in rows]
