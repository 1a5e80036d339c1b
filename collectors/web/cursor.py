"""The cursor of a web source: what was seen, the newest date, and the work left over from the last call.

Serialised as JSON. ``seen`` holds the post ids of the last ``SEEN_LIMIT`` articles collected (or unusable), so
nothing is collected twice; ``skipped`` those passed over as older than the cutoff, which only a backfill with an
earlier ``since`` reads again; ``pending`` and ``next_listing`` let a long first run or backfill continue
where the previous call stopped without re-reading the listing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SEEN_LIMIT = 1000
PENDING_LIMIT = 2000
VERSION = 1


@dataclass(slots=True)
class WebCursor:
    """Mutable while one call works on it; ``dump`` gives the string handed back in ``Batch.cursor``.

    ``feed``: ``None`` not looked for yet, ``""`` the site has no usable feed, else the feed's URL.
    ``cutoff``: the oldest publication date wanted by the run in progress (kept while work is left over).
    """

    seen: dict[str, None] = field(default_factory=dict)
    skipped: dict[str, datetime] = field(default_factory=dict)  # id → the cutoff it was older than
    newest: datetime | None = None
    pending: list[str] = field(default_factory=list)
    next_listing: str | None = None
    listing_pages: int = 0
    cutoff: datetime | None = None
    feed: str | None = None
    failures: dict[str, int] = field(default_factory=dict)
    deep: bool = False  # a backfill: follow listing pages even past pages with articles already seen
    in_window: bool = False  # the current listing page proved to be inside the cutoff (dated or known articles)

    def saw(self, post_id: str) -> None:
        """Collected (or unusable for good): never again."""
        self.skipped.pop(post_id, None)
        _remember(self.seen, post_id, None)

    def skip(self, post_id: str, cutoff: datetime) -> None:
        """Older than ``cutoff``: not again, except by a backfill that reaches further back."""
        if post_id not in self.seen:
            _remember(self.skipped, post_id, cutoff)

    def has_seen(self, post_id: str, cutoff: datetime) -> bool:
        """Nothing to do for a run reading back to ``cutoff``: collected, or skipped by a run reaching as far."""
        if post_id in self.seen:
            return True
        skipped = self.skipped.get(post_id)
        return skipped is not None and cutoff >= skipped

    def advance(self, moment: datetime) -> None:
        if self.newest is None or moment > self.newest:
            self.newest = moment

    @property
    def busy(self) -> bool:
        """Work is left from an earlier call (articles to fetch or listing pages to follow)."""
        return bool(self.pending or self.next_listing)

    def dump(self) -> str:
        data: dict[str, Any] = {"v": VERSION, "seen": list(self.seen)}
        if self.skipped:
            data["skipped"] = {post_id: cutoff.isoformat() for post_id, cutoff in self.skipped.items()}
        if self.newest is not None:
            data["newest"] = self.newest.isoformat()
        if self.pending:
            data["pending"] = self.pending[:PENDING_LIMIT]
        if self.next_listing:
            data["next"] = self.next_listing
            data["pages"] = self.listing_pages
        if self.cutoff is not None and self.busy:
            data["cutoff"] = self.cutoff.isoformat()
        if self.deep and self.busy:
            data["deep"] = True
        if self.in_window and self.busy:
            data["window"] = True
        if self.feed is not None:
            data["feed"] = self.feed
        if self.failures:
            data["failures"] = self.failures
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def load(cls, text: str | None) -> "WebCursor":
        """Parse a cursor made by ``dump``; ``None`` gives a fresh one. Raises ``ValueError`` on anything else."""
        if text is None:
            return cls()
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("v") != VERSION:
            raise ValueError("unknown cursor version")
        cursor = cls()
        for post_id in _strings(data.get("seen"))[-SEEN_LIMIT:]:
            cursor.seen[post_id] = None
        skipped = data.get("skipped")
        if isinstance(skipped, dict):
            for post_id, value in list(skipped.items())[-SEEN_LIMIT:]:
                moment = _moment(value)
                if isinstance(post_id, str) and moment is not None:
                    cursor.skipped[post_id] = moment
        cursor.newest = _moment(data.get("newest"))
        cursor.pending = _strings(data.get("pending"))[:PENDING_LIMIT]
        cursor.next_listing = data["next"] if isinstance(data.get("next"), str) else None
        cursor.listing_pages = data["pages"] if isinstance(data.get("pages"), int) else 0
        cursor.cutoff = _moment(data.get("cutoff"))
        cursor.deep = data.get("deep") is True
        cursor.in_window = data.get("window") is True
        cursor.feed = data["feed"] if isinstance(data.get("feed"), str) else None
        failures = data.get("failures")
        if isinstance(failures, dict):
            cursor.failures = {k: v for k, v in failures.items() if isinstance(k, str) and isinstance(v, int)}
        return cursor


def _remember(ids: dict[str, Any], post_id: str, value: Any) -> None:
    ids.pop(post_id, None)
    ids[post_id] = value  # most recent last; the oldest are forgotten first
    while len(ids) > SEEN_LIMIT:
        del ids[next(iter(ids))]


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
