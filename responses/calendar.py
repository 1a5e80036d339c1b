"""Working time of the bodies: Russian working days, public holidays and the government's transfers of days off
(the ``holidays`` library's RU calendar), office hours in the town's time zone, and shortened pre-holiday days.

The library knows the statutory holidays (ТК РФ ст. 112), a holiday on a weekend moved to the next working day,
the days off moved by the government's yearly decree, and the Saturdays made working days by it
(``weekend_workdays``). It does not know the pre-holiday days that are an hour shorter (ТК РФ ст. 95); they are
derived here the way the Ministry of Labour's production calendars mark them: a working day is shortened when the
days off right after it begin with a holiday or a moved day off (7 March before 8 March, 7 May 2025 before the
moved 8 May), or when it is a working Saturday followed by a holiday break (1 November 2025). A Friday before an
ordinary weekend that happens to hold a holiday is not shortened (10 June 2022). ``extra_days_off`` and
``extra_working_days`` in config correct anything the library has not learnt yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

import holidays

MAX_DAYS = 3660  # a span longer than ten years is a clock error, not a wait: counted up to this many days
SHORTENED = timedelta(hours=1)


class WorkCalendar:
    """Working days and hours; every public method takes and returns aware datetimes."""

    def __init__(
        self,
        tz: tzinfo,
        hours: tuple[time, time] = (time(9), time(18)),
        *,
        shortened_pre_holiday: bool = True,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        self.tz = tz
        self.start, self.end = hours
        self.shortened_pre_holiday = shortened_pre_holiday
        self._off = frozenset(extra_days_off)
        self._working = frozenset(extra_working_days)
        self._cache = lru_cache(maxsize=64)(self._country_year)
        self.intervals = lru_cache(maxsize=4096)(self._intervals)

    def _country_year(self, year: int) -> holidays.HolidayBase:
        return holidays.country_holidays("RU", years=year, language="ru")

    # --- days -----------------------------------------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        if day in self._off:
            return "нерабочий день (конфигурация)"
        return self._cache(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self._working:
            return True
        if day in self._off:
            return False
        return bool(self._cache(day.year).is_working_day(day))

    def is_weekend_workday(self, day: date) -> bool:
        return day.weekday() >= 5 and self.is_working_day(day)

    def is_shortened(self, day: date) -> bool:
        """An hour shorter: see the module docstring for the rule."""
        if not self.shortened_pre_holiday or not self.is_working_day(day):
            return False
        following = day + timedelta(days=1)
        if self.is_working_day(following):
            return False
        if self.holiday_name(following):
            return True
        if not self.is_weekend_workday(day):
            return False
        probe = following
        while not self.is_working_day(probe) and probe - following < timedelta(days=14):
            if self.holiday_name(probe):
                return True
            probe += timedelta(days=1)
        return False

    def _intervals(self, day: date) -> tuple[datetime, datetime] | None:
        """The working hours of one day as aware datetimes, or None for a day off."""
        if not self.is_working_day(day):
            return None
        start = datetime.combine(day, self.start, self.tz)
        end = datetime.combine(day, self.end, self.tz)
        if self.is_shortened(day):
            end = max(start, end - SHORTENED)
        return start, end

    # --- spans ------------------------------------------------------------------------------------------------

    def working_minutes(self, start: datetime, end: datetime) -> float:
        """Working minutes between two moments (0 when ``end`` is not after ``start``)."""
        if end <= start:
            return 0.0
        first = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        if (last - first).days > MAX_DAYS:
            last = first + timedelta(days=MAX_DAYS)
        total = 0.0
        day = first
        while day <= last:
            hours = self.intervals(day)
            if hours is not None:
                lo, hi = max(hours[0], start), min(hours[1], end)
                if hi > lo:
                    total += (hi - lo).total_seconds() / 60
            day += timedelta(days=1)
        return round(total, 1)

    def add_working(self, start: datetime, minutes: float) -> datetime:
        """The moment when ``minutes`` of working time have passed after ``start``."""
        left = timedelta(minutes=max(0.0, minutes))
        day = start.astimezone(self.tz).date()
        for _ in range(MAX_DAYS):
            hours = self.intervals(day)
            if hours is not None:
                lo = max(hours[0], start)
                if hours[1] > lo:
                    available = hours[1] - lo
                    if left <= available:
                        return lo + left
                    left -= available
            day += timedelta(days=1)
        return start + timedelta(minutes=minutes)  # no working day in ten years: a broken calendar, count plainly
