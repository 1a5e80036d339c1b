"""The read side of a risk digest: every number the digest shows, counted in the store for one period."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.digest import (
    AlertStats,
    Coverage,
    DayCounts,
    DigestData,
    OpenAppeal,
    Recurring,
    SourceTrouble,
    StoryLine,
    Volume,
)
from alerts.digest.data import PLATFORM_TITLES, SENTIMENT_TITLES
from config.secret import mask_secrets
from storage.models import (
    AlertAuditRow,
    AlertRow,
    AlertStateRow,
    AnnotationRow,
    ApiUsageRow,
    PostRow,
    SourceRow,
    StoryRow,
)
from storage.stories import excerpt, members, view

TOP_STORIES = 10
MAX_APPEALS = 30
RESOLVED_AFTER = timedelta(days=1)  # a story with nothing new for a day is over, as far as the reader is concerned


def _relevant(session: Session, start: datetime, end: datetime, threshold: float) -> list[tuple[PostRow, AnnotationRow]]:
    query = (
        select(PostRow, AnnotationRow)
        .join(AnnotationRow, AnnotationRow.post_id == PostRow.id)
        .where(PostRow.published_at >= start, PostRow.published_at < end, AnnotationRow.relevance >= threshold)
    )
    return [(p, a) for p, a in session.execute(query)]


def _count_posts(session: Session, start: datetime, end: datetime) -> int:
    query = select(func.count()).select_from(PostRow).where(PostRow.published_at >= start, PostRow.published_at < end)
    return int(session.scalar(query) or 0)


def _volumes(now: Counter[str], before: Counter[str], titles: Mapping[str, str], order: list[str] | None = None) -> tuple[Volume, ...]:
    keys = order or sorted(set(now) | set(before), key=lambda k: (-now[k], -before[k], k))
    return tuple(Volume(k, titles.get(k, k), now[k], before[k]) for k in keys)


def _active_stories(session: Session, start: datetime, end: datetime) -> list[StoryRow]:
    query = select(StoryRow).where(
        StoryRow.last_seen_at >= start, StoryRow.first_seen_at < end, StoryRow.peak_level != "low",
        StoryRow.merged_into.is_(None),
    )
    return list(session.scalars(query.order_by(StoryRow.peak_score.desc(), StoryRow.id)))


def _status(story: StoryRow, start: datetime, end: datetime) -> str:
    if story.first_seen_at >= start:
        return "new"
    if story.last_seen_at < end - RESOLVED_AFTER:
        return "resolved"
    return "continuing"


def _story_lines(session: Session, rows: list[StoryRow], start: datetime, end: datetime,
                 titles: Mapping[str, str]) -> tuple[StoryLine, ...]:
    lines = []
    for row in rows[:TOP_STORIES]:
        found = members(session, row.id)
        shown = view(session, row.id, titles, found)
        if shown is None:
            continue
        telling = sorted((m for m in found if not m.is_comment and m.excerpt),
                         key=lambda m: (-(m.views + 5 * m.engagement), m.published_at))[:3]
        # A weekly review judges a story by the worst it got, not by how it looks once it has calmed down.
        peak = replace(shown.assessment, score=max(row.peak_score, row.score), level=row.peak_level)
        lines.append(StoryLine(replace(shown, assessment=peak), _status(row, start, end),
                               tuple((m.excerpt, m.url) for m in telling)))
    return tuple(lines)


def _days(rows: list[tuple[PostRow, AnnotationRow]], stories: list[StoryRow], start: datetime, end: datetime,
          tz: tzinfo) -> tuple[DayCounts, ...]:
    first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    topics: dict[date, Counter[str]] = defaultdict(Counter)
    sentiment: dict[date, Counter[str]] = defaultdict(Counter)
    for post, note in rows:
        day = post.published_at.astimezone(tz).date()
        topics[day][note.main_topic] += 1
        sentiment[day][note.sentiment_label] += 1
    levels: dict[date, Counter[str]] = defaultdict(Counter)
    for story in stories:
        for day in days:
            if story.first_seen_at.astimezone(tz).date() <= day <= story.last_seen_at.astimezone(tz).date():
                levels[day][story.peak_level] += 1
    return tuple(DayCounts(d, dict(topics[d]), dict(sentiment[d]), dict(levels[d])) for d in days)


def _appeals(rows: list[tuple[PostRow, AnnotationRow]], end: datetime) -> list[OpenAppeal]:
    """Appeals after which their story got no official post: still waiting for an answer."""
    official_last: dict[int, datetime] = {}
    for post, note in rows:
        if post.story_id is not None and "official_source" in note.signals:
            official_last[post.story_id] = max(official_last.get(post.story_id, post.published_at), post.published_at)
    waiting = [
        OpenAppeal(excerpt(post.text, 200), post.url, post.source, post.published_at, note.main_topic,
                   int((end - post.published_at).total_seconds() // 3600))
        for post, note in rows
        if note.needs_response and not (post.story_id in official_last and official_last[post.story_id] > post.published_at)
    ]
    return sorted(waiting, key=lambda a: a.published_at)


def _recurring(session: Session, end: datetime, titles: Mapping[str, str]) -> tuple[Recurring, ...]:
    """Topic and place pairs that made two or more stories in 90 days."""
    since = end - timedelta(days=90)
    rows = session.scalars(select(StoryRow).where(
        StoryRow.first_seen_at >= since, StoryRow.first_seen_at < end, StoryRow.merged_into.is_(None)))
    count_30: Counter[tuple[str, str]] = Counter()
    count_90: Counter[tuple[str, str]] = Counter()
    last: dict[tuple[str, str], datetime] = {}
    for story in rows:
        for place in story.places or []:
            key = (story.topic, str(place))
            count_90[key] += 1
            count_30[key] += story.first_seen_at >= end - timedelta(days=30)
            last[key] = max(last.get(key, story.last_seen_at), story.last_seen_at)
    repeated = [k for k, n in count_90.items() if n >= 2 and k[0] != "other"]
    repeated.sort(key=lambda k: (-count_30[k], -count_90[k], k))
    return tuple(Recurring(t, titles.get(t, t), p, count_30[(t, p)], count_90[(t, p)], last[(t, p)]) for t, p in repeated)


def _alert_stats(session: Session, start: datetime, end: datetime) -> AlertStats:
    decisions = list(session.execute(select(AlertRow.is_update).where(AlertRow.at >= start, AlertRow.at < end)))
    states = list(session.scalars(select(AlertStateRow).where(AlertStateRow.first_at >= start, AlertStateRow.first_at < end)))
    by_status = Counter(s.status for s in states)
    taken_at: dict[int, datetime] = {}
    for row in session.scalars(select(AlertAuditRow).where(AlertAuditRow.action == "taken").order_by(AlertAuditRow.at)):
        if row.story_id is not None:
            taken_at.setdefault(row.story_id, row.at)
    waits = [(taken_at[s.story_id] - s.first_at).total_seconds() / 60 for s in states if s.story_id in taken_at]
    return AlertStats(
        sent=len(decisions), first=sum(1 for (update,) in decisions if not update),
        taken=sum(1 for s in states if s.story_id in taken_at), false_positive=by_status["false_positive"],
        closed=by_status["closed"], unanswered=by_status["open"],
        median_minutes_to_take=round(median(waits), 1) if waits else None,
    )


def _coverage(session: Session, start: datetime, end: datetime) -> Coverage:
    sources = list(session.scalars(select(SourceRow).where(SourceRow.enabled.is_(True))))
    failing = tuple(
        # Masked again on the way out: rows stored by older versions may hold an echoed token.
        SourceTrouble(s.name, mask_secrets(s.closed_reason or s.last_error or "ошибка"), s.closed_at or s.last_error_at)
        for s in sources
        if s.closed_at is not None
        or (s.last_error_at is not None and (s.last_success_at is None or s.last_error_at > s.last_success_at))
    )
    quota = tuple(
        SourceTrouble(f"{u.api} {u.method}", f"квота исчерпана ({u.calls} вызовов)", u.blocked_until)
        for u in session.scalars(select(ApiUsageRow).where(ApiUsageRow.blocked_until.is_not(None),
                                                          ApiUsageRow.blocked_until > start))
    )
    return Coverage(len(sources), len(sources) - len(failing), failing, quota)


def digest_data(
    session: Session,
    *,
    town: str,
    period: str,
    start: datetime,
    end: datetime,
    previous_start: datetime,
    threshold: float,
    topic_titles: Mapping[str, str],
    tz: tzinfo,
) -> DigestData:
    current = _relevant(session, start, end, threshold)
    previous = _relevant(session, previous_start, start, threshold)
    active = _active_stories(session, start, end)
    statuses = Counter(_status(s, start, end) for s in active)
    appeals = _appeals(current, end)
    return DigestData(
        town=town, period=period, start=start, end=end, previous_start=previous_start,
        posts=_count_posts(session, start, end), posts_previous=_count_posts(session, previous_start, start),
        relevant=len(current), relevant_previous=len(previous),
        topics=_volumes(Counter(a.main_topic for _, a in current), Counter(a.main_topic for _, a in previous), topic_titles),
        platforms=_volumes(Counter(p.platform for p, _ in current), Counter(p.platform for p, _ in previous), PLATFORM_TITLES),
        sentiment=_volumes(Counter(a.sentiment_label for _, a in current), Counter(a.sentiment_label for _, a in previous),
                           SENTIMENT_TITLES, list(SENTIMENT_TITLES)),
        stories=_story_lines(session, active, start, end, topic_titles),
        appeals=tuple(appeals[:MAX_APPEALS]), appeals_total=len(appeals),
        days=_days(current, active, start, end, tz),
        new_stories=statuses["new"], continuing_stories=statuses["continuing"], resolved_stories=statuses["resolved"],
        recurring=_recurring(session, end, topic_titles),
        alerts=_alert_stats(session, start, end),
        coverage=_coverage(session, start, end),
    )

