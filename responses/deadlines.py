"""Deadlines of an appeal and its status, as a small state machine:

``open`` (no reply, deadline ahead) → ``met`` (first reply by the deadline) or ``breached`` (a reply after it);
``open`` → ``overdue`` (deadline passed, still no reply) → ``breached`` (when a late reply comes);
``deleted`` when the appeal vanished before any reply (the clock stops, nothing is lost).

The first answer is due in working time (office hours, Russian working days and holidays); the final answer,
when the problem is solved, in calendar time (the «механизм ускоренного решения», 30 days by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from config.responses import DeadlineRule
from responses.calendar import WorkCalendar
from responses.records import Deadlines

DEFAULT_RULE = DeadlineRule()


def rule_for(rules: Sequence[DeadlineRule], platform: str, kind: str) -> DeadlineRule:
    """The first rule for this platform and kind of appeal (an empty list in a rule matches anything)."""
    for rule in rules:
        if (not rule.platforms or platform in rule.platforms) and (not rule.kinds or kind in rule.kinds):
            return rule
    return DEFAULT_RULE


def appeal_kind(kinds: Sequence[str]) -> str:
    """The kind deadlines are chosen by: a complaint over a request over a question."""
    return next((kind for kind in ("complaint", "request", "question") if kind in kinds), "complaint")


def deadlines(calendar: WorkCalendar, rule: DeadlineRule, appeal_at: datetime) -> Deadlines:
    first_minutes = rule.first / 60
    first_at = calendar.add_working(appeal_at, first_minutes)
    warn_at = calendar.add_working(appeal_at, max(0.0, first_minutes - rule.warn_before / 60))
    return Deadlines(first_at, warn_at, appeal_at + timedelta(seconds=rule.final), first_minutes)


def status(due: datetime, answered_at: datetime | None, now: datetime, *, deleted_at: datetime | None = None) -> str:
    """``open`` | ``met`` | ``breached`` | ``overdue`` | ``deleted`` for one deadline."""
    if answered_at is not None:
        return "met" if answered_at <= due else "breached"
    if deleted_at is not None:
        return "deleted"
    return "overdue" if now > due else "open"
