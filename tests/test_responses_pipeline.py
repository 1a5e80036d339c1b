"""Appeals through the whole pipeline on SQLite and PostgreSQL: found, routed, linked to official replies, judged,
stored with their events; conflicts reach the head of the МЦУ through the outbox; deletions, replies to posts never
collected and deadlines passing give clear statuses; the «unanswered» risk factor reads the linked replies."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from collectors import Post
from config import Settings
from mcu.answer_check import check_settings
from mcu.pipeline import Pipeline
from nlp import Analyzer, Lemmatizer, NerTagger
from storage import Database
from storage import posts as post_store
from storage import responses as store
from storage.models import OutboxRow
from storage.responses_models import AppealEventRow, AppealRow

START = datetime(2026, 1, 13, 7, 0, tzinfo=timezone.utc)  # Tuesday 10:00 in Desnogorsk
ADMIN = "Администрация г. Десногорск (демо)"
FAR = datetime(2100, 1, 1, tzinfo=timezone.utc)
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def answer_settings(builtin_settings: Settings) -> Settings:
    """Demo communities and official accounts, the head of the МЦУ with a chat."""
    settings = check_settings(builtin_settings)
    roles = dict(settings.roles)
    return settings.model_copy(update={"roles": roles})


@pytest.fixture(scope="module")
def answer_analyzer(answer_settings: Settings, lemmatizer: Lemmatizer, ner: NerTagger) -> Analyzer:
    from nlp.models import load_for

    return Analyzer(answer_settings, lemmatizer=lemmatizer, ner=ner, models=load_for(True, None))


def vk(id: str, minutes: int, text: str, author: str, parent: str | None = None, source: str = "demo_gorod",
       likes: int = 0) -> Post:
    return Post(id=id, platform="vk", source=source, published_at=START + timedelta(minutes=minutes), text=text,
                url=f"https://vk.com/{source}/{id}", author=author, parent_id=parent)


def run(pipeline: Pipeline, posts: list[Post], minutes: int) -> None:
    now = START + timedelta(minutes=minutes)
    pipeline.ingest(posts, now)
    pipeline.process(now)


def appeals(db: Database) -> dict[str, object]:
    with db.transaction() as session:
        return {r.key.split(":", 2)[2]: r for r in store.appeal_records(session, EPOCH, FAR)}


def test_appeals_replies_and_events_are_stored(db: Database, answer_settings: Settings,
                                                answer_analyzer: Analyzer) -> None:
    pipeline = Pipeline(answer_settings, db, analyzer=answer_analyzer, console=lambda text: None)
    run(pipeline, [vk("p1", 0, "В 7 мкр второй день нет горячей воды! Управляющая компания трубку не берёт. "
                              "Когда дадут воду?", "Анна Круглова")], 5)
    found = appeals(db)
    assert set(found) == {"p1"}
    first = found["p1"]
    assert first.bodies == ("management_companies",) and first.sla_status == "open"  # type: ignore[attr-defined]
    run(pipeline, [vk("c1", 30, "Анна, добрый день! Бригада УК «Демо-Сервис» уже на месте, горячую воду дадут "
                                "сегодня до 14:00.", "УК «Демо-Сервис»", parent="p1"),
                   vk("c2", 45, "Спасибо за быстрый ответ!", "Анна Круглова", parent="p1")], 50)
    answered = appeals(db)["p1"]
    assert (answered.first_reply_key, answered.minutes_to_reply, answered.working_minutes_to_reply) == \
        ("vk:demo_gorod:c1", 30.0, 30.0)  # type: ignore[attr-defined]
    assert (answered.sla_status, answered.reply_quality, answered.satisfaction) == \
        ("met", "substantive", "satisfied")  # type: ignore[attr-defined]
    with db.transaction() as session:
        kinds = list(session.scalars(select(AppealEventRow.kind).order_by(AppealEventRow.id)))
    assert kinds[:3] == ["created", "status", "replied"] and "quality" in kinds and "satisfaction" in kinds
    export = answered.to_export()  # type: ignore[attr-defined]
    assert set(export) >= {"appeal_id", "story_id", "body", "platform", "url", "appeal_at", "first_reply_id",
                           "first_reply_at", "minutes_to_reply", "working_minutes_to_reply", "deadline_at",
                           "sla_status", "reply_quality", "satisfaction", "reasons"}


def test_a_conflict_reaches_the_head_of_the_mcu_once(db: Database, answer_settings: Settings,
                                                     answer_analyzer: Analyzer) -> None:
    printed: list[str] = []
    pipeline = Pipeline(answer_settings, db, analyzer=answer_analyzer, console=printed.append)
    run(pipeline, [vk("p2", 0, "В 9 мкр в подъезде дома 2 третий день не работает лифт, у нас лежачий больной. "
                              "Управляющая компания, когда почините?", "Зинаида Фомина")], 5)
    reply = vk("c3", 60, "Зинаида, сами виноваты — дети в вашем подъезде ломают кнопки, следите за своими детьми.",
               "УК «Демо-Сервис»", parent="p2")
    run(pipeline, [reply], 65)
    run(pipeline, [vk("c4", 70, "Это хамство!", "Зинаида Фомина", parent="p2")], 75)  # a later check: no repeat
    pipeline.dispatch(START + timedelta(minutes=80))
    assert appeals(db)["p2"].reply_quality == "conflict"  # type: ignore[attr-defined]
    told = [text for text in printed if text.startswith("Ошибка при коммуникации")]
    assert len(told) == 1
    assert "Управляющие компании" in told[0] and "«сами виноваты»" in told[0] and "https://vk.com/demo_gorod/p2" in told[0]
    with db.transaction() as session:
        queued = list(session.scalars(select(OutboxRow).where(OutboxRow.story_id.is_(None))))
    assert [row.channel for row in queued] == ["console"] and queued[0].status == "sent"


def test_deadlines_pass_deletions_and_orphans(db: Database, answer_settings: Settings,
                                             answer_analyzer: Analyzer) -> None:
    pipeline = Pipeline(answer_settings, db, analyzer=answer_analyzer, deliver=False)
    posts = [
        vk("p3", 0, "Во дворе 6 мкр огромная яма на проезде, уже две машины пробили колесо. Администрация, "
                    "когда засыплют?", "Павел Рыжов"),
        vk("p4", 10, "Третью неделю не горит фонарь у дома 4 в 8 мкр, вечером страшно идти. Администрация, "
                     "когда почините?", "Нина Белова"),
        # a reply to a post never collected, and a resident's question under another such post
        vk("c5", 20, "Добрый день! Ответили вам в личных сообщениях.", ADMIN, parent="never-seen", source="demo_admin"),
        vk("c6", 25, "Когда вывезут ёлки с контейнерной площадки у дома 2 в 4 мкр? Завалили весь проход, примите меры!",
           "Степан Гусев", parent="never-seen-2", source="demo_admin"),
    ]
    run(pipeline, posts, 30)
    with db.transaction() as session:
        post_store.mark_deleted(session, "vk", "demo_gorod", ["p4"], START + timedelta(minutes=40))
    run(pipeline, [], 6 * 60 + 30)  # 16:30: two working hours before p3's deadline — the warning
    with db.transaction() as session:
        p3_id = session.scalar(select(AppealRow.id).where(AppealRow.sla_status == "open")
                               .order_by(AppealRow.appeal_at).limit(1))
        warned = session.scalar(select(AppealRow.warned_at).where(AppealRow.id == p3_id))
    assert warned is not None
    run(pipeline, [], 9 * 60)  # 19:00: the first day's deadline (18:00) has passed
    found = appeals(db)
    assert found["p3"].sla_status == "overdue"  # type: ignore[attr-defined]
    assert found["p4"].sla_status == "deleted"  # type: ignore[attr-defined]
    assert found["c6"].bodies == ("admin",) and found["c6"].sla_status == "open"  # type: ignore[attr-defined]  # due 09:25 next day
    assert "c5" not in found
    with db.transaction() as session:
        kinds = list(session.scalars(select(AppealEventRow.kind).where(AppealEventRow.appeal_id == p3_id)
                                     .order_by(AppealEventRow.id)))
    assert p3_id == found["p3"].appeal_id  # type: ignore[attr-defined]
    assert kinds == ["created", "status", "approaching", "status"]


def test_deleting_the_appeal_after_a_reply_is_a_communication_error(db: Database, answer_settings: Settings,
                                                                    answer_analyzer: Analyzer) -> None:
    pipeline = Pipeline(answer_settings, db, analyzer=answer_analyzer, deliver=False)
    run(pipeline, [vk("p5", 0, "У дома 3 в 1 мкр машина постоянно паркуется на газоне, весь газон разбит. "
                              "Администрация, примите меры!", "Ольга Зайцева"),
                   vk("c7", 20, "Ольга, инспектор выедет сегодня до 16:00 и составит акт.", ADMIN, parent="p5")], 25)
    with db.transaction() as session:
        post_store.mark_deleted(session, "vk", "demo_gorod", ["p5"], START + timedelta(minutes=60))
    run(pipeline, [], 70)
    found = appeals(db)["p5"]
    assert found.reply_quality == "conflict" and found.sla_status == "met"  # type: ignore[attr-defined]
    assert "обращение удалено после ответа официального аккаунта" in found.reasons  # type: ignore[attr-defined]


def test_the_unanswered_factor_reads_linked_replies(db: Database, answer_settings: Settings,
                                                    answer_analyzer: Analyzer) -> None:
    pipeline = Pipeline(answer_settings, db, analyzer=answer_analyzer, deliver=False)
    run(pipeline, [vk("p6", 0, "В 3 мкр нет отопления с ночи, батареи ледяные! Управляющая компания, когда дадут "
                              "тепло?", "Олег Сомов")], 5)
    with db.transaction() as session:
        story = session.scalar(select(AppealRow.story_id))
        before = store.story_answers(session, story)  # type: ignore[arg-type]
    assert before is not None and (before.appeals, before.unanswered, before.substantive) == (1, 1, 0)
    run(pipeline, [vk("c8", 20, "Олег, бригада уже работает на теплотрассе, тепло дадут до 18:00.",
                      "УК «Демо-Сервис»", parent="p6")], 25)
    with db.transaction() as session:
        after = store.story_answers(session, story)  # type: ignore[arg-type]
    assert after is not None and (after.unanswered, after.substantive, after.conflicts) == (0, 1, 0)


def test_a_registered_gospublic_answers_for_its_body(db: Database, answer_settings: Settings,
                                                     answer_analyzer: Analyzer) -> None:
    """A school's page in the госпаблики registry is its body's account in ratings too: its reply under its own post
    is the official answer, though the config lists no account of that page."""
    from gospublics import Page
    from storage import gospublics as pages

    school = Page("vk:-777", "vk", "https://vk.com/demo_school9", "demo_school9", "Школа № 9", "education", "school",
                  "-777", platform_title="МБОУ «СШ № 9»")
    with db.transaction() as session:
        pages.register_page(session, school, START, "config")
    pipeline = Pipeline(answer_settings, db, analyzer=answer_analyzer, console=lambda text: None)
    post = Post(id="-777_1", platform="vk", source="demo_school9", published_at=START, text="Запись в кружки открыта",
                author="МБОУ «СШ № 9»", author_id="vk:-777")
    question = Post(id="-777_1/2", platform="vk", source="demo_school9", published_at=START + timedelta(minutes=10),
                    text="Подскажите, когда начнутся занятия в кружке робототехники?", author="Ольга Петрова",
                    author_id="vk:5001", parent_id="-777_1")
    reply = Post(id="-777_1/3", platform="vk", source="demo_school9", published_at=START + timedelta(minutes=70),
                 text="Ольга, добрый день! Занятия начнутся 2 февраля, расписание на сайте школы.",
                 author="МБОУ «СШ № 9»", author_id="vk:-777", parent_id="-777_1")
    run(pipeline, [post, question, reply], 80)
    found = appeals(db)
    assert set(found) == {"-777_1/2"}
    appeal = found["-777_1/2"]
    assert appeal.bodies[0] == "education" and appeal.first_reply_key == "vk:demo_school9:-777_1/3"  # type: ignore[attr-defined]
    assert (appeal.minutes_to_reply, appeal.sla_status) == (60.0, "met")  # type: ignore[attr-defined]


def _answer_statements(db: Database, pipeline: Pipeline, posts: list[Post], minutes: int) -> tuple[int, int]:
    """SQL statements the answers stage of one pass sends, and the appeals it made."""
    from sqlalchemy import event

    counting = [False]
    count = [0]

    def counted(*_: object) -> None:
        count[0] += counting[0]

    update = pipeline.answers.update

    def measured(*args: object, **kwargs: object) -> object:
        counting[0] = True
        try:
            return update(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            counting[0] = False

    pipeline.answers.update = measured  # type: ignore[method-assign]
    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        run(pipeline, posts, minutes)
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count[0], len(appeals(db))


def test_an_answers_pass_reads_and_writes_in_sets(db: Database, answer_settings: Settings,
                                                  answer_analyzer: Analyzer) -> None:
    """Hundreds of appeals in a pass (a backfill) must not cost queries each: four times the appeals in four times
    the threads, with an official reply under each, take about the statements of the small pass."""
    streets = ["Ленина", "Солнечная", "Энергетиков", "Королёва", "Строителей", "Молодёжная", "Курчатова", "Лесная"]

    def threads(first: int, count: int, minutes: int) -> list[Post]:
        made: list[Post] = []
        for n in range(first, first + count):
            street = streets[n % len(streets)]
            made.append(vk(f"a{n}", minutes, f"Десногорск, улица {street}, у дома {n} вторую неделю не горят фонари, "
                                             "дети ходят в темноте. Когда починят?", f"Житель {n}"))
            made.append(vk(f"r{n}", minutes + 20, "Добрый день! Заявка передана подрядчику, фонари заменят "
                                                  "до пятницы.", "Администрация г. Десногорск (демо)",
                           parent=f"a{n}", source="demo_gorod"))
        return made

    pipeline = Pipeline(answer_settings, db, analyzer=answer_analyzer, console=lambda text: None)
    small, made_small = _answer_statements(db, pipeline, threads(0, 5, 0), 30)
    large, made_all = _answer_statements(db, pipeline, threads(100, 20, 60), 90)
    assert (made_small, made_all) == (5, 25), "each complaint is an appeal"
    assert large <= small + 15, f"{small} statements for 5 appeals, {large} for 20"


def test_a_backfill_judges_its_appeals_as_it_goes(tmp_path: Path, answer_settings: Settings,
                                                  answer_analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A year's backfill is not held in memory till its end: appeals are judged every few thousand posts, and end
    as they end when judged all at once (replies found, answered in time or not, repeats linked)."""
    from mcu import pipeline as pipeline_module
    from storage import upgrade

    streets = ["Ленина", "Солнечная", "Энергетиков", "Королёва"]
    feed: list[Post] = []
    for n in range(12):
        street = streets[n % len(streets)]
        feed.append(vk(f"a{n}", n * 30, f"Десногорск, улица {street}, дом {n}: вторую неделю не горят фонари, "
                                        "когда починят?", f"Житель {n % 5}"))
        if n % 3:
            feed.append(vk(f"r{n}", n * 30 + 20 + n * 100, f"Добрый день! Заявка по дому {n} передана подрядчику, "
                                                           "фонари заменят до пятницы.", ADMIN, parent=f"a{n}"))

    def outcome(chunk: int) -> dict[str, tuple[object, ...]]:
        monkeypatch.setattr(pipeline_module, "ANSWERS_CHUNK", chunk)
        db = Database.from_url(f"sqlite:///{tmp_path / f'chunk{chunk}.db'}")
        upgrade(db.engine)
        pipeline = Pipeline(answer_settings, db, analyzer=answer_analyzer, console=lambda text: None)
        pipeline.ingest(feed, START + timedelta(days=3))
        pipeline.process(START + timedelta(days=3), batch=4)
        found = {key: (r.sla_status, r.first_reply_key, r.reply_quality, r.repeated)  # type: ignore[attr-defined]
                 for key, r in appeals(db).items()}
        db.dispose()
        return found

    at_once, as_it_goes = outcome(10_000), outcome(4)
    assert len(at_once) == 12 and {status for status, *_ in at_once.values()} >= {"met", "overdue"}
    assert as_it_goes == at_once
