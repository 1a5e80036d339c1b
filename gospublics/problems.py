"""What the role responsible for госпаблики must hear about at once: a page silent past the limit, comments
closed, a resident's question unanswered past its deadline, a follower drop, a page gone.

Pure: from a page's report (and its follower history) to the problems open now. Storage keeps one open row per
page and problem, so a problem is told once when it appears and again only after it was gone and came back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from config.gospublics import Thresholds
from gospublics.records import PageReport
from gospublics.wording import answer_deadline, counted, days, duration, pct

GONE = ("closed", "deleted", "not_found")


@dataclass(frozen=True, slots=True)
class Problem:
    page: str  # the page key
    code: str  # silence | comments_closed | unanswered | followers_drop | gone
    text: str  # the Russian alert line, with the page named
    value: float | None = None


def follower_drop(history: Sequence[tuple[datetime, int]], now: datetime, window: float) -> tuple[int, int] | None:
    """(followers then, now) comparing the latest count with the one at least ``window`` seconds older."""
    known = sorted((at, count) for at, count in history if count is not None)
    if len(known) < 2:
        return None
    latest_at, latest = known[-1]
    older = [(at, count) for at, count in known if at <= latest_at - timedelta(seconds=window)]
    if not older:
        return None
    return older[-1][1], latest


def problems_of(report: PageReport, limits: Thresholds, now: datetime,
                followers: Sequence[tuple[datetime, int]] = ()) -> list[Problem]:
    page = report.page
    name = f"«{page.title}»"
    found: list[Problem] = []
    if report.status in GONE:
        return [Problem(page.key, "gone", f"Госпаблик {name} недоступен: {report.status_text}")]
    if report.status == "duplicate":
        return []
    age = report.figures.days_since_last_post
    if age is None or age > limits.max_days_since_last_post:
        text = (f"Госпаблик {name} молчит {days(age)}: последний пост {days(age)} назад, норма — не больше "
                f"{days(limits.max_days_since_last_post)}") if age is not None else f"Госпаблик {name}: постов нет"
        found.append(Problem(page.key, "silence", text, age))
    if report.figures.comments_open is False:
        found.append(Problem(page.key, "comments_closed", f"Госпаблик {name}: комментарии закрыты"))
    overdue = [q for q in report.questions if q.overdue(now)]
    if overdue:
        oldest = min(overdue, key=lambda q: q.asked_at)
        waited = duration((now - oldest.asked_at).total_seconds() / 60)
        link = f" {oldest.url}" if oldest.url else ""
        found.append(Problem(page.key, "unanswered",
                             f"Госпаблик {name}: {counted(len(overdue), 'вопрос', 'вопроса', 'вопросов')} жителей без "
                             f"ответа {answer_deadline((q.deadline_minutes for q in overdue), 'дольше срока')}"
                             f"; самый старый ждёт {waited}: "
                             f"«{oldest.excerpt[:120]}»{link}", float(len(overdue))))
    drop = follower_drop(followers, now, limits.follower_drop_window)
    if drop is not None:
        before, current = drop
        if before > 0 and (before - current) / before > limits.follower_drop:
            share = (before - current) / before
            found.append(Problem(page.key, "followers_drop",
                                 f"Госпаблик {name}: отток подписчиков {pct(share)} — было {before}, стало {current}",
                                 round(share, 4)))
    return found
