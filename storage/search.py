"""Search over stored posts: by words, topic, place, period, sentiment and platform.

The period, topic, sentiment and platform narrow the rows in SQL; words and places are matched in Python on
case-folded text with ё read as е, so Cyrillic matches the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AnnotationRow, PostRow
from storage.reports import post_record
from storage.workspace import PostLine, post_line

BATCH = 1000


def fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


@dataclass(frozen=True, slots=True)
class PostQuery:
    start: datetime
    end: datetime
    words: str = ""
    topic: str | None = None
    place: str | None = None
    sentiment: str | None = None
    platform: str | None = None
    relevance: float | None = None  # only posts about the town (relevance at least this), None: every post

    def matches(self, post: PostRow, note: AnnotationRow | None) -> bool:
        if self.words:
            text = fold(post.text or "")
            if not all(word in text for word in fold(self.words).split()):
                return False
        if self.place:
            wanted = fold(self.place.strip())
            places = [str(p) for p in (note.places if note else [])]
            places += [str(e.get("normal") or e.get("text") or "") for e in (note.entities if note else [])
                       if e.get("kind") == "place"]
            if not any(wanted in fold(p) for p in places) and wanted not in fold(post.text or ""):
                return False
        return True


def _rows(session: Session, query: PostQuery) -> Iterator[tuple[PostRow, AnnotationRow | None]]:
    statement = (
        select(PostRow, AnnotationRow)
        .outerjoin(AnnotationRow, AnnotationRow.post_id == PostRow.id)
        .where(PostRow.published_at >= query.start, PostRow.published_at < query.end)
        .order_by(PostRow.published_at.desc(), PostRow.id.desc())
    )
    if query.topic:
        statement = statement.where(AnnotationRow.main_topic == query.topic)
    if query.sentiment:
        statement = statement.where(AnnotationRow.sentiment_label == query.sentiment)
    if query.platform:
        statement = statement.where(PostRow.platform == query.platform)
    if query.relevance is not None:
        statement = statement.where(AnnotationRow.relevance >= query.relevance)
    for post, note in session.execute(statement).yield_per(BATCH):
        if query.matches(post, note):
            yield post, note


def search_posts(session: Session, query: PostQuery, limit: int) -> tuple[list[PostLine], int]:
    """The newest ``limit`` matches and how many there are in all."""
    found: list[PostLine] = []
    total = 0
    for post, note in _rows(session, query):
        total += 1
        if len(found) < limit:
            found.append(post_line(post, note))
    return found, total


def search_records(session: Session, query: PostQuery) -> Iterator[dict[str, Any]]:
    """Every match as the record `mcu export posts` writes, newest first."""
    for post, note in _rows(session, query):
        yield post_record(post, note)
