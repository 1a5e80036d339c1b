"""Alerts: routing by level and role, one alert per story with updates, Telegram delivery through a fake Bot API."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from alerts import PreviousAlert, TelegramSink, decide, fit_telegram, route, telegram_html
from config import DeliveryError, Secret, Settings
from risk import RiskAssessment, StoryView
from tests.fakes.telegram import FakeBotApi, error

T0 = datetime(2026, 1, 14, 1, 30, tzinfo=timezone.utc)
TZ = ZoneInfo("Europe/Moscow")


def view(level: str, posts: int = 5, score: float = 60.0) -> StoryView:
    return StoryView(
        id=1, title="На САЭС <авария> & «выброс»", topic="npp", topic_title="АЭС и радиационная безопасность",
        places=("3 мкр",), first_seen_at=T0, last_seen_at=T0, post_count=posts, source_count=3,
        platforms=("telegram", "vk"), assessment=RiskAssessment(score, level, ("тема: АЭС", "3 источника на 2 платформах за 20 мин")),
        links=("https://vk.com/wall-1_2",),
    )


def test_default_routes(settings: Settings) -> None:
    routes = settings.alerts.routes
    assert route("critical", routes) == ("glava", "curator", "deputy", "pos", "incidents", "gospabliki")
    assert route("high", routes) == ("deputy", "pos", "incidents", "gospabliki")
    assert route("medium", routes) == ("pos", "incidents", "gospabliki")
    assert route("low", routes) == ()


def test_first_alert_then_silence_then_update_on_rise(settings: Settings) -> None:
    first = decide(view("medium"), None, T0, settings.alerts, TZ)
    assert first is not None and not first.update and first.recipients == ("pos", "incidents", "gospabliki")
    assert "Информационный риск: уровень средний" in first.text and "Почему:" in first.text
    told = PreviousAlert("medium", T0, 5, first.recipients)
    assert decide(view("medium", posts=7), told, T0 + timedelta(minutes=5), settings.alerts, TZ) is None
    rise = decide(view("critical", posts=8), told, T0 + timedelta(minutes=5), settings.alerts, TZ)
    assert rise is not None and rise.update and rise.level == "critical"
    assert {"glava", "curator", "deputy", "pos"} <= set(rise.recipients)
    assert "уровень ↑ критический" in rise.text and "+3 сообщения" in rise.text


def test_growth_update_waits_for_posts_and_time(settings: Settings) -> None:
    told = PreviousAlert("high", T0, 5, ("deputy",))
    many = settings.alerts.update_min_new_posts + 5
    soon = T0 + timedelta(seconds=settings.alerts.update_min_interval / 2)
    later = T0 + timedelta(seconds=settings.alerts.update_min_interval)
    assert decide(view("high", posts=5 + many), told, soon, settings.alerts, TZ) is None
    update = decide(view("high", posts=5 + many), told, later, settings.alerts, TZ)
    assert update is not None and update.update and update.recipients == ("deputy",)


def test_low_stories_go_to_the_digest_only(settings: Settings) -> None:
    assert decide(view("low", score=10), None, T0, settings.alerts, TZ) is None


def test_telegram_html_is_escaped_and_limited() -> None:
    html_text = telegram_html("Заголовок <b>\nСуть: На САЭС <авария> & «выброс»")
    assert html_text.startswith("<b>Заголовок &lt;b&gt;</b>")
    assert "&lt;авария&gt; &amp;" in html_text
    long = fit_telegram("строка\n" * 2000)
    assert len(long) <= 4096 and long.endswith("(сокращено)")


def test_telegram_sink_sends_through_configured_base_url() -> None:
    with FakeBotApi() as fake:
        sink = TelegramSink(fake.base_url, Secret("test", fake.token))
        sink.send("-1001", "🔴 Информационный риск\nСуть: <тест>")
        sent = fake.sent()
        assert len(sent) == 1 and sent[0]["chat_id"] == "-1001" and sent[0]["parse_mode"] == "HTML"
        assert "&lt;тест&gt;" in sent[0]["text"]
        sink.close()


@pytest.mark.parametrize(
    ("answer", "retryable", "retry_after"),
    [("429", True, 35), ("400_chat_not_found", False, None), ("403_blocked", False, None), ("401", False, None)],
)
def test_telegram_errors_say_whether_to_retry(answer: str, retryable: bool, retry_after: int | None) -> None:
    with FakeBotApi() as fake:
        fake.script(error(answer))
        sink = TelegramSink(fake.base_url, Secret("test", fake.token))
        with pytest.raises(DeliveryError) as caught:
            sink.send("1", "текст")
        assert caught.value.retryable is retryable and caught.value.retry_after == retry_after
        assert fake.token not in str(caught.value)
        sink.close()


def test_unreachable_telegram_is_retryable_and_hides_token() -> None:
    sink = TelegramSink("http://127.0.0.1:9", Secret("test", "999:SECRET"), timeout=2)
    with pytest.raises(DeliveryError) as caught:
        sink.send("1", "текст")
    assert caught.value.retryable and "SECRET" not in str(caught.value)
    sink.close()
