"""Fetches pages of the public web preview ``<preview_base_url>/s/<channel>[?before=N]`` (no account needed).

Redirects are not followed: t.me answers a channel that does not exist (or is a person, a private group,
or has its preview disabled) with 302, which is ``SourceClosed``. Retries, 429 and 5xx live in ``HttpFetcher``.
"""

from __future__ import annotations

from collectors.budget import Budget
from collectors.http import HttpFetcher
from config.errors import SourceClosed, SourceUnavailable
from config.schema import Settings

API = "tme"
METHOD = "s"


class PreviewClient:
    """One GET per page; ``calls`` counts HTTP requests including retries."""

    def __init__(self, fetcher: HttpFetcher, base_url: str) -> None:
        self.fetcher = fetcher
        self.base_url = base_url.rstrip("/")

    @classmethod
    def from_settings(cls, settings: Settings, budget: Budget) -> "PreviewClient":
        fetcher = HttpFetcher(
            API, budget, timeout=settings.collection.timeout, retries=settings.collection.retries,
            user_agent=settings.api.web.user_agent, follow_redirects=False,
        )
        return cls(fetcher, settings.api.telegram.preview_base_url)

    @property
    def calls(self) -> int:
        return self.fetcher.calls

    def page(self, channel: str, before: int | None = None) -> str:
        """The HTML of the newest page, or of the page of ids below ``before``."""
        params = {"before": before} if before is not None else None
        response = self.fetcher.request("GET", f"{self.base_url}/s/{channel}", params=params, budget_method=METHOD)
        status = response.status_code
        if 300 <= status < 400:
            raise SourceClosed(
                f"t.me: канал @{channel} не найден, закрыт или не показывает веб-просмотр (HTTP {status})", code=status
            )
        if status == 404:
            raise SourceUnavailable(f"t.me: {self.base_url}/s/{channel}: HTTP 404 — проверьте api.telegram.preview_base_url")
        if status != 200:
            raise SourceUnavailable(f"t.me: @{channel}: HTTP {status}")
        return response.text

    def close(self) -> None:
        self.fetcher.close()
