"""Appeals as the workspace lists them: one line per appeal with its post, story title, deadlines, first reply,
quality and satisfaction, filtered by body, state and period — the read side the appeals page and its JSON share.

The state of an unanswered appeal is judged at the moment of reading (``responses.deadlines.status``), not taken
from the last processing pass: a deadline passes while nothing arrives, and the page must show it overdue then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from responses.deadlines import status as deadline_status
from storage.models import PostRow, StoryRow
from storage.responses_models import AppealRow
from storage.stories import excerpt

# What the page filters by: one live state, or a group of them.
STATE_GROUPS: dict[str, tuple[str, ...]] = {
    "waiting": ("open", "overdue"),
    "open": ("open",),
    "overdue": ("overdue",),
    "answered": ("met", "breached"),
    "met": ("met",),
    "breached": ("breached",),
    "deleted": ("deleted",),
    "all": ("open", "overdue", "met", "breached", "deleted"),
}


@dataclass(frozen=True, slots=True)
class AppealLine:
    """One appeal for the list: ``state`` is its deadline state now (``open``, ``overdue``, ``met``, ``breached``,
    ``deleted``); ``warn_at`` is when the body's role is warned that the deadline draws near."""

    appeal_id: int
    state: str
    bodies: tuple[str, ...]
    kind: str
    topic: str
    places: tuple[str, ...]
    platform: str
    source: str
    url: str | None
    author: str | None
    excerpt: str
    story_id: int | None
    story_title: str | None
    appeal_at: datetime
    warn_at: datetime
    deadline_at: datetime
    final_deadline_at: datetime
    first_reply_at: datetime | None
    first_reply_body: str | None
    minutes_to_reply: float | None
    working_minutes_to_reply: float | None
    reply_quality: str | None
    satisfaction: str
    reasons: tuple[str, ...]
    repeated: bool


@dataclass(frozen=True, slots=True)
class AppealList:
    lines: tuple[AppealLine, ...]  # the chosen state, most urgent (or newest) first, at most ``limit``
    matched: int  # how many appeals of the chosen state there are (before the limit)
    counts: dict[str, int]  # every state in the period and body, for the filter's figures


def live_state(row: AppealRow, now: datetime) -> str:
    if row.first_reply_at is None and row.sla_status == "deleted":
        return "deleted"
    return deadline_status(row.deadline_at, row.first_reply_at, now, deleted_at=row.deleted_at)


def _urgency(line: AppealLine) -> tuple[int, float]:
    """Unanswered first, the earliest deadline first; then answered ones, the newest first."""
    if line.state in ("open", "overdue"):
        return (0, line.deadline_at.timestamp())
    return (1, -line.appeal_at.timestamp())


def appeal_list(session: Session, start: datetime, end: datetime, now: datetime, *, body: str | None = None,
                state: str = "waiting", limit: int = 300) -> AppealList:
    """Appeals made in [start, end) to ``body`` (any when None) whose live state falls in ``state``'s group."""
    wanted = STATE_GROUPS.get(state, STATE_GROUPS["waiting"])
    query = (select(AppealRow, PostRow.platform, PostRow.source, PostRow.url, PostRow.author, PostRow.text)
             .join(PostRow, PostRow.id == AppealRow.post_id)
             .where(AppealRow.appeal_at >= start, AppealRow.appeal_at < end))
    counts: Counter[str] = Counter()
    chosen = []
    for row, platform, source, url, author, text in session.execute(query):
        if body is not None and body not in (row.bodies or []):
            continue
        current = live_state(row, now)
        counts[current] += 1
        if current in wanted:
            chosen.append((row, current, platform, source, url, author, text))
    titles = _story_titles(session, {row.story_id for row, *_ in chosen if row.story_id is not None})
    lines = [
        AppealLine(
            appeal_id=row.id, state=current, bodies=tuple(row.bodies or ()), kind=row.kind, topic=row.topic,
            places=tuple(str(p) for p in row.places or ()), platform=platform, source=source, url=url, author=author,
            excerpt=excerpt(text or "", 300), story_id=row.story_id, story_title=titles.get(row.story_id or -1),
            appeal_at=row.appeal_at, warn_at=row.warn_at, deadline_at=row.deadline_at,
            final_deadline_at=row.final_deadline_at, first_reply_at=row.first_reply_at,
            first_reply_body=row.first_reply_body, minutes_to_reply=row.minutes_to_reply,
            working_minutes_to_reply=row.working_minutes_to_reply, reply_quality=row.reply_quality,
            satisfaction=row.satisfaction, reasons=tuple(row.reasons or ()), repeated=row.repeated_by is not None,
        )
        for row, current, platform, source, url, author, text in chosen
    ]
    lines.sort(key=_urgency)
    return AppealList(tuple(lines[:limit]), len(lines), dict(counts))


def _story_titles(session: Session, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    wanted: Sequence[int] = sorted(ids)
    for start in range(0, len(wanted), 500):
        rows = session.execute(select(StoryRow.id, StoryRow.title).where(StoryRow.id.in_(wanted[start:start + 500])))
        found.update((story_id, title) for story_id, title in rows)
    return found
