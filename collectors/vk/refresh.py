"""Re-reading known posts with ``wall.getById``: fresh metrics and text, new comments, and what VK no longer shows.

Up to 100 posts per call. A post missing from the answer is deleted — unless every post of a wall is missing,
which is what a wall that became closed looks like: then the wall itself is checked and its error raised.
Comments are re-read only for posts whose comment count changed since we last saw it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from collectors.batch import Batch
from collectors.post import Post
from collectors.records import RecordProblem
from collectors.source import KnownPost
from collectors.vk.client import VkClient
from collectors.vk.comments import CommentReader
from collectors.vk.parse import (
    Malformed,
    Names,
    by_id_page,
    item_id,
    item_owner,
    post_from_item,
    post_key,
    split_post_key,
)

BY_ID_MAX = 100  # wall.getById posts per call

# Who a refreshed post belongs to: (owner id, names from the answer) → Post.source.
SourceOf = Callable[[int, Names], str]


class PostRefresher:
    """Shared by the wall and search collectors; ``comments`` is ``None`` where comments are not collected."""

    def __init__(self, client: VkClient, comments: CommentReader | None, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.comments = comments
        self.clock = clock

    def refresh(self, known: Sequence[KnownPost], source_of: SourceOf, *, wall_owner: int | None = None) -> Batch:
        """Fresh copies of ``known`` posts (and their comments); ``wall_owner`` enables the closed-wall check."""
        calls = self.client.calls
        now = self.clock()
        problems: list[RecordProblem] = []
        wanted: dict[str, KnownPost] = {}
        known_comments: dict[str, set[str]] = {}
        for entry in known:
            if entry.parent_id is not None:
                known_comments.setdefault(entry.parent_id, set()).add(entry.id)
                continue
            try:
                split_post_key(entry.id)
            except Malformed as exc:
                problems.append(RecordProblem(0, f"VK: пост {entry.id!r} не перечитан: {exc}"))
                continue
            wanted[entry.id] = entry
        found: dict[str, Post] = {}
        keys = list(wanted)
        for start in range(0, len(keys), BY_ID_MAX):
            chunk = keys[start : start + BY_ID_MAX]
            items, names = by_id_page(self.client.call("wall.getById", {"posts": chunk, "extended": 1}))
            for raw in items:
                try:
                    key = post_key(item_owner(raw), item_id(raw))
                    if key in wanted:
                        found[key] = post_from_item(raw, source=source_of(item_owner(raw), names), names=names,
                                                    observed_at=now)
                except Malformed as exc:
                    problems.append(RecordProblem(0, f"VK: пост из wall.getById пропущен: {exc}"))
        missing = [key for key in keys if key not in found]
        if keys and not found and wall_owner is not None:
            # All gone at once: more likely the wall was closed than every post deleted; this raises if so.
            self.client.call("wall.get", {"owner_id": wall_owner, "count": 1})
        posts: list[Post] = []
        deleted: list[str] = []
        for key in missing:
            deleted.append(key)
            deleted.extend(sorted(known_comments.get(key, ())))
        for key, post in found.items():
            posts.append(post)
            if self.comments is None or not self._comments_changed(post, wanted[key]):
                continue
            owner, pid = split_post_key(key)
            read = self.comments.read(owner, pid, post.source, observed_at=now)
            posts.extend(read.posts)
            problems.extend(read.problems)
            deleted.extend(read.deleted)
            if read.complete:
                deleted.extend(sorted(known_comments.get(key, set()) - read.seen))
        return Batch(tuple(posts), None, False, tuple(problems), tuple(dict.fromkeys(deleted)), None,
                     self.client.calls - calls)

    @staticmethod
    def _comments_changed(post: Post, known: KnownPost) -> bool:
        now = post.metrics.comments
        if now is None:
            return False
        return now != known.comments and (now > 0 or bool(known.comments))
