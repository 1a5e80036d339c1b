"""Root causes and the дорожная карта: recurring problems (topic × place or institution × body) found in the
appeals of the last 30 and 90 days, turned into draft plan items — problem, evidence, responsible body, proposed
measure, deadline, status — that analysts edit; and the check that a closed item's complaints have stopped.

The place of an appeal is the microdistrict or place NLP found; an appeal without one about an institution
(a school, the МСЧ) takes the institution as its place; otherwise it is «весь город».
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from config.responses import RoadmapSettings
from responses.bodies import BodyDirectory
from responses.records import AppealRecord, Example, RecurringProblem

WHOLE_TOWN = "весь город"
EXAMPLES = 3
STATUSES = ("draft", "planned", "in_progress", "done", "cancelled")
STATUS_TITLES = {"draft": "черновик", "planned": "запланировано", "in_progress": "выполняется", "done": "выполнено",
                 "cancelled": "отменено"}
DEFAULT_MEASURE = "Разобрать причины повторяющихся жалоб, определить работы, ответственного и срок"


def places_of(record: AppealRecord, directory: BodyDirectory) -> list[str]:
    if record.places:
        return [p for p in record.places if p]
    body = directory.get(record.body)
    if body is not None and body.kind == "institution":
        return [body.title]
    return [WHOLE_TOWN]


def problem_key(topic: str, place: str, body: str | None) -> str:
    return f"{topic}|{place}|{body or '-'}"


def recurring(records: Iterable[AppealRecord], now: datetime, settings: RoadmapSettings,
              directory: BodyDirectory) -> list[RecurringProblem]:
    """Recurring problems at ``now``, the most frequent in the short window first."""
    short = timedelta(seconds=settings.short_window)
    long = timedelta(seconds=settings.long_window)
    groups: dict[str, list[AppealRecord]] = defaultdict(list)
    for record in records:
        if record.topic == "other" or not now - long <= record.appeal_at <= now:
            continue
        for place in places_of(record, directory):
            groups[problem_key(record.topic, place, record.body)].append(record)
    found: list[RecurringProblem] = []
    for key, members in groups.items():
        authors = {r.author_key or f"appeal:{r.appeal_id}" for r in members}
        if len(members) < settings.min_appeals or len(authors) < settings.min_authors:
            continue
        topic, place, body = key.split("|", 2)
        members.sort(key=lambda r: r.appeal_at)
        recent = sorted(members, key=lambda r: r.appeal_at, reverse=True)[:EXAMPLES]
        found.append(RecurringProblem(
            key=key, topic=topic, place=place, body_id=None if body == "-" else body,
            count_short=sum(1 for r in members if r.appeal_at > now - short),
            count_long=len(members),
            previous_short=sum(1 for r in members if now - 2 * short < r.appeal_at <= now - short),
            authors=len(authors),
            first_at=members[0].appeal_at, last_at=members[-1].appeal_at,
            examples=tuple(Example(r.excerpt, r.url, r.appeal_at) for r in recent),
        ))
    found.sort(key=lambda p: (-p.count_short, -p.count_long, p.key))
    return found


@dataclass(frozen=True, slots=True)
class Draft:
    """A proposed roadmap item, before an analyst edits it."""

    key: str
    title: str
    topic: str
    place: str
    body_id: str | None
    evidence: str
    measure: str
    deadline: date


def evidence_text(problem: RecurringProblem, settings: RoadmapSettings) -> str:
    short, long = round(settings.short_window / 86400), round(settings.long_window / 86400)
    return (f"обращений за {long} дн.: {problem.count_long}, за последние {short} дн.: {problem.count_short} "
            f"(за {short} дн. до того: {problem.previous_short}, {problem.trend}); авторов: {problem.authors}")


def drafts(problems: Sequence[RecurringProblem], known_keys: Iterable[str], settings: RoadmapSettings,
           directory: BodyDirectory, topic_titles: Mapping[str, str], today: date) -> list[Draft]:
    """Draft items for recurring problems the roadmap does not hold yet."""
    known = set(known_keys)
    made = []
    for problem in problems:
        if problem.key in known:
            continue
        topic = topic_titles.get(problem.topic, problem.topic)
        who = directory.title(problem.body_id) if problem.body_id else "исполнитель не определён"
        made.append(Draft(
            key=problem.key,
            title=f"{topic}: {problem.place} — {who}",
            topic=problem.topic, place=problem.place, body_id=problem.body_id,
            evidence=evidence_text(problem, settings),
            measure=settings.measures.get(problem.topic, DEFAULT_MEASURE),
            deadline=today + timedelta(seconds=settings.deadline),
        ))
    return made


def complaints_after(key: str, closed_at: datetime, records: Iterable[AppealRecord], directory: BodyDirectory) -> int:
    """Appeals on the item's problem after it was closed: the problem was not removed if they keep coming."""
    count = 0
    for record in records:
        if record.appeal_at <= closed_at:
            continue
        if any(problem_key(record.topic, place, record.body) == key for place in places_of(record, directory)):
            count += 1
    return count
