"""Fetching pages and feeds of news sites through the shared ``HttpFetcher`` (budget line ``"web"``)."""

from __future__ import annotations

import httpx

from collectors.http import HttpFetcher
from collectors.web.page import MAX_BYTES, Page
from config.errors import SourceClosed, SourceUnavailable

GONE = (404, 410)


class WebClient:
    """GETs pages; ``source_page`` is for a source's own front page or feed, where 404/410 mean it is gone."""

    def __init__(self, fetcher: HttpFetcher) -> None:
        self.fetcher = fetcher

    @property
    def calls(self) -> int:
        return self.fetcher.calls

    def get(self, url: str, *, what: str = "page") -> Page:
        """Any answer below 500 (the caller reads the status); timeouts, network errors and 5xx after retries
        raise ``SourceUnavailable``, a long 429 ``RateLimited``."""
        try:
            response = self.fetcher.request("GET", url, budget_method=what)
        except httpx.InvalidURL as exc:
            raise SourceUnavailable(f"web: некорректный адрес {url!r}") from exc
        return Page(
            url=str(response.url),
            status=response.status_code,
            content=response.content[:MAX_BYTES],
            content_type=response.headers.get("Content-Type", ""),
        )

    def source_page(self, url: str, *, what: str = "page") -> Page:
        """The source itself: 404/410 → ``SourceClosed``, any other error status → ``SourceUnavailable``."""
        page = self.get(url, what=what)
        label = "лента" if what == "feed" else "страница"
        if page.status in GONE:
            raise SourceClosed(f"web: {label} {url} не существует (HTTP {page.status})", page.status)
        if page.status >= 400:
            raise SourceUnavailable(f"web: {label} {url} недоступна (HTTP {page.status})")
        return page
