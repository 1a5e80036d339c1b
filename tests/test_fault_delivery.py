"""Faults on the way to Telegram, as the outbox meets them: a crash mid-pass, a slow Bot API holding nobody up,
429 timed from its answer, and a transport that hangs up, stalls, garbles JSON or answers 500."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from alerts import TelegramSink
from config import Settings
from mcu.bot import BotPoller
from mcu.pipeline import Pipeline
from storage import Database, alert_state, outbox
from tests.alert_helpers import queue_alerts
from tests.fakes.telegram import FakeBotApi

CHAT = 111


def bot_settings(settings: Settings, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch, timeout: float = 5.0) -> Settings:
    monkeypatch.setenv("MCU_BOT_TOKEN_TEST", fake.token)
    bot = settings.api.telegram_bot.model_validate({"base_url": fake.base_url, "token": {"env": "MCU_BOT_TOKEN_TEST"},
                                                    "timeout": timeout, "poll_timeout": 0})
    roles = {name: role.model_copy(update={"telegram_chats": [CHAT] if name == "deputy" else []})
             for name, role in settings.roles.items()}
    alerts = settings.alerts.model_copy(update={"group_wait": {}, "quiet_hours": None, "chat_interval": 0.0})
    return settings.model_copy(update={"api": settings.api.model_copy(update={"telegram_bot": bot}), "roles": roles,
                                       "alerts": alerts})


def accepted(fake: FakeBotApi) -> list[str]:
    """Headings of every message the Bot API accepted, repeats included."""
    return [r["payload"]["text"].splitlines()[0] for r in fake.requests
            if r["method"] == "sendMessage" and r["status"] == 200 and not r["fault"]]


def counts(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        return outbox.outbox_counts(session)


@pytest.fixture()
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


def test_a_crash_mid_pass_repeats_only_the_message_in_flight(settings: Settings, sqlite_db: Database,
                                                            fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each message's state is committed on its own: a process killed after Telegram accepted the fourth message
    has recorded the first three, and only the fourth goes out again after the restart."""
    configured = bot_settings(settings, fake, monkeypatch)
    now = datetime.now(timezone.utc)
    first = Pipeline(configured, sqlite_db)
    queue_alerts(first, 8, now)
    real_send = TelegramSink.send
    calls = 0

    def dies_on_the_fourth(sink: TelegramSink, target: str, text: str, buttons: Any = None) -> int | None:
        nonlocal calls
        calls += 1
        answer = real_send(sink, target, text, buttons)  # Telegram has it...
        if calls == 4:
            raise KeyboardInterrupt  # ...and the process dies before it hears back
        return answer

    monkeypatch.setattr(TelegramSink, "send", dies_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        first.dispatch(now)
    first.close()
    monkeypatch.setattr(TelegramSink, "send", real_send)
    assert counts(sqlite_db) == {"sent": 3, "sending": 1, "pending": 4}
    restarted = Pipeline(configured, Database.from_url(str(sqlite_db.engine.url)))
    assert restarted.dispatch(now).sent == 4, "the one in flight waits for its lease; the rest go at once"
    assert restarted.dispatch(now + restarted.alerting.lease + timedelta(seconds=1)).sent == 1
    restarted.close()
    texts = accepted(fake)
    assert sorted(set(texts)) == sorted(f"<b>Оповещение №{n}</b>" for n in range(1, 9))
    assert len(texts) - len(set(texts)) == 1, "only the message in flight at the crash arrives twice"
    assert counts(sqlite_db) == {"sent": 8}


def test_a_slow_bot_api_holds_no_write_lock(settings: Settings, sqlite_db: Database, fake: FakeBotApi,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """While a pass waits on a slow Telegram, another process writes at once, and a button press is applied
    at once, not after the pass (on the old code both waited for the whole pass)."""
    configured = bot_settings(settings, fake, monkeypatch)
    now = datetime.now(timezone.utc)
    pipeline = Pipeline(configured, sqlite_db)
    story_ids = queue_alerts(pipeline, 6, now)
    fake.delay = 0.4
    sender = threading.Thread(target=pipeline.dispatch, args=(now,))
    sender.start()
    try:
        while len(fake.requests) < 2:
            time.sleep(0.02)
        path = str(sqlite_db.engine.url.database)
        for _ in range(3):  # a writer elsewhere gets the lock within a fraction of a second, every time
            other = sqlite3.connect(path, timeout=0.3)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.rollback()
            finally:
                other.close()
            time.sleep(0.2)
        message_id = next(key[1] for key in fake.messages)
        fake.push_callback(CHAT, message_id, f"take:{story_ids[0]}")
        listener = BotPoller(configured, Database.from_url(str(sqlite_db.engine.url)), pipeline.alerting,
                             TelegramSink(fake.base_url, configured.api.telegram_bot.token).bot,  # type: ignore[arg-type]
                             lambda: datetime.now(timezone.utc))
        assert listener.poll_once() == 1
        assert sender.is_alive(), "the press was applied while the pass was still sending"
        with sqlite_db.transaction() as session:
            state = alert_state.state(session, story_ids[0])
            assert state is not None and state.status == "taken"
    finally:
        sender.join(timeout=30)
    pipeline.close()


def test_429_is_waited_out_from_when_it_arrived(settings: Settings, sqlite_db: Database, fake: FakeBotApi,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Telegram counts ``retry_after`` from its answer: the retry comes no earlier, however long the answer took."""
    configured = bot_settings(settings, fake, monkeypatch)
    pipeline = Pipeline(configured, sqlite_db)
    queue_alerts(pipeline, 1, datetime.now(timezone.utc))
    fake.script_for("sendMessage", {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                    "parameters": {"retry_after": 1}})
    fake.delay = 0.3
    deadline = time.monotonic() + 10
    while counts(sqlite_db).get("sent", 0) == 0 and time.monotonic() < deadline:
        pipeline.dispatch(datetime.now(timezone.utc))  # the daemon's dispatch job, ticking often
        time.sleep(0.02)
    pipeline.close()
    refused, retried = [r for r in fake.requests if r["method"] == "sendMessage"]
    assert refused["status"] == 429 and retried["status"] == 200
    assert retried["received"] - refused["answered"] >= 1.0, "never before retry_after has passed"


@pytest.mark.parametrize("fault", ["close", "stall", "malformed", "error500"])
def test_a_broken_transport_is_retried_and_delivers_once(settings: Settings, sqlite_db: Database, fake: FakeBotApi,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture, fault: str) -> None:
    configured = bot_settings(settings, fake, monkeypatch, timeout=0.5)
    now = datetime.now(timezone.utc)
    pipeline = Pipeline(configured, sqlite_db)
    queue_alerts(pipeline, 3, now)
    fake.stall = 2.0
    fake.fault(fault, "sendMessage")
    stats = pipeline.dispatch(now)
    assert stats.failed == 1 and stats.sent == 0, "an outage ends the pass: no timeout spent on every message"
    assert len(fake.requests) == 1
    with sqlite_db.transaction() as session:
        waiting = outbox.due_messages(session, now + timedelta(hours=1))
    assert len(waiting) == 3 and counts(sqlite_db) == {"pending": 3}
    assert "Traceback" not in caplog.text and "повтор в" in caplog.text
    assert pipeline.dispatch(now + timedelta(hours=1)).sent == 3
    pipeline.close()
    texts = accepted(fake)
    assert sorted(texts) == sorted(set(texts)) and len(texts) == 3, "each message once"
