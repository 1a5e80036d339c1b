"""Posts and comments: deduplicated saving, metric snapshots, and the queue of posts awaiting analysis."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from collectors.post import METRIC_NAMES, Metrics, Post
from collectors.source import KnownPost
from risk.scoring import level_rank
from storage import locks
from storage.models import MetricSnapshotRow, PostRow, PostVersionRow, StoryRow
from storage.upsert import insert_missing


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


def _existing(session: Session, identities: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], PostRow]:
    found: dict[tuple[str, str, str], PostRow] = {}
    for platform, source in {(p, s) for p, s, _ in identities}:
        ids = sorted(i for (pl, so, i) in identities if pl == platform and so == source)
        for start in range(0, len(ids), 500):
            query = select(PostRow).where(
                PostRow.platform == platform, PostRow.source == source, PostRow.external_id.in_(ids[start : start + 500])
            )
            for row in session.scalars(query):
                found[(row.platform, row.source, row.external_id)] = row
    return found


def _new_row(post: Post, seen_at: datetime) -> dict[str, object]:
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
        **post.metrics.as_dict(),
    )


def _insert_new(session: Session, values: list[dict[str, object]]) -> dict[tuple[str, str, str], PostRow]:
    """Insert posts unless they exist; a post another process stored meanwhile is skipped, not an error."""
    statement = insert_missing(session, PostRow, ["platform", "source", "external_id"]).returning(PostRow)
    inserted: dict[tuple[str, str, str], PostRow] = {}
    for start in range(0, len(values), 500):
        for row in session.scalars(statement, values[start : start + 500]):
            inserted[(row.platform, row.source, row.external_id)] = row
    return inserted


def save_posts(session: Session, posts: Iterable[Post], now: datetime) -> SaveResult:
    """Insert new posts, update known ones (an edit bumps ``version``), record a metric snapshot per sighting.

    An older observation never overwrites newer metrics; a re-collected post never duplicates, even when
    another process stores the same post at the same moment (an insert that finds it there updates it).
    """
    batch = list(posts)
    if not batch:
        return SaveResult()
    existing = _existing(session, {_identity(p) for p in batch})
    first: dict[tuple[str, str, str], Post] = {}
    for post in batch:
        if _identity(post) not in existing:
            first.setdefault(_identity(post), post)
    inserted = _insert_new(session, [_new_row(p, p.observed_at or now) for p in first.values()])
    raced = set(first) - set(inserted)
    if raced:
        existing.update(_existing(session, raced))
    result = SaveResult()
    touched: set[int] = set()
    for post in batch:
        seen_at = post.observed_at or now
        key = _identity(post)
        if first.get(key) is post and key in inserted:
            row = inserted[key]
            existing[key] = row
            result += SaveResult(new=1, snapshots=_snapshot(session, row, post.metrics, seen_at))
            continue
        row = existing[key]
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


def _analysis_order(row: PostRow) -> tuple[bool, datetime, int]:
    """The order posts are analysed and placed in: posts before comments, oldest first."""
    return (row.parent_external_id is not None, row.published_at, row.id)


def claim_pending(session: Session, limit: int) -> list[StoredPost]:
    """Posts waiting for analysis, taken by this process, parents before comments.

    On PostgreSQL the rows are locked (``FOR UPDATE SKIP LOCKED``) until the caller's transaction ends, so two
    processes never judge one post; claims are taken one process at a time, so each batch is a contiguous run
    of the queue, and the batch is registered (by its first post) until it is placed (``wait_for_earlier``).
    A comment whose post is still waiting elsewhere (another process has it) is left for later: it is judged
    with its post's verdict, as a single process would judge it.
    """
    query = (
        select(PostRow)
        .where(PostRow.needs_analysis.is_(True))
        .order_by(PostRow.parent_external_id.is_not(None), PostRow.published_at, PostRow.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=PostRow)
    locks.hold(session, locks.CLAIMS)
    try:
        rows = list(session.scalars(query))
        elsewhere = _waiting_parents(session, rows)
        claimed = [stored(r) for r in rows if (r.platform, r.source, r.parent_external_id) not in elsewhere]
        if claimed:
            locks.hold(session, locks.BATCHES, claimed[0].db_id)
    finally:
        locks.let_go(session, locks.CLAIMS)
    return claimed


def _waiting_parents(session: Session, rows: Sequence[PostRow]) -> set[tuple[str, str, str]]:
    """Posts the claimed comments belong to that still wait for analysis outside this claim."""
    mine = {(r.platform, r.source, r.external_id) for r in rows}
    parents = {(r.platform, r.source, r.parent_external_id) for r in rows if r.parent_external_id is not None} - mine
    waiting: set[tuple[str, str, str]] = set()
    for platform, source in {(platform, source) for platform, source, _ in parents}:
        ids = sorted(i for (pl, so, i) in parents if pl == platform and so == source)
        for start in range(0, len(ids), 500):
            found = session.scalars(select(PostRow.external_id).where(
                PostRow.platform == platform, PostRow.source == source,
                PostRow.external_id.in_(ids[start : start + 500]), PostRow.needs_analysis.is_(True)))
            waiting |= {(platform, source, external_id) for external_id in found}
    return waiting


def batches_elsewhere(session: Session) -> list[int]:
    """First posts of the batches other processes are analysing now (PostgreSQL; none on SQLite)."""
    return locks.held_elsewhere(session, locks.BATCHES)


def wait_for_earlier(session: Session, first: int, patience: float = 300.0) -> None:
    """Wait until every batch that comes before ours (post ``first`` opens it) is placed into stories, so
    batches are placed in queue order whichever process judged them first. A batch that takes longer than
    ``patience`` seconds is not waited for any more (its process may hang; ours must go on)."""
    deadline = time.monotonic() + patience
    ours = session.get(PostRow, first)
    while ours is not None and time.monotonic() < deadline:
        others = batches_elsewhere(session)
        rows = session.scalars(select(PostRow).where(PostRow.id.in_(others))) if others else []
        if not any(_analysis_order(row) < _analysis_order(ours) for row in rows):
            return
        time.sleep(0.05)


def still_pending(session: Session, items: Sequence[StoredPost]) -> dict[int, StoredPost]:
    """Of the claimed posts, those nobody judged meanwhile and nobody edited since (by id, story as now)."""
    versions = {item.db_id: item for item in items}
    current: dict[int, StoredPost] = {}
    ids = sorted(versions)
    for start in range(0, len(ids), 500):
        rows = session.execute(select(PostRow.id, PostRow.version, PostRow.story_id).where(
            PostRow.id.in_(ids[start : start + 500]), PostRow.needs_analysis.is_(True)))
        for db_id, version, story_id in rows:
            item = versions[db_id]
            if version == item.version:
                current[db_id] = StoredPost(db_id, version, item.post, story_id)
    return current


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
