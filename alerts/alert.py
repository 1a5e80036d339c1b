"""The alert record: one decision to tell people about a story (the first, or an update of it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Alert:
    story_id: int
    level: str
    at: datetime
    recipients: tuple[str, ...]
    update: bool
    reasons: tuple[str, ...]
    text: str
    post_count: int = 0

    def to_record(self) -> dict[str, Any]:
        """The brief's alert record (JSON-ready)."""
        return {
            "story_id": self.story_id,
            "level": self.level,
            "at": self.at.isoformat(),
            "recipients": list(self.recipients),
            "update": self.update,
            "reasons": list(self.reasons),
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class PreviousAlert:
    """What was last said about a story, for deciding whether to say more."""

    level: str
    at: datetime
    post_count: int
    recipients: tuple[str, ...]
    refuted: bool = False  # an earlier alert already told of a refutation
