"""News sites: RSS/Atom feeds (kind ``rss``) and sites read page by page (kind ``site``), platform ``web``.

No token is needed. ``build_collector``/``build_resolver`` are what ``collectors.factory`` calls.
"""

from __future__ import annotations

from collectors.base import NotConfigured
from collectors.budget import Budget
from collectors.web.collector import WebCollector
from collectors.web.resolve import WebResolver
from config.schema import Settings

KINDS = ("rss", "site")


def _check(kind: str) -> None:
    if kind not in KINDS:
        raise NotConfigured(f"сборщик сайтов читает только источники вида rss и site, а не {kind!r}")


def build_collector(kind: str, settings: Settings, budget: Budget) -> WebCollector:
    """The collector of ``rss`` and ``site`` sources (one class reads both)."""
    _check(kind)
    return WebCollector(settings, budget)


def build_resolver(kind: str, settings: Settings, budget: Budget) -> WebResolver:
    _check(kind)
    return WebResolver(settings, budget)


__all__ = ["KINDS", "WebCollector", "WebResolver", "build_collector", "build_resolver"]
