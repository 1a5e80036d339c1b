"""Time as the pipeline sees it: the wall clock, or a simulated clock for replays."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class WallClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class SimulatedClock:
    """Moves only when told; never backwards, so a late line cannot rewind time."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, to: datetime) -> bool:
        """Move to ``to``; returns False (and stays) if ``to`` is in the past."""
        if to < self._now:
            return False
        self._now = to
        return True
