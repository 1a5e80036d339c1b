"""The records the госпаблики component takes and gives: pages, their posts and questions, checks, reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from collectors.page import PageFacts

PLATFORM_TITLES = {"vk": "ВКонтакте", "ok": "Одноклассники", "telegram": "Telegram"}
# Page statuses in the registry and the report; the first four come from the platform (collectors.page).
STATUS_TITLES = {
    "ok": "работает",
    "closed": "закрыта на платформе",
    "deleted": "удалена или заблокирована",
    "not_found": "не найдена",
    "error": "не удалось проверить",
    "new": "ещё не проверялась",
}


@dataclass(frozen=True, slots=True)
class Page:
    """A registered official page: where it is, whose it is, what kind, and what contacts it must show."""

    key: str  # stable: «vk:-123», «ok:5700…», «telegram:name»
    platform: str
    url: str
    handle: str
    title: str  # what reports call it: the analyst's name for it, else the platform's
    body: str
    kind: str
    external_id: str | None = None
    aliases: tuple[str, ...] = ()  # every screen name it has had, for posts collected under an older one
    source: str | None = None  # the collected source of the same page (its comments)
    via: str = "tme"  # how Telegram channels are read: tme (preview) or telegram (account)
    expected: dict[str, str] = field(default_factory=dict)  # phone, email, site, address
    status: str = "new"
    status_detail: str | None = None
    renamed_from: str | None = None  # the screen name before the last change, for the report
    platform_title: str = ""  # the page's own display name on the platform (its replies are signed with it)

    @property
    def handles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.handle, *self.aliases)))


@dataclass(frozen=True, slots=True)
class PagePost:
    """A post of the page as the checks see it: time, text, engagement and the marks of its feed."""

    id: str
    published_at: datetime
    text: str
    url: str | None = None
    views: int | None = None
    likes: int | None = None
    reposts: int | None = None
    comments: int | None = None
    pinned: bool = False
    reposted_from: tuple[str, ...] = ()
    links: tuple[str, ...] = ()

    @property
    def reactions(self) -> int:
        return sum(value or 0 for value in (self.likes, self.comments, self.reposts))

    @property
    def has_metrics(self) -> bool:
        return any(value is not None for value in (self.likes, self.comments, self.reposts))


@dataclass(frozen=True, slots=True)
class PageComment:
    """A comment under one of the page's posts, for linking questions to the page's answers."""

    id: str
    post_id: str
    published_at: datetime
    text: str
    author: str | None = None
    author_id: str | None = None
    needs_response: bool | None = None  # the NLP verdict; None until the comment is analysed
    url: str | None = None
    kinds: tuple[str, ...] = ()  # the NLP's appeal signals (question, request, complaint): they choose the deadline


@dataclass(frozen=True, slots=True)
class QuestionAnswer:
    """A resident's question to the page and the first official answer, if any, as the responses component judged
    it: ``deadline_at`` is the first-answer deadline of the body's rule in working time (``deadline_minutes`` of
    it), ``status`` its deadline status (open, met, breached, overdue)."""

    page: str
    question_id: str
    asked_at: datetime
    answered_at: datetime | None
    deadline_at: datetime
    url: str | None = None
    excerpt: str = ""
    status: str = "open"
    working_minutes: float | None = None
    deadline_minutes: float | None = None

    @property
    def answered_in_time(self) -> bool:
        return self.answered_at is not None and self.answered_at <= self.deadline_at

    def overdue(self, now: datetime) -> bool:
        return self.answered_at is None and now > self.deadline_at

    @property
    def minutes_to_answer(self) -> float | None:
        if self.answered_at is None:
            return None
        return max(0.0, (self.answered_at - self.asked_at).total_seconds() / 60)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The page's facts at one moment (a row of the snapshots table)."""

    page: str
    facts: PageFacts


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    @property
    def weeks(self) -> float:
        return self.days / 7

    def previous(self) -> "Period":
        return Period(self.start - (self.end - self.start), self.start)

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check of one page: passed (``ok``), failed, or not applicable / no data (``ok`` None).

    ``value`` and ``limit`` are the figures compared, ``text`` says it in Russian with them; ``credit`` (0..1) is
    what the check adds to the score (partial for a near miss, see ``score.py``).
    """

    code: str
    ok: bool | None
    value: float | int | str | None
    limit: float | int | str | None
    text: str
    credit: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {"code": self.code, "ok": self.ok, "value": self.value, "limit": self.limit, "text": self.text}


@dataclass(frozen=True, slots=True)
class PageFigures:
    """The page's numbers for the period, the same in every report format."""

    followers: int | None = None
    posts: int = 0
    posts_per_week: float = 0.0
    max_silence_days: float | None = None
    days_since_last_post: float | None = None
    federal_regional_share: float | None = None
    engagement_rate: float | None = None  # reactions per post per follower, %
    views_per_post: float | None = None
    comments_open: bool | None = None
    questions: int = 0
    answered_share: float | None = None
    median_minutes_to_answer: float | None = None
    weekly_posts: tuple[int, ...] = ()  # posts per week of the period, oldest first (cadence chart)


