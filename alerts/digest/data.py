"""What a risk digest says, as plain records: storage fills them, the renderers (md, html, docx, xlsx) show them.

Every number here comes from the database; renderers never compute facts of their own, so all four formats
say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from responses.records import AppealRecord, BodyRating
from risk.story import StoryView

PERIOD_TITLES = {"day": "за сутки", "week": "за неделю", "custom": "за период"}
SENTIMENT_TITLES = {"negative": "негативная", "neutral": "нейтральная", "positive": "позитивная"}
PLATFORM_TITLES = {"vk": "ВКонтакте", "ok": "Одноклассники", "telegram": "Telegram", "web": "Сайты"}
STORY_STATUS_TITLES = {"new": "новая", "continuing": "продолжается", "resolved": "завершилась"}


@dataclass(frozen=True, slots=True)
class Volume:
    """A count in the period against the previous period of the same length."""

    key: str
    title: str
    count: int
    previous: int

    @property
    def delta(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True, slots=True)
class DayCounts:
    """One day of the period (town time), for the charts: relevant posts by topic and sentiment, stories by level."""

    day: date
    topics: dict[str, int]
    sentiment: dict[str, int]
    levels: dict[str, int]


@dataclass(frozen=True, slots=True)
class StoryLine:
    """A top story with its place in the period: ``new`` (began in it), ``continuing``, or ``resolved``
    (nothing new in the last day of the period)."""

    story: StoryView
    status: str
    excerpts: tuple[tuple[str, str | None], ...] = ()  # (most telling post text, its link)


@dataclass(frozen=True, slots=True)
class OpenAppeal:
    """A complaint or question to the authorities with no official answer yet in its story."""

    excerpt: str
    url: str | None
    source: str
    published_at: datetime
    topic: str = "other"
    age_hours: int = 0


@dataclass(frozen=True, slots=True)
class Recurring:
    """The same topic in the same place again and again: material for the «дорожная карта»."""

    topic: str
    title: str
    place: str
    stories_30: int
    stories_90: int
    last_seen_at: datetime
    complaints: int = 0  # residents' complaints in those stories over 90 days
    authors: int = 0  # distinct residents among them, in the story that gathered most


@dataclass(frozen=True, slots=True)
class AlertStats:
    sent: int = 0  # decisions (first alerts and updates)
    first: int = 0
    taken: int = 0
    false_positive: int = 0
    closed: int = 0
    unanswered: int = 0  # first alerts nobody took
    median_minutes_to_take: float | None = None


@dataclass(frozen=True, slots=True)
class SourceTrouble:
    name: str
    problem: str
    since: datetime | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the system saw and did not: the reader must know the blind spots."""

    sources: int = 0
    sources_ok: int = 0
    failing: tuple[SourceTrouble, ...] = ()
    quota: tuple[SourceTrouble, ...] = ()  # API methods blocked by a spent quota


@dataclass(frozen=True, slots=True)
class GospublicLine:
    """One official page in the weekly digest: its score and place, and what it failed in the period."""

    title: str
    url: str
    kind: str  # the kind's title
    score: float | None
    place: str  # «2 из 5», or «—» for a page not checked
    posts: int
    days_since_last_post: float | None
    failed: tuple[str, ...]  # titles of the failed checks
    status: str  # «работает», or why it was not checked


@dataclass(frozen=True, slots=True)
class DigestData:
    town: str
    period: str
    start: datetime
    end: datetime
    posts: int
    posts_previous: int
    relevant: int
    topics: tuple[Volume, ...]
    platforms: tuple[Volume, ...]
    sentiment: tuple[Volume, ...]
    stories: tuple[StoryLine, ...]
    appeals: tuple[OpenAppeal, ...]
    relevant_previous: int = 0
    previous_start: datetime | None = None
    days: tuple[DayCounts, ...] = ()
    new_stories: int = 0
    continuing_stories: int = 0
    resolved_stories: int = 0
    recurring: tuple[Recurring, ...] = ()
    alerts: AlertStats = field(default_factory=AlertStats)
    coverage: Coverage = field(default_factory=Coverage)
    appeals_total: int = 0  # all open appeals; ``appeals`` lists the oldest of them
    gospublics: tuple[GospublicLine, ...] = ()  # official pages (госпаблики), when the registry has any
    ratings: tuple[BodyRating, ...] = ()  # the responsible bodies ranked for the period (empty: none configured)
    late: tuple[AppealRecord, ...] = ()  # appeals answered after the deadline or still unanswered past it
    body_titles: tuple[tuple[str, str], ...] = ()  # body id → title, for the late appeals

    def body_title(self, body_id: str) -> str:
        return dict(self.body_titles).get(body_id, body_id)

    @property
    def title(self) -> str:
        return f"Справка об информационных рисках: {self.town}, {PERIOD_TITLES.get(self.period, self.period)}"
