"""Posts and comments: deduplicated saving, metric snapshots, edits and deletions, and the reads the pipeline
makes of them (parents, stories, known posts). The queue of posts awaiting analysis is ``storage.analysis_queue``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from collectors.post import METRIC_NAMES, Metrics, Post
from collectors.source import KnownPost
from risk.scoring import level_rank
from storage.chunks import in_chunks
from storage.models import MetricSnapshotRow, PostRow, PostVersionRow, StoryRow
from storage.upsert import forget, insert_missing


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


_KEY = ("platform", "source", "external_id")
_KNOWN = (PostRow.id, PostRow.platform, PostRow.source, PostRow.external_id, PostRow.version, PostRow.text,
          PostRow.last_seen_at, PostRow.story_id, PostRow.url, PostRow.author, PostRow.author_id, PostRow.deleted_at,
          PostRow.views, PostRow.likes, PostRow.reposts, PostRow.comments)


def _existing(session: Session, identities: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """What is stored of these posts (one query per source and 500 ids), as plain dicts: no ORM objects."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    by_source: dict[tuple[str, str], list[str]] = {}
    for platform, source, external_id in identities:
        by_source.setdefault((platform, source), []).append(external_id)
    for (platform, source), ids in by_source.items():
        ids.sort()
        for chunk in in_chunks(ids):
            query = select(*_KNOWN).where(
                PostRow.platform == platform, PostRow.source == source, PostRow.external_id.in_(chunk)
            )
            for row in session.execute(query).mappings():
                found[(row["platform"], row["source"], row["external_id"])] = dict(row)
    return found


def _new_row(post: Post, seen_at: datetime) -> dict[str, object]:
    metrics = {name: getattr(post.metrics, name) for name in METRIC_NAMES}
    return dict(
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
        needs_analysis=True,
        **metrics,
    )


def _insert_new(session: Session, values: list[dict[str, object]]) -> dict[tuple[str, str, str], int]:
    """Insert posts unless they exist, one multi-row statement per 500; a post another process stored meanwhile
    is skipped, not an error (the caller reads it and updates it)."""
    table = PostRow.__table__
    statement = insert_missing(session, table, _KEY).returning(table.c.id, table.c.platform, table.c.source,
                                                              table.c.external_id)
    inserted: dict[tuple[str, str, str], int] = {}
    for chunk in in_chunks(values):
        for db_id, platform, source, external_id in session.execute(statement, chunk):
            inserted[(platform, source, external_id)] = db_id
    return inserted


def _changed_metrics(known: dict[str, Any], metrics: Metrics) -> bool:
    return any(known[name] != value for name, value in metrics.as_dict().items())


def save_posts(session: Session, posts: Iterable[Post], now: datetime) -> SaveResult:
    """Insert new posts, update known ones (an edit bumps ``version``), record a metric snapshot when the
    counters moved (a re-read that finds them as they were adds nothing to the time series).

    An older observation never overwrites newer metrics; a re-collected post never duplicates, even when
    another process stores the same post at the same moment (an insert that finds it there updates it).
    Everything is written with Core statements, one per kind of change per 500 posts: no ORM objects.
    """
    batch = list(posts)
    if not batch:
        return SaveResult()
    session.flush()  # ORM changes made before go first: the rows written here are expired afterwards
    existing = _existing(session, {_identity(p) for p in batch})
    first: dict[tuple[str, str, str], Post] = {}
    for post in batch:
        if _identity(post) not in existing:
            first.setdefault(_identity(post), post)
    inserted = _insert_new(session, [_new_row(p, p.observed_at or now) for p in first.values()])
    raced = set(first) - set(inserted)
    if raced:
        existing.update(_existing(session, raced))
    new = edited = refreshed = 0
    snapshots: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    changed: dict[int, dict[str, Any]] = {}  # post id → its stored state after this batch
    touched: set[int] = set()
    for post in batch:
        seen_at = post.observed_at or now
        key = _identity(post)
        if first.get(key) is post and key in inserted:
            db_id = inserted[key]
            existing[key] = {"id": db_id, "version": 1, "text": post.text, "last_seen_at": seen_at, "story_id": None,
                             "url": post.url, "author": post.author, "author_id": post.author_id, "deleted_at": None,
                             **{name: getattr(post.metrics, name) for name in METRIC_NAMES}}
            new += 1
            if not post.metrics.empty:
                snapshots.append({"post_id": db_id, "observed_at": seen_at, **_all_metrics(post.metrics)})
            continue
        known = existing[key]
        newer = seen_at >= known["last_seen_at"]
        is_edit = newer and post.text != known["text"] and bool(post.text or not post.metrics.empty)
        # An older observation (out of order) is still a point of the time series; a newer one only if it moved.
        if not post.metrics.empty and (not newer or _changed_metrics(known, post.metrics)):
            snapshots.append({"post_id": known["id"], "observed_at": seen_at, **_all_metrics(post.metrics)})
        if is_edit:
            versions.append({"post_id": known["id"], "version": known["version"], "text": known["text"],
                             "replaced_at": seen_at})
            known.update(text=post.text, version=known["version"] + 1, edited_at=seen_at, needs_analysis=True)
        if newer and known["story_id"] is not None:
            touched.add(known["story_id"])  # new metrics or text: its story's risk may have changed
        if newer:
            known.update(last_seen_at=seen_at, deleted_at=None, url=post.url or known["url"],
                         author=post.author or known["author"], author_id=post.author_id or known["author_id"],
                         **post.metrics.as_dict())
            changed[known["id"]] = known
        edited += int(is_edit)
        refreshed += int(not is_edit)
    _write_updates(session, changed.values())
    table = MetricSnapshotRow.__table__
    for chunk in in_chunks(snapshots):
        session.execute(insert(table), chunk)
    if versions:
        session.execute(insert(PostVersionRow.__table__), versions)
    if touched:
        session.execute(update(StoryRow).where(StoryRow.id.in_(sorted(touched))).values(rescore=True))
    forget(session, PostRow, changed)
    return SaveResult(new=new, edited=edited, refreshed=refreshed, snapshots=len(snapshots))


