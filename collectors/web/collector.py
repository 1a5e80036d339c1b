"""Collecting news sites: an RSS/Atom feed, or a listing page and the article pages it links to.

``rss`` sources read their feed; ``site`` sources use the feed their front page advertises and otherwise follow
article links from the listing. A call fetches at most ``max_pages`` pages (feed, listing or article; at least
two, so a feed call can always make progress); the cursor (``WebCursor``) remembers what was seen and the work
left over. Post ids are article addresses (see ``address``), so ``refresh`` can rebuild the URL to re-read.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import httpx

from collectors.batch import Batch
from collectors.budget import Budget
from collectors.http import HttpFetcher
from collectors.post import Post
from collectors.records import RecordProblem
from collectors.source import KnownPost, SourceRef
from collectors.web.address import post_id_for, url_for
from collectors.web.article import Article, article_post, parse_article
from collectors.web.client import GONE, WebClient
from collectors.web.cursor import WebCursor
from collectors.web.feed import FeedEntry, entry_post, parse_feed
from collectors.web.listing import Listing, parse_listing
from collectors.web.page import Page
from config.errors import SourceClosed, SourceUnavailable
from config.schema import Settings

MAX_LISTING_PAGES = 100  # listing pages one walk may follow, whatever the dates say
OLD_STREAK = 3  # this many articles in a row older than the cutoff end a walk down the listing
MAX_FAILURES = 3  # an article that failed this many calls in a row is given up
MAX_REFRESH_FAILURES = 3  # a refresh stops re-reading pages after this many unreachable ones in a row


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(slots=True)
class _Run:
    """One ``collect`` call: the source, the cursor being advanced, the page budget, and what it produced."""

    source: SourceRef
    home: str
    state: WebCursor
    now: datetime
    cutoff: datetime
    pages_left: int
    posts: list[Post] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    more: bool = False

    def note(self, message: str) -> None:
        self.problems.append(RecordProblem(0, message))


class WebCollector:
    """The collector of ``rss`` and ``site`` sources (platform ``web``); no metrics, no comments."""

    def __init__(
        self,
        settings: Settings,
        budget: Budget,
        *,
        clock: Callable[[], datetime] = _utc_now,
        sleep: Callable[[float], None] = time.sleep,
        client: httpx.Client | None = None,
    ) -> None:
        collection = settings.collection
        fetcher = HttpFetcher(
            "web",
            budget,
            timeout=collection.timeout,
            retries=collection.retries,
            user_agent=settings.api.web.user_agent,
            client=client,
            sleep=sleep,
        )
        self._web = WebClient(fetcher)
        self._clock = clock
        self._tz = settings.town.tz
        self._max_pages = max(2, collection.max_pages)
        self._initial = timedelta(days=collection.initial_days)
        # Site address → its feed ("" when none), learnt while collecting; refresh uses it to avoid a discovery.
        self._feeds: dict[str, str] = {}

    def close(self) -> None:
        """Release the HTTP connections."""
        self._web.fetcher.close()

    # ----------------------------------------------------------------------------------------------- collect

    def collect(self, source: SourceRef, cursor: str | None, *, since: datetime | None = None) -> Batch:
        """New articles after ``cursor``, oldest first; see the module docstring for paging."""
        home = self._home(source)
        now = self._clock()
        calls = self._web.calls
        problems: list[RecordProblem] = []
        try:
            state = WebCursor.load(cursor)
        except (ValueError, TypeError):
            state = WebCursor()
            problems.append(RecordProblem(0, f"{source.name}: курсор не прочитан, сбор начат заново"))
            cursor = None
        run = _Run(source, home, state, now, self._cutoff(state, cursor, since, now), self._max_pages, problems=problems)
        state.cutoff = run.cutoff
        if since is not None or cursor is None:
            state.deep = True
        if source.kind == "rss":
            self._read_feed(run, home, fatal=True)
        else:
            self._collect_site(run)
        if not state.busy:
            state.deep = False
        posts = sorted(run.posts, key=lambda post: post.published_at)
        return Batch(tuple(posts), cursor=state.dump(), more=run.more, problems=tuple(run.problems),
                     calls=self._web.calls - calls)

    @staticmethod
    def _home(source: SourceRef) -> str:
        if not source.url:
            raise SourceUnavailable(f"web: у источника {source.name!r} не указан адрес")
        return source.url

    def _cutoff(self, state: WebCursor, cursor: str | None, since: datetime | None, now: datetime) -> datetime:
        """The oldest publication date to collect: ``since``; the horizon of a run still in progress; the initial
        horizon on a first run; later, the initial horizon or the newest date seen, whichever is older (so a
        long outage is caught up)."""
        if since is not None:
            return since if since.tzinfo is not None else since.replace(tzinfo=self._tz)
        if state.busy and state.cutoff is not None:
            return state.cutoff
        horizon = now - self._initial
        if cursor is None or state.newest is None:
            return horizon
        return min(horizon, state.newest)

    def _collect_site(self, run: _Run) -> None:
        state = run.state
        if not state.busy:
            failed = None
            if state.feed:
                self._feeds[run.home] = state.feed
                if self._read_feed(run, state.feed, fatal=False):
                    return
                failed, state.feed = state.feed, None  # gone or broken: look at the front page again
            listing = self._listing(run, run.home, fatal=True)
            assert listing is not None  # fatal=True raises instead
            # "" means the site was found to have no usable feed: not looked for again while the cursor lives.
            if state.feed is None and listing.feed and listing.feed != failed:
                state.feed = listing.feed
                self._feeds[run.home] = listing.feed
                if self._read_feed(run, listing.feed, fatal=False):
                    return
            state.feed = ""
            self._feeds[run.home] = ""
            self._queue(run, listing)
        self._drain(run)

    def _listing(self, run: _Run, url: str, *, fatal: bool) -> Listing | None:
        run.pages_left -= 1
        if fatal:
            page = self._web.source_page(url)
        else:
            try:
                page = self._web.get(url)
            except SourceUnavailable as exc:
                run.note(f"{run.source.name}: страница списка {url} не прочитана: {exc}")
                return None
            if page.status >= 400:
                run.note(f"{run.source.name}: страница списка {url}: HTTP {page.status}")
                return None
        # The page's own address after redirects resolves its relative links.
        return parse_listing(page.text, page.url, self._pattern(run.source), home=run.home)

    @staticmethod
    def _pattern(source: SourceRef) -> re.Pattern[str] | None:
        pattern = source.options.get("link_pattern")
        if not isinstance(pattern, str) or not pattern:
            return None
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise SourceUnavailable(f"web: link_pattern источника {source.name!r} не является регулярным выражением: {exc}") from exc

    def _queue(self, run: _Run, listing: Listing) -> None:
        """Queue the listing's unseen articles (newest first, as listings go) and decide on the next page."""
        state = run.state
        queued = set(state.pending)
        unseen = [link for link in listing.links
                  if link not in queued and not state.has_seen(post_id_for(link, run.home), run.cutoff)]
        state.pending.extend(unseen)
        state.listing_pages += 1
        state.in_window = any(post_id_for(link, run.home) in state.seen for link in listing.links)
        # Follow the pager on a first run or backfill (until articles get older than the cutoff), or when every
        # link was new (articles may have been missed during an outage).
        all_new = bool(listing.links) and len(unseen) == len(listing.links)
        follow = (state.deep or all_new) and state.listing_pages < MAX_LISTING_PAGES
        state.next_listing = listing.next_page if follow else None

    def _drain(self, run: _Run) -> None:
        """Fetch queued articles and follow listing pages until the page budget or the work runs out."""
        state = run.state
        old = 0
        while state.pending or state.next_listing:
            if run.pages_left <= 0:
                run.more = True
                return
            if state.pending:
                outcome = self._article(run, state.pending[0])
                if outcome == "retry":
                    return  # the site is struggling: leave the rest for the next scheduled run
                state.pending.pop(0)
                old = old + 1 if outcome == "old" else 0 if outcome == "new" else old
                if old >= OLD_STREAK:
                    # Listings go newest first: what follows is older still. Remember it as seen, do not fetch it.
                    for link in state.pending:
                        state.skip(post_id_for(link, run.home), run.cutoff)
                    state.pending.clear()
                    state.next_listing = None
                continue
            url = state.next_listing
            assert url is not None
            state.next_listing = None
            if not state.in_window:
                # Nothing on this page was dated inside the cutoff (an undated site): going deeper would read
                # the whole archive as "new".
                continue
            listing = self._listing(run, url, fatal=False)
            if listing is not None:
                self._queue(run, listing)
        state.listing_pages = 0

    def _article(self, run: _Run, url: str) -> str:
        """Fetch one listed article: ``new`` (a post), ``old`` (before the cutoff), ``skip`` or ``retry``."""
        state = run.state
        post_id = post_id_for(url, run.home)
        if state.has_seen(post_id, run.cutoff):
            return "skip"
        run.pages_left -= 1
        try:
            page = self._web.get(url)
        except SourceUnavailable as exc:
            failures = state.failures.get(post_id, 0) + 1
            if failures >= MAX_FAILURES:
                state.failures.pop(post_id, None)
                state.saw(post_id)
                run.note(f"{run.source.name}: статья {url} пропущена после {failures} неудачных попыток: {exc}")
                return "skip"
            state.failures[post_id] = failures
            run.note(f"{run.source.name}: статья {url} недоступна, повторю позже: {exc}")
            return "retry"
        state.failures.pop(post_id, None)
        article = self._read_article(run, page, url)
        if article is None:
            state.saw(post_id)
            return "skip"
        published = article.published_at
        if published is None:
            published = run.now
            run.note(f"{run.source.name}: у статьи {url} не найдена дата, взято время сбора")
        elif published < run.cutoff:
            state.skip(post_id, run.cutoff)
            return "old"
        state.saw(post_id)
        state.in_window = state.in_window or article.published_at is not None
        run.posts.append(article_post(article, post_id, run.source.handle, published_at=published))
        state.advance(published)
        return "new"

    def _read_article(self, run: _Run, page: Page, url: str) -> Article | None:
        """Parse a fetched article page; ``None`` (with a problem noted) when it has no usable text."""
        if page.status >= 400:
            run.note(f"{run.source.name}: статья {url}: HTTP {page.status}, пропущена")
            return None
        if not page.is_html:
            run.note(f"{run.source.name}: {url} не HTML-страница ({page.content_type or 'тип не указан'}), пропущена")
            return None
        article = parse_article(page.text, url, now=run.now, tz=self._tz)
        if not article.text:
            run.note(f"{run.source.name}: в статье {url} не найден текст, пропущена")
            return None
        return article

    # -------------------------------------------------------------------------------------------------- feeds

    def _read_feed(self, run: _Run, url: str, *, fatal: bool, discovered: bool = False) -> bool:
        """Collect from a feed. ``fatal``: the feed is the source (404/410 → ``SourceClosed``, not a feed →
        ``SourceUnavailable``); otherwise an unusable feed is noted and ``False`` returned (use the listing)."""
        run.pages_left -= 1
        page = self._web.get(url, what="feed")
        if page.status >= 400:
            if fatal and page.status in GONE:
                raise SourceClosed(f"web: лента {url} не существует (HTTP {page.status})", page.status)
            if fatal:
                raise SourceUnavailable(f"web: лента {url} недоступна (HTTP {page.status})")
            run.note(f"{run.source.name}: лента {url} недоступна (HTTP {page.status}), читаю страницы сайта")
            return False
        try:
            feed = parse_feed(page.content, page.url, run.home, page.content_type)
        except SourceUnavailable as exc:
            if fatal and not discovered and page.is_html:
                # An "rss" source whose address is the site itself: use the feed its page advertises.
                advertised = parse_listing(page.text, page.url).feed
                if advertised and advertised != url:
                    return self._read_feed(run, advertised, fatal=True, discovered=True)
            if fatal:
                raise
            run.note(f"{run.source.name}: {exc}; читаю страницы сайта")
            return False
        if feed.skipped:
            run.note(f"{run.source.name}: в ленте {url} {feed.skipped} записей без ссылки и guid пропущены")
        self._feed_entries(run, feed.entries, url)
        return True

    def _feed_entries(self, run: _Run, entries: Sequence[FeedEntry], url: str) -> None:
        state = run.state
        fresh: list[FeedEntry] = []
        for entry in entries:
            if state.has_seen(entry.id, run.cutoff):
                continue
            if entry.published_at is not None and entry.published_at < run.cutoff:
                state.skip(entry.id, run.cutoff)
                continue
            fresh.append(entry)
        # Oldest first, so a call cut short by the page budget resumes with the next-oldest entry.
        fresh.sort(key=lambda entry: (entry.published_at is None, entry.published_at or run.now))
        undated = 0
        for entry in fresh:
            article: Article | None = None
            if entry.is_teaser and entry.link:
                if run.pages_left <= 0:
                    run.more = True
                    break
                article = self._teaser_article(run, entry.link)
            published = entry.published_at or (article.published_at if article else None)
            if published is None:
                published, undated = run.now, undated + 1
            run.posts.append(self._entry_post(run.source.handle, entry, article, published))
            state.saw(entry.id)
            state.advance(published)
        if undated:
            run.note(f"{run.source.name}: в ленте {url} у {undated} записей нет даты, взято время сбора")

    def _teaser_article(self, run: _Run, link: str) -> Article | None:
        """The article behind a short feed summary; ``None`` (the summary stays) when it cannot be read."""
        run.pages_left -= 1
        try:
            page = self._web.get(link)
        except SourceUnavailable as exc:
            run.note(f"{run.source.name}: статья {link} не прочитана, взят анонс из ленты: {exc}")
            return None
        if page.status >= 400 or not page.is_html:
            run.note(f"{run.source.name}: статья {link}: HTTP {page.status}, взят анонс из ленты")
            return None
        article = parse_article(page.text, link, now=run.now, tz=self._tz)
        return article if article.text else None

    @staticmethod
    def _entry_post(handle: str, entry: FeedEntry, article: Article | None, published: datetime,
                    observed_at: datetime | None = None) -> Post:
        """Read page → the page's title and text (the same as ``refresh`` builds); else the feed's own text."""
        if article is not None:
            return article_post(article, entry.id, handle, published_at=published, title=article.title or entry.title,
                                observed_at=observed_at)
        return entry_post(entry, handle, published_at=published, observed_at=observed_at)

    # ------------------------------------------------------------------------------------------------ refresh

    def refresh(self, source: SourceRef, known: Sequence[KnownPost]) -> Batch:
        """Re-read known articles: changed texts come back as posts with ``observed_at``; 404/410 → ``deleted``.

        Feed sources: an entry still in the feed with a full text is taken from the feed (no page request);
        after an entry has left the feed only its page's existence is checked, since its text came from the feed.
        """
        home = self._home(source)
        now = self._clock()
        calls = self._web.calls
        problems: list[RecordProblem] = []
        feed_url, entries = self._refresh_feed(source, home, problems)
        posts: list[Post] = []
        deleted: list[str] = []
        failures = skipped = 0
        for item in known:
            if item.parent_id is not None:
                continue  # web posts have no comments
            entry = entries.get(item.id)
            if entry is not None and not entry.is_teaser:
                posts.append(entry_post(entry, source.handle, published_at=item.published_at, observed_at=now))
                continue
            url = url_for(item.id, home) or (entry.link if entry else None)
            if url is None:
                continue  # a bare guid that left the feed: nothing to re-read
            if failures >= MAX_REFRESH_FAILURES:
                skipped += 1
                continue
            try:
                page = self._web.get(url)
            except SourceUnavailable as exc:
                failures += 1
                problems.append(RecordProblem(0, f"{source.name}: статья {url} не перечитана: {exc}"))
                continue
            failures = 0
            if page.status in GONE:
                deleted.append(item.id)
                continue
            if page.status >= 400 or not page.is_html:
                problems.append(RecordProblem(0, f"{source.name}: статья {url} не перечитана: HTTP {page.status}"))
                continue
            if feed_url and entry is None:
                continue  # its text came from the feed: only its existence can be checked now
            article = parse_article(page.text, url, now=now, tz=self._tz)
            if not article.text:
                problems.append(RecordProblem(0, f"{source.name}: в статье {url} не найден текст при перечитывании"))
                continue
            posts.append(self._entry_post(source.handle, entry, article, item.published_at, now) if entry else
                         article_post(article, item.id, source.handle, published_at=item.published_at, observed_at=now))
        if skipped:
            problems.append(RecordProblem(0, f"{source.name}: сайт не отвечает, {skipped} статей не перечитаны"))
        return Batch(tuple(posts), cursor=None, problems=tuple(problems), deleted=tuple(deleted),
                     calls=self._web.calls - calls)

    def _refresh_feed(self, source: SourceRef, home: str,
                      problems: list[RecordProblem]) -> tuple[str, dict[str, FeedEntry]]:
        """The feed to refresh from ("" when the site has none) and its entries by post id."""
        feed_url = home if source.kind == "rss" else self._feeds.get(home)
        try:
            if feed_url is None:
                page = self._web.get(home)
                feed_url = ""
                if page.status < 400 and page.is_html:
                    feed_url = parse_listing(page.text, home).feed or ""
                    self._feeds[home] = feed_url
            if not feed_url:
                return "", {}
            page = self._web.get(feed_url, what="feed")
            if page.status >= 400:
                raise SourceUnavailable(f"web: лента {feed_url}: HTTP {page.status}")
            feed = parse_feed(page.content, feed_url, home, page.content_type)
        except SourceUnavailable as exc:
            problems.append(RecordProblem(0, f"{source.name}: лента не прочитана при перечитывании: {exc}"))
            return feed_url or "", {}
        return feed_url, {entry.id: entry for entry in feed.entries}
