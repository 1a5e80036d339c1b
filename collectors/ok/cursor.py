"""Where an OK group feed resumes: the newest topic delivered, and an unfinished walk down the feed.

The feed comes newest first and pages by an opaque ``anchor``, so a long read (first run, backfill, a long
outage) is a walk from the top down to a floor, spread over several calls; the cursor remembers the walk's
anchor and floor until it ends. Stored as JSON; anything unreadable means "start afresh".
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

log = logging.getLogger(__name__)

FeedKey = tuple[int, int, str]


def feed_key(created_ms: int, topic_id: str) -> FeedKey:
    """Feed order: by creation time, then by id (numeric ids compare by length first, as numbers do)."""
    return (created_ms, len(topic_id), topic_id)


@dataclass(frozen=True, slots=True)
class FeedCursor:
    """``top_*``: the newest topic delivered so far; ``walk_*``: an unfinished walk and the floor where it ends."""

    top_ms: int | None = None
    top_id: str = ""
    walk_anchor: str | None = None
    floor_ms: int = 0
    floor_id: str = ""

    @property
    def top(self) -> FeedKey | None:
        return None if self.top_ms is None else feed_key(self.top_ms, self.top_id)

    @property
    def floor(self) -> FeedKey:
        return feed_key(self.floor_ms, self.floor_id)

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def load(cls, text: str | None) -> "FeedCursor":
        if not text:
            return cls()
        try:
            data: Any = json.loads(text)
            cursor = cls(
                top_ms=_int_or_none(data.get("top_ms")),
                top_id=str(data.get("top_id") or ""),
                walk_anchor=str(data["walk_anchor"]) if data.get("walk_anchor") else None,
                floor_ms=_int_or_none(data.get("floor_ms")) or 0,
                floor_id=str(data.get("floor_id") or ""),
            )
        except (ValueError, TypeError, AttributeError, KeyError):
            log.warning("непонятная позиция ленты ОК %r, читаю заново от горизонта", text[:100])
            return cls()
        return cursor


def _int_or_none(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("ожидается целое число")
    return value
