"""The retention period (152-ФЗ): personal data older than the limit goes; the aggregates reports need stay.

What goes, for everything published (or decided) before the cutoff:

- posts and comments — texts, authors, links — with their annotations (named people), earlier versions and metric
  snapshots, and the appeals made by them (who wrote, what was answered) with their replies and events;
- the texts of alerts, of the messages that stand for them in chats, and delivered or abandoned outbox messages
  (they quote posts);
- of stories last seen before the cutoff: the title (the opening of a post) and the word fingerprint;
- workspace login attempts (a name and a client address each).

What stays: story rows with their topic, places, counts, levels, peaks and reasons (the digest's recurring
problems and calibration read them), alert records without text (levels, recipients, times), alert states and
the audit of what analysts did, sources and API usage. A digest for any period inside the retention window reads
only what stays, so it is the same after a purge as before.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from storage.outbox import FAILED, SENT, SUPERSEDED
from storage.models import (
    AlertMessageRow,
    AlertRow,
    AnnotationRow,
    GospublicProblemRow,
    LoginAttemptRow,
    MetricSnapshotRow,
    OutboxRow,
    PostRow,
    PostVersionRow,
    StoryRow,
)
from storage.responses_models import AppealEventRow, AppealReplyRow, AppealRow

PURGED_TEXT = "(текст удалён по сроку хранения)"
FINISHED = (SENT, FAILED, SUPERSEDED)  # outbox messages nobody will deliver any more


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    """How many rows a purge removes or clears, by kind (Russian labels in ``LABELS``)."""

    posts: int = 0
    comments: int = 0
    versions: int = 0
    snapshots: int = 0
    annotations: int = 0
    stories: int = 0
    alerts: int = 0
    messages: int = 0
    outbox: int = 0
    appeals: int = 0
    logins: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    def items(self) -> list[tuple[str, int]]:
        return [(LABELS[f.name], getattr(self, f.name)) for f in fields(self)]


LABELS = {
    "posts": "постов (текст, автор, ссылка)",
    "comments": "комментариев (текст, автор, ссылка)",
    "versions": "прежних версий текстов",
    "snapshots": "снимков метрик",
    "annotations": "разметок (в том числе имена людей)",
    "stories": "историй: заголовок и отпечаток текста (уровни и счётчики остаются)",
    "alerts": "текстов оповещений (уровень, время и получатели остаются)",
    "messages": "текстов сообщений в чатах",
    "outbox": "отправленных и брошенных сообщений исходящей очереди",
    "appeals": "обращений (автор, ответы, события)",
    "logins": "попыток входа в рабочее место (имя и адрес)",
}


def _count(session: Session, query: Select[tuple[int]]) -> int:
    return int(session.scalar(query) or 0)


def _old_posts(cutoff: datetime) -> Select[tuple[int]]:
    return select(PostRow.id).where(PostRow.published_at < cutoff)


def plan(session: Session, cutoff: datetime) -> PurgeCounts:
    """What ``purge`` would remove or clear for ``cutoff``, without changing anything."""
    old = _old_posts(cutoff)
    return PurgeCounts(
        posts=_count(session, select(func.count()).where(PostRow.published_at < cutoff,
                                                          PostRow.parent_external_id.is_(None))),
        comments=_count(session, select(func.count()).where(PostRow.published_at < cutoff,
                                                             PostRow.parent_external_id.is_not(None))),
        versions=_count(session, select(func.count()).where(PostVersionRow.post_id.in_(old))),
        snapshots=_count(session, select(func.count()).where(MetricSnapshotRow.post_id.in_(old))),
        annotations=_count(session, select(func.count()).where(AnnotationRow.post_id.in_(old))),
        stories=_count(session, select(func.count()).where(*_story_filter(cutoff))),
        alerts=_count(session, select(func.count()).where(*_alert_filter(cutoff))),
        messages=_count(session, select(func.count()).where(*_message_filter(cutoff))),
        outbox=_count(session, select(func.count()).where(*_outbox_filter(cutoff))),
        appeals=_count(session, select(func.count()).where(AppealRow.post_id.in_(old))),
        logins=_count(session, select(func.count()).where(LoginAttemptRow.at < cutoff)),
    )


def purge(session: Session, cutoff: datetime) -> PurgeCounts:
    """Remove and clear what ``plan`` lists; one transaction (the caller's), so it is all or nothing."""
    counts = plan(session, cutoff)
    old = _old_posts(cutoff)
    if session.get_bind().dialect.name == "sqlite":
        # Deleted rows must not linger in free pages of the file (on PostgreSQL, VACUUM reclaims them).
        session.execute(text("PRAGMA secure_delete = ON"))
    # Children first, explicitly: SQLite enforces ON DELETE CASCADE only with its foreign_keys pragma on.
    old_appeals = select(AppealRow.id).where(AppealRow.post_id.in_(old))
    session.execute(delete(AppealEventRow).where(AppealEventRow.appeal_id.in_(old_appeals)))
    session.execute(delete(AppealReplyRow).where(AppealReplyRow.appeal_id.in_(old_appeals)))
    session.execute(delete(AppealReplyRow).where(AppealReplyRow.post_id.in_(old)))
    session.execute(update(AppealRow).where(AppealRow.repeated_by.in_(old_appeals)).values(repeated_by=None))
    session.execute(delete(AppealRow).where(AppealRow.post_id.in_(old)))
    session.execute(update(AppealRow).where(AppealRow.first_reply_post_id.in_(old)).values(first_reply_post_id=None))
    for table in (MetricSnapshotRow, PostVersionRow, AnnotationRow):
        session.execute(delete(table).where(table.post_id.in_(old)))
    session.execute(delete(PostRow).where(PostRow.published_at < cutoff))
    session.execute(update(StoryRow).where(*_story_filter(cutoff)).values(title=PURGED_TEXT, fingerprint=[]))
    session.execute(update(AlertRow).where(*_alert_filter(cutoff)).values(text=PURGED_TEXT))
    session.execute(update(AlertMessageRow).where(*_message_filter(cutoff)).values(text=""))
    session.execute(delete(OutboxRow).where(*_outbox_filter(cutoff)))
    # A госпаблик problem quotes a resident's unanswered question: the quote goes with the comment.
    session.execute(update(GospublicProblemRow).where(GospublicProblemRow.opened_at < cutoff,
                                                      GospublicProblemRow.text != PURGED_TEXT).values(text=PURGED_TEXT))
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < cutoff))
    session.expire_all()
    return counts


def _story_filter(cutoff: datetime) -> tuple[object, ...]:
    return (StoryRow.last_seen_at < cutoff, StoryRow.title != PURGED_TEXT)


def _alert_filter(cutoff: datetime) -> tuple[object, ...]:
    return (AlertRow.at < cutoff, AlertRow.text != PURGED_TEXT)


def _message_filter(cutoff: datetime) -> tuple[object, ...]:
    return (AlertMessageRow.updated_at < cutoff, AlertMessageRow.text != "")


def _outbox_filter(cutoff: datetime) -> tuple[object, ...]:
    return (OutboxRow.created_at < cutoff, OutboxRow.status.in_(FINISHED))


def flush_log(engine: Engine) -> None:
    """After a purge on SQLite, copy the write-ahead log into the file and empty it: old pages leave the disk."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
