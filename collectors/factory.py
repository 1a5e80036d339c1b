"""Build the collector or resolver for a source kind from settings (each platform module knows its own)."""

from __future__ import annotations

from importlib import import_module

from collectors.base import Collector, NotConfigured, Resolver
from collectors.budget import Budget
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
