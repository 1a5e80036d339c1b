"""The polling budget: request spacing per API and daily quotas per method, without real sleeping."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from collectors.budget import Budget
from collectors.urls import parse_source_url
from config import InputError, QuotaExhausted

NOW = datetime(2026, 1, 14, 21, 0, tzinfo=timezone.utc)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_three_requests_per_second_are_spaced() -> None:
    clock = FakeTime()
    budget = Budget(rates={"vk": 3}, monotonic=clock.monotonic, sleep=clock.sleep, clock=lambda: NOW)
    for _ in range(7):
        budget.acquire("vk", "wall.get")
    assert clock.now == pytest.approx(2.0)  # 7 calls at 3/s take two seconds
    budget.acquire("web", "page")  # another API does not wait for VK
    assert clock.now == pytest.approx(2.0)


def test_daily_quota_blocks_until_midnight_utc() -> None:
    budget = Budget(quotas={"vk": {"newsfeed.search": 2}}, clock=lambda: NOW)
    budget.acquire("vk", "newsfeed.search")
    budget.acquire("vk", "newsfeed.search")
    with pytest.raises(QuotaExhausted) as caught:
        budget.acquire("vk", "newsfeed.search")
    assert caught.value.until == datetime(2026, 1, 15, tzinfo=timezone.utc)
    budget.acquire("vk", "wall.get")  # other methods go on
    usage = {u.method: u for u in budget.usage()}
    assert usage["newsfeed.search"].calls == 2 and usage["newsfeed.search"].blocked_until is not None


def test_api_reported_quota_blocks_the_method() -> None:
    moments = [NOW]
    budget = Budget(clock=lambda: moments[0])
    until = budget.block("vk", "wall.get")
    assert until == NOW + timedelta(hours=24)
    with pytest.raises(QuotaExhausted):
        budget.acquire("vk", "wall.get")
    moments[0] = until + timedelta(seconds=1)
    budget.acquire("vk", "wall.get")


@pytest.mark.parametrize(
    ("url", "kind", "handle"),
    [
        ("https://vk.com/desnogorsk_online", "vk_wall", "desnogorsk_online"),
        ("vk.com/club123", "vk_wall", "club123"),
        ("https://m.vk.com/public45?w=wall", "vk_wall", "public45"),
        ("https://ok.ru/group/54321", "ok_group", "54321"),
        ("https://ok.ru/desnogorsk", "ok_group", "desnogorsk"),
        ("https://t.me/desna_news", "tme", "desna_news"),
        ("t.me/s/desna_news", "tme", "desna_news"),
        ("https://avoska-gazeta.ru/", "site", "avoska-gazeta.ru"),
        ("https://example.ru/rss.xml", "rss", "example.ru"),
        ("https://example.ru/feed/", "rss", "example.ru"),
    ],
)
def test_source_urls(url: str, kind: str, handle: str) -> None:
    parsed = parse_source_url(url)
    assert (parsed.kind, parsed.handle) == (kind, handle)


@pytest.mark.parametrize("url", ["", "не адрес", "https://vk.com/", "https://t.me/+AbCdEf", "https://ok.ru/profile/1"])
def test_bad_source_urls_are_explained(url: str) -> None:
    with pytest.raises(InputError):
        parse_source_url(url)
