"""Waves, floods and slow-burning problems through the stored pipeline, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from collectors import Post
from config import Settings
from mcu.pipeline import Pipeline
from mcu.timeline import TimelineReport, run_timeline
from nlp import Analyzer, Annotation, Lemmatizer
from nlp.analyzer import PostContext
from storage import Database, stories
from storage.models import PostRow

T0 = datetime(2026, 6, 18, 11, 0, tzinfo=timezone.utc)
RUMOUR = ("На САЭС нештатная ситуация на 3 блоке, после обеда начнут эвакуацию 5, 6 и 7 мкр. Автобусы уже собирают "
          "у ДК. Знакомый из МЧС сказал, официально молчат. Перешлите всем!")


class Counting:
    """The real analyser, counting the texts it was asked to judge."""

    def __init__(self, real: Analyzer) -> None:
        self.real = real
        self.judged = 0

    @property
    def lemmatizer(self) -> Lemmatizer:
        return self.real.lemmatizer

    def context_for(self, post: Post, parent_relevance: float | None = None, parent_text: str | None = None) -> PostContext:
        return self.real.context_for(post, parent_relevance, parent_text)

    def analyze_batch(self, items: Sequence[tuple[Post, PostContext | None]]) -> list[Annotation]:
        self.judged += len(items)
        return self.real.analyze_batch(items)


def post(n: int, minutes: float, text: str, *, source: str = "gorod", platform: str = "vk", author_id: str | None = None,
         author: str | None = None) -> Post:
    return Post(id=str(n), platform=platform, source=source, published_at=T0 + timedelta(minutes=minutes), text=text,
                author=author, author_id=author_id)


def test_a_flood_of_one_text_is_judged_once_and_makes_one_story(settings: Settings, analyzer: Analyzer, db: Database) -> None:
    counting = Counting(analyzer)
    pipeline = Pipeline(settings, db, analyzer=counting, deliver=False)  # type: ignore[arg-type]
    flood = [post(n, n / 1000, RUMOUR, author_id=f"vk:{9000 + n}") for n in range(400)]
    report = run_timeline(pipeline, flood, TimelineReport())
    assert counting.judged == 1
    assert len({a.story_id for a in report.alerts}) == 1 and sum(not a.update for a in report.alerts) == 1
    with db.transaction() as session:
        assert session.query(PostRow).filter(PostRow.author_id == "vk:9399").one().story_id is not None
        story_id = report.alerts[0].story_id
        assert len(stories.members(session, story_id)) == 400


def test_copies_from_accounts_the_field_never_saw_are_counted(settings: Settings, analyzer: Analyzer, db: Database) -> None:
    pipeline = Pipeline(settings, db, analyzer=analyzer, deliver=False)
    # Two communities wrote about the town days before; the rest of the copies come from nowhere.
    history = [post(100 + i, -3 * 1440 + i, "В Десногорске открыли новую детскую площадку в 5 мкр", source=src)
               for i, src in enumerate(("gorod", "podslushano"))]
    sources = ("gorod", "podslushano", "baraholka", "roslavl", "avto", "prodam")
    wave = [post(i, 2 * i, RUMOUR, source=src, platform=("vk", "ok", "telegram")[i % 3]) for i, src in enumerate(sources)]
    report = run_timeline(pipeline, [*history, *wave], TimelineReport())
    reasons = [r for a in report.alerts for r in a.reasons if r.startswith("одинаковый текст")]
    assert reasons and reasons[-1].endswith("из них 4 — от новых аккаунтов или посторонних сообществ"), reasons


def test_complaints_days_apart_about_one_school_stay_one_story(settings: Settings, analyzer: Analyzer, db: Database) -> None:
    pipeline = Pipeline(settings, db, analyzer=analyzer, deliver=False)
    texts = [
        "В школе №3 опять кормят детей холодным, порции крошечные. Безобразие, сколько можно! Прошу разобраться",
        "Школа № 3: сын снова голодный, в столовой холодный суп. Куда смотрит управление образования? Примите меры!",
        "В 3-й школе дети не едят, еда холодная и невкусная. Сколько можно терпеть? Требую проверки столовой!",
        "Опять про школу №3: столовая кормит отвратительно, дети голодные. Администрация, разберитесь уже!",
    ]
    town_pages = ("demo_gorod", "demo_podslushano", "demo_desnogorsk", "demo_desna_chat_feed")  # town sources in config
    complaints = [post(i, day * 1440, text, source=town_pages[i], author=f"Родитель {i}")
                  for i, (day, text) in enumerate(zip((0, 3, 6, 9), texts, strict=True))]
    report = run_timeline(pipeline, complaints, TimelineReport())
    assert report.alerts and report.alerts[0].level != "low"
    with db.transaction() as session:
        story_ids = {row.story_id for row in session.query(PostRow)}
        assert len(story_ids) == 1
        story = stories.view(session, story_ids.pop(), {})
    assert story is not None and "повторяющаяся проблема: 4 жалобы за 9 дней от 4 авторов" in story.assessment.reasons


def test_the_digest_lists_a_slow_burning_problem_for_the_road_map(settings: Settings, analyzer: Analyzer, db: Database) -> None:
    from mcu.digests import build_digest

    pipeline = Pipeline(settings, db, analyzer=analyzer, deliver=False)
    pages = ("demo_gorod", "demo_podslushano", "demo_desnogorsk", "demo_desna_chat_feed", "demo_desna_news")
    texts = ["Дом 5 в 7 мкр: подвал затоплен, вонь канализации, УК не отвечает. Сколько можно?",
             "7 мкр д 5 — подвал в воде неделю, дышать нечем. Управляющая компания, примите меры!",
             "В 7 мкр, дом 5 до сих пор затоплен подвал, комары и запах. Прошу администрацию разобраться!",
             "Жители дома 5 в 7 мкр снова жалуются: подвал залит, запах канализации, никто не приходит",
             "7 мкр, д. 5: опять вонь из подвала, дети кашляют. Безобразие, сколько можно ждать!"]
    complaints = [post(i, day * 1440, text, source=pages[i], author=f"Житель {i}")
                  for i, (day, text) in enumerate(zip((0, 2, 4, 6, 8), texts, strict=True))]
    run_timeline(pipeline, complaints, TimelineReport())
    data = build_digest(db, settings, "week", T0 + timedelta(days=9))
    found = [r for r in data.recurring if r.place == "7 мкр, д. 5"]
    assert found and found[0].stories_90 == 1 and found[0].complaints == 5 and found[0].authors == 5


def test_a_wave_across_vk_ok_and_telegram_counts_new_accounts_by_author_id(settings: Settings, analyzer: Analyzer,
                                                                          db: Database) -> None:
    """Copies from VK, OK and Telegram as their collectors parse them: an account that wrote days before is known by
    its id on every platform, whatever name it signs with now (a channel post signed by another editor, an OK user
    who renamed); the three accounts nobody saw before are counted."""
    from telethon.tl import types

    from collectors.ok.parse import parse_topics
    from collectors.telegram.messages import post_from_messages

    def ok_topic(topic_id: int, minutes: float, text: str, user: int, name: str, group: str) -> Post:
        payload = {"media_topics": [{"id": str(topic_id), "author_ref": f"user:{user}", "owner_ref": "group:7000",
                                     "created_ms": int((T0 + timedelta(minutes=minutes)).timestamp() * 1000),
                                     "media": [{"type": "text", "text": text}]}],
                   "entities": {"users": [{"uid": str(user), "name": name}]}}
        return parse_topics(payload, handle=group, gid="7000").items[0].post

    def tg_post(post_id: int, minutes: float, text: str, channel: int, handle: str, signed: str) -> Post:
        message = types.Message(id=post_id, peer_id=types.PeerChannel(channel_id=channel), post=True,
                                date=T0 + timedelta(minutes=minutes), message=text, post_author=signed)
        return post_from_messages([message], handle, "Канал")

    before = -3 * 1440
    calm = "В Десногорске открыли новую детскую площадку в 5 мкр"
    history = [post(100, before, calm, source="gorod", author_id="vk:101", author="Ольга"),
               ok_topic(200, before + 1, calm, 202, "Нина Орлова", "ok_desna"),
               tg_post(300, before + 2, calm, 1000000303, "tg_desna", "Анна")]
    wave = [post(1, 0, RUMOUR, source="roslavl", author_id="vk:101", author="Ольга Н."),
            post(2, 2, RUMOUR, source="baraholka", author_id="vk:9001", author="Новый"),
            ok_topic(3, 4, RUMOUR, 202, "Нина (Орлова)", "ok_prodam"),
            ok_topic(4, 6, RUMOUR, 9002, "Гость", "ok_avto"),
            tg_post(5, 8, RUMOUR, 1000000303, "tg_desna", "Пётр"),
            tg_post(6, 10, RUMOUR, 1000009003, "tg_new", "Кто-то")]
    assert {p.platform: p.author_id for p in wave[2:]} == {"ok": "ok:9002", "telegram": "tg:-1001000009003"}
    report = run_timeline(Pipeline(settings, db, analyzer=analyzer, deliver=False), [*history, *wave], TimelineReport())
    assert report.alerts
    with db.transaction() as session:
        story = stories.view(session, report.alerts[0].story_id, {})
    assert story is not None
    reasons = [r for r in story.assessment.reasons if r.startswith("одинаковый текст")]
    assert reasons == ["одинаковый текст: 6 копий в 6 источниках за 10 мин, "
                       "из них 3 — от новых аккаунтов или посторонних сообществ"], story.assessment.reasons
