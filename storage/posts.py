"""Posts and comments: deduplicated saving, metric snapshots, and the queue of posts awaiting analysis."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from collectors.post import METRIC_NAMES, Metrics, Post
from collectors.source import KnownPost
from risk.scoring import level_rank
from storage.models import MetricSnapshotRow, PostRow, PostVersionRow, StoryRow


@dataclass(frozen=True, slots=True)
class SaveResult:
    new: int = 0
    edited: int = 0
    refreshed: int = 0
    snapshots: int = 0

    def __add__(self, other: "SaveResult") -> "SaveResult":
        return SaveResult(
            self.new + other.new,
            self.edited + other.edited,
            self.refreshed + other.refreshed,
            self.snapshots + other.snapshots,
        )


@dataclass(frozen=True, slots=True)
class StoredPost:
    """A post as stored: its database id and content version travel with it."""

    db_id: int
    version: int
    post: Post
    story_id: int | None = None


def _identity(post: Post) -> tuple[str, str, str]:
    return (post.platform, post.source, post.id)


def _to_post(row: PostRow) -> Post:
    return Post(
        id=row.external_id,
        platform=row.platform,
        source=row.source,
        published_at=row.published_at,
        text=row.text,
        url=row.url,
        author=row.author,
        author_id=row.author_id,
        parent_id=row.parent_external_id,
        metrics=Metrics(**{name: getattr(row, name) for name in METRIC_NAMES}),
    )


def stored(row: PostRow) -> StoredPost:
    return StoredPost(row.id, row.version, _to_post(row), row.story_id)


def _snapshot(session: Session, row: PostRow, metrics: Metrics, at: datetime) -> int:
    if metrics.empty:
        return 0
    session.add(MetricSnapshotRow(post_id=row.id, observed_at=at, **metrics.as_dict()))
    return 1


def save_posts(session: Session, posts: Iterable[Post], now: datetime) -> SaveResult:
    """Insert new posts, update known ones (an edit bumps ``version``), record a metric snapshot per sighting.

    An older observation never overwrites newer metrics; a re-collected post never duplicates.
    """
    batch = list(posts)
    if not batch:
        return SaveResult()
    wanted = {_identity(p) for p in batch}
    existing: dict[tuple[str, str, str], PostRow] = {}
    for platform, source in {(p.platform, p.source) for p in batch}:
        ids = [i for (pl, so, i) in wanted if pl == platform and so == source]
        for start in range(0, len(ids), 500):
            query = select(PostRow).where(
                PostRow.platform == platform, PostRow.source == source, PostRow.external_id.in_(ids[start : start + 500])
            )
            for found in session.scalars(query):
                existing[(found.platform, found.source, found.external_id)] = found
    result = SaveResult()
    touched: set[int] = set()
    for post in batch:
        seen_at = post.observed_at or now
        row = existing.get(_identity(post))
        if row is None:
            row = PostRow(
                platform=post.platform,
                source=post.source,
                external_id=post.id,
                parent_external_id=post.parent_id,
                url=post.url,
                author=post.author,
                author_id=post.author_id,
                published_at=post.published_at,
                text=post.text,
                first_seen_at=seen_at,
                last_seen_at=seen_at,
                version=1,
                **post.metrics.as_dict(),
            )
            session.add(row)
            session.flush()
            existing[_identity(post)] = row
            result += SaveResult(new=1, snapshots=_snapshot(session, row, post.metrics, seen_at))
            continue
        newer = seen_at >= row.last_seen_at
        edited = newer and post.text != row.text and (post.text or not post.metrics.empty)
        if edited:
            session.add(PostVersionRow(post_id=row.id, version=row.version, text=row.text, replaced_at=seen_at))
            row.text = post.text
            row.version += 1
            row.edited_at = seen_at
            row.needs_analysis = True
        if newer and row.story_id is not None:
            touched.add(row.story_id)  # new metrics or text: its story's risk may have changed
        if newer:
            row.last_seen_at = seen_at
            row.deleted_at = None  # seen again: whatever we thought, it is there
            for name, value in post.metrics.as_dict().items():
                setattr(row, name, value)
            row.url = post.url or row.url
            row.author = post.author or row.author
            row.author_id = post.author_id or row.author_id
        result += SaveResult(
            edited=int(bool(edited)),
            refreshed=int(not edited),
            snapshots=_snapshot(session, row, post.metrics, seen_at),
        )
    if touched:
        session.execute(update(StoryRow).where(StoryRow.id.in_(sorted(touched))).values(rescore=True))
    return result


def pending_analysis(session: Session, limit: int) -> list[StoredPost]:
    """Posts never analysed, or edited since their analysis; parents before comments, oldest first."""
    query = (
        select(PostRow)
        .where(PostRow.needs_analysis.is_(True))
        .order_by(PostRow.parent_external_id.is_not(None), PostRow.published_at, PostRow.id)
        .limit(limit)
    )
    return [stored(row) for row in session.scalars(query)]


def count_pending_analysis(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(PostRow)
        .where(PostRow.needs_analysis.is_(True))
    )
    return int(session.scalar(query) or 0)


def pending_by_source(session: Session) -> dict[tuple[str, str], int]:
    """Posts waiting for analysis per (platform, source handle), for `status`."""
    query = (
        select(PostRow.platform, PostRow.source, func.count())
        .where(PostRow.needs_analysis.is_(True))
        .group_by(PostRow.platform, PostRow.source)
    )
    return {(platform, source): int(count) for platform, source, count in session.execute(query)}


def find_parent(session: Session, post: Post) -> PostRow | None:
    """The stored post a comment belongs to (same platform and source)."""
    if post.parent_id is None:
        return None
    return session.scalar(
        select(PostRow).where(
            PostRow.platform == post.platform,
            PostRow.source == post.source,
            PostRow.external_id == post.parent_id,
        )
    )


def first_snapshots(session: Session, db_ids: Sequence[int]) -> dict[int, MetricSnapshotRow]:
    """The earliest metric snapshot of each post (the start of its engagement curve)."""
    if not db_ids:
        return {}
    rows = session.scalars(
        select(MetricSnapshotRow)
        .where(MetricSnapshotRow.post_id.in_(list(db_ids)))
        .order_by(MetricSnapshotRow.post_id, MetricSnapshotRow.observed_at)
    )
    first: dict[int, MetricSnapshotRow] = {}
    for row in rows:
        first.setdefault(row.post_id, row)
    return first


def posts_between(session: Session, start: datetime, end: datetime) -> list[PostRow]:
    return list(
        session.scalars(
            select(PostRow)
            .where(and_(PostRow.published_at >= start, PostRow.published_at < end))
            .order_by(PostRow.published_at)
        )
    )


def known_posts(
    session: Session, platform: str, source: str, since: datetime, *, risky_only: bool = False, limit: int = 1000
) -> list[KnownPost]:
    """Posts of a source published after ``since`` and not deleted, then their known comments, for a refresh.

    Posts of stories at medium risk or above come first: when the budget is short they are re-read anyway.
    Comments come after all posts, with ``parent_id`` set, so a collector can tell which ones vanished.
    """
    query = (
        select(PostRow, StoryRow.level)
        .outerjoin(StoryRow, StoryRow.id == PostRow.story_id)
        .where(
            PostRow.platform == platform,
            PostRow.source == source,
            PostRow.parent_external_id.is_(None),
            PostRow.deleted_at.is_(None),
            PostRow.published_at >= since,
        )
        .order_by(PostRow.published_at.desc())
    )
    rows = [(row, level or "low") for row, level in session.execute(query)]
    if risky_only:
        rows = [(row, level) for row, level in rows if level_rank(level) >= level_rank("medium")]
    rows.sort(key=lambda item: -level_rank(item[1]))
    chosen = [row for row, _ in rows[:limit]]
    known = [KnownPost(row.external_id, row.published_at, None, row.comments) for row in chosen]
    parents = [row.external_id for row in chosen]
    for start in range(0, len(parents), 500):
        comments = session.scalars(
            select(PostRow)
            .where(
                PostRow.platform == platform,
                PostRow.source == source,
                PostRow.parent_external_id.in_(parents[start : start + 500]),
                PostRow.deleted_at.is_(None),
            )
            .order_by(PostRow.published_at)
        )
        known += [KnownPost(row.external_id, row.published_at, row.parent_external_id, row.comments) for row in comments]
    return known


def mark_deleted(session: Session, platform: str, source: str, ids: Sequence[str], at: datetime) -> int:
    """Mark posts or comments the platform no longer shows; they stay in our store."""
    marked = 0
    for start in range(0, len(ids), 500):
        query = select(PostRow).where(
            PostRow.platform == platform,
            PostRow.source == source,
            PostRow.external_id.in_(list(ids[start : start + 500])),
            PostRow.deleted_at.is_(None),
        )
        for row in session.scalars(query):
            row.deleted_at = at
            marked += 1
    return marked


def versions(session: Session, db_id: int) -> list[tuple[int, str]]:
    """Earlier texts of a post, oldest first."""
    rows = session.scalars(select(PostVersionRow).where(PostVersionRow.post_id == db_id).order_by(PostVersionRow.version))
    return [(row.version, row.text) for row in rows]
