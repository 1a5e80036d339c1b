"""What a collector knows about a source, and what resolving a URL tells us about it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# kind → platform; a kind names how a source is read, a platform where its posts live.
KINDS: dict[str, str] = {
    "replay": "",  # a JSON Lines file: each record names its own platform
    "vk_wall": "vk",  # a community or user wall
    "vk_search": "vk",  # keyword search across VK (newsfeed.search)
    "ok_group": "ok",  # an Odnoklassniki group feed
    "telegram": "telegram",  # a channel read with a user session (telethon)
    "tme": "telegram",  # a public channel read through the t.me/s web preview, no account
    "rss": "web",  # an RSS or Atom feed
    "site": "web",  # a news site without a feed: listing page → article pages
}


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source as collectors see it.

    ``handle`` is what goes into ``Post.source`` (a screen name, a channel, a site host);
    ``external_id`` is the platform's id once resolved (VK owner id ``-123``, OK group id, channel id).
    """

    name: str
    kind: str
    handle: str
    url: str | None = None
    external_id: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def platform(self) -> str:
        return KINDS.get(self.kind, "")


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What resolution learnt: canonical handle and id, title, audience, and whether it can be read."""

    kind: str
    handle: str
    external_id: str | None
    title: str
    url: str
    audience: int | None = None
    closed: bool = False

    @property
    def platform(self) -> str:
        return KINDS.get(self.kind, "")


@dataclass(frozen=True, slots=True)
class KnownPost:
    """A post we already store, handed back to ``refresh`` to re-read its metrics, edits and deletion."""

    id: str
    published_at: datetime
    parent_id: str | None = None
    comments: int | None = None  # the comment count we last saw, to skip unchanged threads
