"""Records in, verdicts and figures out, with no database: every appeal among a set of posts judged, and the
answer figures per page and body — what the госпаблики checks reuse for «questions answered and time to answer»."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from responses.assess import Assessor, Context
from responses.records import AppealVerdict, ThreadPost


@dataclass(frozen=True, slots=True)
class PageAnswers:
    """How residents' questions and complaints on one page were answered, by the body that owns the page (or,
    off official pages, the body they were routed to)."""

    platform: str
    page: str
    body_id: str | None
    appeals: int
    answered: int
    within_deadline: int
    overdue: int
    median_minutes: float | None
    median_working_minutes: float | None
    unanswered: tuple[str, ...] = ()  # keys of appeals with no reply yet

    @property
    def answered_share(self) -> float | None:
        return round(self.answered / self.appeals, 3) if self.appeals else None

    @property
    def judged(self) -> int:
        """Appeals whose deadline can be judged: answered (in time or late) or past the deadline unanswered; an
        appeal still inside its deadline is neither kept nor broken yet."""
        return self.answered + self.overdue

    @property
    def in_time_share(self) -> float | None:
        """Answered within the deadline, of the appeals that can be judged."""
        return round(self.within_deadline / self.judged, 3) if self.judged else None


def assess_all(posts: Sequence[ThreadPost], assessor: Assessor, now: datetime) -> list[AppealVerdict]:
    """Judge every appeal (``needs_response``, not written by a body) among ``posts``, which should hold their
    threads and stories too; the oldest appeal first."""
    by_thread: dict[tuple[str, str, str], list[ThreadPost]] = defaultdict(list)
    by_story: dict[int, list[ThreadPost]] = defaultdict(list)
    by_author: dict[str, list[ThreadPost]] = defaultdict(list)
    by_key = {p.key: p for p in posts}
    for post in posts:
        by_thread[post.thread_root].append(post)
        if post.story_id is not None and not post.is_comment:
            by_story[post.story_id].append(post)
    def root_of(post: ThreadPost) -> ThreadPost | None:
        return by_key.get(f"{post.platform}:{post.source}:{post.parent_id}") if post.parent_id else None

    appeals = sorted((p for p in posts if p.needs_response and not assessor.is_official(p, root_of(p))),
                     key=lambda p: (p.published_at, p.key))
    for appeal in appeals:
        if appeal.author_key:
            by_author[appeal.author_key].append(appeal)
    verdicts = []
    for appeal in appeals:
        parent = by_key.get(f"{appeal.platform}:{appeal.source}:{appeal.parent_id}") if appeal.parent_id else None
        later = [p for p in by_author.get(appeal.author_key or "", []) if p.published_at > appeal.published_at]
        context = Context(appeal, parent, by_thread[appeal.thread_root],
                          by_story.get(appeal.story_id, []) if appeal.story_id is not None else [], later)
        verdicts.append(assessor.assess(context, now))
    return verdicts


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def page_figures(verdicts: Sequence[AppealVerdict], assessor: Assessor) -> list[PageAnswers]:
    """Answer figures per (platform, page), largest page first."""
    groups: dict[tuple[str, str], list[AppealVerdict]] = defaultdict(list)
    for verdict in verdicts:
        groups[(verdict.appeal.platform, verdict.appeal.source)].append(verdict)
    figures = []
    for (platform, page), members in groups.items():
        owner = assessor.directory.page_owner(members[0].appeal)
        answered = [v for v in members if v.first_reply is not None]
        figures.append(PageAnswers(
            platform=platform, page=page, body_id=owner or members[0].body,
            appeals=len(members), answered=len(answered),
            within_deadline=sum(1 for v in members if v.sla_status == "met"),
            overdue=sum(1 for v in members if v.sla_status == "overdue"),
            median_minutes=_median([v.minutes_to_reply for v in answered if v.minutes_to_reply is not None]),
            median_working_minutes=_median([v.working_minutes_to_reply for v in answered
                                            if v.working_minutes_to_reply is not None]),
            unanswered=tuple(v.appeal.key for v in members if v.first_reply is None),
        ))
    return sorted(figures, key=lambda f: (-f.appeals, f.platform, f.page))


def answer_figures(posts: Sequence[ThreadPost], assessor: Assessor, now: datetime) -> list[PageAnswers]:
    """The госпаблики entry point: posts and comments of pages in, answer figures per page out."""
    return page_figures(assess_all(posts, assessor, now), assessor)
