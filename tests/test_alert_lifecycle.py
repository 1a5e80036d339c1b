"""The alert lifecycle against a fake Bot API: one message per story and chat, edits in place, group wait,
quiet hours, reminders and escalation, silences, buttons, and delivery faults."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from alerts import Alert
from alerts.lifecycle import keyboard, parse_callback, quiet_until
from config import Secret, Settings
from mcu.bot import BotPoller
from mcu.pipeline import Pipeline
from nlp import Analyzer
from storage import Database, alert_state, outbox, stories
from tests.alert_helpers import T0, rumour_posts
from tests.fakes.telegram import FakeBotApi, error

DEPUTY, GROUP, GLAVA, CURATOR = "111", "-1002", "333", "-1001"


def lifecycle_settings(settings: Settings, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch, **alerts: Any) -> Settings:
    monkeypatch.setenv("MCU_BOT_TOKEN_TEST", fake.token)
    bot = settings.api.telegram_bot.model_validate({"base_url": fake.base_url, "token": {"env": "MCU_BOT_TOKEN_TEST"},
                                                    "timeout": 5, "poll_timeout": 0})
    chats = {"deputy": [int(DEPUTY)], "pos": [int(GROUP)], "incidents": [int(GROUP)], "gospabliki": [],
             "glava": [int(GLAVA)], "curator": [int(CURATOR)]}
    roles = {name: role.model_copy(update={"telegram_chats": chats.get(name, [])}) for name, role in settings.roles.items()}
    defaults: dict[str, Any] = {"group_wait": {}, "quiet_hours": None, "chat_interval": 0.0}
    return settings.model_copy(update={
        "api": settings.api.model_copy(update={"telegram_bot": bot}),
        "roles": roles,
        "alerts": settings.alerts.model_copy(update={**defaults, **alerts}),
    })


def step(pipeline: Pipeline, posts: list[Any], minutes: float) -> list[Alert]:
    now = T0 + timedelta(minutes=minutes)
    if posts:
        pipeline.ingest(posts, now)
    alerts = pipeline.process(now).alerts
    pipeline.dispatch(now)
    return alerts


def grow(pipeline: Pipeline, count: int = 6) -> list[Alert]:
    """The rumour's posts one by one, seven minutes apart, as a living system would see them."""
    return [a for i, post in enumerate(rumour_posts()[:count]) for a in step(pipeline, [post], 7 * i)]


def story_messages(fake: FakeBotApi) -> dict[str, list[int]]:
    """Chat → message ids the bot created (not counting edits)."""
    found: dict[str, list[int]] = {}
    for (chat, message_id), _ in sorted(fake.messages.items(), key=lambda item: item[0][1]):
        found.setdefault(str(chat), []).append(message_id)
    return found


@pytest.fixture()
def fake() -> Any:
    with FakeBotApi() as server:
        yield server


