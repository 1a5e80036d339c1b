"""Deadline timers of appeals: how much working time is left before the first answer is due, or how long it has
been overdue — counted on the responses component's working calendar (office hours, Russian working days and
holidays), the same one that set the deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from responses import WorkCalendar
from risk.wording import plural

# Working time is counted day by day; past this, the overdue span is told in calendar days alone.
WORKING_SPAN_LIMIT = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class Timer:
    """``state``: ``left`` (deadline ahead), ``soon`` (the warning time has come), ``overdue``, ``done`` (answered
    or deleted: no clock). ``working_minutes`` is left (or overdue) working time; None when not counted."""

    state: str
    text: str
    working_minutes: float | None = None
    calendar_minutes: float | None = None


def span_words(minutes: float) -> str:
    """«3 ч 20 мин», «45 мин», «2 дня 4 ч» — a span a person reads at a glance."""
    whole = int(round(minutes))
    days, rest = divmod(whole, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return plural(days, "день", "дня", "дней") + (f" {hours} ч" if hours else "")
    if hours:
        return f"{hours} ч" + (f" {mins} мин" if mins else "")
    return f"{mins} мин"


def timer(state: str, deadline_at: datetime, warn_at: datetime, now: datetime, calendar: WorkCalendar) -> Timer:
    if state == "open":
        working = calendar.working_minutes(now, deadline_at)
        calendar_left = (deadline_at - now).total_seconds() / 60
        text = f"осталось {span_words(working)} рабочего времени"
        if calendar_left - working >= 60:
            text += f" ({span_words(calendar_left)} по часам)"
        return Timer("soon" if now >= warn_at else "left", text, working, round(calendar_left, 1))
    if state == "overdue":
        late = now - deadline_at
        calendar_late = late.total_seconds() / 60
        if late > WORKING_SPAN_LIMIT:
            return Timer("overdue", f"просрочено на {span_words(calendar_late)}", None, round(calendar_late, 1))
        working = calendar.working_minutes(deadline_at, now)
        text = f"просрочено на {span_words(working)} рабочего времени"
        if calendar_late - working >= 60:
            text += f" ({span_words(calendar_late)} по часам)"
        return Timer("overdue", text, working, round(calendar_late, 1))
    return Timer("done", "")
