"""The daemon killed (-9) and stopped (SIGTERM) at each stage — collecting, processing, delivering to a slow Bot
API — then started again: nothing lost, nothing decided twice, at most the one message in flight sent twice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from config import load_config
from mcu.pipeline import Pipeline
from storage import Database
from tests.alert_helpers import queue_alerts
from tests.cli_helpers import write_config
from tests.daemon_helpers import Daemon, Store, happening_now, unique_records
from tests.fakes.telegram import FakeBotApi
from tests.fakes.tme import FakeTme

ROLE_CHATS = {"deputy": 111, "pos": -1002, "incidents": -1003, "gospabliki": -1004, "glava": 333, "curator": -1001}
TME_POSTS = 60


def sends(fake: FakeBotApi) -> list[dict[str, Any]]:
    """Every sendMessage the Bot API accepted."""
    return [r for r in fake.requests if r["method"] == "sendMessage" and r["status"] == 200 and not r["fault"]]


def assert_stopped_cleanly(daemon: Daemon, code: int, took: float) -> None:
    """What an operator checks after SIGTERM: exit 0, promptly, no traceback, the stop message last."""
    stderr = daemon.stderr()
    assert code == 0, stderr
    assert took < 20, f"остановка заняла {took:.1f} с"
    assert "Traceback" not in stderr
    assert "получен сигнал SIGTERM" in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines[-1].endswith("демон остановлен"), "после сообщения об остановке ничего не выполнялось"
    # APScheduler's own notices come out in Russian, never in English.
    assert "maximum number of running instances" not in stderr and "was missed by" not in stderr


def test_delivery_to_a_slow_bot_api_survives_kill_9_and_sigterm(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight stories wait for three chats each; Telegram answers slowly. Killed after three messages, stopped
    after two more, started again: every message arrives, only the one in flight at the kill arrives twice."""
    with FakeBotApi() as fake:
        fake.delay = 0.15  # slow answers: kills and stops land during delivery
        config = write_config(
            tmp_path,
            sources=[],
            scheduler={"process_interval": "1s", "dispatch_interval": "1s", "misfire_grace": "30s"},
            alerts={"group_wait": {}, "quiet_hours": None, "chat_interval": "0s", "console": False},
            api={"telegram_bot": {"base_url": fake.base_url, "token": {"env": "MCU_BOT_TOKEN"}, "timeout": "2s",
                                  "poll_timeout": "1s"}},
            roles={role: {"title": role, "telegram_chats": [chat]} for role, chat in ROLE_CHATS.items()},
        )
        store = Store.created(f"sqlite:///{tmp_path / 'mcu.db'}")
        monkeypatch.setenv("MCU_BOT_TOKEN", fake.token)
        pipeline = Pipeline(load_config(str(config))[0], Database.from_url(store.url))
        queue_alerts(pipeline, 8, datetime.now(timezone.utc), ("deputy", "pos", "glava"))
        pipeline.db.dispose()
        env = {"MCU_BOT_TOKEN": fake.token}

        first = Daemon(config, tmp_path, env, "first")
        first.wait_for(lambda: len(sends(fake)) >= 3, "три сообщения приняты")
        first.kill()
        killed_at = len(sends(fake))

        second = Daemon(config, tmp_path, env, "second")
        second.wait_for(lambda: len(sends(fake)) >= killed_at + 2, "ещё два сообщения приняты")
        assert_stopped_cleanly(second, *second.terminate())
        assert store.outbox().get("pending", 0) > 0, "остановлен посреди доставки"

        third = Daemon(config, tmp_path, env, "third")
        third.wait_for(lambda: store.outbox().keys() <= {"sent", "superseded"}, "всё доставлено", timeout=90)
        assert_stopped_cleanly(third, *third.terminate())

    expected = store.messages_per_chat()
    delivered: dict[str, int] = {}
    for request in sends(fake):
        chat = str(request["payload"]["chat_id"])
        delivered[chat] = delivered.get(chat, 0) + 1
    assert expected == {"111": 8, "-1002": 8, "333": 8}
    assert all(delivered[chat] >= expected[chat] for chat in expected), "ничего не потеряно"
    assert sum(delivered.values()) - sum(expected.values()) <= 1, (delivered, expected)


def test_collection_and_processing_survive_kill_9_and_sigterm(tmp_path: Path) -> None:
    """A slow channel (one page a step) and a night rumour: stopped and killed while collecting and killed while
    processing, the daemon ends with every post stored once, every post judged, no empty story, no alert twice."""
    feed = happening_now(tmp_path / "feed.jsonl", "npp_rumour")

    with FakeTme(now=datetime.now(timezone.utc) - timedelta(minutes=5)) as tme:
        tme.add_channel("desna_live", TME_POSTS, step=timedelta(minutes=20))
        config = write_config(
            tmp_path,
            sources=[{"name": "лента", "kind": "replay", "path": str(feed), "interval": "1h", "jitter": 0},
                     {"name": "desna_live", "kind": "tme", "url": "https://t.me/desna_live", "interval": "1s", "jitter": 0}],
            scheduler={"process_interval": "1s", "dispatch_interval": "1s", "misfire_grace": "30s"},
            collection={"max_pages": 1},
            api={"telegram": {"preview_base_url": tme.base_url, "preview_requests_per_second": 4}},
        )
        store = Store.created(f"sqlite:///{tmp_path / 'mcu.db'}")
        total = unique_records(feed) + TME_POSTS

        stopped = Daemon(config, tmp_path, name="collect-sigterm")
        stopped.wait_for(lambda: store.posts() > unique_records(feed), "первая страница канала сохранена")
        assert_stopped_cleanly(stopped, *stopped.terminate())
        assert store.posts() < total, "остановлен посреди сбора"

        killed = Daemon(config, tmp_path, name="collect-kill")
        before = store.posts()
        killed.wait_for(lambda: store.posts() > before, "ещё страница сохранена")
        killed.kill()

        processing = Daemon(config, tmp_path, name="process-kill")
        processing.wait_for(lambda: store.posts() == total, "всё собрано")
        processing.kill()  # the process job is loading the models or judging the first batch

        final = Daemon(config, tmp_path, name="final")
        final.wait_for(lambda: store.annotations() == total and store.count_stale() == 0, "всё разобрано", timeout=90)
        assert_stopped_cleanly(final, *final.terminate())
    assert store.posts() == total and store.annotations() == total
    assert store.empty_stories() == 0
    assert all(count == 1 for count in store.first_alerts_per_story().values())
