"""The analysis queue: posts waiting for analysis (new, or edited since), claimed in batches in the order they
are analysed and placed (posts before comments, oldest first), and what the queue holds for `status`."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from storage import locks
from storage.chunks import in_chunks
from storage.models import PostRow
from storage.posts import StoredPost, stored


def _queue(comments: bool) -> tuple[Any, ...]:
    """The terms of one half of the analysis queue, spelled as its partial index names them (posts.needs_analysis
    and the parent test: SQLite's planner matches a partial index only on its very terms)."""
    which = PostRow.parent_external_id.is_not(None) if comments else PostRow.parent_external_id.is_(None)
    return (PostRow.needs_analysis == true(), which)


def _waiting(session: Session, limit: int, claim: bool = False) -> list[PostRow]:
    """Up to ``limit`` waiting posts in analysis order: posts, then comments, oldest first, each half read in order
    off its own partial index (not a sort of the whole queue: a backfill's million, at every batch). With ``claim``
    on PostgreSQL they are locked, and rows another process holds are passed over."""
    rows: list[PostRow] = []
    for comments in (False, True):
        if len(rows) >= limit:
            break
        query = select(PostRow).where(*_queue(comments)).order_by(PostRow.published_at, PostRow.id)
        if claim and session.get_bind().dialect.name == "postgresql":
            # NO KEY UPDATE: another process's rows may still point at these posts (an appeal's reply, a link)
            # while it holds the story lock we wait for; a plain FOR UPDATE would block its foreign-key checks.
            query = query.with_for_update(skip_locked=True, of=PostRow, key_share=True)
        rows += session.scalars(query.limit(limit - len(rows)))
    return rows


def pending_analysis(session: Session, limit: int) -> list[StoredPost]:
    """Posts never analysed, or edited since their analysis; parents before comments, oldest first."""
    return [stored(row) for row in _waiting(session, limit)]


def _analysis_order(row: PostRow) -> tuple[bool, datetime, int]:
    """The order posts are analysed and placed in: posts before comments, oldest first."""
    return (row.parent_external_id is not None, row.published_at, row.id)


def claim_pending(session: Session, limit: int) -> list[StoredPost]:
    """Posts waiting for analysis, taken by this process, parents before comments.

    On PostgreSQL the rows are locked (``FOR NO KEY UPDATE SKIP LOCKED``) until the caller's transaction ends, so two
    processes never judge one post; claims are taken one process at a time, so each batch is a contiguous run
    of the queue, and the batch is registered (by its first post) until it is placed (``wait_for_earlier``).
    A comment whose post is still waiting elsewhere (another process has it) is left for later: it is judged
    with its post's verdict, as a single process would judge it.
    """
    locks.hold(session, locks.CLAIMS)
    try:
        rows = _waiting(session, limit, claim=True)
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
        for chunk in in_chunks(ids):
            found = session.scalars(select(PostRow.external_id).where(
                PostRow.platform == platform, PostRow.source == source,
                PostRow.external_id.in_(chunk), PostRow.needs_analysis == true()))
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
    for chunk in in_chunks(ids):
        rows = session.execute(select(PostRow.id, PostRow.version, PostRow.story_id).where(
            PostRow.id.in_(chunk), PostRow.needs_analysis == true()))
        for db_id, version, story_id in rows:
            item = versions[db_id]
            if version == item.version:
                current[db_id] = StoredPost(db_id, version, item.post, story_id)
    return current


def count_pending_analysis(session: Session) -> int:
    """Posts waiting for analysis (each half of the queue counted off its index)."""
    return sum(int(session.scalar(select(func.count()).select_from(PostRow).where(*_queue(comments))) or 0)
               for comments in (False, True))


def pending_by_source(session: Session) -> dict[tuple[str, str], int]:
    """Posts waiting for analysis per (platform, source handle), for `status`."""
    found: Counter[tuple[str, str]] = Counter()
    for comments in (False, True):
        query = (select(PostRow.platform, PostRow.source, func.count()).where(*_queue(comments))
                 .group_by(PostRow.platform, PostRow.source))
        found.update({(platform, source): int(count) for platform, source, count in session.execute(query)})
    return dict(found)
