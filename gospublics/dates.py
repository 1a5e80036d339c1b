"""Event dates in Russian announcements: «12 мая», «12.05.2026», «с 10 по 12 мая», «до 15.05».

An announcement names the day of its event after (or on) the day it was published; a date before publication
is a reference to the past («работает с 1 сентября 2020 года»), not an event, and is ignored. A date without a
year belongs to the year of publication, or to the next one when it would otherwise lie months before it
(«10 января» in a post of 20 December).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo

_MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7, "август": 8,
    "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
}
_MONTH_WORD = (r"(?P<month>январ[ьяе]|феврал[ьяе]|марта?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|августа?|"
               r"сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе]|янв|фев|мар|апр|авг|сент?|окт|ноя|дек)\.?")
# «12 мая», «10–12 мая», «с 10 по 12 мая 2026 года»: the last day of a range is what must not have passed.
_WORDY = re.compile(
    r"(?<![\d.])(?:(?P<first>[0-3]?\d)\s*(?:[-–—]|по|и)\s*)?(?P<day>[0-3]?\d)\s+" + _MONTH_WORD
    + r"(?:\s+(?P<year>20\d\d))?(?![а-яё])",
    re.IGNORECASE,
)
# «12.05.2026», «12.05.26», «12.05»; without a year only dd.mm, and not after «в» («в 12.10» is a time of day).
_NUMERIC = re.compile(r"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>20\d\d|\d\d)(?![\d]|\.\d)")
_SHORT = re.compile(r"(?<![\d.])(?<!\bв\s)(?P<day>[0-3]\d)\.(?P<month>0[1-9]|1[0-2])(?![\d]|\.\d)", re.IGNORECASE)
_LOOKBACK = timedelta(days=60)  # a year-less date this far before publication means next year


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for stem in sorted(_MONTHS, key=len, reverse=True):
        if word.startswith(stem):
            return _MONTHS[stem]
    return None


def _build(year: int | None, month: int, day: int, published: date) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        moment = date(published.year, month, day)
    except ValueError:
        return None
    if moment < published - _LOOKBACK:
        try:
            return date(published.year + 1, month, day)
        except ValueError:
            return None
    return moment


def mentioned_dates(text: str, published_at: datetime, tz: tzinfo) -> list[date]:
    """Every date the text names (sorted, unique), resolved against the publication day in town time."""
    published = published_at.astimezone(tz).date()
    found: set[date] = set()
    for match in _WORDY.finditer(text):
        month = _month(match.group("month"))
        year = int(match.group("year")) if match.group("year") else None
        if month is not None and (moment := _build(year, month, int(match.group("day")), published)):
            found.add(moment)
    for pattern in (_NUMERIC, _SHORT):
        for match in pattern.finditer(text):
            raw_year = match.groupdict().get("year")
            year = None if raw_year is None else (2000 + int(raw_year) if len(raw_year) == 2 else int(raw_year))
            month = int(match.group("month"))
            if 1 <= month <= 12 and (moment := _build(year, month, int(match.group("day")), published)):
                found.add(moment)
    return sorted(found)


def event_date(text: str, published_at: datetime, tz: tzinfo) -> date | None:
    """The latest date on or after publication the text announces, or ``None`` when it announces none."""
    published = published_at.astimezone(tz).date()
    upcoming = [moment for moment in mentioned_dates(text, published_at, tz) if moment >= published]
    return upcoming[-1] if upcoming else None
