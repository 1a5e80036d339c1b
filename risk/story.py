"""Records of the risk stage: a story's members as risk sees them, the story itself, and its assessment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


def account_key(platform: str, name: str, stable: bool = False) -> str:
    """«vk:456» for a stable id (already prefixed or not), «vk:Ольга Н.» for a name."""
    if stable and ":" in name:
        return name
    return f"{platform}:{name}"


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
    author: str | None = None  # the author's name as the platform shows it
    author_id: str | None = None  # a stable id of the author («vk:456»), when the platform gave one
    text: str = ""  # the opening of the text, enough to tell copies of one text apart from the rest

    @property
    def official(self) -> bool:
        return "official_source" in self.signals

    @property
    def personal(self) -> bool:
        """Negative about the author's own life (grief, loneliness): no complaint about the town (nlp marks it)."""
        return "personal" in self.signals

    @property
    def complaint(self) -> bool:
        """A resident's complaint: negative (not merely sad about one's own life), or a complaint or request the
        authorities must answer."""
        return not self.official and (
            (self.sentiment_label == "negative" and not self.personal) or (self.needs_response and bool({"complaint", "request"} & set(self.signals)))
        )

    @property
    def author_key(self) -> str:
        """Who wrote it: the author's stable id, else the author's name on this platform, else the source itself
        (a channel posting as itself)."""
        return account_key(self.platform, self.author_id or self.author or self.source, stable=bool(self.author_id))

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
    complaint: bool = False  # residents complain in it (negative posts or appeals): a recurring problem may grow
    alarm: float = 0.0  # how alarming its texts are (0..1), as last scored


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
    complaint: bool = False  # a resident's complaint (negative, or an appeal with a complaint or request)
    refutation: bool = False  # denies a claim («не соответствует действительности»): joins the claim's story
    alarming: bool = False  # makes an alarming claim (``risk.alarm.alarming``): a reworded copy still joins
    words: frozenset[str] = frozenset()  # content lemmas of refutations and alarming posts


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
