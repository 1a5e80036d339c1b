"""Russian wording of numbers in reasons and messages: plural forms, thousands, durations."""

from __future__ import annotations

from datetime import datetime


def plural(count: int, one: str, few: str, many: str) -> str:
    """``plural(5, "источник", "источника", "источников")`` → ``"5 источников"``."""
    tail = abs(count) % 100
    if 11 <= tail <= 14:
        word = many
    elif tail % 10 == 1:
        word = one
    elif 2 <= tail % 10 <= 4:
        word = few
    else:
        word = many
    return f"{count} {word}"


def thousands(value: float) -> str:
    """``1234`` → ``"1,2 тыс."``; small numbers stay whole."""
    if value >= 1000:
        return f"{value / 1000:.1f}".replace(".0", "").replace(".", ",") + " тыс."
    return str(int(round(value)))


def span(first: datetime, last: datetime) -> str:
    """How long something took, in minutes under 1.5 hours, in hours under two days, else in whole days."""
    minutes = int((last - first).total_seconds() // 60)
    if minutes < 90:
        return f"{max(minutes, 1)} мин"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f}".replace(".0", "").replace(".", ",") + " ч"
    return plural(round(minutes / 1440), "день", "дня", "дней")
