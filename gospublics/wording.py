"""Russian figures in check texts and recommendations: «4 поста», «0,9 в неделю», «33 %», «20 ч 15 мин», «12 мая»."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
          "ноября", "декабря")


def plural(count: int, one: str, few: str, many: str) -> str:
    """«1 пост», «3 поста», «5 постов» (the form for ``count``, without the number)."""
    tail = abs(count) % 100
    if 11 <= tail <= 14:
        return many
    last = tail % 10
    return one if last == 1 else few if 2 <= last <= 4 else many


def counted(count: int, one: str, few: str, many: str) -> str:
    return f"{count} {plural(count, one, few, many)}"


def num(value: float, digits: int = 1) -> str:
    """A decimal comma; whole numbers without a fraction: «0,9», «3», «12,5»."""
    rounded = round(value, digits)
    if float(rounded).is_integer():
        return str(int(rounded))
    return f"{rounded:.{digits}f}".rstrip("0").rstrip(".").replace(".", ",")


def pct(share: float | None) -> str:
    """A share as «33 %» (one decimal below 10 %: «0,4 %»)."""
    if share is None:
        return "—"
    value = share * 100
    return f"{num(value, 1 if value < 10 else 0)}\u00a0%"


def days(value: float) -> str:
    whole = int(round(value))
    return counted(whole, "день", "дня", "дней")


def duration(minutes: float) -> str:
    """«45 мин», «3 ч 20 мин», «2 дня 4 ч»."""
    total = int(round(minutes))
    if total < 60:
        return f"{total} мин"
    hours, rest = divmod(total, 60)
    if hours < 48:
        return f"{hours} ч {rest} мин" if rest else f"{hours} ч"
    whole_days, hours = divmod(hours, 24)
    return f"{counted(whole_days, 'день', 'дня', 'дней')} {hours} ч" if hours else counted(whole_days, "день", "дня", "дней")


def day_month(moment: date) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]}"


def answer_deadline(minutes: Iterable[float | None], lead: str = "в срок исполнителя") -> str:
    """«в срок исполнителя (8 ч рабочего времени)»: the first-answer deadlines of the bodies' rules the questions
    fell under («4 ч – 8 ч» when they differ by platform or kind)."""
    values = sorted({round(m) for m in minutes if m})
    if not values:
        return lead
    span = duration(values[0]) if len(values) == 1 else f"{duration(values[0])} – {duration(values[-1])}"
    return f"{lead} ({span} рабочего времени)"
