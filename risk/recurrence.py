"""Slow-burning problems: the same problem at one place or institution raised again and again by different
residents over days, each post quiet on its own.

Clustering keeps such complaints in one story for ``risk.recurrence.window`` (14 days) when they share a topic and
a place key (a microdistrict, «школа №3», «3 мкр, д. 12», an institution). Here the story's complaints are
counted: how many, over how many days, from how many distinct authors — one author repeating himself is not a
recurrence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from config.threats import RecurrenceSettings
from risk.story import Member

DAY = 86400.0
# «Подслушано: …», «Подписчица пишет: …», «Нам пишут: …»: a town page relaying a resident, each one a new voice.
_RELAYED = re.compile(r"^\W*(?:подслушано|подписч\w*\s+пиш\w*|пиш\w*\s+подписч\w*|нам\s+пишут|пишут\b|"
                      r"жалоба\s+(?:от\s+)?подписч\w*|анонимно)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Recurrence:
    complaints: int
    authors: int
    days: float  # from the first complaint to the last

    @property
    def whole_days(self) -> int:
        """Days the complaints cover, counting both ends: complaints on Monday and Thursday span 4 days."""
        return int(self.days) + 1


def measure(members: Sequence[Member]) -> Recurrence:
    complaints = [m for m in members if m.complaint]
    if not complaints:
        return Recurrence(0, 0, 0.0)
    first = min(m.published_at for m in complaints)
    last = max(m.published_at for m in complaints)
    authors = {f"{m.author_key}:{m.key}" if _RELAYED.match(m.text) else m.author_key for m in complaints}
    return Recurrence(len(complaints), len(authors), (last - first).total_seconds() / DAY)


def is_recurring(found: Recurrence, settings: RecurrenceSettings) -> bool:
    return (found.complaints >= settings.min_complaints and found.authors >= settings.min_authors
            and found.days >= settings.min_days)


def strength(found: Recurrence, settings: RecurrenceSettings) -> float:
    """0..1: half for the count of complaints, half for how long the problem has lasted."""
    if not is_recurring(found, settings):
        return 0.0
    count = min(1.0, found.complaints / settings.complaints_full)
    duration = min(1.0, found.days / settings.days_full)
    return round(0.5 * count + 0.5 * duration, 3)