# The fields of one exported page (issue 15, «Отчёты»): scripts and ЦУР's tables rely on this list.
EXPORT_FIELDS = (
    "page", "platform", "body", "kind", "followers", "posts", "posts_per_week", "max_silence_days",
    "days_since_last_post", "federal_regional_share", "engagement_rate", "comments_open", "questions",
    "answered_share", "median_minutes_to_answer", "checks", "score", "rank", "recommendations",
)


@dataclass(frozen=True, slots=True)
class PageReport:
    """Everything the report says about one page: status, figures, checks, score, rank and recommendations."""

    page: Page
    facts: PageFacts | None
    figures: PageFigures
    checks: tuple[CheckResult, ...]
    score: float | None
    rank: int | None = None
    rank_of: int | None = None  # how many pages of its kind were ranked
    recommendations: tuple[str, ...] = ()
    status: str = "ok"
    status_text: str = ""
    questions: tuple[QuestionAnswer, ...] = ()

    @property
    def checked(self) -> bool:
        return self.score is not None

    def check(self, code: str) -> CheckResult | None:
        return next((check for check in self.checks if check.code == code), None)

    def to_record(self) -> dict[str, Any]:
        """The JSON Lines record of `mcu export gospublics`: exactly ``EXPORT_FIELDS``, in that order (CSV and XLSX
        take their columns from it)."""
        figures = self.figures
        return {
            "page": self.page.title,
            "platform": self.page.platform,
            "body": self.page.body,
            "kind": self.page.kind,
            "followers": figures.followers,
            "posts": figures.posts,
            "posts_per_week": _round(figures.posts_per_week),
            "max_silence_days": _round(figures.max_silence_days),
            "days_since_last_post": _round(figures.days_since_last_post),
            "federal_regional_share": _round(figures.federal_regional_share, 3),
            "engagement_rate": _round(figures.engagement_rate, 3),
            "comments_open": figures.comments_open,
            "questions": figures.questions,
            "answered_share": _round(figures.answered_share, 3),
            "median_minutes_to_answer": _round(figures.median_minutes_to_answer),
            "checks": [check.to_record() for check in self.checks],
            "score": _round(self.score),
            "rank": self.rank,
            "recommendations": list(self.recommendations),
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True, slots=True)
class Monitoring:
    """The monthly (or weekly) «Мониторинг госпабликов»: every page's report for one period, ranked within kind."""

    town: str
    period: Period
    generated_at: datetime
    pages: tuple[PageReport, ...]
    kind_titles: dict[str, str] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"Мониторинг госпабликов: {self.town}"

    @property
    def ranked(self) -> tuple[PageReport, ...]:
        return tuple(report for report in self.pages if report.checked)

    @property
    def unranked(self) -> tuple[PageReport, ...]:
        return tuple(report for report in self.pages if not report.checked)
