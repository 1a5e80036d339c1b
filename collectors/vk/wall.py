"""The ``vk_wall`` collector: a community's (or a person's) wall with ``wall.get``, its comments, and refreshes.

``wall.get`` pages newest first by offset. A pass reads down to the newest id of the last finished pass (or to
the time horizon on a first run or a backfill); pinned posts sit on top out of order, so they never end a pass
and never lower the resume point. Posts come out oldest first, each followed by its comments.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from collectors.batch import Batch
from collectors.post import Post
from collectors.records import RecordProblem
from collectors.source import KnownPost, SourceInfo, SourceRef
from collectors.vk.client import VkClient
from collectors.vk.comments import CommentReader
from collectors.vk.cursor import BadCursor, WallCursor, WallSweep
from collectors.vk.parse import (
    Malformed,
    Names,
    is_pinned,
    item_date,
    item_id,
    item_owner,
    owner_info,
    post_from_item,
    split_post_key,
    wall_page,
)
from collectors.vk.refresh import PostRefresher
from config.errors import SourceUnavailable
from config.schema import Settings

log = logging.getLogger(__name__)

PAGE = 100  # wall.get count maximum
# On resume, start this many items before the saved offset: posts deleted meanwhile shift the wall up, and the
# overlap (already emitted ids are skipped) keeps that from hiding posts.
RESUME_OVERLAP = 10
OWNER_FIELDS = "members_count,followers_count,screen_name"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class VkWallCollector:
    """Collects one wall per call; ``clock`` is injected so tests control "now".

    ``since`` starts a backfill pass down to that moment; it is ignored while an unfinished pass is resumed.
    """

    def __init__(self, client: VkClient, settings: Settings, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.client = client
        self.collection = settings.collection
        self.clock = clock
        self.comments = CommentReader(client, settings.collection.comments_per_post)
        self.refresher = PostRefresher(client, self.comments, clock)

    def collect(self, source: SourceRef, cursor: str | None, *, since: datetime | None = None) -> Batch:
        calls = self.client.calls
        problems: list[RecordProblem] = []
        try:
            state = WallCursor.load(cursor)
        except BadCursor as exc:
            problems.append(RecordProblem(0, f"{exc}; сбор {source.name} начат заново", skipped=False))
            state = WallCursor()
        if state.sweep is None:
            state.sweep = self._new_sweep(state, since)
        sweep = state.sweep
        where = _where(source)
        fresh: list[tuple[Any, Names]] = []
        info: SourceInfo | None = None
        offset = max(0, sweep.offset - RESUME_OVERLAP) if sweep.below is not None else sweep.offset
        done = False
        for _ in range(self.collection.max_pages):
            page = self._page(where, offset)
            if info is None and (owner := _owner_id(source, page.items)) is not None:
                info = owner_info(owner, page.names)
            for raw in page.items:
                verdict = self._judge(raw, sweep, problems)
                if verdict == "stop":
                    done = True
                    break
                if verdict == "take":
                    fresh.append((raw, page.names))
            offset += len(page.items)
            if done or not page.items or offset >= page.total:
                done = True
                break
        posts = self._posts(fresh, source, problems)
        if done:
            state.last_id = max((i for i in (state.last_id, sweep.top) if i is not None), default=None)
            state.sweep = None
        else:
            sweep.offset = offset
        batch_posts = self._with_comments(posts, source, problems)
        log.debug("vk_wall %s: %d постов, %d записей, ещё=%s", source.handle, len(posts), len(batch_posts), not done)
        return Batch(tuple(batch_posts), state.dump(), not done, tuple(problems), (), info, self.client.calls - calls)

    def refresh(self, source: SourceRef, known: Sequence[KnownPost]) -> Batch:
        owner = _external_owner(source)
        return self.refresher.refresh(known, lambda _owner, _names: source.handle, wall_owner=owner)

    def close(self) -> None:
        self.client.close()

    # --- steps -----------------------------------------------------------------------------------------------

    def _new_sweep(self, state: WallCursor, since: datetime | None) -> WallSweep:
        if since is not None:  # a backfill reads back to `since`, whatever was collected before
            return WallSweep(floor=None, horizon=int(since.timestamp()))
        if state.last_id is None:
            horizon = self.clock() - timedelta(days=self.collection.initial_days)
            return WallSweep(floor=None, horizon=int(horizon.timestamp()))
        return WallSweep(floor=state.last_id, horizon=None)

    def _page(self, where: dict[str, Any], offset: int) -> Any:
        payload = self.client.call("wall.get", {**where, "offset": offset, "count": PAGE, "extended": 1,
                                                "fields": OWNER_FIELDS})
        try:
            return wall_page(payload)
        except Malformed as exc:
            raise SourceUnavailable(f"VK wall.get: неожиданный ответ ({exc})") from None

    @staticmethod
    def _judge(raw: Any, sweep: WallSweep, problems: list[RecordProblem]) -> str:
        """``take`` a new post, ``skip`` one already seen or pinned and old, or ``stop``: the rest is older."""
        try:
            pid, date = item_id(raw), item_date(raw)
            pinned = is_pinned(raw)
        except Malformed as exc:
            problems.append(RecordProblem(0, f"VK: пост стены пропущен: {exc}"))
            return "skip"
        old = (sweep.floor is not None and pid <= sweep.floor) or (sweep.horizon is not None and date < sweep.horizon)
        if pinned:
            # Pinned posts are on top whatever their age: never a reason to stop, never the resume point.
            if old or pid in sweep.pinned:
                return "skip"
            sweep.pinned.append(pid)
        else:
            if sweep.below is not None and pid >= sweep.below:
                return "skip"  # emitted earlier in this pass (the wall shifted or we overlap on resume)
            if old:
                return "stop"
            sweep.below = pid
        sweep.top = max(pid, sweep.top or pid)
        return "take"

    @staticmethod
    def _posts(fresh: list[tuple[Any, Names]], source: SourceRef, problems: list[RecordProblem]) -> list[Post]:
        posts: dict[str, Post] = {}
        for raw, names in fresh:
            try:
                post = post_from_item(raw, source=source.handle, names=names)
            except Malformed as exc:
                problems.append(RecordProblem(0, f"VK: пост {raw.get('id')!r} стены {source.handle} пропущен: {exc}"))
                continue
            posts[post.id] = post
        return sorted(posts.values(), key=lambda post: (post.published_at, post.id))

    def _with_comments(self, posts: list[Post], source: SourceRef, problems: list[RecordProblem]) -> list[Post]:
        out: list[Post] = []
        for post in posts:
            out.append(post)
            if not post.metrics.comments:
                continue
            owner, pid = split_post_key(post.id)
            read = self.comments.read(owner, pid, source.handle)
            out.extend(read.posts)
            problems.extend(read.problems)
        return out


def _where(source: SourceRef) -> dict[str, Any]:
    """``owner_id`` once resolved; before that VK also accepts the screen name as ``domain``."""
    owner = _external_owner(source)
    return {"owner_id": owner} if owner is not None else {"domain": source.handle}


def _external_owner(source: SourceRef) -> int | None:
    try:
        return int(source.external_id) if source.external_id else None
    except ValueError:
        return None


def _owner_id(source: SourceRef, items: Sequence[Any]) -> int | None:
    owner = _external_owner(source)
    if owner is not None:
        return owner
    for raw in items:
        try:
            return item_owner(raw)
        except Malformed:
            continue
    return None

