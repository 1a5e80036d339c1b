"""The rating of responsible bodies for a period, and the дорожная карта, gathered from the store for the CLI,
the digest, the daemon and the exports (one place, so every consumer shows the same numbers)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from alerts.reports import RatingReport
from config import InputError, Settings
from responses import BodyRating, bodies_of, rate
from responses import roadmap as roadmap_rules
from responses.bodies import BodyDirectory
from responses.records import AppealRecord, RecurringProblem, RoadmapItem
from storage import responses as response_store
from storage import roadmap as roadmap_store

PERIODS = {"week": timedelta(days=7), "month": timedelta(days=30)}


def bounds(period: str, end: datetime, start: datetime | None = None) -> tuple[datetime, datetime, str]:
    """(start, end, period name): a named period ending at ``end``, or ``start``..``end`` («custom»)."""
    if start is not None:
        if start >= end:
            raise InputError("начало периода должно быть раньше конца")
        named = next((name for name, length in PERIODS.items() if end - start == length), "custom")
        return start, end, named
    return end - PERIODS[period], end, period


def target_minutes(settings: Settings) -> float:
    """The first-answer deadline the speed part is measured against: the first (most general) rule's."""
    rules = settings.responses.deadlines
    return (rules[-1].first if rules else 8 * 3600.0) / 60


def ratings(session: Session, settings: Settings, start: datetime, end: datetime
            ) -> tuple[list[BodyRating], list[AppealRecord]]:
    records = response_store.appeal_records(session, start, end)
    bodies = bodies_of(settings, response_store.accounts(session))
    return rate(records, bodies, settings.responses.weights, target_minutes(settings)), records


def rating_data(session: Session, settings: Settings, period: str, start: datetime, end: datetime) -> RatingReport:
    found, records = ratings(session, settings, start, end)
    return RatingReport(
        town=settings.town.name, period=period, start=start, end=end, ratings=tuple(found),
        weights=tuple(settings.responses.weights.model_dump().items()), appeals=tuple(records),
        titles={b.id: b.title for b in settings.bodies},
    )


def _directory(settings: Settings) -> BodyDirectory:
    """A directory for titles and places only: no keyword matching, so no morphology is loaded."""
    return BodyDirectory(bodies_of(settings))


def recurring_problems(session: Session, settings: Settings, now: datetime) -> list[RecurringProblem]:
    long = timedelta(seconds=settings.responses.roadmap.long_window)
    records = response_store.appeal_records(session, now - long, now + timedelta(seconds=1))
    return roadmap_rules.recurring(records, now, settings.responses.roadmap, _directory(settings))


def roadmap_items(session: Session, settings: Settings, now: datetime, *, include_closed: bool = True
                  ) -> list[RoadmapItem]:
    """Items with the count of complaints on their problem since they were closed."""
    directory = _directory(settings)
    found = []
    for row in roadmap_store.rows(session, include_closed=include_closed):
        after = 0
        if row.status == "done" and row.closed_at is not None:
            records = response_store.appeal_records(session, row.closed_at, now + timedelta(seconds=1))
            after = roadmap_rules.complaints_after(row.key, row.closed_at, records, directory)
        found.append(roadmap_store.to_item(row, after))
    return found


def draft_roadmap(session: Session, settings: Settings, now: datetime, actor: str) -> list[RoadmapItem]:
    """New draft items for recurring problems the roadmap does not hold yet."""
    problems = recurring_problems(session, settings, now)
    topics = {t.code: t.title for t in settings.topics}
    drafts = roadmap_rules.drafts(problems, roadmap_store.keys(session), settings.responses.roadmap,
                                  _directory(settings), topics, now.astimezone(settings.town.tz).date())
    return [roadmap_store.to_item(row) for row in roadmap_store.add_drafts(session, drafts, actor, now)]
