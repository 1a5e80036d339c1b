"""Reading the comments of one wall post: top level newest first, then the long threads, up to a limit.

Newest first because the limit (``collection.comments_per_post``) should keep what residents say now, and a
refresh re-reads a post exactly when new comments came. Replies arrive with their top-level comment (up to
``THREAD_ITEMS`` each); longer threads are read through ``comment_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from collectors.base import comment_id
from collectors.post import Post
from collectors.records import RecordProblem
from collectors.vk.client import VkClient
from collectors.vk.errors import COMMENTS_DENIED_CODE, VkApiFailure
from collectors.vk.parse import (
    Malformed,
    Names,
    comment_from_item,
    comments_page,
    item_id,
    post_key,
    thread_of,
)

PAGE = 100  # wall.getComments count maximum
THREAD_ITEMS = 10  # thread_items_count maximum: replies that come with each top-level comment


@dataclass(frozen=True, slots=True)
class PostComments:
    """The comments read for one post, oldest first.

    ``deleted``: ids VK shows as deleted placeholders; ``seen``: every comment id VK showed (live or deleted);
    ``complete``: nothing was left unread (no limit reached, no error), so a known id not seen is gone.
    """

    posts: tuple[Post, ...]
    deleted: tuple[str, ...]
    seen: frozenset[str]
    complete: bool
    problems: tuple[RecordProblem, ...]


class CommentReader:
    """Reads a post's comments with ``client``, at most ``limit`` live comments per post."""

    def __init__(self, client: VkClient, limit: int) -> None:
        self.client = client
        self.limit = limit

    def read(self, owner_id: int, post_id: int, source: str, *, observed_at: datetime | None = None) -> PostComments:
        state = _Reading(owner_id, post_id, source, self.limit, observed_at)
        if self.limit <= 0:
            return state.result(complete=False)
        try:
            self._top_level(state)
            for thread, count in state.long_threads:
                if state.full:
                    break
                self._thread(state, thread, count)
        except VkApiFailure as exc:
            # 212 (comments closed) and the like concern this post only: keep the post, note why.
            reason = "комментарии закрыты" if exc.code == COMMENTS_DENIED_CODE else f"ошибка {exc.code}"
            state.problems.append(RecordProblem(0, f"VK: комментарии поста {post_key(owner_id, post_id)} не прочитаны: {reason}"))
            return state.result(complete=False)
        return state.result(complete=not state.full)

    def _top_level(self, state: "_Reading") -> None:
        offset = 0
        while not state.full:
            page = comments_page(self.client.call("wall.getComments", {
                "owner_id": state.owner_id, "post_id": state.post_id, "count": PAGE, "offset": offset,
                "sort": "desc", "thread_items_count": THREAD_ITEMS, "need_likes": 1, "extended": 1,
            }))
            state.names = state.names.merged(page.names)
            for item in page.items:
                top = state.take(item, thread=None)
                if top is None:
                    continue
                count, replies = thread_of(item)
                for reply in replies:
                    state.take(reply, thread=top)
                if count > len(replies):
                    state.long_threads.append((top, count))
            offset += len(page.items)
            if not page.items or offset >= page.level_count:
                return

    def _thread(self, state: "_Reading", thread: int, count: int) -> None:
        offset = 0
        while not state.full and offset < count:
            page = comments_page(self.client.call("wall.getComments", {
                "owner_id": state.owner_id, "post_id": state.post_id, "comment_id": thread, "count": PAGE,
                "offset": offset, "sort": "asc", "need_likes": 1, "extended": 1,
            }))
            state.names = state.names.merged(page.names)
            for item in page.items:
                state.take(item, thread=thread)
            offset += len(page.items)
            if not page.items or offset >= page.level_count:
                return


class _Reading:
    """What one ``read`` has gathered so far."""

    def __init__(self, owner_id: int, post_id: int, source: str, limit: int, observed_at: datetime | None) -> None:
        self.owner_id = owner_id
        self.post_id = post_id
        self.source = source
        self.limit = limit
        self.observed_at = observed_at
        self.names = Names()
        self.posts: list[Post] = []
        self.deleted: list[str] = []
        self.seen: set[str] = set()
        self.problems: list[RecordProblem] = []
        self.long_threads: list[tuple[int, int]] = []
        self.parent = post_key(owner_id, post_id)

    @property
    def full(self) -> bool:
        return len(self.posts) >= self.limit

    def take(self, item: Any, *, thread: int | None) -> int | None:
        """Add one comment; returns its id (also for deleted placeholders, whose replies live on), or None."""
        if self.full:
            return None
        try:
            cid = item_id(item)
            key = comment_id(self.parent, cid)
            if key in self.seen:
                return None  # paging overlap after new comments arrived
            comment = comment_from_item(item, owner_id=self.owner_id, post_id=self.post_id, source=self.source,
                                        names=self.names, thread=thread, observed_at=self.observed_at)
        except Malformed as exc:
            self.problems.append(RecordProblem(0, f"VK: комментарий к посту {self.parent} пропущен: {exc}"))
            return None
        self.seen.add(key)
        if comment is None:
            self.deleted.append(key)
        else:
            self.posts.append(comment)
        return cid

    def result(self, *, complete: bool) -> PostComments:
        ordered = sorted(self.posts, key=lambda post: (post.published_at, post.id))
        return PostComments(tuple(ordered), tuple(self.deleted), frozenset(self.seen), complete, tuple(self.problems))
