"""Resolving a site or feed URL: fetch it, name it, and find out whether it has a usable feed."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from collectors.budget import Budget
from collectors.http import HttpFetcher
from collectors.source import SourceInfo
from collectors.web.address import is_web_url
from collectors.web.client import WebClient
from collectors.web.feed import feed_title, looks_like_feed, parse_feed
from collectors.web.listing import parse_listing
from config.errors import InputError, SourceUnavailable
from config.schema import Settings


class WebResolver:
    """``resolve(url)``: ``rss`` when the URL is a feed or the page advertises a working one, else ``site``.

    Two requests at most: the page, then the advertised feed (checked, since broken feeds are common on small
    sites; a site whose feed does not work is resolved as ``site``).
    """

    def __init__(
        self,
        settings: Settings,
        budget: Budget,
        *,
        sleep: Callable[[float], None] = time.sleep,
        client: httpx.Client | None = None,
    ) -> None:
        fetcher = HttpFetcher(
            "web",
            budget,
            timeout=settings.collection.timeout,
            retries=settings.collection.retries,
            user_agent=settings.api.web.user_agent,
            client=client,
            sleep=sleep,
        )
        self._web = WebClient(fetcher)

    def resolve(self, url: str) -> SourceInfo:
        """Raises ``SourceClosed`` when the page answers 404/410, ``SourceUnavailable`` when it cannot be read."""
        target = url.strip()
        if "://" not in target:
            target = "https://" + target
        if not is_web_url(target):
            raise InputError(f"не понимаю адрес сайта {url!r}: нужен адрес вида https://example.ru/")
        page = self._web.source_page(target)
        host = (urlsplit(page.url).hostname or "").lower()
        if looks_like_feed(page.content):
            return SourceInfo(kind="rss", handle=host, external_id=None, title=feed_title(page.content) or host,
                              url=page.url)
        listing = parse_listing(page.text, page.url)
        if listing.feed and self._feed_works(listing.feed):
            return SourceInfo(kind="rss", handle=host, external_id=None, title=listing.title, url=listing.feed)
        return SourceInfo(kind="site", handle=host, external_id=None, title=listing.title, url=page.url)

    def close(self) -> None:
        """Release the HTTP connections."""
        self._web.fetcher.close()

    def _feed_works(self, url: str) -> bool:
        try:
            page = self._web.get(url, what="feed")
            return page.status < 400 and bool(parse_feed(page.content, url, content_type=page.content_type).entries)
        except SourceUnavailable:
            return False
