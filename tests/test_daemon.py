"""The daemon: jobs derived from config, refusal on a stale schema, graceful stop on SIGTERM with work kept."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
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
from tests.daemon_helpers import happening_now

DATA = Path(__file__).resolve().parent / "data"


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
        assert set(jobs) == {"collect:a", "sources", "process", "dispatch", "digest:day", "digest:week", "purge",
                             "gospublics:facts", "gospublics:report"}
        for job in jobs.values():
            assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 300
        assert jobs["collect:a"].trigger.interval.total_seconds() == 300
        assert "hour='8'" in str(jobs["digest:day"].trigger)  # daily at 08:00, weekly on Monday at 09:00
        assert "day_of_week='mon'" in str(jobs["digest:week"].trigger) and "hour='9'" in str(jobs["digest:week"].trigger)
        assert "hour='7'" in str(jobs["gospublics:facts"].trigger)  # official pages daily at 07:00
        assert "day='1'" in str(jobs["gospublics:report"].trigger)  # their monthly report on the 1st
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


def test_daemon_collects_processes_and_stops_gracefully(tmp_path: Path) -> None:
    feed = happening_now(tmp_path / "feed.jsonl")
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
