"""Read-side queries for digests and exports: plain records out, no ORM rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.digest import DigestData, OpenAppeal, TopicVolume
from storage.annotations import to_annotation
from storage.models import AlertRow, AnnotationRow, PostRow, SourceRow, StoryRow
from storage.outbox import to_alert
from storage.posts import stored
from storage.stories import excerpt, top_stories, view


def _relevant_rows(session: Session, start: datetime, end: datetime, threshold: float) -> list[tuple[PostRow, AnnotationRow]]:
    query = (
        select(PostRow, AnnotationRow)
        .join(AnnotationRow, AnnotationRow.post_id == PostRow.id)
        .where(PostRow.published_at >= start, PostRow.published_at < end, AnnotationRow.relevance >= threshold)
    )
    return [(p, a) for p, a in session.execute(query)]


def _count_posts(session: Session, start: datetime, end: datetime) -> int:
    query = select(func.count()).select_from(PostRow).where(PostRow.published_at >= start, PostRow.published_at < end)
    return int(session.scalar(query) or 0)


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
) -> DigestData:
    current = _relevant_rows(session, start, end, threshold)
    previous = _relevant_rows(session, previous_start, start, threshold)
    now_topics = Counter(a.main_topic for _, a in current)
    before_topics = Counter(a.main_topic for _, a in previous)
    topics = tuple(
        TopicVolume(code, topic_titles.get(code, code), now_topics[code], before_topics[code])
        for code in sorted(set(now_topics) | set(before_topics), key=lambda c: (-now_topics[c], c))
    )
    official_after: dict[int, datetime] = {}
    for post, annotation in current:
        if post.story_id is not None and "official_source" in annotation.signals:
            official_after[post.story_id] = max(official_after.get(post.story_id, post.published_at), post.published_at)
    appeals = [
        OpenAppeal(excerpt(post.text, 200), post.url, post.source, post.published_at)
        for post, annotation in current
        if annotation.needs_response
        and not (post.story_id in official_after and official_after[post.story_id] > post.published_at)
    ]
    appeals.sort(key=lambda a: a.published_at)
    alerts_sent = session.scalar(select(func.count()).select_from(AlertRow).where(AlertRow.at >= start, AlertRow.at < end))
    failing_names = [
        row.name
        for row in session.scalars(select(SourceRow).where(SourceRow.last_error_at.is_not(None)))
        if row.last_success_at is None or (row.last_error_at is not None and row.last_error_at > row.last_success_at)
    ]
    return DigestData(
        town=town,
        period=period,
        start=start,
        end=end,
        posts=_count_posts(session, start, end),
        posts_previous=_count_posts(session, previous_start, start),
        relevant=len(current),
        topics=topics,
        platforms=tuple(Counter(p.platform for p, _ in current).most_common()),
        sentiment=tuple((label, sum(1 for _, a in current if a.sentiment_label == label)) for label in ("negative", "neutral", "positive")),
        stories=tuple(v for sid in top_stories(session, start, end) if (v := view(session, sid, topic_titles))),
        appeals=tuple(appeals[:30]),
        alerts_sent=int(alerts_sent or 0),
        sources_failing=tuple(failing_names),
    )


def export_posts(session: Session, start: datetime, end: datetime, topic: str | None = None) -> Iterator[dict[str, Any]]:
    """Post records with their annotation and story, in publication order."""
    query = (
        select(PostRow, AnnotationRow)
        .outerjoin(AnnotationRow, AnnotationRow.post_id == PostRow.id)
        .where(PostRow.published_at >= start, PostRow.published_at < end)
        .order_by(PostRow.published_at, PostRow.id)
    )
    if topic:
        query = query.where(AnnotationRow.main_topic == topic)
    for post_row, annotation_row in session.execute(query).yield_per(1000):
        record = stored(post_row).post.to_record()
        if annotation_row is not None:
            annotation = to_annotation(annotation_row, post_row.external_id).to_record()
            annotation.pop("id")
            record["annotation"] = annotation
        record["story_id"] = post_row.story_id
        yield record


def export_stories(session: Session, start: datetime, end: datetime, topic: str | None = None) -> Iterator[dict[str, Any]]:
    query = select(StoryRow).where(StoryRow.last_seen_at >= start, StoryRow.first_seen_at < end).order_by(StoryRow.id)
    if topic:
        query = query.where(StoryRow.topic == topic)
    for row in session.scalars(query):
        yield {
            "story_id": row.id,
            "title": row.title,
            "topic": row.topic,
            "places": list(row.places),
            "first_seen_at": row.first_seen_at.isoformat(),
            "last_seen_at": row.last_seen_at.isoformat(),
            "posts": row.post_count,
            "score": row.score,
            "level": row.level,
            "peak_level": row.peak_level,
            "reasons": list(row.reasons),
        }


def export_alerts(session: Session, start: datetime, end: datetime, topic: str | None = None) -> Iterator[dict[str, Any]]:
    query = (
        select(AlertRow)
        .join(StoryRow, StoryRow.id == AlertRow.story_id)
        .where(AlertRow.at >= start, AlertRow.at < end)
        .order_by(AlertRow.at, AlertRow.id)
    )
    if topic:
        query = query.where(StoryRow.topic == topic)
    for row in session.scalars(query):
        yield to_alert(row).to_record()