def _all_metrics(metrics: Metrics) -> dict[str, int | None]:
    return {name: getattr(metrics, name) for name in METRIC_NAMES}


_REFRESHED = ("last_seen_at", "deleted_at", "url", "author", "author_id", *METRIC_NAMES)
_EDITED = (*_REFRESHED, "text", "version", "edited_at", "needs_analysis")


def _write_updates(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Refreshed and edited posts, each kind as one executemany by primary key."""
    table = PostRow.__table__
    rows = list(rows)
    edits = [r for r in rows if "edited_at" in r]
    refreshes = [r for r in rows if "edited_at" not in r]
    for columns, group in ((_EDITED, edits), (_REFRESHED, refreshes)):
        if not group:
            continue
        statement = update(table).where(table.c.id == bindparam("b_id")).values(
            {name: bindparam(f"b_{name}") for name in columns})
        session.execute(statement, [{"b_id": r["id"], **{f"b_{name}": r[name] for name in columns}} for r in group])


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


def find_parents(session: Session, items: Sequence[Post]) -> list[PostRow | None]:
    """The stored post each comment belongs to (None for posts and orphans): one query per source and 500 ids."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for post in items:
        if post.parent_id is not None:
            wanted.setdefault((post.platform, post.source), set()).add(post.parent_id)
    found: dict[tuple[str, str, str], PostRow] = {}
    for (platform, source), ids in wanted.items():
        ordered = sorted(ids)
        for chunk in in_chunks(ordered):
            query = select(PostRow).where(PostRow.platform == platform, PostRow.source == source,
                                          PostRow.external_id.in_(chunk))
            found.update(((row.platform, row.source, row.external_id), row) for row in session.scalars(query))
    return [found.get((p.platform, p.source, p.parent_id)) if p.parent_id is not None else None for p in items]


def story_ids(session: Session, db_ids: Iterable[int]) -> dict[int, int | None]:
    """The story each post is in now (read again after a lock: another process may have placed it)."""
    ids = sorted(set(db_ids))
    result: dict[int, int | None] = {}
    for chunk in in_chunks(ids):
        rows = session.execute(select(PostRow.id, PostRow.story_id).where(PostRow.id.in_(chunk)))
        result.update((db_id, story_id) for db_id, story_id in rows)
    return result


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
    for chunk in in_chunks(parents):
        comments = session.scalars(
            select(PostRow)
            .where(
                PostRow.platform == platform,
                PostRow.source == source,
                PostRow.parent_external_id.in_(chunk),
                PostRow.deleted_at.is_(None),
            )
            .order_by(PostRow.published_at)
        )
        known += [KnownPost(row.external_id, row.published_at, row.parent_external_id, row.comments) for row in comments]
    return known


def mark_deleted(session: Session, platform: str, source: str, ids: Sequence[str], at: datetime) -> int:
    """Mark posts or comments the platform no longer shows; they stay in our store."""
    marked = 0
    for chunk in in_chunks(ids):
        query = select(PostRow).where(
            PostRow.platform == platform,
            PostRow.source == source,
            PostRow.external_id.in_(list(chunk)),
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
