"""Telegram collectors, two ways: ``telegram`` (a user session through telethon) and ``tme`` (the public t.me/s
web preview, no account). Both produce the same ``Post`` records; see ``channel.py`` and ``preview.py``.
"""

from __future__ import annotations

from collectors.base import Collector, NotConfigured, Resolver
from collectors.budget import Budget
from collectors.telegram.channel import TelethonCollector
from collectors.telegram.preview import PreviewCollector
from collectors.telegram.preview_client import PreviewClient
from collectors.telegram.resolve import PreviewResolver, TelethonResolver
from collectors.telegram.session import TelethonSession, client_factory, session_timeout
from config.schema import Settings

KINDS = ("telegram", "tme")


def build_collector(kind: str, settings: Settings, budget: Budget) -> Collector:
    """The collector for ``kind``; ``telegram`` raises ``NotConfigured`` without api_id, api_hash and session."""
    if kind == "tme":
        return PreviewCollector(settings, PreviewClient.from_settings(settings, budget))
    if kind == "telegram":
        return TelethonCollector(settings, budget, _session(settings, budget))
    raise NotConfigured(f"модуль Telegram не собирает источники вида {kind!r}")


def build_resolver(kind: str, settings: Settings, budget: Budget) -> Resolver:
    """The resolver for ``kind`` (``telegram`` needs the same secrets as its collector)."""
    if kind == "tme":
        return PreviewResolver(PreviewClient.from_settings(settings, budget))
    if kind == "telegram":
        return TelethonResolver(_session(settings, budget))
    raise NotConfigured(f"модуль Telegram не собирает источники вида {kind!r}")


def _session(settings: Settings, budget: Budget) -> TelethonSession:
    return TelethonSession(client_factory(settings), budget, timeout=session_timeout(settings))


__all__ = [
    "KINDS",
    "PreviewCollector",
    "PreviewResolver",
    "TelethonCollector",
    "TelethonResolver",
    "TelethonSession",
    "build_collector",
    "build_resolver",
]