def test_one_message_per_chat_then_edits_in_place(settings: Settings, analyzer: Analyzer, sqlite_db: Database,
                                                   fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = Pipeline(lifecycle_settings(settings, fake, monkeypatch), sqlite_db, analyzer=analyzer)
    decisions = grow(pipeline)
    assert decisions and not decisions[0].update and all(a.update for a in decisions[1:])
    per_chat = story_messages(fake)
    assert all(len(ids) == 1 for ids in per_chat.values()), per_chat  # no second message in any chat
    assert DEPUTY in per_chat and GROUP in per_chat
    edits = fake.edits()
    assert edits and {str(e["chat_id"]) for e in edits} <= set(per_chat)
    latest = fake.messages[(int(DEPUTY), per_chat[DEPUTY][0])]
    assert "Изменения:" in latest["text"] or "уровень ↑" in latest["text"]
    buttons = [b["callback_data"] for row in latest["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["take:1", "false:1", "close:1"]


def test_critical_reaches_the_head_at_once_and_lower_levels_wait(settings: Settings, fake: FakeBotApi,
                                                                 monkeypatch: pytest.MonkeyPatch, sqlite_db: Database,
                                                                 analyzer: Analyzer) -> None:
    configured = lifecycle_settings(settings, fake, monkeypatch, group_wait={"critical": 0, "high": 120, "medium": 300})
    alerting = Pipeline(configured, sqlite_db, analyzer=analyzer).alerting
    assert alerting.chats_for(("glava", "curator", "deputy")) == [("telegram", GLAVA), ("telegram", CURATOR),
                                                                   ("telegram", DEPUTY)]
    pipeline = Pipeline(configured, sqlite_db, analyzer=analyzer)
    first = step(pipeline, rumour_posts()[:3], 14)
    assert first and first[0].level in {"medium", "high"}
    assert fake.sent() == [], "некритичное ждёт group_wait"
    step(pipeline, rumour_posts()[3:5], 15)  # the story grows during the wait
    step(pipeline, [], 20)
    sent = fake.sent()
    assert sent and len({s["chat_id"] for s in sent}) == len(sent), "одно сообщение в чат, с последним текстом"
    assert fake.edits() == []


def test_quiet_hours_hold_non_critical_until_morning() -> None:
    from zoneinfo import ZoneInfo

    msk = ZoneInfo("Europe/Moscow")
    night = T0  # 04:30 in Desnogorsk
    morning = quiet_until(night, "22:00-07:00", msk)
    assert morning is not None and morning.astimezone(msk).hour == 7 and morning - night == timedelta(hours=2, minutes=30)
    assert quiet_until(T0 + timedelta(hours=6), "22:00-07:00", msk) is None  # 10:30
    evening = quiet_until(T0 + timedelta(hours=19), "22:00-07:00", msk)  # 23:30
    assert evening is not None and evening - (T0 + timedelta(hours=19)) == timedelta(hours=7, minutes=30)
    assert quiet_until(night, None, msk) is None


def test_at_night_only_critical_rings(settings: Settings, analyzer: Analyzer, sqlite_db: Database, fake: FakeBotApi,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = Pipeline(lifecycle_settings(settings, fake, monkeypatch, quiet_hours="22:00-07:00"), sqlite_db,
                        analyzer=analyzer)
    told = {a.level for a in grow(pipeline)}
    sent_at_night = fake.sent()
    if "critical" in told:
        assert sent_at_night, "критическое уходит и ночью"
    else:
        assert sent_at_night == [], "ночью некритичное ждёт утра"
    pipeline.dispatch(T0 + timedelta(hours=2, minutes=31))  # 07:01 in town
    assert fake.sent(), "утром задержанное уходит"


def test_nobody_takes_it_reminders_then_escalation_then_ack_stops_them(
        settings: Settings, analyzer: Analyzer, sqlite_db: Database, fake: FakeBotApi,
        monkeypatch: pytest.MonkeyPatch) -> None:
    configured = lifecycle_settings(settings, fake, monkeypatch, repeat_interval=1800.0, escalate_after=3600.0)
    pipeline = Pipeline(configured, sqlite_db, analyzer=analyzer)
    grow(pipeline, 3)
    with sqlite_db.transaction() as session:
        level = alert_state.state(session, 1).level  # type: ignore[union-attr]
    assert level in {"medium", "high"}
    before = len(fake.sent())
    reminder = step(pipeline, [], 60)
    assert reminder and len(fake.sent()) > before
    assert fake.sent()[-1]["text"].startswith("<b>Напоминание")
    escalation = step(pipeline, [], 95)
    assert escalation and any(s["text"].startswith("<b>Эскалация") for s in fake.sent())
    if level == "high":
        assert GLAVA in {str(s["chat_id"]) for s in fake.sent()}, "high → critical: Глава узнаёт"
    with sqlite_db.transaction() as session:
        assert pipeline.alerting.act(session, 1, "taken", "Ольга", T0 + timedelta(minutes=110), chat=DEPUTY)
    pipeline.dispatch(T0 + timedelta(minutes=110))
    count = len(fake.sent())
    assert step(pipeline, [], 200) == [] and len(fake.sent()) == count, "взято в работу — напоминаний нет"
    with sqlite_db.transaction() as session:
        actions = [r.action for r in alert_state.audit_of(session, 1)]
    assert actions[:2] == ["reminded", "escalated"] and "taken" in actions


def test_silence_keeps_a_planned_event_quiet(settings: Settings, analyzer: Analyzer, sqlite_db: Database,
                                             fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = Pipeline(lifecycle_settings(settings, fake, monkeypatch), sqlite_db, analyzer=analyzer)
    with sqlite_db.transaction() as session:
        alert_state.add_silence(session, topic="npp", place=None, words=None, starts_at=T0 - timedelta(hours=1),
                                ends_at=T0 + timedelta(hours=3), reason="учения на САЭС", author="Петров")
    assert grow(pipeline) == [] and fake.sent() == []
    with sqlite_db.transaction() as session:
        audit = alert_state.audit_of(session, 1)
        assert [(r.action, r.detail) for r in audit] == [("silenced", "тишина №1: учения на САЭС")]
    # when the silence ends, the story is told as usual
    late = step(pipeline, [replace(rumour_posts()[3], id="late", published_at=T0 + timedelta(hours=4))], 245)
    assert late and fake.sent()


def test_buttons_from_allowed_chats_act_and_foreign_chats_are_ignored_once(
        settings: Settings, analyzer: Analyzer, sqlite_db: Database, fake: FakeBotApi,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    configured = lifecycle_settings(settings, fake, monkeypatch)
    pipeline = Pipeline(configured, sqlite_db, analyzer=analyzer)
    grow(pipeline)
    message_id = story_messages(fake)[DEPUTY][0]
    sink = pipeline.sinks["telegram"]
    poller = BotPoller(configured, sqlite_db, pipeline.alerting, sink.bot, lambda: T0 + timedelta(minutes=30))  # type: ignore[attr-defined]
    fake.push_callback(int(DEPUTY), message_id, "take:1")
    fake.push_callback(-100999, 5, "close:1", user_id=666, first_name="Чужой")
    fake.push_callback(-100999, 6, "close:1", user_id=666, first_name="Чужой")
    fake.push_callback(int(DEPUTY), message_id, "take:999")
    with caplog.at_level(logging.WARNING, logger="mcu.bot"):
        assert poller.poll_once() == 4
    assert sum("которого нет в конфигурации" in r.message for r in caplog.records) == 1
    answered = [a["text"] for a in fake.answered()]
    assert answered == ["Взято в работу", "Оповещения по истории №999 нет"]
    pipeline.dispatch(T0 + timedelta(minutes=30))
    shown = fake.messages[(int(DEPUTY), message_id)]
    assert "Взято в работу: Ольга @olga_duty" in shown["text"]
    assert [b["callback_data"] for row in shown["reply_markup"]["inline_keyboard"] for b in row] == ["false:1", "close:1"]
    with sqlite_db.transaction() as session:
        state = alert_state.state(session, 1)
        assert state is not None and state.status == "taken" and state.remind_at is None
        assert [(r.action, r.chat) for r in alert_state.audit_of(session, 1)] == [("taken", DEPUTY)]
    # the offset is remembered: a restarted poller does not act twice
    assert poller.poll_once() == 0
    fake.push_callback(int(GROUP), story_messages(fake)[GROUP][0], "false:1", first_name="Игорь")
    poller.poll_once()
    with sqlite_db.transaction() as session:
        assert stories.feedback(session)[0][:2] == (1, "false_positive"), "ложное срабатывание — метка калибровки"


def test_callback_data_is_short_and_forgeries_are_refused() -> None:
    for row in keyboard(2_147_483_647):
        for button in row:
            assert len(button["callback_data"].encode("utf-8")) <= 64
    assert parse_callback("take:12") == ("taken", 12)
    assert parse_callback("drop:12") is None and parse_callback("take:1; DROP TABLE") is None and parse_callback(None) is None
    assert keyboard(5, "closed") == [] and [b["text"] for b in keyboard(5, "taken")[0]] == ["Ложное срабатывание", "Закрыть"]


def test_hostile_and_huge_post_text_is_escaped_and_fits(settings: Settings, analyzer: Analyzer, sqlite_db: Database,
                                                        fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = Pipeline(lifecycle_settings(settings, fake, monkeypatch), sqlite_db, analyzer=analyzer)
    hostile = [replace(p, text="<script>alert(1)</script> & <b>" + p.text + " " + "ВЫБРОС! " * 3000)
               for p in rumour_posts()]
    for i, post in enumerate(hostile):
        step(pipeline, [post], 7 * i)
    with sqlite_db.transaction() as session:
        assert outbox.outbox_counts(session).get("failed", 0) == 0, "сервер принял каждое сообщение"
    texts = [m["text"] for m in fake.messages.values()]
    assert texts and all(len(t) <= 4096 for t in texts)
    assert all("<script>" not in t for t in texts)


@pytest.mark.parametrize(("fault", "outcome"), [
    ("429", "retried after retry_after"), ("400_parse", "given up"), ("403_blocked", "given up"), ("down", "retried"),
])
def test_delivery_faults(settings: Settings, analyzer: Analyzer, sqlite_db: Database, fake: FakeBotApi,
                         monkeypatch: pytest.MonkeyPatch, fault: str, outcome: str) -> None:
    pipeline = Pipeline(lifecycle_settings(settings, fake, monkeypatch), sqlite_db, analyzer=analyzer)
    if fault == "down":
        fake.down()
    else:
        fake.script_for("sendMessage", error(fault))
    grow(pipeline)
    with sqlite_db.transaction() as session:
        counts = outbox.outbox_counts(session)
    if outcome == "given up":
        assert counts.get("failed") == 1, counts
        assert len(fake.sent()) >= 2, "остальные чаты получили своё"
        return
    if fault == "429":
        refused = [r for r in fake.requests if r["method"] == "sendMessage" and r["status"] == 429]
        assert len(refused) == 1 and len(fake.sent()) == len(story_messages(fake)) + 1, "повтор после retry_after"
    else:
        assert counts.get("pending", 0) >= 1, "пока Telegram лежит, сообщения ждут"
        fake.up()
    pipeline.dispatch(T0 + timedelta(hours=3))
    with sqlite_db.transaction() as session:
        counts = outbox.outbox_counts(session)
    assert counts.get("pending", 0) == 0 and counts.get("failed", 0) == 0
    per_chat = story_messages(fake)
    assert {DEPUTY, GROUP} <= set(per_chat) and all(len(v) == 1 for v in per_chat.values()), "ни потерь, ни дублей"


def test_restart_after_outage_sends_each_message_once(settings: Settings, analyzer: Analyzer, sqlite_db: Database,
                                                      fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    configured = lifecycle_settings(settings, fake, monkeypatch)
    fake.down()
    first = Pipeline(configured, sqlite_db, analyzer=analyzer)
    for i, post in enumerate(rumour_posts()):
        step(first, [post], 7 * i)
    first.close()
    sqlite_db.dispose()  # the database restarts too
    fake.up()
    restarted = Pipeline(configured, Database.from_url(str(sqlite_db.engine.url)), analyzer=analyzer)
    restarted.dispatch(T0 + timedelta(hours=2))
    again = Pipeline(configured, Database.from_url(str(sqlite_db.engine.url)), analyzer=analyzer)
    assert again.dispatch(T0 + timedelta(hours=3)).sent == 0
    per_chat = story_messages(fake)
    assert {DEPUTY, GROUP} <= set(per_chat) and all(len(v) == 1 for v in per_chat.values())


def test_the_token_never_leaks(settings: Settings, fake: FakeBotApi) -> None:
    from alerts import TelegramSink
    from config import DeliveryError

    sink = TelegramSink("http://127.0.0.1:9", Secret("test", fake.token), timeout=1)
    with pytest.raises(DeliveryError) as caught:
        sink.send("1", "текст")
    assert fake.token not in str(caught.value)
    sink.close()


def test_a_story_gone_silent_stops_reminding(settings: Settings, analyzer: Analyzer, sqlite_db: Database,
                                             fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    configured = lifecycle_settings(settings, fake, monkeypatch, repeat_interval=1800.0, escalate_after=7 * 86400.0)
    pipeline = Pipeline(configured, sqlite_db, analyzer=analyzer)
    grow(pipeline, 4)
    assert step(pipeline, [], 60), "через полчаса тишины — напоминание"
    count = len(fake.sent())
    assert step(pipeline, [], 60 * 49) == [] and len(fake.sent()) == count, "история молчит двое суток — хватит"
    with sqlite_db.transaction() as session:
        state = alert_state.state(session, 1)
        assert state is not None and state.status == "open" and state.remind_at is None
