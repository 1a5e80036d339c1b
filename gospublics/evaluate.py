"""From what is known of each page in a period to its report: status, figures, checks, score, rank, advice.

Pages are judged together because two checks compare a page with others: engagement against its kind's median,
and the ranking within the kind. A closed, deleted or unknown page gets a clear status and no score, and never
stops the others.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from collectors.page import PageFacts
from config.gospublics import GospublicsSettings
from gospublics.agenda import Agenda
from gospublics.checks import CheckContext, run_checks
from gospublics.figures import (
    agenda_share,
    days_since,
    engagement_rate,
    longest_silence,
    posts_per_week,
    views_per_post,
    weekly_posts,
)
from gospublics.recommend import GONE, recommendations
from gospublics.records import STATUS_TITLES, Page, PageFigures, PagePost, PageReport, Period, QuestionAnswer
from gospublics.score import rank_within, score
from gospublics.wording import day_month
from responses import PageAnswers

GONE_STATUSES = ("closed", "deleted", "not_found")


@dataclass(frozen=True, slots=True)
class PageInput:
    """Everything stored about one page that its checks need for one period."""

    page: Page
    facts: PageFacts | None
    posts: tuple[PagePost, ...] = ()  # its own posts published in the period
    past_posts: tuple[PagePost, ...] = ()  # ... in the previous period of the same length
    past_followers: int | None = None
    last_post_at: datetime | None = None
    previous_post_at: datetime | None = None
    pinned: PagePost | None = None
    questions: tuple[QuestionAnswer, ...] = ()  # residents' questions with their answers (``answers.judge``)
    answers: PageAnswers | None = None  # ... and the responses component's figures for them
    duplicate_of: str | None = None  # the registry listed it twice: the first listing is the one judged


def status_of(item: PageInput, tz: tzinfo) -> tuple[str, str]:
    """The page's status for the report and a Russian line explaining it (with what was lost, if anything)."""
    page, facts = item.page, item.facts
    notes: list[str] = []
    if item.duplicate_of is not None:
        return "duplicate", f"повтор в реестре: эта страница уже записана как «{item.duplicate_of}»"
    if facts is not None and facts.status in GONE_STATUSES:
        detail = f": {facts.status_detail}" if facts.status_detail else ""
        return facts.status, f"{STATUS_TITLES[facts.status]}{detail}"
    status = "ok" if facts is not None else "new"
    if page.status == "error":
        status = "error"
        when = f" (данные на {day_month(facts.observed_at.astimezone(tz).date())})" if facts is not None else ""
        notes.append(f"последний сбор не удался{when}: {page.status_detail or 'причина не записана'}")
    if facts is None:
        notes.append("факты о странице ещё не собирались: проверены только публикации")
    if page.renamed_from:
        notes.append(f"адрес изменился: {page.renamed_from} → {page.handle}")
    if facts is not None and facts.missing:
        notes.append(f"в ответе API нет полей: {', '.join(facts.missing)}")
    if not item.posts:
        notes.append("нет постов за период")
    return status, "; ".join(notes) or STATUS_TITLES["ok"]


def figures_of(item: PageInput, period: Period, now: datetime, agenda: Agenda) -> PageFigures:
    facts = item.facts
    answers = item.answers
    _, share = agenda_share(item.posts, agenda)
    return PageFigures(
        followers=facts.followers if facts is not None else None,
        posts=len(item.posts),
        posts_per_week=posts_per_week(item.posts, period),
        max_silence_days=longest_silence(item.posts, period, item.previous_post_at).days,
        days_since_last_post=days_since(item.last_post_at, period.end),
        federal_regional_share=share,
        engagement_rate=engagement_rate(item.posts, facts.followers if facts is not None else None),
        views_per_post=views_per_post(item.posts),
        comments_open=False if facts is not None and facts.wall == "disabled" else
        (facts.comments_open if facts is not None else None),
        questions=answers.appeals if answers is not None else 0,
        answered_share=answers.answered_share if answers is not None else None,
        median_minutes_to_answer=answers.median_minutes if answers is not None else None,
        weekly_posts=weekly_posts(item.posts, period),
    )


def _kind_medians(rates: dict[str, float | None], kinds: dict[str, str]) -> dict[str, float | None]:
    """Median engagement per kind; a kind with fewer than two measured pages is compared with all pages."""
    by_kind: dict[str, list[float]] = defaultdict(list)
    for key, rate in rates.items():
        if rate is not None:
            by_kind[kinds[key]].append(rate)
    everyone = [rate for rate in rates.values() if rate is not None]
    overall = statistics.median(everyone) if len(everyone) >= 2 else None
    return {kind: statistics.median(values) if len(values) >= 2 else overall
            for kind, values in by_kind.items()} | {kind: overall for kind in set(kinds.values()) - set(by_kind)}


def evaluate(inputs: Sequence[PageInput], period: Period, now: datetime, settings: GospublicsSettings,
             tz: tzinfo) -> list[PageReport]:
    """Reports for every page, ranked within kind; unscored pages (gone, duplicates) come last in their kind."""
    agenda = Agenda(settings.federal_regional)
    judged = [item for item in inputs if item.duplicate_of is None and
              (item.facts is None or item.facts.status not in GONE_STATUSES)]
    kinds = {item.page.key: item.page.kind for item in judged}
    rates = {item.page.key: engagement_rate(item.posts, item.facts.followers if item.facts else None)
             for item in judged}
    medians = _kind_medians(rates, kinds)
    judged_ids = {id(item) for item in judged}
    reports: list[PageReport] = []
    for item in inputs:
        status, status_text = status_of(item, tz)
        figures = figures_of(item, period, now, agenda)
        if id(item) not in judged_ids:
            advice = (GONE,) if status in GONE_STATUSES else ()
            reports.append(PageReport(item.page, item.facts, figures, (), None, recommendations=advice,
                                      status=status, status_text=status_text, questions=item.questions))
            continue
        kind = settings.kinds.get(item.page.kind)
        past_followers = item.past_followers or (item.facts.followers if item.facts else None)
        context = CheckContext(
            page=item.page, facts=item.facts, posts=item.posts, period=period, now=now, tz=tz, settings=settings,
            agenda=agenda, last_post_at=item.last_post_at, previous_post_at=item.previous_post_at, pinned=item.pinned,
            questions=item.questions, answers=item.answers, kind_engagement=medians.get(item.page.kind),
            kind_title=kind.title if kind else item.page.kind,
            past_engagement=engagement_rate(item.past_posts, past_followers),
        )
        checks = run_checks(context)
        reports.append(PageReport(
            page=item.page, facts=item.facts, figures=figures, checks=checks,
            score=score(checks, settings.weights),
            recommendations=recommendations(checks, figures, settings.thresholds, period.days),
            status=status, status_text=status_text, questions=item.questions,
        ))
    ranks = rank_within({r.page.key: r.page.kind for r in reports if r.checked},
                        {r.page.key: r.score for r in reports}, {r.page.key: float(r.figures.followers or 0) for r in reports})
    ranked = [replace(r, rank=ranks[r.page.key][0], rank_of=ranks[r.page.key][1]) if r.page.key in ranks else r
              for r in reports]
    order = list(settings.kinds)
    return sorted(ranked, key=lambda r: (order.index(r.page.kind) if r.page.kind in order else len(order),
                                         r.rank if r.rank is not None else 10**6, r.page.title))
