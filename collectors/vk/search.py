"""The ``vk_search`` collector: keyword search across VK (``newsfeed.search``) for posts in unlisted communities.

Each query (``SourceRef.options["queries"]``) is read newest first from now back to the last publication time
seen for it (or the horizon), paging with ``next_from``. VK serves only the first 1000 results of a search, so
a query with more continues in a new time slice that ends where the previous one stopped. A result's
``Post.source`` is its owner's screen name: the same post read later from that community's wall is the same
record. Search results get no comments (add the community as a wall for that).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone

from collectors.batch import Batch
from collectors.post import Post
from collectors.records import RecordProblem
from collectors.source import KnownPost, SourceRef
from collectors.vk.client import VkClient
from collectors.vk.cursor import BadCursor, QueryMark, SearchCursor, SearchSweep
from collectors.vk.parse import Malformed, item_date, item_id, item_owner, post_from_item, post_key, search_page
from collectors.vk.refresh import PostRefresher
from config.errors import SourceUnavailable
from config.schema import Settings

log = logging.getLogger(__name__)

PAGE = 200  # newsfeed.search count maximum
SEARCH_CAP = 1000  # results VK serves per search; past that, a new time slice


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class VkSearchCollector:
    """Runs a source's queries; one call reads at most ``collection.max_pages`` pages over all queries."""

    def __init__(self, client: VkClient, settings: Settings, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.client = client
        self.collection = settings.collection
        self.clock = clock
        self.refresher = PostRefresher(client, None, clock)

    def collect(self, source: SourceRef, cursor: str | None, *, since: datetime | None = None) -> Batch:
        calls = self.client.calls
        problems: list[RecordProblem] = []
        queries = [str(q).strip() for q in source.options.get("queries") or [] if str(q).strip()]
        try:
            state = SearchCursor.load(cursor)
        except BadCursor as exc:
            problems.append(RecordProblem(0, f"{exc}; поиск {source.name} начат заново", skipped=False))
            state = SearchCursor()
        now = self.clock()
        if state.sweep is None:
            start = since or now - timedelta(days=self.collection.initial_days)
            state.sweep = SearchSweep(end_time=int(now.timestamp()), horizon=int(start.timestamp()),
                                      backfill=since is not None)
        sweep = state.sweep
        found: dict[str, Post] = {}
        for _ in range(self.collection.max_pages):
            if sweep.index >= len(queries):
                break
            self._page(queries[sweep.index], state, sweep, found, problems)
        more = sweep.index < len(queries)
        if not more:
            state.sweep = None
        posts = sorted(found.values(), key=lambda post: (post.published_at, post.id))
        log.debug("vk_search %s: %d постов, ещё=%s", source.name, len(posts), more)
        return Batch(tuple(posts), state.dump(), more, tuple(problems), (), None, self.client.calls - calls)

    def refresh(self, source: SourceRef, known: Sequence[KnownPost]) -> Batch:
        """Fresh metrics and text of posts found by search (any owner; no comments)."""
        return self.refresher.refresh(known, lambda owner, names: names.screen_name(owner))

    def close(self) -> None:
        self.client.close()

    # --- one page of one query -------------------------------------------------------------------------------

    def _page(self, query: str, state: SearchCursor, sweep: SearchSweep, found: dict[str, Post],
              problems: list[RecordProblem]) -> None:
        mark = None if sweep.backfill else state.queries.get(query)
        start = mark.last_date if mark is not None else sweep.horizon
        end = sweep.slice_end if sweep.slice_end is not None else sweep.end_time
        payload = self.client.call("newsfeed.search", {
            "q": query, "count": PAGE, "extended": 1, "fields": "screen_name",
            "start_time": start, "end_time": end, "start_from": sweep.next_from,
        })
        try:
            page = search_page(payload)
        except Malformed as exc:
            raise SourceUnavailable(f"VK newsfeed.search: неожиданный ответ ({exc})") from None
        for raw in page.items:
            sweep.slice_read += 1
            try:
                owner, pid, date = item_owner(raw), item_id(raw), item_date(raw)
            except Malformed as exc:
                problems.append(RecordProblem(0, f"VK: результат поиска «{query}» пропущен: {exc}"))
                continue
            key = post_key(owner, pid)
            if mark is not None and date <= mark.last_date and (date < mark.last_date or key in mark.ids):
                continue  # seen on an earlier run (start_time is inclusive)
            if sweep.oldest is not None and date == sweep.oldest and key in sweep.boundary:
                continue  # seen in the previous slice, which ended at this second
            _note(sweep, key, date)
            sweep.slice_new += 1
            if key in found:
                continue
            try:
                found[key] = post_from_item(raw, source=page.names.screen_name(owner), names=page.names)
            except Malformed as exc:
                problems.append(RecordProblem(0, f"VK: результат поиска «{query}» {key} пропущен: {exc}"))
        if page.items and page.next_from:
            sweep.next_from = page.next_from
            return
        capped = sweep.slice_read >= SEARCH_CAP and (page.total is None or page.total > sweep.slice_read)
        if capped and sweep.slice_new and sweep.oldest is not None and start < sweep.oldest < end:
            # VK stops at 1000 results: go on below the oldest one seen, in a new slice.
            sweep.slice_end, sweep.next_from, sweep.slice_read, sweep.slice_new = sweep.oldest, None, 0, 0
            return
        if sweep.newest is not None:
            previous = state.queries.get(query)
            if previous is not None and previous.last_date == sweep.newest.last_date:
                sweep.newest.ids = sorted(set(previous.ids) | set(sweep.newest.ids))
            if previous is None or previous.last_date <= sweep.newest.last_date:
                state.queries[query] = sweep.newest
        _next_query(sweep)


def _note(sweep: SearchSweep, key: str, date: int) -> None:
    """Track the oldest (slice boundary) and newest (next run's start) publication times of this query."""
    if sweep.oldest is None or date < sweep.oldest:
        sweep.oldest, sweep.boundary = date, [key]
    elif date == sweep.oldest:
        sweep.boundary.append(key)
    if sweep.newest is None or date > sweep.newest.last_date:
        sweep.newest = QueryMark(date, [key])
    elif date == sweep.newest.last_date and key not in sweep.newest.ids:
        sweep.newest.ids.append(key)


def _next_query(sweep: SearchSweep) -> None:
    sweep.index += 1
    sweep.slice_end = sweep.next_from = sweep.oldest = sweep.newest = None
    sweep.slice_read = sweep.slice_new = 0
    sweep.boundary = []

