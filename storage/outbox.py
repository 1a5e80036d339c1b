"""Alerts and the durable outbox: an alert and its messages are written in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.alert import Alert, PreviousAlert
from config.secret import mask_secrets
from risk.scoring import level_rank
from storage.models import AlertRow, OutboxRow

PENDING, SENT, FAILED, SUPERSEDED = "pending", "sent", "failed", "superseded"
DUE_BATCH = 100


@dataclass(frozen=True, slots=True)
class Message:
    """One message waiting in the outbox: a new message (``send``) or a new text for one already sent (``edit``)."""

    id: int
    channel: str
    target: str
    text: str
    attempts: int
    kind: str = "send"
    story_id: int | None = None
    buttons: list[Any] | None = None


@dataclass(frozen=True, slots=True)
class Planned:
    """Where and how one alert goes: ``kind`` send or edit, not before ``due``, with these inline buttons."""

    channel: str
    target: str
    kind: str = "send"
    due: datetime | None = None
    buttons: list[Any] | None = None
    text: str | None = None  # instead of the alert's text (a JSON record for the file sink)


def previous_alert(session: Session, story_id: int) -> PreviousAlert | None:
    """The last alert of a story, with the highest level ever told (a level that dips and returns is no news)."""
    rows = list(session.scalars(select(AlertRow).where(AlertRow.story_id == story_id).order_by(AlertRow.at, AlertRow.id)))
    if not rows:
        return None
    last = rows[-1]
    told = max((row.level for row in rows), key=level_rank)
    recipients = tuple(dict.fromkeys(role for row in rows for role in row.recipients))
    return PreviousAlert(told, last.at, last.post_count, recipients)


def save_alert(session: Session, alert: Alert, targets: Sequence[tuple[str, str] | Planned]) -> int:
    """Store the decision and queue its messages, in the caller's transaction (nothing decided is ever lost)."""
    row = AlertRow(
        story_id=alert.story_id,
        level=alert.level,
        at=alert.at,
        recipients=list(alert.recipients),
        is_update=alert.update,
        reasons=list(alert.reasons),
        text=alert.text,
        post_count=alert.post_count,
    )
    session.add(row)
    session.flush()
    plans = [t if isinstance(t, Planned) else Planned(*t) for t in targets]
    seen: set[tuple[str, str]] = set()
    for plan in plans:
        if (plan.channel, plan.target) in seen:
            continue
        seen.add((plan.channel, plan.target))
        queue(session, alert.story_id, plan, alert.text, alert.at, alert_id=row.id)
    return row.id


def queue(session: Session, story_id: int | None, plan: Planned, text: str, at: datetime, alert_id: int | None = None) -> None:
    session.add(
        OutboxRow(
            alert_id=alert_id,
            story_id=story_id,
            kind=plan.kind,
            buttons=plan.buttons,
            channel=plan.channel,
            target=plan.target,
            text=plan.text if plan.text is not None else text,
            status=PENDING,
            attempts=0,
            next_attempt_at=plan.due or at,
            created_at=at,
        )
    )


def pending_send(session: Session, story_id: int, channel: str, target: str) -> bool:
    """A new message for the story in this chat is still waiting (group wait, quiet hours, retries)."""
    query = select(OutboxRow.id).where(
        OutboxRow.story_id == story_id, OutboxRow.channel == channel, OutboxRow.target == target,
        OutboxRow.kind == "send", OutboxRow.status == PENDING,
    )
    return session.scalars(query.limit(1)).first() is not None


def newest_pending(session: Session, message: Message) -> tuple[str, list[Any] | None]:
    """The latest text and buttons queued for the same story and chat; later rows are folded into this one.

    A message held by group wait or quiet hours goes out once, with what is true when it goes out.
    """
    if message.story_id is None:
        return message.text, message.buttons
    later = list(session.scalars(select(OutboxRow).where(
        OutboxRow.story_id == message.story_id, OutboxRow.channel == message.channel,
        OutboxRow.target == message.target, OutboxRow.status == PENDING, OutboxRow.id > message.id,
        OutboxRow.kind == "edit",
    ).order_by(OutboxRow.id)))
    text, buttons = message.text, message.buttons
    for row in later:
        text, buttons = row.text, row.buttons
        row.status = SUPERSEDED
    return text, buttons


def supersede(session: Session, message_id: int) -> None:
    row = session.get(OutboxRow, message_id)
    if row is not None:
        row.status = SUPERSEDED


def postpone(session: Session, message_id: int, until: datetime) -> None:
    """Not an attempt: the chat's rate limit asks to wait."""
    row = session.get(OutboxRow, message_id)
    if row is not None:
        row.next_attempt_at = until


def due_messages(session: Session, now: datetime, limit: int = DUE_BATCH) -> list[Message]:
    """Pending messages whose next attempt is due, oldest first.

    On PostgreSQL the rows are locked with SKIP LOCKED, so several dispatchers never send one message twice.
    """
    query = (
        select(OutboxRow)
        .where(OutboxRow.status == PENDING, OutboxRow.next_attempt_at <= now)
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [Message(r.id, r.channel, r.target, r.text, r.attempts, r.kind, r.story_id, r.buttons)
            for r in session.scalars(query)]


def mark_sent(session: Session, message_id: int, at: datetime) -> None:
    row = session.get(OutboxRow, message_id)
    if row is not None:
        row.status = SENT
        row.sent_at = at
        row.attempts += 1
        row.last_error = None


def mark_failed(session: Session, message_id: int, error: str, retry_at: datetime | None) -> None:
    """Record a failed attempt; without ``retry_at`` the message is given up."""
    row = session.get(OutboxRow, message_id)
    if row is None:
        return
    row.attempts += 1
    row.last_error = mask_secrets(error)[:1000]  # an echoed Bot API URL carries the token
    if retry_at is None:
        row.status = FAILED
    else:
        row.next_attempt_at = retry_at


def outbox_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))
    return {status: int(count) for status, count in rows}


def to_alert(row: AlertRow) -> Alert:
    return Alert(row.story_id, row.level, row.at, tuple(row.recipients), row.is_update, tuple(row.reasons), row.text,
                 row.post_count)


def last_alert_text(session: Session, story_id: int) -> str:
    """The text of the story's latest alert, without footers: what its messages show."""
    row = session.scalars(select(AlertRow).where(AlertRow.story_id == story_id).order_by(AlertRow.at.desc(), AlertRow.id.desc())).first()
    return row.text if row is not None else ""
