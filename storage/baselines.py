"""History the risk stage compares a story with: each source's usual pace of views, each topic's usual volume."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from storage.models import AnnotationRow, PostRow

MAX_SAMPLES = 300  # the latest posts of a source are enough to know its pace


def source_samples(
    session: Session, sources: Iterable[tuple[str, str]], since: datetime
) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """(views, hours between publication and the latest observation) of recent top-level posts, per source."""
    wanted = set(sources)
    if not wanted:
        return {}
    query = (
        select(PostRow.platform, PostRow.source, PostRow.views, PostRow.published_at, PostRow.last_seen_at)
        .where(
            PostRow.source.in_(sorted({s for _, s in wanted})),
            PostRow.parent_external_id.is_(None),
            PostRow.views.is_not(None),
            PostRow.published_at >= since,
        )
        .order_by(PostRow.published_at.desc())
    )
    samples: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for platform, source, views, published, seen in session.execute(query):
        key = (platform, source)
        if key in wanted and len(samples[key]) < MAX_SAMPLES:
            samples[key].append((int(views), (seen - published).total_seconds() / 3600))
    return dict(samples)


def topic_counts(
    session: Session, topic: str, relevance: float, history_start: datetime, window_start: datetime, now: datetime
) -> tuple[int, int, datetime | None]:
    """Relevant top-level posts on ``topic``: in [window_start, now], in [history_start, window_start), and the
    first such post's time (how much history there really is)."""
    base = (
        select(func.count(), func.min(PostRow.published_at))
        .select_from(PostRow)
        .join(AnnotationRow, AnnotationRow.post_id == PostRow.id)
        .where(AnnotationRow.main_topic == topic, AnnotationRow.relevance >= relevance, PostRow.parent_external_id.is_(None))
    )
    recent, _ = session.execute(base.where(PostRow.published_at >= window_start, PostRow.published_at <= now)).one()
    history, first = session.execute(
        base.where(PostRow.published_at >= history_start, PostRow.published_at < window_start)
    ).one()
    return int(recent or 0), int(history or 0), first


def known_accounts(
    session: Session, authors: Iterable[tuple[str, str]], since: datetime, before: datetime
) -> set[tuple[str, str]]:
    """Which (platform, author) pairs wrote anything in [since, before); an author is its stable id or its name."""
    wanted = set(authors)
    if not wanted:
        return set()
    names = sorted({name for _, name in wanted})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        query = select(PostRow.platform, PostRow.author, PostRow.author_id).where(
            PostRow.published_at >= since, PostRow.published_at < before,
            or_(PostRow.author.in_(chunk), PostRow.author_id.in_(chunk)),
        ).distinct()
        for platform, author, author_id in session.execute(query):
            found |= {(platform, name) for name in (author, author_id) if name is not None}
    return found & wanted


def source_relevance(
    session: Session, sources: Iterable[tuple[str, str]], relevance: float, since: datetime, before: datetime
) -> dict[tuple[str, str], tuple[int, int]]:
    """(top-level posts, of them about the town) per source in [since, before): does it usually write about us?"""
    wanted = set(sources)
    if not wanted:
        return {}
    query = (
        select(PostRow.platform, PostRow.source, func.count(),
               func.sum(case((AnnotationRow.relevance >= relevance, 1), else_=0)))
        .select_from(PostRow)
        .join(AnnotationRow, AnnotationRow.post_id == PostRow.id)
        .where(PostRow.source.in_(sorted({s for _, s in wanted})), PostRow.parent_external_id.is_(None),
               PostRow.published_at >= since, PostRow.published_at < before)
        .group_by(PostRow.platform, PostRow.source)
    )
    return {(platform, source): (int(total), int(relevant or 0))
            for platform, source, total, relevant in session.execute(query) if (platform, source) in wanted}
