"""The ``ok_group`` collector: a group's feed (``mediatopic.getTopics``), its comments, and refreshes.

The feed comes newest first, paged by an opaque anchor. A run walks down from the top to a floor — the newest
topic delivered before, or the time horizon, whichever is later — at most ``max_pages`` pages per call; an
unfinished walk is kept in the cursor (see ``cursor.py``). Pinned topics head the feed whatever their age,
so they never end a walk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from collectors.base import COMMENT_SEPARATOR, comment_id
from collectors.batch import Batch
from collectors.ok.client import OkClient
from collectors.ok.cursor import FeedCursor, FeedKey, feed_key
from collectors.ok.parse import FeedItem, parse_comments, parse_topics
from collectors.ok.resolve import lookup_group_id
from collectors.post import Post
from collectors.records import RecordProblem
from collectors.source import KnownPost, SourceRef
from collectors.urls import parse_source_url
from config.errors import InputError, SourceClosed
from config.schema import CollectionSettings

log = logging.getLogger(__name__)

TOPIC_FIELDS = "media_topic.*,group.*"  # as seen in use (FACTS §2.2)
PAGE_SIZE = 50  # topics per feed page, as public clients ask
COMMENT_PAGE_SIZE = 100
BY_IDS_CHUNK = 50  # topic ids per mediatopic.getByIds call: no documented maximum, so a modest one
MEDIA_LIMIT = 3  # getByIds needs 1..3 media blocks per topic when asking for several topics
NOT_FOUND = 300


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class _Thread:
    """The comments read for one topic; ``complete`` when the whole listing was read (so absences mean deletions)."""

    comments: tuple[Post, ...]
    raw_ids: frozenset[str]
    complete: bool
    problems: tuple[RecordProblem, ...]


class OkGroupCollector:
    """Reads one OK group per call. ``clock`` gives "now" (UTC) for the horizon and ``observed_at``."""

    def __init__(
        self,
        client: OkClient,
        collection: CollectionSettings,
        *,
        clock: Callable[[], datetime] = _utc_now,
        page_size: int = PAGE_SIZE,
        comment_page_size: int = COMMENT_PAGE_SIZE,
    ) -> None:
        self._client = client
        self._collection = collection
        self._clock = clock
        self._page_size = page_size
        self._comment_page_size = comment_page_size
        self._gids: dict[str, str] = {}

    # -- collect ---------------------------------------------------------------------------------------------

    def collect(self, source: SourceRef, cursor: str | None, *, since: datetime | None = None) -> Batch:
        """New topics after ``cursor`` (oldest first, each followed by its comments); see the module docstring."""
        start = self._client.calls
        gid = self._group_id(source)
        state = FeedCursor.load(cursor)
        if state.walk_anchor is not None:
            anchor, floor_ms, floor_id = state.walk_anchor, state.floor_ms, state.floor_id
        else:
            anchor = None
            floor_ms, floor_id = self._floor(state, since)
        items, problems, resume = self._walk(gid, source.handle, anchor, feed_key(floor_ms, floor_id))

        top = (state.top_ms, state.top_id) if state.top_ms is not None else None
        for item in items:
            seen = (item.created_ms, item.post.id)
            if top is None or feed_key(*seen) > feed_key(*top):
                top = seen
        new_cursor = FeedCursor(
            top_ms=top[0] if top else None,
            top_id=top[1] if top else "",
            walk_anchor=resume,
            floor_ms=floor_ms if resume else 0,
            floor_id=floor_id if resume else "",
        )

        posts: list[Post] = []
        comment_count = 0
        for item in sorted(items, key=lambda i: feed_key(i.created_ms, i.post.id)):
            posts.append(item.post)
            if item.post.metrics.comments and self._collection.comments_per_post > 0:
                thread = self._thread(gid, source.handle, item.post.id)
                posts.extend(thread.comments)
                comment_count += len(thread.comments)
                problems.extend(thread.problems)
        calls = self._client.calls - start
        log.info("ok %s: %d тем, %d комментариев, %d запросов%s", source.handle, len(items), comment_count, calls,
                 " (продолжение следует)" if resume else "")
        return Batch(tuple(posts), new_cursor.dump(), more=resume is not None, problems=tuple(problems), calls=calls)

    def _floor(self, state: FeedCursor, since: datetime | None) -> tuple[int, str]:
        """Where a new walk stops: ``since`` if given, else the later of the last topic delivered and the horizon."""
        if since is not None:
            return _ms(since), ""
        horizon = (_ms(self._clock() - timedelta(days=self._collection.initial_days)), "")
        if state.top_ms is None:
            return horizon
        last = (state.top_ms, state.top_id)
        return max(last, horizon, key=lambda k: feed_key(*k))

    def _walk(
        self, gid: str, handle: str, anchor: str | None, floor: FeedKey
    ) -> tuple[list[FeedItem], list[RecordProblem], str | None]:
        """Feed pages from ``anchor`` (the top if ``None``) down to ``floor``; the resume anchor if cut short."""
        found: dict[str, FeedItem] = {}
        problems: list[RecordProblem] = []
        for _ in range(self._collection.max_pages):
            payload = self._client.call(
                "mediatopic.getTopics",
                gid=gid,
                count=self._page_size,
                anchor=anchor,
                # unverified beyond public clients: FORWARD continues from the anchor in feed order (older)
                direction="FORWARD" if anchor else None,
                fields=TOPIC_FIELDS,
            )
            page = parse_topics(payload, handle=handle, gid=gid)
            problems.extend(page.problems)
            reached_floor = False
            for item in page.items:
                if feed_key(item.created_ms, item.post.id) <= floor:
                    if item.sticky:
                        continue  # a pinned old topic says nothing about how far down we are
                    reached_floor = True
                    break
                found.setdefault(item.post.id, item)
            if reached_floor or not page.has_more or not page.items or not page.anchor or page.anchor == anchor:
                return list(found.values()), problems, None
            anchor = page.anchor
        return list(found.values()), problems, anchor

    def _thread(self, gid: str, handle: str, topic_id: str) -> _Thread:
        """Up to ``comments_per_post`` comments of a topic, oldest first; an inaccessible thread is a problem."""
        limit = self._collection.comments_per_post
        comments: list[Post] = []
        raw_ids: set[str] = set()
        problems: list[RecordProblem] = []
        anchor = "FIRST"  # documented constant: start from the oldest comments
        complete = False
        try:
            while len(comments) < limit:
                payload = self._client.call(
                    "discussions.getComments",
                    discussionId=topic_id,
                    discussionType="GROUP_TOPIC",
                    count=min(self._comment_page_size, limit - len(comments)),
                    anchor=anchor,
                    direction="FORWARD",
                )
                page = parse_comments(payload, handle=handle, gid=gid, topic_id=topic_id)
                problems.extend(page.problems)
                for post, raw_id in zip(page.comments, page.raw_ids):
                    if raw_id not in raw_ids:
                        raw_ids.add(raw_id)
                        comments.append(post)
                stuck = page.anchor == anchor or not (page.comments or page.problems)
                if not page.has_more or not page.anchor or stuck:
                    complete = not problems  # a skipped malformed comment may hide an id we still know
                    break
                anchor = page.anchor
        except SourceClosed as exc:
            # one topic's thread closed (comments off, topic removed meanwhile) must not close the whole group
            problems.append(RecordProblem(0, f"комментарии к теме ОК {topic_id} недоступны: {exc}"))
            complete = False
        return _Thread(tuple(comments[:limit]), frozenset(raw_ids), complete, tuple(problems))

    # -- refresh ---------------------------------------------------------------------------------------------

    def refresh(self, source: SourceRef, known: Sequence[KnownPost]) -> Batch:
        """Fresh metrics and text for known topics, their changed threads, and what OK no longer shows.

        Comments are re-read only for topics whose comment count changed. Known comments (``parent_id`` set)
        missing from a fully read thread are reported deleted; without them deletions of comments go unseen.
        """
        start = self._client.calls
        now = self._clock()
        gid = self._group_id(source)
        topics = list(dict.fromkeys(k.id for k in known if k.parent_id is None))
        counts = {k.id: k.comments for k in known if k.parent_id is None}
        known_comments: dict[str, set[str]] = {}
        for k in known:
            if k.parent_id is not None and k.id.startswith(k.parent_id + COMMENT_SEPARATOR):
                known_comments.setdefault(k.parent_id, set()).add(k.id[len(k.parent_id) + 1:])

        fresh, problems = self._topics_by_id(gid, source.handle, topics)
        posts: list[Post] = []
        deleted: list[str] = []
        for topic_id in topics:
            item = fresh.get(topic_id)
            if item is None:
                deleted.append(topic_id)
                deleted.extend(comment_id(topic_id, c) for c in sorted(known_comments.get(topic_id, ())))
                continue
            posts.append(replace(item.post, observed_at=now))
            count = item.post.metrics.comments
            if count == counts.get(topic_id) or self._collection.comments_per_post == 0:
                continue
            if not count:
                thread = _Thread((), frozenset(), count == 0, ())
            else:
                thread = self._thread(gid, source.handle, topic_id)
            posts.extend(replace(c, observed_at=now) for c in thread.comments)
            problems.extend(thread.problems)
            if thread.complete:
                gone = known_comments.get(topic_id, set()) - thread.raw_ids
                deleted.extend(comment_id(topic_id, c) for c in sorted(gone))
        calls = self._client.calls - start
        log.info("ok %s: обновлено %d тем, удалено %d, %d запросов", source.handle, len(fresh), len(deleted), calls)
        return Batch(tuple(posts), None, problems=tuple(problems), deleted=tuple(deleted), calls=calls)

    def _topics_by_id(self, gid: str, handle: str, ids: list[str]) -> tuple[dict[str, FeedItem], list[RecordProblem]]:
        """``mediatopic.getByIds`` in chunks; topics absent from the answer are gone."""
        fresh: dict[str, FeedItem] = {}
        problems: list[RecordProblem] = []
        for chunk in _chunks(ids, BY_IDS_CHUNK):
            try:
                items, notes = self._by_ids(gid, handle, chunk)
            except SourceClosed as exc:
                if exc.code != NOT_FOUND or len(chunk) == 1:
                    raise
                # Whether OK answers NOT_FOUND for a whole list when one topic is gone is unknown: ask one by one,
                # so a single deleted topic cannot make the group look closed.
                items, notes = [], []
                for topic_id in chunk:
                    try:
                        found, more = self._by_ids(gid, handle, [topic_id])
                    except SourceClosed as single:
                        if single.code != NOT_FOUND:
                            raise
                        continue
                    items.extend(found)
                    notes.extend(more)
            problems.extend(notes)
            wanted = set(chunk)
            fresh.update((item.post.id, item) for item in items if item.post.id in wanted)
        return fresh, problems

    def _by_ids(self, gid: str, handle: str, chunk: list[str]) -> tuple[list[FeedItem], list[RecordProblem]]:
        payload = self._client.call(
            "mediatopic.getByIds", topic_ids=",".join(chunk), media_limit=MEDIA_LIMIT, fields=TOPIC_FIELDS
        )
        page = parse_topics(payload, handle=handle, gid=gid)  # same topic shape as the feed (unverified)
        return list(page.items), list(page.problems)

    # -- the group id ----------------------------------------------------------------------------------------

    def _group_id(self, source: SourceRef) -> str:
        """The numeric gid: ``external_id``, a numeric handle or URL, else looked up once by short name."""
        candidates = [source.external_id, source.handle]
        if source.url:
            try:
                candidates.append(parse_source_url(source.url).handle)
            except InputError:
                pass
        for candidate in candidates:
            if candidate and candidate.isascii() and candidate.isdigit():
                return candidate
        if source.handle not in self._gids:
            self._gids[source.handle] = lookup_group_id(self._client, source.handle)
        return self._gids[source.handle]


def _ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
