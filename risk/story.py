"""Records of the risk stage: a story's members as risk sees them, the story itself, and its assessment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Member:
    """One post of a story with what scoring needs: its verdict and engagement (latest and first seen)."""

    key: str
    platform: str
    source: str
    published_at: datetime
    seen_at: datetime
    is_comment: bool
    relevance: float
    sentiment_label: str
    sentiment_score: float
    topics: tuple[str, ...]
    signals: tuple[str, ...]
    needs_response: bool
    views: int = 0
    likes: int = 0
    reposts: int = 0
    comments: int = 0
    first_views: int = 0
    first_seen_at: datetime | None = None
    url: str | None = None
    excerpt: str = ""

    @property
    def official(self) -> bool:
        return "official_source" in self.signals

    @property
    def engagement(self) -> int:
        return self.likes + self.reposts + self.comments


@dataclass(frozen=True, slots=True)
class StoryState:
    """What clustering compares a new post with."""

    id: int
    topic: str
    places: tuple[str, ...]
    fingerprint: frozenset[str]
    first_seen_at: datetime
    last_seen_at: datetime
    level: str = "low"
    negative: bool = False  # a troubled story: a fair share of its posts are negative


@dataclass(frozen=True, slots=True)
class PostFeatures:
    """What clustering knows of a new post."""

    topic: str
    places: tuple[str, ...]
    fingerprint: frozenset[str]
    at: datetime
    parent_story_id: int | None = None
    topics: tuple[str, ...] = ()  # every topic the post touches, main one first
    negative: bool = False


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """Score 0..100, level, and Russian reasons each tied to a factor and its number."""

    score: float
    level: str
    reasons: tuple[str, ...]
    factors: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoryView:
    """A scored story, as alerts and digests see it."""

    id: int
    title: str
    topic: str
    topic_title: str
    places: tuple[str, ...]
    first_seen_at: datetime
    last_seen_at: datetime
    post_count: int
    source_count: int
    platforms: tuple[str, ...]
    assessment: RiskAssessment
    links: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AnswerState:
    """How a story's appeals were answered (the responses component's linked replies), for the «unanswered»
    factor: a substantive reply calms, a conflict inflames."""

    appeals: int = 0
    unanswered: int = 0  # no reply, or only a formulaic one
    substantive: int = 0  # appeals with a reply that says what will be done
    conflicts: int = 0  # official replies with «ошибки при коммуникации»
    satisfied: int = 0
    dissatisfied: int = 0
    last_answer_at: datetime | None = None
