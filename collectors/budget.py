"""Polling budget: requests per second per token, and daily per-method quotas, shared by every collector.

One ``Budget`` lives in the process; collectors call ``acquire`` before every API request. The shell
loads yesterday's counters from the database at start and saves ``usage()`` after each run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from config.errors import QuotaExhausted


@dataclass(frozen=True, slots=True)
class Usage:
    """Calls spent on one API method on one (UTC) day, and until when it is blocked, if it is."""

    api: str
    method: str
    day: str
    calls: int
    quota: int | None
    blocked_until: datetime | None = None


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Budget:
    """Thread-safe: a minimum interval between requests per API, and daily call counters per method.

    ``rates`` maps an API name (``"vk"``) to requests per second; ``quotas`` maps ``"vk"`` to
    ``{"wall.get": 5000, ...}``. A method with no quota is only rate-limited.
    """

    def __init__(
        self,
        rates: Mapping[str, float] | None = None,
        quotas: Mapping[str, Mapping[str, int]] | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rates = dict(rates or {})
        self._quotas = {api: dict(methods) for api, methods in (quotas or {}).items()}
        self._clock = clock
        self._sleep = sleep
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._calls: dict[tuple[str, str, str], int] = {}
        self._blocked: dict[tuple[str, str], datetime] = {}

    def _day(self) -> str:
        return self._clock().astimezone(timezone.utc).strftime("%Y-%m-%d")

    def acquire(self, api: str, method: str) -> None:
        """Wait for this API's next request slot and count one call; raise if the method's quota is spent."""
        with self._lock:
            now = self._clock()
            blocked = self._blocked.get((api, method))
            if blocked is not None and now < blocked:
                raise QuotaExhausted(f"{api} {method}: дневная квота исчерпана до {blocked:%Y-%m-%d %H:%M} UTC", api, method, blocked)
            day = self._day()
            quota = self._quotas.get(api, {}).get(method)
            spent = self._calls.get((api, method, day), 0)
            if quota is not None and spent >= quota:
                until = self._next_midnight(now)
                self._blocked[(api, method)] = until
                raise QuotaExhausted(f"{api} {method}: дневная квота {quota} вызовов исчерпана", api, method, until)
            self._calls[(api, method, day)] = spent + 1
            rate = self._rates.get(api)
            wait = 0.0
            if rate:
                moment = self._monotonic()
                slot = max(moment, self._next_slot.get(api, moment))
                self._next_slot[api] = slot + 1.0 / rate
                wait = slot - moment
        if wait > 0:
            self._sleep(wait)

    def block(self, api: str, method: str, until: datetime | None = None) -> datetime:
        """The API said the quota is spent (VK error 29): no calls until ``until`` (default: about a day)."""
        with self._lock:
            moment = until or self._clock() + timedelta(hours=24)
            self._blocked[(api, method)] = moment
            return moment

    @staticmethod
    def _next_midnight(now: datetime) -> datetime:
        utc = now.astimezone(timezone.utc)
        return datetime(utc.year, utc.month, utc.day, tzinfo=timezone.utc) + timedelta(days=1)

    def usage(self) -> list[Usage]:
        """Today's counters and blocks, for ``status`` and for saving."""
        with self._lock:
            rows = []
            keys = {(api, method) for api, method, _ in self._calls} | set(self._blocked)
            day = self._day()
            for api, method in sorted(keys):
                rows.append(Usage(api, method, day, self._calls.get((api, method, day), 0),
                                  self._quotas.get(api, {}).get(method), self._blocked.get((api, method))))
            return rows

    def preload(self, usage: list[Usage]) -> None:
        """Restore counters and blocks saved by an earlier run (today's only)."""
        with self._lock:
            today = self._day()
            for row in usage:
                if row.day == today:
                    key = (row.api, row.method, row.day)
                    self._calls[key] = max(self._calls.get(key, 0), row.calls)
                if row.blocked_until is not None and row.blocked_until > self._clock():
                    self._blocked[(row.api, row.method)] = row.blocked_until
