"""Read-side queries for exports (requests from the ЦУР): plain records out, no ORM rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.annotations import to_annotation
from storage.models import AlertRow, AnnotationRow, PostRow, StoryRow
from storage.outbox import to_alert
from storage.posts import stored


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
        yield post_record(post_row, annotation_row)


def post_record(post_row: PostRow, annotation_row: AnnotationRow | None) -> dict[str, Any]:
    """The exported record of a post: the brief's post record, its annotation and its story."""
    record = stored(post_row).post.to_record()
    if annotation_row is not None:
        annotation = to_annotation(annotation_row, post_row.external_id).to_record()
        annotation.pop("id")
        record["annotation"] = annotation
    record["story_id"] = post_row.story_id
    return record


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
