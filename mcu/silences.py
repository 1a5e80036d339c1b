"""Silences for planned events, for both shells: checked, stored and written to the audit log the same way
whether they come from `mcu alerts silence` or from the workspace."""

from __future__ import annotations

from datetime import datetime

from config import InputError, Settings
from storage import Database, alert_state


def add_silence(db: Database, settings: Settings, *, topic: str | None, place: str | None, words: str | None,
                now: datetime, ends: datetime, reason: str, author: str, chat: str | None = None) -> int:
    """A silence from ``now`` until ``ends``; returns its number."""
    if not (topic or place or words):
        raise InputError("тишина без условий заглушит всё: укажите --topic, --place или --words")
    codes = {t.code for t in settings.topics}
    if topic and topic not in codes:
        raise InputError(f"темы {topic!r} нет; есть: {', '.join(sorted(codes))}")
    if not reason.strip():
        raise InputError("укажите причину тишины")
    if ends <= now:
        raise InputError("тишина должна кончаться в будущем")
    with db.transaction() as session:
        number = alert_state.add_silence(session, topic=topic, place=place, words=words, starts_at=now,
                                         ends_at=ends, reason=reason, author=author)
        alert_state.audit(session, None, "silence", author, now, chat=chat, detail=f"тишина №{number}: {reason}")
    return number


def end_silence(db: Database, silence_id: int, author: str, now: datetime, chat: str | None = None) -> None:
    with db.transaction() as session:
        if not alert_state.end_silence(session, silence_id, now):
            raise InputError(f"действующей тишины №{silence_id} нет")
        alert_state.audit(session, None, "unsilence", author, now, chat=chat, detail=f"тишина №{silence_id}")
