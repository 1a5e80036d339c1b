"""The post record every collector produces: a post or a comment, as the brief's JSON Lines format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PLATFORMS = ("vk", "ok", "telegram", "web")
METRIC_NAMES = ("views", "likes", "reposts", "comments")


@dataclass(frozen=True, slots=True)
class Metrics:
    """Engagement counters as seen at one moment; ``None`` where the platform did not say."""

    views: int | None = None
    likes: int | None = None
    reposts: int | None = None
    comments: int | None = None

    def as_dict(self) -> dict[str, int]:
        return {name: value for name in METRIC_NAMES if (value := getattr(self, name)) is not None}

    @property
    def empty(self) -> bool:
        return not self.as_dict()


@dataclass(frozen=True, slots=True)
class Post:
    """One post or comment. ``id`` is the platform's own id, unique within (platform, source)."""

    id: str
    platform: str
    source: str
    published_at: datetime
    text: str
    url: str | None = None
    author: str | None = None
    parent_id: str | None = None
    metrics: Metrics = field(default_factory=Metrics)
    observed_at: datetime | None = None
    author_id: str | None = None  # a stable id of the author: «vk:456» a person, «vk:-123» a community, «ok:…», «tg:…»

    @property
    def is_comment(self) -> bool:
        return self.parent_id is not None

    @property
    def seen_at(self) -> datetime:
        """When this observation was made: ``observed_at`` if given, else publication."""
        return self.observed_at or self.published_at

    def to_record(self) -> dict[str, Any]:
        """The brief's post record (JSON-ready)."""
        record: dict[str, Any] = {
            "id": self.id,
            "platform": self.platform,
            "source": self.source,
            "url": self.url,
            "author": self.author,
            "published_at": self.published_at.isoformat(),
            "text": self.text,
            "parent_id": self.parent_id,
            "metrics": self.metrics.as_dict(),
        }
        if self.author_id is not None:
            record["author_id"] = self.author_id
        if self.observed_at is not None:
            record["observed_at"] = self.observed_at.isoformat()
        return record
