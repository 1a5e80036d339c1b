"""What every request of the workspace shares: settings, the database, the alerting that acts on stories, a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from config import Settings
from mcu.alerting import Alerting
from storage import Database


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _nothing() -> None:
    return None


@dataclass
class Workspace:
    """Built once per process by `mcu web` or `mcu run`; tests build it around a test database."""

    settings: Settings
    db: Database
    alerting: Alerting
    secret: str
    clock: Callable[[], datetime] = _utc_now
    # After a story action: deliver the re-rendered chat messages (standalone) or wake the daemon's delivery.
    after_action: Callable[[], None] = field(default=_nothing)

    def now(self) -> datetime:
        return self.clock()
