"""Shared by the pipeline and alert tests: a night rumour about the plant, and settings with a fake bot."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest

from collectors import Metrics, Post
from config import Settings
from tests.fakes.telegram import FakeBotApi

if TYPE_CHECKING:
    from mcu.pipeline import Pipeline

T0 = datetime(2026, 1, 14, 1, 30, tzinfo=timezone.utc)


def with_bot(settings: Settings, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("MCU_BOT_TOKEN_TEST", fake.token)
    bot = settings.api.telegram_bot.model_validate(
        {"base_url": fake.base_url, "token": {"env": "MCU_BOT_TOKEN_TEST"}, "timeout": 5}
    )
    roles = dict(settings.roles)
    roles["deputy"] = roles["deputy"].model_copy(update={"telegram_chats": [111]})
    roles["incidents"] = roles["incidents"].model_copy(update={"telegram_chats": [222, 111]})
    api = settings.api.model_copy(update={"telegram_bot": bot})
    # No group wait, quiet hours or pacing here: these tests are about durability (the lifecycle has its own).
    alerts = settings.alerts.model_copy(update={"group_wait": {}, "quiet_hours": None, "chat_interval": 0.0})
    return settings.model_copy(update={"api": api, "roles": roles, "alerts": alerts})


def rumour_posts() -> list[Post]:
    texts = [
        ("demo_desna_chat_feed", "telegram", "СРОЧНО! На САЭС авария, был выброс, закрывайте окна, пейте йод, дозиметр зашкаливает"),
        ("demo_gorod", "vk", "Срочно!! На САЭС авария, был выброс. Закрывайте окна, пейте йод, дозиметр зашкаливает!!!"),
        ("demo_desnogorsk", "ok", "на САЭС авария был выброс закрывайте окна пейте йод дозиметр зашкаливает, уезжайте из города"),
        ("demo_podslushano", "vk", "Люди, правда что на САЭС авария и выброс? Глава молчит, пишем в прокуратуру!"),
        ("demo_desna_news", "telegram", "В чатах пишут про выброс на Смоленской АЭС, люди в панике уезжают из города"),
        ("example-desna-news.ru", "web", "Жители Десногорска обсуждают слухи об аварии на САЭС, в аптеках раскупили йод, паника"),
    ]
    return [
        Post(id=str(i), platform=pl, source=src, published_at=T0 + timedelta(minutes=7 * i), text=text,
             url=f"https://example.test/{i}", metrics=Metrics(views=400 * (i + 1), reposts=10 * i))
        for i, (src, pl, text) in enumerate(texts)
    ]


def queue_alerts(pipeline: Pipeline, count: int, now: datetime, roles: tuple[str, ...] = ("deputy",)) -> list[int]:
    """``count`` critical stories, each with a new message waiting for every chat of ``roles``."""
    from alerts import Alert
    from storage import stories

    made = []
    with pipeline.db.transaction() as session:
        for number in range(1, count + 1):
            state = stories.create_story(session, f"Нет воды в {number} мкр", "housing", [], frozenset(), now)
            view = stories.view(session, state.id, pipeline.topic_titles)
            assert view is not None
            alert = Alert(state.id, "critical", now, roles, False, ("нет воды",), f"Оповещение №{number}", 1)
            assert pipeline.alerting.on_decision(session, alert, view) is not None
            made.append(state.id)
    return made
