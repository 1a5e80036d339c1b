"""The ``telegram`` kind: a channel read with a user session (telethon), its posts and discussion comments.

Collection reads forward: the first run from the horizon (``offset_date``, oldest first), later runs the ids
above the cursor (``min_id``), 100 messages a request. Comments of new posts come from the linked discussion
group (``reply_to=post``). Refresh re-reads known ids (``None`` → deleted) and re-reads a thread when its
comment count changed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from collectors.batch import Batch
from collectors.budget import Budget
from collectors.post import Post
from collectors.records import RecordProblem
from collectors.source import KnownPost, SourceInfo, SourceRef
from collectors.telegram.cursor import Cursor, highest, iso
from collectors.telegram.links import channel_url
from collectors.telegram.malformed import MalformedItem, skipped
from collectors.telegram.messages import (
    comment_from_message,
    group_albums,
    has_comments,
    is_content,
    post_from_messages,
    thread_message,
)
from collectors.telegram.session import CHUNK, ChannelInfo, TelethonSession
from config.schema import Settings

log = logging.getLogger(__name__)

ALBUM_MAX = 10  # Telegram albums hold at most 10 media: members of key k are among k+1..k+9


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class TelethonCollector:
    """Collector for ``kind: telegram`` sources; ``SourceRef.handle`` is the channel's @username."""

    kind = "telegram"

    def __init__(
        self,
        settings: Settings,
        budget: Budget,
        session: TelethonSession,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.settings = settings
        self.budget = budget
        self.session = session
        self._clock = clock

    def collect(self, source: SourceRef, cursor: str | None, *, since: datetime | None = None) -> Batch:
        """New posts after ``cursor`` with their comments, oldest first, at most ``max_pages`` history requests."""
        handle = source.handle
        start_calls = self.session.calls
        info = self.session.channel(handle)
        saved = Cursor.load(cursor)
        fresh = saved.last_id is None or (since is not None and saved.since != iso(since))
        if fresh:
            horizon = since or self._clock() - timedelta(days=self.settings.collection.initial_days)
            # A backfill (``since``) reads from its date up to the newest post; ``top`` keeps the stored position
            # so an interrupted backfill never moves the cursor back.
            state = Cursor(last_id=None, since=iso(since), top=highest(saved.last_id, saved.top) if since else None)
        else:
            horizon = None
            state = saved
        min_id = state.last_id or 0
        posts: list[Post] = []
        problems: list[RecordProblem] = []
        more = False
        for page_number in range(self.settings.collection.max_pages):
            page = self.session.history(handle, min_id=min_id, offset_date=horizon if page_number == 0 and fresh else None)
            full = len(page) >= CHUNK
            kept = _without_open_album(page) if full else page
            for group in group_albums(kept):
                self._add_post(group, handle, info, posts, problems, with_comments=True)
            ids = [m.id for m in kept if isinstance(getattr(m, "id", None), int)]
            if ids:
                min_id = max(min_id, *ids)
                state = state.with_(last_id=min_id)
            if not full or not ids:
                break
        else:
            more = True
        done = state if more else state.finished(state.last_id)
        log.info("telegram @%s: %d записей, позиция %s%s", handle, len(posts), done.last_id, ", есть ещё" if more else "")
        return Batch(
            posts=tuple(posts),
            cursor=done.dump() if done.last_id is not None or more else None,
            more=more,
            problems=tuple(problems),
            info=_source_info(handle, info),
            calls=self.session.calls - start_calls,
        )

    def refresh(self, source: SourceRef, known: Sequence[KnownPost]) -> Batch:
        """Fresh metrics and text of known posts, their new comments, and the ids that are gone."""
        handle = source.handle
        start_calls = self.session.calls
        now = self._clock()
        info = self.session.channel(handle)
        posts: list[Post] = []
        problems: list[RecordProblem] = []
        deleted: list[str] = []
        known_posts: dict[int, KnownPost] = {}
        known_comments: dict[str, set[str]] = defaultdict(set)
        for item in known:
            if item.parent_id is not None:
                known_comments[item.parent_id].add(item.id)
            elif item.id.isdigit() and item.id.isascii():
                known_posts[int(item.id)] = item
            else:
                problems.append(skipped(f"пост {item.id!r} канала @{handle}", "номер сообщения Telegram не число"))
        ids = sorted(known_posts)
        fetched = self.session.messages(handle, ids) if ids else []
        found = {post_id: message for post_id, message in zip(ids, fetched) if message is not None}
        deleted.extend(str(post_id) for post_id, message in zip(ids, fetched) if message is None)
        members = self._album_members([m for m in found.values() if is_content(m) and getattr(m, "grouped_id", None)], handle)
        for post_id in ids:
            message = found.get(post_id)
            if message is None or not is_content(message):
                continue  # deleted (listed above) or a service message: nothing to refresh
            group = [message, *members.get(getattr(message, "grouped_id", None) or 0, [])]
            group = sorted({m.id: m for m in group if m.id >= post_id}.values(), key=lambda m: m.id)
            post = self._add_post(group, handle, info, posts, problems, with_comments=False, observed_at=now)
            if post is None:
                continue
            thread_comments = known_comments.get(post.id, set())
            count = post.metrics.comments
            if count == 0 and thread_comments:
                deleted.extend(sorted(thread_comments))
            elif count and count != known_posts[post_id].comments and self.settings.collection.comments_per_post:
                read = self._comments(group, handle, post.id, posts, problems, observed_at=now)
                if read is not None and count <= self.settings.collection.comments_per_post:
                    deleted.extend(sorted(thread_comments - read))
        log.info("telegram @%s: обновлено %d записей, удалено %d", handle, len(posts), len(deleted))
        return Batch(
            posts=tuple(posts),
            cursor=None,
            problems=tuple(problems),
            deleted=tuple(deleted),
            info=_source_info(handle, info),
            calls=self.session.calls - start_calls,
        )

    def close(self) -> None:
        self.session.close()

    # -- helpers ------------------------------------------------------------------------------------------------

    def _add_post(
        self,
        group: list[Any],
        handle: str,
        info: ChannelInfo,
        posts: list[Post],
        problems: list[RecordProblem],
        *,
        with_comments: bool,
        observed_at: datetime | None = None,
    ) -> Post | None:
        what = f"сообщение {getattr(group[0], 'id', '?')} канала @{handle}"
        try:
            post = post_from_messages(group, handle, info.title, observed_at)
        except MalformedItem as exc:
            problems.append(skipped(what, str(exc)))
            return None
        posts.append(post)
        if with_comments and self.settings.collection.comments_per_post:
            self._comments(group, handle, post.id, posts, problems, observed_at=observed_at)
        return post

    def _comments(
        self,
        group: list[Any],
        handle: str,
        post_id: str,
        posts: list[Post],
        problems: list[RecordProblem],
        *,
        observed_at: datetime | None,
    ) -> set[str] | None:
        """Read a post's thread into ``posts``; returns the comment ids seen (``None`` when there is no thread)."""
        try:
            if not has_comments(group):
                return None
            thread = thread_message(group).id
        except MalformedItem:
            return None
        seen: set[str] = set()
        for message in self.session.replies(handle, thread, limit=self.settings.collection.comments_per_post):
            if not is_content(message):
                continue
            try:
                comment = comment_from_message(message, handle, post_id, observed_at)
            except MalformedItem as exc:
                problems.append(skipped(f"комментарий {getattr(message, 'id', '?')} к посту {post_id} канала @{handle}", str(exc)))
                continue
            seen.add(comment.id)
            posts.append(comment)
        return seen

    def _album_members(self, keys: list[Any], handle: str) -> dict[int, list[Any]]:
        """Other messages of the albums whose first messages we re-read (one request per 100 candidate ids)."""
        if not keys:
            return {}
        candidates = sorted({key.id + step for key in keys for step in range(1, ALBUM_MAX)})
        albums = {key.grouped_id for key in keys}
        members: dict[int, list[Any]] = defaultdict(list)
        for message in self.session.messages(handle, candidates):
            if is_content(message) and getattr(message, "grouped_id", None) in albums:
                members[message.grouped_id].append(message)
        return members


def _without_open_album(page: list[Any]) -> list[Any]:
    """A full page may end inside an album: hold its members back so the next page reads the album whole."""
    last = page[-1] if page else None
    album = getattr(last, "grouped_id", None)
    if album is None:
        return page
    cut = len(page)
    while cut > 0 and getattr(page[cut - 1], "grouped_id", None) == album:
        cut -= 1
    return page[:cut] if cut > 0 else page


def _source_info(handle: str, info: ChannelInfo) -> SourceInfo:
    return SourceInfo(
        kind="telegram", handle=info.username or handle, external_id=str(info.id), title=info.title,
        url=channel_url(info.username or handle), audience=info.audience,
    )

