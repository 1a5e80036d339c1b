"""VK collectors: community and user walls (``vk_wall``) and keyword search (``vk_search``), plus URL resolution.

Built from settings by ``build_collector``/``build_resolver``; both need ``api.vk.token`` (a service or user
key) and raise ``NotConfigured`` without it. Requests go through the ``vk_api`` library to
``api.vk.base_url``, paced and counted by the shared ``Budget`` (API name ``"vk"``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from collectors.base import Collector, NotConfigured, Resolver
from collectors.budget import Budget
from collectors.vk.client import VkClient
from collectors.vk.resolve import VkResolver
from collectors.vk.search import VkSearchCollector
from collectors.vk.wall import VkWallCollector
from config.schema import Settings

KINDS = ("vk_wall", "vk_search")


def build_client(settings: Settings, budget: Budget, *, sleep: Callable[[float], None] = time.sleep) -> VkClient:
    """The API client from ``settings.api.vk`` and ``settings.collection`` (timeout, retries)."""
    vk = settings.api.vk
    if vk.token is None or not vk.token.present:
        raise NotConfigured(_missing_token(vk.token.origin if vk.token is not None else None))
    return VkClient(
        vk.token,
        budget,
        base_url=vk.base_url,
        version=vk.version,
        timeout=settings.collection.timeout,
        retries=settings.collection.retries,
        sleep=sleep,
    )


def build_collector(kind: str, settings: Settings, budget: Budget) -> Collector:
    """``VkWallCollector`` for ``vk_wall``, ``VkSearchCollector`` for ``vk_search``."""
    if kind not in KINDS:
        raise NotConfigured(f"сборщик VK не умеет источники вида {kind!r}")
    client = build_client(settings, budget)
    if kind == "vk_wall":
        return VkWallCollector(client, settings)
    return VkSearchCollector(client, settings)


def build_resolver(kind: str, settings: Settings, budget: Budget) -> Resolver:
    """One resolver for both kinds: a URL always names a wall (search results' owners are walls too)."""
    if kind not in KINDS:
        raise NotConfigured(f"сборщик VK не умеет источники вида {kind!r}")
    return VkResolver(build_client(settings, budget))


def _missing_token(origin: str | None) -> str:
    if origin and origin.startswith("env:"):
        return f"VK: не задан ключ доступа — переменная окружения {origin[4:]} пуста или не задана (api.vk.token)"
    if origin and origin.startswith("file:"):
        return f"VK: не задан ключ доступа — файл {origin[5:]} пуст (api.vk.token)"
    return "VK: не задан ключ доступа: укажите api.vk.token, например {env: MCU_VK_TOKEN}, и задайте переменную"


__all__ = [
    "VkClient",
    "VkResolver",
    "VkSearchCollector",
    "VkWallCollector",
    "build_client",
    "build_collector",
    "build_resolver",
]
