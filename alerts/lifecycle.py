"""An alert's life after the decision: when it may go out (group wait, quiet hours), its buttons, what the
buttons mean, silences, and where escalation leads. Pure functions: storage and delivery live elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from config.schema import LEVELS, AlertSettings

# callback_data is limited to 64 bytes: "action:story" in ASCII stays far below it.
ACTIONS = {"take": "taken", "false": "false_positive", "close": "closed"}
BUTTON_TITLES = {"take": "Взять в работу", "false": "Ложное срабатывание", "close": "Закрыть"}
STATUS_TITLES = {"taken": "Взято в работу", "false_positive": "Ложное срабатывание", "closed": "Закрыто"}
FINAL = frozenset({"false_positive", "closed"})


def keyboard(story_id: int, status: str = "open") -> list[list[dict[str, str]]]:
    """Inline buttons for the story's message; a closed or false alert keeps none, a taken one cannot be taken again."""
    if status in FINAL:
        return []
    actions = [a for a in ACTIONS if not (a == "take" and status == "taken")]
    return [[{"text": BUTTON_TITLES[a], "callback_data": f"{a}:{story_id}"} for a in actions]]


def parse_callback(data: Any) -> tuple[str, int] | None:
    """``take:42`` → (``taken``, 42); anything else (old buttons, forged data) → None."""
    if not isinstance(data, str) or data.count(":") != 1:
        return None
    action, _, story = data.partition(":")
    if action not in ACTIONS or not story.isdigit():
        return None
    return ACTIONS[action], int(story)


def _window(text: str) -> tuple[time, time]:
    start, _, end = text.partition("-")
    h1, m1 = (int(x) for x in start.split(":"))
    h2, m2 = (int(x) for x in end.split(":"))
    return time(h1 % 24, m1 % 60), time(h2 % 24, m2 % 60)


def quiet_until(moment: datetime, quiet_hours: str | None, tz: tzinfo) -> datetime | None:
    """The end of the quiet hours ``moment`` falls into (town time), or None outside them."""
    if not quiet_hours:
        return None
    start, end = _window(quiet_hours)
    local = moment.astimezone(tz)
    now = local.time()
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside or start == end:
        return None
    day = local.date() if now < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=tz)


def first_send_at(level: str, now: datetime, settings: AlertSettings, tz: tzinfo) -> datetime:
    """A new message waits ``group_wait`` for its level; outside critical, quiet hours hold it till morning."""
    due = now + timedelta(seconds=settings.group_wait.get(level, 0.0))  # type: ignore[call-overload]
    if level == "critical":
        return due
    return quiet_until(due, settings.quiet_hours, tz) or due


def next_level(level: str) -> str | None:
    index = LEVELS.index(level) if level in LEVELS else 0
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


@dataclass(frozen=True, slots=True)
class Silence:
    """A planned event's silence: stories matching every given field stay quiet until ``ends_at``."""

    id: int
    topic: str | None
    place: str | None
    words: str | None
    starts_at: datetime
    ends_at: datetime
    reason: str

    def matches(self, topic: str, places: Sequence[str], title: str, at: datetime) -> bool:
        if not self.starts_at <= at < self.ends_at:
            return False
        if self.topic and self.topic != topic:
            return False
        if self.place and self.place.lower() not in {p.lower() for p in places}:
            return False
        if self.words and not all(w in title.lower() for w in self.words.lower().split()):
            return False
        return True


def status_line(status: str, actor: str | None, at: datetime | None, tz: tzinfo) -> str | None:
    """«Взято в работу: Ольга, 08:15» for the message footer; nothing while the alert is open."""
    if status not in STATUS_TITLES:
        return None
    when = f", {at.astimezone(tz):%d.%m %H:%M}" if at else ""
    return f"{STATUS_TITLES[status]}: {actor or 'без имени'}{when}"


def reminder_line(remind_at: datetime | None, tz: tzinfo) -> str | None:
    if remind_at is None:
        return None
    return f"Следующее напоминание: {remind_at.astimezone(tz):%d.%m %H:%M}, если никто не возьмёт в работу"
