"""Plain HTTP for collectors: one INFO line per request (no tokens), bounded retries, errors in our terms."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from collectors.budget import Budget
from config.errors import RateLimited, SourceUnavailable

log = logging.getLogger(__name__)

MAX_WAIT = 60.0  # a longer Retry-After is reported, not slept through


class HttpFetcher:
    """GET/POST with the budget's rate limit, retries on timeouts, 429 and 5xx, and Russian errors.

    ``api`` names the budget line (``"ok"``, ``"tme"``, ``"web"``); ``secret_params`` are left out of log lines.
    """

    def __init__(
        self,
        api: str,
        budget: Budget,
        *,
        timeout: float = 20.0,
        retries: int = 3,
        user_agent: str = "MCU-monitor",
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        follow_redirects: bool = True,
    ) -> None:
        self.api = api
        self.budget = budget
        self.retries = retries
        self.calls = 0
        self._sleep = sleep
        self._client = client or httpx.Client(
            timeout=timeout, headers={"User-Agent": user_agent}, follow_redirects=follow_redirects
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        budget_method: str = "request",
    ) -> httpx.Response:
        """One logical request; returns any response below 500 except 429 (the caller reads 3xx/4xx)."""
        where = url.split("?", 1)[0]
        for attempt in range(self.retries + 1):
            self.budget.acquire(self.api, budget_method)
            self.calls += 1
            try:
                response = self._client.request(method, url, params=params, data=data)
            except httpx.TimeoutException:
                problem: str = "нет ответа (таймаут)"
            except httpx.TransportError as exc:
                problem = f"соединение не удалось ({type(exc).__name__})"
            else:
                log.info("%s %s %s → %s", self.api, method, where, response.status_code)
                if response.status_code == 429:
                    wait = _retry_after(response)
                    if attempt < self.retries and wait <= MAX_WAIT:
                        self._sleep(wait)
                        continue
                    raise RateLimited(f"{self.api}: {where}: слишком много запросов, повторить через {wait:.0f} с", wait)
                if response.status_code < 500:
                    return response
                problem = f"ошибка сервера HTTP {response.status_code}"
            if attempt < self.retries:
                self._sleep(min(MAX_WAIT, 2.0**attempt))
                continue
            raise SourceUnavailable(f"{self.api}: {where}: {problem}")
        raise AssertionError("unreachable")

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise SourceUnavailable(f"{self.api}: {url.split('?', 1)[0]}: ответ не является JSON") from None

    def close(self) -> None:
        self._client.close()


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0
