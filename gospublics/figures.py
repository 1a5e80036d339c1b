"""The page's numbers for a period, computed once and shared by the checks, the report and the export."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from gospublics.agenda import Agenda
from gospublics.records import PagePost, Period


@dataclass(frozen=True, slots=True)
class Silence:
    """The longest stretch without a post inside the period, in days, and where it was."""

    days: float
    start: datetime
    end: datetime


def posts_per_week(posts: Sequence[PagePost], period: Period) -> float:
    return len(posts) / period.weeks if period.weeks > 0 else 0.0


def longest_silence(posts: Sequence[PagePost], period: Period, last_before: datetime | None = None) -> Silence:
    """Gaps between consecutive posts of the period, from the last post before it (or the period's start when
    there was none) to the first, and from the last to the period's end (or ``now`` inside it)."""
    moments = sorted(p.published_at for p in posts if p.published_at in period)
    edges = [last_before if last_before is not None else period.start, *moments, period.end]
    best = Silence(0.0, period.start, period.start)
    for left, right in zip(edges, edges[1:]):
        gap = (right - left).total_seconds() / 86400
        if gap > best.days:
            best = Silence(gap, left, right)
    return best


def days_since(moment: datetime | None, now: datetime) -> float | None:
    return None if moment is None else max(0.0, (now - moment).total_seconds() / 86400)


def working_share(posts: Sequence[PagePost], window: tuple[int, int], tz: tzinfo) -> float | None:
    """Share of posts published within the working hours (minutes after midnight, town time)."""
    if not posts:
        return None
    start, end = window
    inside = 0
    for post in posts:
        local = post.published_at.astimezone(tz)
        minute = local.hour * 60 + local.minute
        inside += start <= minute < end
    return inside / len(posts)


def weekends_covered(posts: Sequence[PagePost], period: Period, tz: tzinfo) -> tuple[int, int]:
    """(weekends with at least one post, whole weekends in the period), a weekend being Saturday and Sunday."""
    first = period.start.astimezone(tz).date()
    last = (period.end - timedelta(seconds=1)).astimezone(tz).date()
    saturdays: list[date] = []
    day = first
    while day <= last:
        if day.weekday() == 5 and day + timedelta(days=1) <= last:
            saturdays.append(day)
        day += timedelta(days=1)
    posted = {p.published_at.astimezone(tz).date() for p in posts}
    covered = sum(1 for saturday in saturdays if saturday in posted or saturday + timedelta(days=1) in posted)
    return covered, len(saturdays)


def agenda_share(posts: Sequence[PagePost], agenda: Agenda) -> tuple[int, float | None]:
    carrying = sum(1 for post in posts if agenda.carries(post))
    return carrying, (carrying / len(posts) if posts else None)


def engagement_rate(posts: Sequence[PagePost], followers: int | None) -> float | None:
    """Reactions (likes, comments, reposts) per post per follower, in per cent; ``None`` without the numbers."""
    measured = [post for post in posts if post.has_metrics]
    if not measured or not followers:
        return None
    return 100 * statistics.fmean(post.reactions for post in measured) / followers


def views_per_post(posts: Sequence[PagePost]) -> float | None:
    seen = [post.views for post in posts if post.views is not None]
    return statistics.fmean(seen) if seen else None


def week_slices(period: Period) -> list[tuple[datetime, datetime]]:
    """7-day slices counted back from the period's end, oldest first (the oldest may be shorter)."""
    slices: list[tuple[datetime, datetime]] = []
    end = period.end
    while end > period.start:
        start = max(period.start, end - timedelta(days=7))
        slices.append((start, end))
        end = start
    return slices[::-1]


def weekly_posts(posts: Sequence[PagePost], period: Period) -> tuple[int, ...]:
    """Posts in each slice of ``week_slices``."""
    return tuple(sum(1 for post in posts if start <= post.published_at < end) for start, end in week_slices(period))
