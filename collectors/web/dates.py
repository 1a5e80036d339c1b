"""Dates as news sites write them: ISO 8601 in metadata, «14 января 2026, 09:30», «14.01.2026», «сегодня, 10:30».

Pure functions; a date without an offset is local time of the town (``tz``). Dates before 1995 or after ``now``
(plus a day of slack for clocks) are rejected: they are page furniture, not publication dates.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

_MONTHS = {
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6,
    "июл": 7, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
}
_TIME = r"(?:[,\s]+(?:в\s+)?(?P<hour>[01]?\d|2[0-3])[:.](?P<minute>[0-5]\d))?"
_WORDY = re.compile(
    r"(?<![\d])(?P<day>[0-3]?\d)\s+(?P<month>янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек)[а-яё]*\.?"
    r"(?:\s+(?P<year>(?:19|20)\d\d))?(?:\s*(?:года|г\.|г\b))?" + _TIME,
    re.IGNORECASE,
)
_NUMERIC = re.compile(
    r"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>(?:19|20)\d\d|\d\d)(?![\d.]\d)" + _TIME
)
_RELATIVE = re.compile(r"\b(?P<word>сегодня|вчера)\b" + _TIME, re.IGNORECASE)
_EARLIEST = date(1995, 1, 1)


def parse_iso(value: str | None, tz: tzinfo) -> datetime | None:
    """An ISO 8601 date or date-time from metadata, aware; ``None`` when it is not one."""
    if not value:
        return None
    text = value.strip()
    if len(text) > 40:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _plausible(moment: datetime, now: datetime) -> bool:
    return _EARLIEST <= moment.date() and moment <= now + timedelta(days=1)


def _build(year: int, month: int, day: int, hour: str | None, minute: str | None, tz: tzinfo) -> datetime | None:
    try:
        clock = time(int(hour), int(minute)) if hour is not None and minute is not None else time(0, 0)
        return datetime.combine(date(year, month, day), clock, tzinfo=tz)
    except ValueError:
        return None


def find_russian_date(text: str, *, now: datetime, tz: tzinfo) -> tuple[datetime, bool] | None:
    """The first plausible date written in Russian in ``text`` and whether it carried a time of day.

    A date without a year («14 января, 10:30») is in the year of ``now``, or the year before if that would be
    in the future. ``now`` is aware.
    """
    local_now = now.astimezone(tz)
    found: list[tuple[int, datetime, bool]] = []
    for match in _WORDY.finditer(text):
        month = _MONTHS[match["month"][:3].lower()]
        year = int(match["year"]) if match["year"] else local_now.year
        moment = _build(year, month, int(match["day"]), match["hour"], match["minute"], tz)
        if moment is not None and not match["year"] and moment > local_now + timedelta(days=1):
            moment = _build(year - 1, month, int(match["day"]), match["hour"], match["minute"], tz)
        if moment is not None and _plausible(moment, now):
            found.append((match.start(), moment, match["hour"] is not None))
            break
    for match in _NUMERIC.finditer(text):
        year = int(match["year"])
        year = year + 2000 if year < 100 else year
        moment = _build(year, int(match["month"]), int(match["day"]), match["hour"], match["minute"], tz)
        if moment is not None and _plausible(moment, now):
            found.append((match.start(), moment, match["hour"] is not None))
            break
    for match in _RELATIVE.finditer(text):
        day = local_now.date() - timedelta(days=1 if match["word"].lower() == "вчера" else 0)
        moment = _build(day.year, day.month, day.day, match["hour"], match["minute"], tz)
        if moment is not None and _plausible(moment, now):
            found.append((match.start(), moment, match["hour"] is not None))
            break
    if not found:
        return None
    _, moment, timed = min(found, key=lambda item: item[0])
    return moment, timed
