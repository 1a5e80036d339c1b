"""Russian numbers and dates for every digest format: «12 345», «+5», «−3», «37 %», «26 ноября 2026 г.»."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
          "ноября", "декабря")
NBSP = "\u00a0"


def number(value: float | int) -> str:
    """Groups of three split by a non-breaking space, a decimal comma."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", NBSP).replace(".", ",")
    return f"{int(value):,}".replace(",", NBSP)


def signed(value: int) -> str:
    return f"+{number(value)}" if value > 0 else "0" if value == 0 else f"−{number(-value)}"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}{NBSP}%" if whole else "—"


def long_date(moment: date | datetime, tz: tzinfo | None = None) -> str:
    """«26 ноября 2026 г.» — as official papers write dates."""
    day = moment.astimezone(tz) if isinstance(moment, datetime) and tz is not None else moment
    return f"{day.day} {MONTHS[day.month - 1]} {day.year} г."


def short(moment: datetime, tz: tzinfo) -> str:
    """«26.11.2026 08:00» in town time."""
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def day_month(moment: date) -> str:
    return moment.strftime("%d.%m")
