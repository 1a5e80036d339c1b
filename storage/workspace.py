"""The read side of the web workspace: the queue of stories that need attention, a story with everything about
it, its course over time, and the audit log. Plain records out, no ORM rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from risk.scoring import level_rank
from storage.models import (
    AlertAuditRow,
    AlertRow,
    AlertStateRow,
    AnnotationRow,
    MetricSnapshotRow,
    PostRow,
    StoryCorrectionRow,
    StoryFeedbackRow,
    StoryRow,
)

FINAL = frozenset({"false_positive", "closed"})
RECENT = timedelta(hours=6)  # "growth": posts a story gained in this last stretch
SPARK_BUCKETS = 12


@dataclass(frozen=True, slots=True)
class Handling:
    """Where people stand on a story: the alert state if it alerted, else the latest analyst verdict."""

    status: str = "none"  # none | open | taken | false_positive | closed
    actor: str | None = None
    at: datetime | None = None
    escalated_to: str | None = None
    remind_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueueItem:
    story_id: int
    title: str
    topic: str
    places: tuple[str, ...]
    level: str
    score: float
    peak_level: str
    reasons: tuple[str, ...]
    post_count: int
    source_count: int
    platforms: tuple[str, ...]
    first_seen_at: datetime
    last_seen_at: datetime
    handling: Handling
    recent_posts: int
    sparkline: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PostLine:
    """A post or comment of a story, with the NLP verdict on it."""

    id: int
    platform: str
    source: str
    external_id: str
    url: str | None
    author: str | None
    published_at: datetime
    text: str
    is_comment: bool
    views: int | None
    likes: int | None
    reposts: int | None
    comments: int | None
    story_id: int | None = None
    relevance: float | None = None
    sentiment: str | None = None
    topic: str | None = None
    needs_response: bool = False
    entities: tuple[tuple[str, str], ...] = ()  # (kind, normal form)
    places: tuple[str, ...] = ()
    edited: bool = False
    deleted: bool = False
    replies: tuple["PostLine", ...] = ()


@dataclass(frozen=True, slots=True)
class AlertLine:
    at: datetime
    level: str
    is_update: bool
    recipients: tuple[str, ...]
    reasons: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    story_id: int | None
    action: str
    actor: str
    chat: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class CorrectionLine:
    action: str
    story_id: int
    other_story_id: int
    posts: int
    author: str
    at: datetime


@dataclass(frozen=True, slots=True)
class StoryDetail:
    id: int
    title: str
    topic: str
    places: tuple[str, ...]
    level: str
    score: float
    peak_level: str
    peak_score: float
    reasons: tuple[str, ...]
    factors: dict[str, float]
    first_seen_at: datetime
    last_seen_at: datetime
    post_count: int
    source_count: int
    platforms: tuple[str, ...]
    handling: Handling
    posts: tuple[PostLine, ...]  # posts in time order, each with its comments
    alerts: tuple[AlertLine, ...]
    audit: tuple[AuditLine, ...]
    corrections: tuple[CorrectionLine, ...]
    entities: tuple[tuple[str, str, int], ...]  # (kind, normal form, mentions), most mentioned first


@dataclass(frozen=True, slots=True)
class TimelineBucket:
    start: datetime
    posts: int
    comments: int
    views: int  # the story's total views as known at the end of the bucket
    engagement: int  # likes + reposts + comments, likewise


# --- handling ---------------------------------------------------------------------------------------------


def _handlings(session: Session, story_ids: Sequence[int]) -> dict[int, Handling]:
    if not story_ids:
        return {}
    found: dict[int, Handling] = {}
    for row in session.scalars(select(StoryFeedbackRow).where(StoryFeedbackRow.story_id.in_(list(story_ids)))
                               .order_by(StoryFeedbackRow.at, StoryFeedbackRow.id)):
        found[row.story_id] = Handling(row.verdict, row.author, row.at)
    for state in session.scalars(select(AlertStateRow).where(AlertStateRow.story_id.in_(list(story_ids)))):
        found[state.story_id] = Handling(state.status, state.actor, state.acted_at, state.escalated_to, state.remind_at)
    return found


def resolve_story(session: Session, story_id: int) -> int | None:
    """The story that stands for ``story_id`` now (a merged story answers as the one that absorbed it)."""
    from storage.stories import story_row

    row = story_row(session, story_id)
    return row.id if row is not None else None


# --- the queue ---------------------------------------------------------------------------------------------


def _sparkline(times: list[datetime], start: datetime, end: datetime) -> tuple[int, ...]:
    counts = [0] * SPARK_BUCKETS
    span = max((end - start).total_seconds(), 1.0)
    for moment in times:
        index = int((moment - start).total_seconds() / span * SPARK_BUCKETS)
        counts[min(max(index, 0), SPARK_BUCKETS - 1)] += 1
    return tuple(counts)


def queue(session: Session, now: datetime, window: timedelta, limit: int = 200) -> list[QueueItem]:
    """Stories that need attention, riskiest first: every alert nobody closed, and any story above low that was
    active within ``window`` and has no final verdict (closed or false alarm)."""
    alerted = select(AlertStateRow.story_id).where(AlertStateRow.status.in_(["open", "taken"]))
    query = select(StoryRow).where(
        StoryRow.merged_into.is_(None),
        or_(StoryRow.id.in_(alerted), (StoryRow.level != "low") & (StoryRow.last_seen_at >= now - window)),
    )
    rows = list(session.scalars(query))
    handlings = _handlings(session, [r.id for r in rows])
    rows = [r for r in rows if handlings.get(r.id, Handling()).status not in FINAL]
    rows.sort(key=lambda r: (-level_rank(r.level), -r.score, -r.last_seen_at.timestamp()))
    rows = rows[:limit]
    ids = [r.id for r in rows]
    sources: dict[int, set[tuple[str, str]]] = defaultdict(set)
    times: dict[int, list[datetime]] = defaultdict(list)
    if ids:
        for story_id, platform, source, published in session.execute(
                select(PostRow.story_id, PostRow.platform, PostRow.source, PostRow.published_at)
                .where(PostRow.story_id.in_(ids))):
            sources[story_id].add((platform, source))
            times[story_id].append(published)
    return [
        QueueItem(
            story_id=r.id, title=r.title, topic=r.topic, places=tuple(r.places or ()), level=r.level, score=r.score,
            peak_level=r.peak_level, reasons=tuple(r.reasons or ()), post_count=r.post_count,
            source_count=len(sources[r.id]), platforms=tuple(sorted({p for p, _ in sources[r.id]})),
            first_seen_at=r.first_seen_at, last_seen_at=r.last_seen_at,
            handling=handlings.get(r.id, Handling()),
            recent_posts=sum(1 for t in times[r.id] if t >= now - RECENT),
            sparkline=_sparkline(times[r.id], r.first_seen_at, r.last_seen_at),
        )
        for r in rows
    ]


# --- one story ----------------------------------------------------------------------------------------------


def post_line(row: PostRow, note: AnnotationRow | None) -> PostLine:
    return PostLine(
        id=row.id, platform=row.platform, source=row.source, external_id=row.external_id, url=row.url,
        author=row.author, published_at=row.published_at, text=row.text, is_comment=row.parent_external_id is not None,
        views=row.views, likes=row.likes, reposts=row.reposts, comments=row.comments, story_id=row.story_id,
        relevance=note.relevance if note else None, sentiment=note.sentiment_label if note else None,
        topic=note.main_topic if note else None, needs_response=bool(note and note.needs_response),
        entities=tuple((str(e.get("kind", "")), str(e.get("normal") or e.get("text") or "")) for e in (note.entities if note else [])),
        places=tuple(str(p) for p in (note.places if note else [])), edited=(row.version or 1) > 1,
        deleted=row.deleted_at is not None,
    )


def _threads(rows: list[PostRow], notes: dict[int, AnnotationRow]) -> tuple[PostLine, ...]:
    """Posts in time order, each carrying its comments; a comment whose post is elsewhere stands alone."""
    replies: dict[tuple[str, str, str], list[PostLine]] = defaultdict(list)
    tops = {(r.platform, r.source, r.external_id) for r in rows if r.parent_external_id is None}
    for row in rows:
        key = (row.platform, row.source, row.parent_external_id or "")
        if row.parent_external_id is not None and key in tops:
            replies[key].append(post_line(row, notes.get(row.id)))
    lines = []
    for row in rows:
        if row.parent_external_id is None:
            line = post_line(row, notes.get(row.id))
            lines.append(replace(line, replies=tuple(replies[(row.platform, row.source, row.external_id)])))
        elif (row.platform, row.source, row.parent_external_id) not in tops:
            lines.append(post_line(row, notes.get(row.id)))
    return tuple(lines)


def _entities(lines: Iterable[PostLine]) -> tuple[tuple[str, str, int], ...]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for line in lines:
        for kind, normal in set(line.entities):
            if normal:
                counts[(kind, normal)] += 1
        for place in set(line.places):
            counts[("place", place)] += 1
    return tuple((k, n, c) for (k, n), c in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def audit_lines(rows: Iterable[AlertAuditRow]) -> tuple[AuditLine, ...]:
    return tuple(AuditLine(r.at, r.story_id, r.action, r.actor, r.chat, r.detail or "") for r in rows)


def story_detail(session: Session, story_id: int) -> StoryDetail | None:
    story = session.get(StoryRow, story_id)
    if story is None:
        return None
    rows = list(session.scalars(select(PostRow).where(PostRow.story_id == story_id)
                                .order_by(PostRow.published_at, PostRow.id)))
    notes = {n.post_id: n for n in session.scalars(select(AnnotationRow).where(
        AnnotationRow.post_id.in_([r.id for r in rows])))} if rows else {}
    threads = _threads(rows, notes)
    flat = [line for top in threads for line in (top, *top.replies)]
    alerts = tuple(AlertLine(a.at, a.level, a.is_update, tuple(a.recipients or ()), tuple(a.reasons or ()), a.text)
                   for a in session.scalars(select(AlertRow).where(AlertRow.story_id == story_id)
                                            .order_by(AlertRow.at, AlertRow.id)))
    audit = audit_lines(session.scalars(select(AlertAuditRow).where(AlertAuditRow.story_id == story_id)
                                        .order_by(AlertAuditRow.at, AlertAuditRow.id)))
    corrections = tuple(
        CorrectionLine(c.action, c.story_id, c.other_story_id, len(c.post_ids or ()), c.author, c.at)
        for c in session.scalars(select(StoryCorrectionRow).where(
            or_(StoryCorrectionRow.story_id == story_id, StoryCorrectionRow.other_story_id == story_id))
            .order_by(StoryCorrectionRow.at, StoryCorrectionRow.id)))
    return StoryDetail(
        id=story.id, title=story.title, topic=story.topic, places=tuple(story.places or ()), level=story.level,
        score=story.score, peak_level=story.peak_level, peak_score=story.peak_score or 0.0,
        reasons=tuple(story.reasons or ()), factors=dict(story.factors or {}), first_seen_at=story.first_seen_at,
        last_seen_at=story.last_seen_at, post_count=story.post_count,
        source_count=len({(r.platform, r.source) for r in rows}), platforms=tuple(sorted({r.platform for r in rows})),
        handling=_handlings(session, [story_id]).get(story_id, Handling()), posts=threads, alerts=alerts, audit=audit,
        corrections=corrections, entities=_entities(flat),
    )


def _bucket_size(span: timedelta) -> timedelta:
    for size in (timedelta(minutes=15), timedelta(hours=1), timedelta(hours=3), timedelta(hours=6), timedelta(days=1)):
        if span / size <= 36:
            return size
    return timedelta(days=7)


def timeline(session: Session, story_id: int) -> list[TimelineBucket]:
    """The story's course: posts and comments per bucket, and its total views and engagement as they were known
    at each bucket's end (from the metric snapshots, so a burst of reposts shows when it happened)."""
    rows = list(session.execute(select(PostRow.id, PostRow.published_at, PostRow.parent_external_id, PostRow.views,
                                       PostRow.likes, PostRow.reposts, PostRow.comments)
                                .where(PostRow.story_id == story_id)))
    if not rows:
        return []
    snapshots: dict[int, list[tuple[datetime, int, int]]] = defaultdict(list)
    for post_id, at, views, likes, reposts, comments in session.execute(
            select(MetricSnapshotRow.post_id, MetricSnapshotRow.observed_at, MetricSnapshotRow.views,
                   MetricSnapshotRow.likes, MetricSnapshotRow.reposts, MetricSnapshotRow.comments)
            .where(MetricSnapshotRow.post_id.in_([r[0] for r in rows])).order_by(MetricSnapshotRow.observed_at)):
        snapshots[post_id].append((at, views or 0, (likes or 0) + (reposts or 0) + (comments or 0)))
    first = min(r[1] for r in rows)
    last = max([r[1] for r in rows] + [s[-1][0] for s in snapshots.values()])
    size = _bucket_size(last - first)
    origin = datetime.fromtimestamp(first.timestamp() // size.total_seconds() * size.total_seconds(), first.tzinfo)
    count = int((last - origin) / size) + 1
    buckets = []
    for index in range(count):
        start = origin + index * size
        end = start + size
        posts = comments = views = engagement = 0
        for post_id, published, parent, p_views, likes, reposts, p_comments in rows:
            if start <= published < end:
                if parent is None:
                    posts += 1
                else:
                    comments += 1
            if published >= end:
                continue
            seen = [s for s in snapshots.get(post_id, []) if s[0] < end]
            if seen:
                views += seen[-1][1]
                engagement += seen[-1][2]
            elif not snapshots.get(post_id):
                views += p_views or 0
                engagement += (likes or 0) + (reposts or 0) + (p_comments or 0)
        buckets.append(TimelineBucket(start, posts, comments, views, engagement))
    return buckets


def data_now(session: Session, now: datetime) -> datetime:
    """"Now" for default periods: the wall clock, or the newest post when collection stopped before it
    (an archive, the demo), so the first view of a page shows data rather than an empty week."""
    from sqlalchemy import func

    newest = session.scalar(select(func.max(PostRow.published_at)))
    return min(now, newest) if newest is not None else now


# --- the audit log ------------------------------------------------------------------------------------------


def audit_journal(session: Session, limit: int = 300, before_id: int | None = None) -> list[AuditLine]:
    """The newest entries of the audit log (buttons, commands, web actions, escalations, silences)."""
    query = select(AlertAuditRow)
    if before_id is not None:
        query = query.where(AlertAuditRow.id < before_id)
    rows = session.scalars(query.order_by(AlertAuditRow.at.desc(), AlertAuditRow.id.desc()).limit(limit))
    return list(audit_lines(rows))
