"""Odnoklassniki (OK): the ``ok_group`` collector and resolver, on our own signed client of the REST API.

    client.py   signing (FACTS §2.1), transport through ``HttpFetcher``, OK error codes → our errors
    parse.py    pure payload → ``Post`` / ``SourceInfo`` functions
    cursor.py   where a group feed resumes
    group.py    the collector: feed walk, comments, refresh
    resolve.py  URL → ``SourceInfo``
"""

from __future__ import annotations

from collectors.base import NotConfigured
from collectors.budget import Budget
from collectors.ok.client import OkClient, signature
from collectors.ok.group import OkGroupCollector
from collectors.ok.resolve import OkGroupResolver
from config.schema import Settings

KIND = "ok_group"

__all__ = ["KIND", "OkClient", "OkGroupCollector", "OkGroupResolver", "build_collector", "build_resolver", "signature"]


def _check_kind(kind: str) -> None:
    if kind != KIND:
        raise NotConfigured(f"модуль Одноклассников не умеет источники вида {kind!r} (только {KIND})")


def build_collector(kind: str, settings: Settings, budget: Budget) -> OkGroupCollector:
    """The ``ok_group`` collector; ``NotConfigured`` names the missing key, secret or token."""
    _check_kind(kind)
    return OkGroupCollector(OkClient.from_settings(settings, budget), settings.collection)


def build_resolver(kind: str, settings: Settings, budget: Budget) -> OkGroupResolver:
    """The ``ok_group`` resolver; needs the same keys as the collector (every OK call is signed)."""
    _check_kind(kind)
    return OkGroupResolver(OkClient.from_settings(settings, budget))
