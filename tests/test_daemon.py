"""The daemon: jobs derived from config, refusal on a stale schema, graceful stop on SIGTERM with work kept."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from config import Settings
from config.schema import SourceSettings
from mcu.clock import WallClock
from mcu.collection import Collection
from mcu.daemon import build_scheduler
from mcu.pipeline import Pipeline
from storage import Database, outbox
from storage.models import AnnotationRow
from tests.cli_helpers import guarded_environment, mcu, one_russian_line, write_config

DATA = Path(__file__).resolve().parent / "data"
TIMELINES = Path(__file__).resolve().parent.parent / "mcu" / "data" / "timelines"


def test_jobs_come_from_config(settings: Settings, sqlite_db: Database) -> None:
    configured = settings.model_copy(update={"sources": [
        SourceSettings(name="a", kind="replay", path="a.jsonl", interval="5m"),  # type: ignore[arg-type]
        SourceSettings(name="b", kind="replay", path="b.jsonl", enabled=False),
    ]})
    collection = Collection(configured, sqlite_db)
    scheduler = build_scheduler(Pipeline(configured, sqlite_db), collection, WallClock(), scheduler=BackgroundScheduler())
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"collect:a", "sources", "process", "dispatch", "digest:day", "digest:week", "purge"}
        for job in jobs.values():
            assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 300
        assert jobs["collect:a"].trigger.interval.total_seconds() == 300
        assert "hour='8'" in str(jobs["digest:day"].trigger)  # daily at 08:00, weekly on Monday at 09:00
        assert "day_of_week='mon'" in str(jobs["digest:week"].trigger) and "hour='9'" in str(jobs["digest:week"].trigger)
    finally:
        scheduler.shutdown(wait=False)


def test_daemon_refuses_a_database_without_schema(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = mcu("--config", str(config), "run", cwd=tmp_path)
    assert result.returncode == 1 and "выполните `mcu init`" in one_russian_line(result.stderr)


def _progress(url: str) -> tuple[int, int]:
    """(posts analysed, messages delivered) as the daemon's database shows them."""
    db = Database.from_url(url)
    try:
        with db.transaction() as session:
            analysed = int(session.scalar(select(func.count()).select_from(AnnotationRow)) or 0)
            delivered = outbox.outbox_counts(session).get("sent", 0)
            return analysed, delivered
    finally:
        db.dispose()


def _outage_happening_now(target: Path) -> Path:
    """The heating-outage timeline moved to the last hours, as the daemon would meet it live."""
    records = [json.loads(line) for line in (TIMELINES / "heating.jsonl").read_text(encoding="utf-8").splitlines()]
    latest = max(datetime.fromisoformat(r.get("observed_at") or r["published_at"]) for r in records)
    shift = datetime.now(timezone.utc) - timedelta(minutes=1) - latest
    for record in records:
        for key in ("published_at", "observed_at"):
            if record.get(key):
                record[key] = (datetime.fromisoformat(record[key]) + shift).isoformat()
    target.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return target


