"""Ratings of bodies, recurring problems and roadmap drafts, and the records-in figures the госпаблики reuse."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from config import Settings
from config.responses import RatingWeights, RoadmapSettings
from nlp import Lemmatizer
from responses import Account, AppealRecord, BodyDirectory, answer_figures, bodies_of, build_assessor, drafts, rate
from responses.ratings import parts, score
from responses.records import ThreadPost
from responses.roadmap import complaints_after, recurring

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=timezone.utc)


def record(n: int, body: str, *, status: str = "met", quality: str | None = "substantive", minutes: float | None = 60,
           satisfaction: str = "unknown", repeated: bool = False, days_ago: float = 1, topic: str = "housing",
           places: tuple[str, ...] = ("3 мкр",), author: str | None = None, replies: tuple[tuple[str, str], ...] | None = None
           ) -> AppealRecord:
    at = NOW - timedelta(days=days_ago)
    answered = quality is not None
    return AppealRecord(
        appeal_id=n, key=f"vk:town:{n}", story_id=None, bodies=(body,), platform="vk", source="town",
        url=f"https://vk.com/wall-1_{n}", author_key=author or f"vk:{n}", topic=topic, places=places,
        kind="complaint", appeal_at=at, deadline_at=at + timedelta(hours=8), final_deadline_at=at + timedelta(days=30),
        first_reply_key=f"vk:town:r{n}" if answered else None, first_reply_at=at + timedelta(minutes=minutes or 0)
        if answered else None, first_reply_body=body if answered else None,
        minutes_to_reply=minutes if answered else None, working_minutes_to_reply=minutes if answered else None,
        sla_status=status, final_status="open", reply_quality=quality, satisfaction=satisfaction, reasons=(),
        repeated=repeated, excerpt=f"жалоба {n}",
        replies=replies if replies is not None else (((body, quality),) if answered else ()),
    )


@pytest.fixture(scope="module")
def bodies(builtin_settings: Settings) -> list:  # type: ignore[type-arg]
    return bodies_of(builtin_settings)


def test_the_rating_orders_bodies_as_expected(bodies: list) -> None:  # type: ignore[type-arg]
    records = [
        # the МУП: every appeal answered fast and in substance, residents content
        *(record(i, "kkp", minutes=30, satisfaction="satisfied") for i in range(1, 6)),
        # the МСЧ: answered, but formulaic and slow, some residents unhappy
        *(record(i, "msch", quality="formulaic", minutes=400, satisfaction="dissatisfied") for i in range(6, 9)),
        record(9, "msch", minutes=200, satisfaction="satisfied"),
        # management companies: a conflict, a repeat, an overdue appeal
        record(10, "management_companies", quality="conflict", satisfaction="dissatisfied", repeated=True),
        record(11, "management_companies", status="overdue", quality=None, minutes=None),
        record(12, "management_companies", status="breached", minutes=900),
        # the committee: nothing answered
        record(13, "education", status="overdue", quality=None, minutes=None),
        # a deleted appeal counts for nobody
        record(14, "school_1", status="deleted", quality=None, minutes=None),
    ]
    rated = rate(records, bodies, RatingWeights(), 480)
    order = [r.body_id for r in rated if r.rank is not None]
    assert order == ["kkp", "msch", "management_companies", "education"]
    assert [r.rank for r in rated[:4]] == [1, 2, 3, 4]
    by_id = {r.body_id: r for r in rated}
    assert by_id["kkp"].score == 99.7  # all parts full but speed: 30 min of a 960-minute scale
    assert by_id["school_1"].appeals == 0 and by_id["school_1"].score is None and by_id["school_1"].rank is None
    msch = by_id["msch"]
    assert (msch.appeals, msch.answered, msch.replies, msch.formulaic, msch.satisfied, msch.dissatisfied) == (4, 4, 4, 3, 1, 3)
    assert msch.median_minutes == 400.0
    uk = by_id["management_companies"]
    assert (uk.conflicts, uk.repeated, uk.overdue, uk.within_deadline, uk.judged_deadline) == (1, 1, 1, 1, 3)
    export = uk.to_export()
    assert export["answered_share"] == round(2 / 3, 3) and export["rank"] == 3 and export["conflicts"] == 1


def test_the_score_is_the_documented_weighted_mean(bodies: list) -> None:  # type: ignore[type-arg]
    rated = {r.body_id: r for r in rate([record(1, "kkp", minutes=240, satisfaction="satisfied"),
                                         record(2, "kkp", status="overdue", quality=None, minutes=None)],
                                        bodies, RatingWeights(), 480)}
    found = rated["kkp"].parts
    assert found == {"answered": 0.5, "deadline": 0.5, "speed": 0.75, "substance": 1.0, "conflicts": 1.0,
                     "satisfaction": 1.0, "repeats": 1.0}
    expected = (25 * 0.5 + 20 * 0.5 + 10 * 0.75 + 15 + 10 + 15 + 5) / 100 * 100
    assert rated["kkp"].score == round(expected, 1)
    assert score({}, RatingWeights()) is None
    assert parts(rated["admin"], 480) == {}


def test_a_reply_by_another_body_counts_for_its_author(bodies: list) -> None:  # type: ignore[type-arg]
    joint = replace(record(1, "management_companies", replies=(("admin", "conflict"),)),
                    bodies=("management_companies", "admin"))
    rated = {r.body_id: r for r in rate([joint], bodies, RatingWeights(), 480)}
    assert rated["admin"].conflicts == 1 and rated["management_companies"].conflicts == 0
    assert rated["admin"].appeals == rated["management_companies"].appeals == 1


def test_recurring_problems_and_drafts(builtin_settings: Settings) -> None:
    directory = BodyDirectory(bodies_of(builtin_settings))
    records = [record(i, "kkp", days_ago=d, author=f"vk:{i % 4}") for i, d in enumerate((2, 5, 9, 20, 40, 70), 1)]
    records += [record(20, "msch", topic="health", places=(), days_ago=3), record(21, "msch", topic="health", places=(),
                                                                              days_ago=4, author="vk:20")]
    found = recurring(records, NOW, RoadmapSettings(), directory)
    assert [p.key for p in found] == ["housing|3 мкр|kkp"]
    problem = found[0]
    assert (problem.count_short, problem.count_long, problem.previous_short, problem.authors) == (4, 6, 1, 4)
    assert problem.trend == "растёт" and len(problem.examples) == 3
    topics = {t.code: t.title for t in builtin_settings.topics}
    made = drafts(found, [], builtin_settings.responses.roadmap, directory, topics, NOW.date())
    assert made[0].title == "ЖКХ: 3 мкр — МУП «ККП»"
    assert made[0].measure.startswith("Обследовать сети")
    assert made[0].deadline == NOW.date() + timedelta(days=90)
    assert "обращений за 90 дн.: 6" in made[0].evidence
    assert drafts(found, ["housing|3 мкр|kkp"], builtin_settings.responses.roadmap, directory, topics, NOW.date()) == []
    # an institution without a place takes the institution as its place
    school = record(30, "school_3", topic="education", places=())
    assert complaints_after("education|Школа № 3|school_3", NOW - timedelta(days=5), [school], directory) == 1
    assert complaints_after("education|Школа № 3|school_3", NOW, [school], directory) == 0


def test_answer_figures_per_page_from_records_alone(builtin_settings: Settings, lemmatizer: Lemmatizer) -> None:
    """The госпаблики entry point: posts of official pages in, per-page answer figures out, no database."""
    assessor = build_assessor(builtin_settings, lemmatizer, {"school_3": [Account("vk", "-303", "school3_page")]})
    start = datetime(2026, 1, 13, 7, 0, tzinfo=timezone.utc)  # Tuesday 10:00 in Desnogorsk

    def post(id: str, text: str, minutes: int, author_id: str, parent: str | None = None, needs: bool = False
             ) -> ThreadPost:
        return ThreadPost(f"vk:school3_page:{id}", "vk", "school3_page", id, start + timedelta(minutes=minutes), text,
                          parent, author_id=author_id, author=None, needs_response=needs,
                          kinds=("question",) if needs else (), topic="education")

    posts = [
        post("1", "Расписание занятий на четверть", 0, "vk:-303"),
        post("2", "Когда будет родительское собрание в 5 классе?", 10, "vk:11", "1", True),
        post("3", "Собрание 5 классов — в четверг, 15 января, в 18:00, актовый зал.", 40, "vk:-303", "1"),
        post("4", "Почему не работает столовая? Дети голодные", 50, "vk:12", "1", True),
    ]
    pages = answer_figures(posts, assessor, start + timedelta(days=2))
    assert len(pages) == 1
    page = pages[0]
    assert (page.page, page.body_id, page.appeals, page.answered, page.within_deadline, page.overdue) == \
        ("school3_page", "school_3", 2, 1, 1, 1)
    assert page.median_minutes == 30.0 and page.median_working_minutes == 30.0
    assert page.unanswered == ("vk:school3_page:4",) and page.answered_share == 0.5
