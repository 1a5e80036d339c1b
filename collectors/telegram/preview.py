"""The ``tme`` kind: a public channel read through the t.me/s web preview, without an account.

Pages hold about 20 messages in ascending order and go back with ``?before=N``. Collection walks down from the
newest page until it meets the cursor, the horizon or "No posts found"; a walk cut by ``max_pages`` is saved in
the cursor and continued by the next call. Refresh re-reads the pages that cover the known ids, jumping over gaps:
a known id inside a fetched page's id range but not on it is deleted. The preview has no comments.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone

from collectors.batch import Batch
from collectors.post import Post
from collectors.records import RecordProblem
from collectors.source import KnownPost, SourceInfo, SourceRef
from collectors.telegram.cursor import Cursor, highest, iso
from collectors.telegram.links import channel_url
from collectors.telegram.malformed import skipped
from collectors.telegram.preview_client import PreviewClient
from collectors.telegram.preview_parse import ChannelHeader, PreviewPage, parse_page, to_post
from config.schema import Settings

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class PreviewCollector:
    """Collector for ``kind: tme`` sources; ``SourceRef.handle`` is the channel's @username."""

    kind = "tme"

    def __init__(self, settings: Settings, client: PreviewClient, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.settings = settings
        self.client = client
        self._clock = clock

    def collect(self, source: SourceRef, cursor: str | None, *, since: datetime | None = None) -> Batch:
        """Posts newer than ``cursor`` (or back to the horizon), oldest first; ``more`` when the walk goes on."""
        handle = source.handle
        start_calls = self.client.calls
        saved = Cursor.load(cursor)
        if saved.walking and (since is None or saved.since == iso(since)):
            state = saved
        else:
            # A new walk from the newest page: down to the last stored id, or to the horizon on a first run
            # and on a backfill (which reads below the cursor too).
            first = saved.last_id is None or since is not None
            horizon = since or self._clock() - timedelta(days=self.settings.collection.initial_days)
            state = Cursor(last_id=saved.last_id, since=iso(since),
                           horizon=iso(horizon) if first else None, floor=None if first else saved.last_id)
        floor = state.floor
        horizon_at = datetime.fromisoformat(state.horizon) if state.horizon else None
        found: dict[int, Post] = {}
        problems: list[RecordProblem] = []
        header = ChannelHeader()
        before, top, done = state.before, state.top, False
        for _ in range(self.settings.collection.max_pages):
            page = self._page(handle, before)
            header = page.header if page.header.title else header
            problems.extend(page.problems)
            top = highest(top, page.highest_id)
            for message in page.messages:
                if (floor is None or message.id > floor) and (horizon_at is None or message.published_at >= horizon_at):
                    found[message.id] = to_post(message, handle)
            lowest = page.lowest_id
            reached_floor = floor is not None and lowest is not None and lowest <= floor
            reached_horizon = horizon_at is not None and any(m.published_at < horizon_at for m in page.messages)
            if page.ended or lowest is None or reached_floor or reached_horizon or (before is not None and lowest >= before):
                done = True
                break
            before = lowest
        if done:
            out = state.finished(top)
        else:
            out = state.with_(before=before, top=top)
        posts = tuple(found[key] for key in sorted(found))
        log.info("t.me @%s: %d постов, позиция %s%s", handle, len(posts), out.last_id, "" if done else ", есть ещё")
        return Batch(
            posts=posts,
            cursor=out.dump() if out.last_id is not None or not done else None,
            more=not done,
            problems=tuple(problems),
            info=_source_info(handle, header),
            calls=self.client.calls - start_calls,
        )

    def refresh(self, source: SourceRef, known: Sequence[KnownPost]) -> Batch:
        """Re-read the pages covering the known posts: fresh views and text, and the ids that vanished."""
        handle = source.handle
        start_calls = self.client.calls
        now = self._clock()
        problems: list[RecordProblem] = []
        remaining: set[int] = set()
        for item in known:
            if item.parent_id is not None:
                continue  # the preview shows no comments; they are refreshed by nobody here
            if item.id.isdigit() and item.id.isascii():
                remaining.add(int(item.id))
            else:
                problems.append(skipped(f"пост {item.id!r} канала @{handle}", "номер сообщения Telegram не число"))
        posts: list[Post] = []
        deleted: list[int] = []
        header = ChannelHeader()
        while remaining:
            before = max(remaining) + 1
            page = self._page(handle, before)
            header = page.header if page.header.title else header
            problems.extend(page.problems)
            lowest = page.lowest_id
            covered = {post_id for post_id in remaining if lowest is not None and lowest <= post_id < before}
            if page.ended or lowest is None:
                covered = set(remaining)  # nothing below ``before`` exists any more
            shown = {message.id: message for message in page.messages}
            for post_id in sorted(covered):
                if post_id in shown:
                    posts.append(to_post(shown[post_id], handle, observed_at=now))
                elif post_id not in page.seen_ids:
                    deleted.append(post_id)  # inside the page's range, yet not shown (album members and
                    # service messages are in seen_ids, so they never count as deleted)
            if not covered:
                break  # a page that covers nothing would loop forever; should not happen
            remaining -= covered
        log.info("t.me @%s: обновлено %d постов, удалено %d", handle, len(posts), len(deleted))
        return Batch(
            posts=tuple(posts),
            cursor=None,
            problems=tuple(problems),
            deleted=tuple(str(post_id) for post_id in sorted(deleted)),
            info=_source_info(handle, header) if header.title else None,
            calls=self.client.calls - start_calls,
        )

    def close(self) -> None:
        self.client.close()

    def _page(self, handle: str, before: int | None) -> PreviewPage:
        return parse_page(self.client.page(handle, before), handle)


def _source_info(handle: str, header: ChannelHeader) -> SourceInfo | None:
    if not header.title:
        return None
    name = header.username or handle
    return SourceInfo(kind="tme", handle=name, external_id=name, title=header.title, url=channel_url(name),
                      audience=header.audience)
