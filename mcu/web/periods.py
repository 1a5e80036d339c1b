"""Periods the appeals, ratings and госпаблики pages are read for: a week, a month (30 days), a quarter (90 days)
ending with a day (today by default — or the newest post's day when collection stopped, as in the demo), or a
period of whole days a person chooses. Dates are the town's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import HTTPException, Request

from mcu.web.auth import workspace
from storage.workspace import data_now

LENGTHS = {"week": 7, "month": 30, "quarter": 90}
TITLES = {"week": "неделя", "month": "месяц (30 дней)", "quarter": "квартал (90 дней)", "custom": "свой период"}
MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class Span:
    kind: str  # week | month | quarter | custom
    start: datetime
    end: datetime  # midnight after the last day
    first_day: date
    last_day: date

    def query(self, **extra: str) -> str:
        values = {"period": self.kind, "end": self.last_day.isoformat()}
        if self.kind == "custom":
            values["start"] = self.first_day.isoformat()
        return urlencode({**values, **{k: v for k, v in extra.items() if v}})

    @property
    def words(self) -> str:
        return f"{self.first_day:%d.%m.%Y} — {self.last_day:%d.%m.%Y}"


def _day(value: str | None, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{what}: не понимаю дату {value!r}, нужна вида 2026-01-17.") from None


def span_of(request: Request, kind: str, start: str | None, end: str | None, default: str = "month",
            kinds: tuple[str, ...] = ("week", "month", "quarter", "custom")) -> Span:
    space = workspace(request)
    tz = space.settings.town.tz
    kind = kind if kind in kinds else default
    last_day = _day(end, "Конец периода")
    if last_day is None:
        with space.db.transaction() as session:
            last_day = data_now(session, space.now()).astimezone(tz).date()
    finish = datetime.combine(last_day + timedelta(days=1), time(0), tz)
    if kind == "custom":
        first_day = _day(start, "Начало периода")
        if first_day is None:
            raise HTTPException(400, "Для своего периода укажите начало.")
        if first_day > last_day:
            raise HTTPException(400, "Начало периода позже конца.")
        if (last_day - first_day).days >= MAX_DAYS:
            raise HTTPException(400, f"Период не длиннее {MAX_DAYS} дней.")
    else:
        first_day = last_day - timedelta(days=LENGTHS[kind] - 1)
    return Span(kind, datetime.combine(first_day, time(0), tz), finish, first_day, last_day)
