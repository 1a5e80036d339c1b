"""Alerts and the durable outbox: an alert and its messages are written in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.alert import Alert, PreviousAlert
from risk.scoring import level_rank
from storage.models import AlertRow, OutboxRow

PENDING, SENT, FAILED = "pending", "sent", "failed"


@dataclass(frozen=True, slots=True)
class Message:
    """One message waiting in the outbox."""

    id: int
    channel: str
    target: str
    text: str
    attempts: int


def previous_alert(session: Session, story_id: int) -> PreviousAlert | None:
    """The last alert of a story, with the highest level ever told (a level that dips and returns is no news)."""
    rows = list(session.scalars(select(AlertRow).where(AlertRow.story_id == story_id).order_by(AlertRow.at, AlertRow.id)))
    if not rows:
        return None
    last = rows[-1]
    told = max((row.level for row in rows), key=level_rank)
    recipients = tuple(dict.fromkeys(role for row in rows for role in row.recipients))
    return PreviousAlert(told, last.at, last.post_count, recipients)


def save_alert(session: Session, alert: Alert, targets: Sequence[tuple[str, str]]) -> int:
    """Store the decision and queue one message per (channel, target)."""
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
    for channel, target in dict.fromkeys(targets):
        session.add(
            OutboxRow(
                alert_id=row.id,
                channel=channel,
                target=target,
                text=alert.text,
                status=PENDING,
                attempts=0,
                next_attempt_at=alert.at,
                created_at=alert.at,
            )
        )
    return row.id


def due_messages(session: Session, now: datetime, limit: int = 100) -> list[Message]:
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
    return [Message(r.id, r.channel, r.target, r.text, r.attempts) for r in session.scalars(query)]


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
    row.last_error = error[:1000]
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
