"""Alerts and the durable outbox: an alert and its messages are written in one transaction.

A message is delivered in three steps, each short: it is claimed (``pending`` → ``sending``, with a lease),
sent with no transaction open, and recorded (``sent``, or back to ``pending`` for a retry, or ``failed``).
A sender that dies between the first and the last step leaves a ``sending`` row whose lease runs out: it is
sent again, the one message that can arrive twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alerts.alert import Alert, PreviousAlert
from config.secret import mask_secrets
from risk.alarm import REFUTATION
from risk.scoring import level_rank
from storage.models import AlertRow, OutboxRow

PENDING, SENDING, SENT, FAILED, SUPERSEDED = "pending", "sending", "sent", "failed", "superseded"
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
    return previous_alerts(session, [story_id]).get(story_id)


def previous_alerts(session: Session, story_ids: Sequence[int]) -> dict[int, PreviousAlert]:
    """:func:`previous_alert` of several stories in one query (scoring decides a batch of stories)."""
    if not story_ids:
        return {}
    by_story: dict[int, list[Any]] = {}
    rows = session.execute(select(AlertRow.story_id, AlertRow.level, AlertRow.at, AlertRow.post_count,
                                  AlertRow.recipients, AlertRow.reasons)
                           .where(AlertRow.story_id.in_(list(story_ids))).order_by(AlertRow.at, AlertRow.id))
    for row in rows:
        by_story.setdefault(row.story_id, []).append(row)
    found: dict[int, PreviousAlert] = {}
    for story_id, alerts in by_story.items():
        last = alerts[-1]
        told = max((row.level for row in alerts), key=level_rank)
        recipients = tuple(dict.fromkeys(role for row in alerts for role in row.recipients))
        refuted = any(str(reason).startswith(REFUTATION) for row in alerts for reason in row.reasons or ())
        found[story_id] = PreviousAlert(told, last.at, last.post_count, recipients, refuted)
    return found


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


def send_state(session: Session, story_id: int, channel: str, target: str) -> str | None:
    """Whether a new message for the story in this chat is waiting (``pending``: group wait, quiet hours,
    retries) or being sent right now (``sending``); None when neither."""
    query = select(OutboxRow.status).where(
        OutboxRow.story_id == story_id, OutboxRow.channel == channel, OutboxRow.target == target,
        OutboxRow.kind == "send", OutboxRow.status.in_([PENDING, SENDING]),
    )
    found = set(session.scalars(query))
    return SENDING if SENDING in found else PENDING if found else None


def pending_send(session: Session, story_id: int, channel: str, target: str) -> bool:
    """A new message for the story in this chat is still waiting (group wait, quiet hours, retries)."""
    return send_state(session, story_id, channel, target) is not None


def newest_pending(session: Session, message: Message) -> tuple[str, list[Any] | None]:
    """The latest text and buttons queued for the same story and chat; later rows are folded into this one,
    and this one keeps the result (a retry sends what is true now, not what was true at the first attempt).

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
    if later:
        row = session.get(OutboxRow, message.id)
        if row is not None:
            row.text, row.buttons = text, buttons
    return text, buttons


def supersede(session: Session, message_id: int) -> None:
    row = session.get(OutboxRow, message_id)
    if row is not None:
        row.status = SUPERSEDED


def postpone(session: Session, message_id: int, until: datetime) -> None:
    """Not an attempt: the chat's rate limit, or a message still in flight there, asks to wait."""
    row = session.get(OutboxRow, message_id)
    if row is not None:
        row.next_attempt_at = until
        if row.status == SENDING:
            row.status = PENDING


def due_messages(session: Session, now: datetime, limit: int = DUE_BATCH, story_id: int | None = None) -> list[Message]:
    """Messages whose next attempt is due, oldest first: pending ones, and ones whose sender's lease ran out
    (it died while sending); only the story's with ``story_id``."""
    query = (
        select(OutboxRow)
        .where(OutboxRow.status.in_([PENDING, SENDING]), OutboxRow.next_attempt_at <= now)
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    if story_id is not None:
        query = query.where(OutboxRow.story_id == story_id)
    return [Message(r.id, r.channel, r.target, r.text, r.attempts, r.kind, r.story_id, r.buttons)
            for r in session.scalars(query)]


def in_flight(session: Session, now: datetime) -> set[tuple[int | None, str, str]]:
    """(story, channel, target) of messages being sent now: the next message there waits for that answer
    (an edit needs the id of the message it edits)."""
    query = select(OutboxRow.story_id, OutboxRow.channel, OutboxRow.target).where(
        OutboxRow.status == SENDING, OutboxRow.next_attempt_at > now)
    return {(story, channel, target) for story, channel, target in session.execute(query)}


def claim(session: Session, message_id: int, now: datetime, lease_until: datetime) -> bool:
    """Take a due message for sending until ``lease_until``; False when another sender took it first.

    One conditional UPDATE, so of two senders (two processes, on any database) exactly one wins.
    """
    result = session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == message_id, OutboxRow.status.in_([PENDING, SENDING]), OutboxRow.next_attempt_at <= now)
        .values(status=SENDING, next_attempt_at=lease_until)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


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
        row.status = PENDING
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
