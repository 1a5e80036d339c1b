"""Records of the responses component: what it reads (posts of a thread or story) and what it decides (appeals,
replies, verdicts, ratings, recurring problems). Small and frozen; storage turns rows into these and back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

SLA_STATUSES = ("open", "met", "breached", "overdue", "deleted")
QUALITIES = ("substantive", "formulaic", "request", "conflict")
SATISFACTION = ("satisfied", "dissatisfied", "unknown")
QUALITY_TITLES = {"substantive": "по существу", "formulaic": "отписка", "request": "уточняющий вопрос",
                  "conflict": "конфликт"}
SLA_TITLES = {"open": "ждёт ответа, срок не вышел", "met": "ответ в срок", "breached": "ответ с нарушением срока",
              "overdue": "просрочено, ответа нет", "deleted": "удалено до ответа"}
SATISFACTION_TITLES = {"satisfied": "доволен", "dissatisfied": "недоволен", "unknown": "неизвестно"}


@dataclass(frozen=True, slots=True)
class ThreadPost:
    """A post or comment as this component sees it: who wrote it, where, and what the NLP stage said of it.

    ``parent_id`` is the platform's id of the post a comment belongs to (same platform and source);
    ``persons`` are the full names NLP found in the text (normalised), ``kinds`` the appeal signals
    (question, request, complaint).
    """

    key: str  # "platform:source:id": unique across the store
    platform: str
    source: str
    id: str
    published_at: datetime
    text: str
    parent_id: str | None = None
    url: str | None = None
    author: str | None = None
    author_id: str | None = None
    story_id: int | None = None
    needs_response: bool = False
    kinds: tuple[str, ...] = ()
    topic: str = "other"
    places: tuple[str, ...] = ()
    sentiment: str = "neutral"
    toxicity: float = 0.0
    persons: tuple[str, ...] = ()
    likes: int = 0
    deleted_at: datetime | None = None
    db_id: int | None = None

    @property
    def is_comment(self) -> bool:
        return self.parent_id is not None

    @property
    def thread_root(self) -> tuple[str, str, str]:
        """(platform, source, id of the top-level post): the thread this post belongs to."""
        return (self.platform, self.source, self.parent_id or self.id)

    @property
    def author_key(self) -> str | None:
        """Who wrote it, as stably as the record allows: the author id, else the name on this platform."""
        if self.author_id:
            return self.author_id.lower()
        if self.author:
            return f"{self.platform}:name:{' '.join(self.author.lower().split())}"
        return None


@dataclass(frozen=True, slots=True)
class Verdict:
    """A label with the reasons that led to it (short Russian phrases a person can check)."""

    label: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    """An official reply linked to an appeal: ``via`` «thread» (in the appeal's own thread) or «story» (an official
    post in the same story)."""

    post: ThreadPost
    body_id: str
    via: str
    quality: Verdict

    @property
    def at(self) -> datetime:
        return self.post.published_at


@dataclass(frozen=True, slots=True)
class Deadlines:
    first_at: datetime
    warn_at: datetime
    final_at: datetime
    first_minutes: float  # the working minutes the first answer may take


@dataclass(frozen=True, slots=True)
class AppealVerdict:
    """Everything decided about one appeal at ``checked_at``."""

    appeal: ThreadPost
    bodies: tuple[str, ...]
    kind: str
    deadlines: Deadlines
    replies: tuple[Reply, ...]
    minutes_to_reply: float | None
    working_minutes_to_reply: float | None
    sla_status: str
    final_status: str
    resolved_at: datetime | None
    quality: Verdict | None
    satisfaction: Verdict
    repeated_by: str | None  # the key of a later appeal of the same author on the same problem
    deleted: bool
    checked_at: datetime
    routing: tuple[str, ...] = ()  # why these bodies

    @property
    def body(self) -> str | None:
        return self.bodies[0] if self.bodies else None

    @property
    def first_reply(self) -> Reply | None:
        return self.replies[0] if self.replies else None

    @property
    def reasons(self) -> tuple[str, ...]:
        found: list[str] = list(self.routing)
        if self.quality is not None:
            found += self.quality.reasons
        found += self.satisfaction.reasons
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class AppealRecord:
    """An appeal as stored, for ratings, exports, digests and roadmaps (read back from the store)."""

    appeal_id: int
    key: str
    story_id: int | None
    bodies: tuple[str, ...]
    platform: str
    source: str
    url: str | None
    author_key: str | None
    topic: str
    places: tuple[str, ...]
    kind: str
    appeal_at: datetime
    deadline_at: datetime
    final_deadline_at: datetime
    first_reply_key: str | None
    first_reply_at: datetime | None
    first_reply_body: str | None
    minutes_to_reply: float | None
    working_minutes_to_reply: float | None
    sla_status: str
    final_status: str
    reply_quality: str | None
    satisfaction: str
    reasons: tuple[str, ...]
    repeated: bool
    excerpt: str = ""
    replies: tuple[tuple[str, str], ...] = ()  # (body id, quality) of every linked reply, in time order

    @property
    def body(self) -> str | None:
        return self.bodies[0] if self.bodies else None

    def to_export(self) -> dict[str, Any]:
        """The `mcu export responses` record (README: «Ответы на обращения»)."""
        return {
            "appeal_id": self.appeal_id,
            "story_id": self.story_id,
            "body": self.body,
            "bodies": list(self.bodies),
            "platform": self.platform,
            "url": self.url,
            "appeal_at": self.appeal_at.isoformat(),
            "first_reply_id": self.first_reply_key,
            "first_reply_at": self.first_reply_at.isoformat() if self.first_reply_at else None,
            "minutes_to_reply": self.minutes_to_reply,
            "working_minutes_to_reply": self.working_minutes_to_reply,
            "deadline_at": self.deadline_at.isoformat(),
            "sla_status": self.sla_status,
            "reply_quality": self.reply_quality,
            "satisfaction": self.satisfaction,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class Notice:
    """Something people must hear of now: a conflict (to the head of the МЦУ) or a deadline drawing near."""

    kind: str  # conflict | approaching
    appeal_key: str
    roles: tuple[str, ...]
    text: str
    body_id: str | None = None


@dataclass(frozen=True, slots=True)
class BodyRating:
    """One body's measures for a period and its 0..100 score (``None``: no appeals, not ranked)."""

    body_id: str
    title: str
    appeals: int
    answered: int
    median_minutes: float | None  # calendar minutes to the first reply
    median_working_minutes: float | None
    within_deadline: int  # appeals answered in time
    judged_deadline: int  # appeals whose deadline passed or that were answered
    replies: int  # replies written by this body
    formulaic: int
    conflicts: int
    satisfied: int
    dissatisfied: int
    repeated: int
    overdue: int
    score: float | None = None
    rank: int | None = None
    parts: dict[str, float] = field(default_factory=dict)

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 3) if whole else None

    def to_export(self) -> dict[str, Any]:
        """The `mcu export ratings` record (README: «Рейтинг исполнителей»)."""
        return {
            "body": self.body_id,
            "title": self.title,
            "appeals": self.appeals,
            "answered": self.answered,
            "answered_share": self.share(self.answered, self.appeals),
            "median_minutes_to_reply": self.median_minutes,
            "median_working_minutes_to_reply": self.median_working_minutes,
            "within_deadline_share": self.share(self.within_deadline, self.judged_deadline),
            "overdue": self.overdue,
            "replies": self.replies,
            "formulaic_share": self.share(self.formulaic, self.replies),
            "conflicts": self.conflicts,
            "satisfied_share": self.share(self.satisfied, self.satisfied + self.dissatisfied),
            "repeated_complaints": self.repeated,
            "score": self.score,
            "rank": self.rank,
        }


@dataclass(frozen=True, slots=True)
class Example:
    excerpt: str
    url: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RecurringProblem:
    """The same topic at the same place or institution, answered for by the same body, again and again."""

    key: str  # "topic|place|body": what ties a roadmap item to its complaints
    topic: str
    place: str
    body_id: str | None
    count_short: int
    count_long: int
    previous_short: int  # the short window before the last one: the trend
    authors: int
    first_at: datetime
    last_at: datetime
    examples: tuple[Example, ...] = ()

    @property
    def trend(self) -> str:
        if self.count_short > self.previous_short:
            return "растёт"
        if self.count_short < self.previous_short:
            return "снижается"
        return "без изменений"


@dataclass(frozen=True, slots=True)
class RoadmapItem:
    """An item of the дорожная карта as stored, with the check that its complaints stopped once it was closed."""

    id: int
    key: str
    title: str
    topic: str
    place: str
    body_id: str | None
    evidence: str
    measure: str
    deadline: date | None
    status: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    complaints_after_close: int = 0  # appeals on the problem since it was closed: the cause was not removed

    @property
    def flagged(self) -> bool:
        return self.status == "done" and self.complaints_after_close > 0