def test_daemon_collects_processes_and_stops_gracefully(tmp_path: Path) -> None:
    feed = _outage_happening_now(tmp_path / "feed.jsonl")
    config = write_config(
        tmp_path,
        sources=[{"name": "лента", "kind": "replay", "path": str(feed), "interval": "1s", "jitter": 0}],
        scheduler={"process_interval": "1s", "dispatch_interval": "1s", "misfire_grace": "30s"},
        alerts={"group_wait": {}, "quiet_hours": None},  # deliver at once whatever the hour of the test
    )
    assert mcu("--config", str(config), "init", cwd=tmp_path).returncode == 0
    env = guarded_environment()
    daemon = subprocess.Popen([sys.executable, "-m", "mcu", "--config", str(config), "run"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    url = f"sqlite:///{tmp_path / 'mcu.db'}"
    try:
        deadline = time.monotonic() + 90
        unique = len({(r["platform"], r["source"], r["id"]) for r in map(json.loads, feed.read_text(encoding="utf-8").splitlines())})
        while time.monotonic() < deadline and (_progress(url)[0] < unique or _progress(url)[1] < 1):
            assert daemon.poll() is None, daemon.communicate()
            time.sleep(0.5)
        analysed, delivered = _progress(url)
        assert analysed == unique and delivered >= 1
    finally:
        daemon.send_signal(signal.SIGTERM)
        stdout, stderr = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, stderr
    assert "демон запущен" in stderr and "SIGTERM" in stderr and "демон остановлен" in stderr
    assert "Traceback" not in stderr
    assert "Информационный риск" in stdout  # the console sink delivered the alert
    # a restart resumes from the cursor: nothing is collected twice
    again = mcu("--config", str(config), "collect", "--once", cwd=tmp_path)
    assert "записей 0" in again.stdout


def test_digest_job_writes_every_configured_format_and_sends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             settings: Settings, sqlite_db: Database) -> None:
    from mcu.daemon import produce_digests
    from tests.fakes.telegram import FakeBotApi

    with FakeBotApi() as fake:
        monkeypatch.setenv("MCU_BOT_TOKEN_TEST", fake.token)
        bot = settings.api.telegram_bot.model_validate({"base_url": fake.base_url, "token": {"env": "MCU_BOT_TOKEN_TEST"}})
        roles = dict(settings.roles)
        roles["deputy"] = roles["deputy"].model_copy(update={"telegram_chats": [111]})
        digest = settings.digest.model_copy(update={"out_dir": str(tmp_path), "formats": ["docx", "xlsx"]})
        configured = settings.model_copy(update={"api": settings.api.model_copy(update={"telegram_bot": bot}),
                                                 "roles": roles, "digest": digest})
        pipeline = Pipeline(configured, sqlite_db)
        paths = produce_digests(pipeline, configured, "week", datetime(2026, 1, 19, 6, tzinfo=timezone.utc))
        pipeline.close()
        assert [p.suffix for p in paths] == [".docx", ".xlsx"] and all(p.exists() for p in paths)
        assert sorted(f["method"] for f in fake.files()) == ["sendDocument", "sendDocument", "sendPhoto"]


def _alert_messages_per_chat(url: str) -> dict[str, int]:
    from storage.models import AlertMessageRow

    db = Database.from_url(url)
    try:
        with db.transaction() as session:
            rows = session.execute(select(AlertMessageRow.target, func.count()).where(AlertMessageRow.channel == "telegram")
                                   .group_by(AlertMessageRow.target))
            return {str(target): int(count) for target, count in rows}
    finally:
        db.dispose()


def test_kill_9_during_delivery_loses_nothing(tmp_path: Path) -> None:
    """The daemon is killed while Telegram answers slowly, then started again: every message arrives; at most
    the one in flight at the kill can arrive twice (the Bot API has no idempotent send)."""
    from tests.fakes.telegram import FakeBotApi

    feed = _outage_happening_now(tmp_path / "feed.jsonl")
    with FakeBotApi() as fake:
        fake.delay = 0.4  # slow answers: the kill lands during delivery
        config = write_config(
            tmp_path,
            sources=[{"name": "лента", "kind": "replay", "path": str(feed), "interval": "1s", "jitter": 0}],
            scheduler={"process_interval": "1s", "dispatch_interval": "1s", "misfire_grace": "30s"},
            alerts={"group_wait": {}, "quiet_hours": None, "chat_interval": "0s"},
            api={"telegram_bot": {"base_url": fake.base_url, "token": {"env": "MCU_BOT_TOKEN"}, "timeout": "5s",
                                  "poll_timeout": "1s"}},
            roles={"deputy": {"title": "Заместитель", "telegram_chats": [111]},
                   "pos": {"title": "Ответственный за ПОС", "telegram_chats": [-1002]}},
        )
        assert mcu("--config", str(config), "init", cwd=tmp_path).returncode == 0
        env = {**guarded_environment(), "MCU_BOT_TOKEN": fake.token}
        command = [sys.executable, "-m", "mcu", "--config", str(config), "run"]
        url = f"sqlite:///{tmp_path / 'mcu.db'}"

        def accepted() -> list[dict[str, object]]:
            return [r for r in fake.requests if r["method"] == "sendMessage" and r["status"] == 200]

        first = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not accepted():
            assert first.poll() is None, first.communicate()
            time.sleep(0.05)
        first.kill()  # SIGKILL: no cleanup, whatever was in flight stays in flight
        first.wait(timeout=30)
        assert accepted(), "демон успел отправить хотя бы одно сообщение до остановки"

        second = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                  text=True)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                db = Database.from_url(url)
                try:
                    with db.transaction() as session:
                        counts = outbox.outbox_counts(session)
                finally:
                    db.dispose()
                if counts.get("sent") and not counts.get("pending"):
                    break
                time.sleep(0.3)
        finally:
            second.send_signal(signal.SIGTERM)
            _, stderr = second.communicate(timeout=60)
        assert "Traceback" not in stderr
        assert counts.get("pending", 0) == 0 and counts.get("failed", 0) == 0, counts
        expected = _alert_messages_per_chat(url)
        delivered: dict[str, int] = {}
        for request in accepted():
            chat = str(request["payload"]["chat_id"])  # type: ignore[index]
            delivered[chat] = delivered.get(chat, 0) + 1
        assert set(delivered) == set(expected) and expected
        assert sum(delivered.values()) - sum(expected.values()) <= 1, (delivered, expected)
