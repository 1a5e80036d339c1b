"""Build the collector or resolver for a source kind from settings (each platform module knows its own)."""

from __future__ import annotations

from importlib import import_module

from collectors.base import Collector, NotConfigured, Resolver
from collectors.budget import Budget
from collectors.page import PageReader
from config.schema import Settings

# kind → the module that implements it; each has build_collector(kind, settings, budget) and build_resolver(...)
MODULES = {
    "vk_wall": "collectors.vk",
    "vk_search": "collectors.vk",
    "ok_group": "collectors.ok",
    "telegram": "collectors.telegram",
    "tme": "collectors.telegram",
    "rss": "collectors.web",
    "site": "collectors.web",
}


def build_collector(kind: str, settings: Settings, budget: Budget) -> Collector:
    """The collector for ``kind``; raises ``NotConfigured`` (Russian message) when a token is missing."""
    module = MODULES.get(kind)
    if module is None:
        raise NotConfigured(f"нет сборщика для источников вида {kind!r}")
    return import_module(module).build_collector(kind, settings, budget)  # type: ignore[no-any-return]


def build_resolver(kind: str, settings: Settings, budget: Budget) -> Resolver:
    module = MODULES.get(kind)
    if module is None:
        raise NotConfigured(f"нет сборщика для источников вида {kind!r}")
    return import_module(module).build_resolver(kind, settings, budget)  # type: ignore[no-any-return]


def build_page_reader(kind: str, settings: Settings, budget: Budget) -> PageReader:
    """The reader of an official page's facts and feed (``gospublics``) for a source ``kind``."""
    limit = settings.gospublics.max_pages
    if kind == "vk_wall":
        from collectors.vk import build_client
        from collectors.vk.page import VkPageReader

        return VkPageReader(build_client(settings, budget), max_pages=limit)
    if kind == "ok_group":
        from collectors.ok import OkClient
        from collectors.ok.page import OkPageReader

        return OkPageReader(OkClient.from_settings(settings, budget), max_pages=limit)
    if kind == "tme":
        from collectors.telegram.page import PreviewPageReader
        from collectors.telegram.preview_client import PreviewClient

        return PreviewPageReader(PreviewClient.from_settings(settings, budget), max_pages=limit)
    if kind == "telegram":
        from collectors.telegram import TelethonSession, client_factory, session_timeout
        from collectors.telegram.page import TelethonPageReader

        session = TelethonSession(client_factory(settings), budget, timeout=session_timeout(settings))
        return TelethonPageReader(session, max_pages=limit)
    raise NotConfigured(f"страницы вида {kind!r} не бывают госпабликами (нужны VK, ОК или Telegram)")
