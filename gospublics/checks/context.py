"""What every check of one page reads: the page, its facts, its posts and questions in the period, and config."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from collectors.page import PageFacts
from config.gospublics import GospublicsSettings, Thresholds
from gospublics.agenda import Agenda
from gospublics.records import Page, PagePost, Period, QuestionAnswer
from responses import PageAnswers


@dataclass(frozen=True, slots=True)
class CheckContext:
    """One page in one period. ``posts`` are the page's own posts published in the period (oldest first);
    ``pinned`` is its pinned post whenever it was published; ``kind_engagement`` is the median engagement of
    the pages of its kind and ``past_engagement`` its own in the previous period (``None`` when unknown)."""

    page: Page
    facts: PageFacts | None
    posts: tuple[PagePost, ...]
    period: Period
    now: datetime
    tz: tzinfo
    settings: GospublicsSettings
    agenda: Agenda
    last_post_at: datetime | None = None  # the newest post ever seen (before the period end)
    previous_post_at: datetime | None = None  # the newest post before the period, for the first silence
    pinned: PagePost | None = None
    questions: tuple[QuestionAnswer, ...] = ()
    answers: PageAnswers | None = None  # the responses component's figures for ``questions``
    kind_engagement: float | None = None
    kind_title: str = ""
    past_engagement: float | None = None

    @property
    def thresholds(self) -> Thresholds:
        return self.settings.thresholds

    @property
    def followers(self) -> int | None:
        return self.facts.followers if self.facts is not None else None
