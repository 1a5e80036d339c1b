"""Working time and deadlines: Russian holidays and moved days off, shortened pre-holiday days, office hours in the
town's zone, spans across midnight and holidays, and the deadline statuses."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from config.responses import DeadlineRule
from responses import deadlines as sla
from responses.calendar import WorkCalendar

MSK = ZoneInfo("Europe/Moscow")
CAL = WorkCalendar(MSK)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MSK)


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 1, 8), False),  # New Year holidays
    (date(2026, 1, 9), False),  # a day off moved from Saturday 3 January by the government
    (date(2026, 1, 12), True),
    (date(2025, 11, 1), True),  # a Saturday made a working day
    (date(2025, 11, 3), False),  # ... and the Monday it freed
    (date(2026, 3, 9), False),  # 8 March fell on a Sunday: Monday is off
    (date(2026, 2, 21), False),  # an ordinary Saturday
])
def test_working_days_know_holidays_and_transfers(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(("day", "shortened"), [
    (date(2025, 3, 7), True),  # before 8 March
    (date(2025, 4, 30), True),  # before 1 May
    (date(2025, 5, 7), True),  # before the moved 8 May and Victory Day
    (date(2025, 11, 1), True),  # a working Saturday before the November break
    (date(2024, 12, 28), True),  # a working Saturday before the New Year break
    (date(2022, 6, 10), False),  # a Friday before an ordinary weekend that holds 12 June
    (date(2026, 2, 20), False),  # a Friday before a weekend and 23 February on Monday
    (date(2026, 1, 13), False),
])
def test_shortened_pre_holiday_days(day: date, shortened: bool) -> None:
    assert CAL.is_shortened(day) is shortened


def test_working_minutes_across_midnight_and_holidays() -> None:
    assert CAL.working_minutes(at("2026-01-12T23:30"), at("2026-01-13T00:20")) == 0.0
    assert CAL.working_minutes(at("2026-01-12T17:30"), at("2026-01-13T09:30")) == 60.0
    # Friday evening of a holiday (9 January 2026) to Monday morning: only Monday's 65 minutes count.
    assert CAL.working_minutes(at("2026-01-09T20:10"), at("2026-01-12T10:05")) == 65.0
    assert CAL.working_minutes(at("2026-01-13T10:00"), at("2026-01-13T09:00")) == 0.0  # backwards: nothing


def test_a_shortened_day_ends_an_hour_early() -> None:
    assert CAL.working_minutes(at("2025-03-07T08:00"), at("2025-03-07T20:00")) == 8 * 60


def test_deadline_in_working_time_skips_nights_and_holidays() -> None:
    assert CAL.add_working(at("2026-01-08T23:00"), 8 * 60) == at("2026-01-12T17:00")
    assert CAL.add_working(at("2026-01-12T16:00"), 8 * 60) == at("2026-01-13T15:00")  # 2 h on Monday, 6 h Tuesday
    # 30 December 2025 is shortened; 31 December to 11 January are off.
    assert CAL.add_working(at("2025-12-30T15:00"), 8 * 60) == at("2026-01-12T15:00")


def test_config_corrects_the_calendar() -> None:
    calendar = WorkCalendar(MSK, (time(8), time(17)), extra_days_off=[date(2026, 1, 13)],
                            extra_working_days=[date(2026, 1, 10)])
    assert not calendar.is_working_day(date(2026, 1, 13)) and calendar.is_working_day(date(2026, 1, 10))
    assert calendar.working_minutes(at("2026-01-10T07:00"), at("2026-01-10T09:00")) == 60.0


def test_absurd_spans_do_not_hang() -> None:
    assert CAL.working_minutes(at("1990-01-01T00:00"), at("2100-01-01T00:00")) > 0


def test_deadline_rules_first_match_wins() -> None:
    rules = [DeadlineRule(platforms=["telegram"], first=3600), DeadlineRule(kinds=["question"], first=7200),
             DeadlineRule()]
    assert sla.rule_for(rules, "telegram", "complaint").first == 3600
    assert sla.rule_for(rules, "vk", "question").first == 7200
    assert sla.rule_for(rules, "vk", "complaint").first == 8 * 3600
    assert sla.appeal_kind(("question", "complaint")) == "complaint"
    assert sla.appeal_kind(()) == "complaint"


def test_deadline_statuses() -> None:
    due = at("2026-01-13T17:00")
    assert sla.status(due, None, at("2026-01-13T12:00")) == "open"
    assert sla.status(due, None, at("2026-01-13T17:01")) == "overdue"
    assert sla.status(due, at("2026-01-13T16:59"), at("2026-01-20T00:00")) == "met"
    assert sla.status(due, at("2026-01-14T10:00"), at("2026-01-20T00:00")) == "breached"
    assert sla.status(due, None, at("2026-01-20T00:00"), deleted_at=at("2026-01-13T12:00")) == "deleted"
    found = sla.deadlines(CAL, DeadlineRule(), at("2026-01-13T10:00"))
    assert (found.first_at, found.warn_at) == (at("2026-01-13T18:00"), at("2026-01-13T16:00"))
    assert found.final_at == at("2026-02-12T10:00")
