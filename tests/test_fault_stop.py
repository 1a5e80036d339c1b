"""A stop request (SIGTERM) as each stage meets it — a delivery pass ends after the message in flight, processing
after its batch, a job queued before the stop never starts — and the scheduler's notices in Russian."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from collectors import read_posts
from config import Settings
from mcu import pipeline as pipeline_module
from mcu.clock import WallClock
from mcu.collection import Collection
from mcu.daemon import _guarded, build_scheduler
from mcu.logs import SchedulerNotes
from mcu.pipeline import Pipeline
from nlp import Analyzer
from storage import Database
from tests.daemon_helpers import Store, happening_now
from tests.fakes.telegram import FakeBotApi
from tests.test_fault_delivery import accepted, bot_settings, counts, queue_alerts


def test_a_stop_ends_the_delivery_pass_after_the_message_in_flight(settings: Settings, sqlite_db: Database,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeBotApi() as fake:
        pipeline = Pipeline(bot_settings(settings, fake, monkeypatch), sqlite_db)
        now = datetime.now(timezone.utc)
        queue_alerts(pipeline, 5, now)
        transmit = pipeline.alerting.transmit

        def stop_while_sending(delivery: Any) -> Any:
            if len(accepted(fake)) == 1:
                pipeline.stopping.set()  # SIGTERM arrives while the second message is on its way
            return transmit(delivery)

        monkeypatch.setattr(pipeline.alerting, "transmit", stop_while_sending)
        assert pipeline.dispatch(now).sent == 2, "the message in flight is finished and recorded, no more"
        pipeline.close()
    assert counts(sqlite_db) == {"sent": 2, "pending": 3}


def test_a_stop_ends_processing_after_the_batch(tmp_path: Path, settings: Settings, analyzer: Analyzer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline_module, "ANALYSIS_BATCH", 20)
    feed = happening_now(tmp_path / "feed.jsonl", "heating")
    with feed.open(encoding="utf-8") as lines:
        posts = [post for post, _ in read_posts(lines) if post is not None]
    store = Store.created(f"sqlite:///{tmp_path / 'mcu.db'}")
    pipeline = Pipeline(settings, Database.from_url(store.url), analyzer=analyzer, deliver=False)
    now = datetime.now(timezone.utc)
    pipeline.ingest(posts, now)
    judge = analyzer.analyze_batch

    def stop_while_judging(items: Any) -> Any:
        pipeline.stopping.set()
        return judge(items)

    monkeypatch.setattr(analyzer, "analyze_batch", stop_while_judging)
    stats = pipeline.process(now)
    assert stats.analysed == store.annotations() == 20, "the batch in hand is finished whole, nothing after it"
    assert stats.stories_scored == 0 and store.count_stale() > 0, "scoring waits for the next run"
    monkeypatch.setattr(analyzer, "analyze_batch", judge)
    pipeline.stopping.clear()
    pipeline.process(now)  # the next run picks up where the stop left off
    pipeline.db.dispose()
    assert store.annotations() == store.posts() and store.count_stale() == 0 and store.empty_stories() == 0


def test_a_job_queued_before_the_stop_does_not_start() -> None:
    stopping = threading.Event()
    ran: list[str] = []
    job = _guarded("process", lambda: ran.append("разбор"), stopping)
    job()
    stopping.set()
    job()
    assert ran == ["разбор"]


def test_the_scheduler_speaks_russian(settings: Settings, sqlite_db: Database) -> None:
    """APScheduler's notices reach the daemon's log in Russian; anything else it says is kept, marked as its own."""
    scheduler = build_scheduler(Pipeline(settings, sqlite_db), Collection(settings, sqlite_db), WallClock(),
                                scheduler=BackgroundScheduler())
    job = scheduler.get_job("dispatch")

    def shown(name: str, level: int, message: str, *args: Any) -> logging.LogRecord:
        record = logging.LogRecord(name, level, __file__, 1, message, args, None)
        kept.append(SchedulerNotes().filter(record))
        return record

    kept: list[bool] = []
    busy = 'Execution of job "%s" skipped: maximum number of running instances reached (%d)'
    skipped = shown("apscheduler.scheduler", logging.WARNING, busy, job, 1)
    assert skipped.getMessage() == "задание «доставка» не запущено: предыдущий запуск ещё идёт"
    assert skipped.levelno == logging.DEBUG and kept == [False], "a slow pass is no fault: --verbose shows it"
    level = logging.getLogger("mcu").level
    logging.getLogger("mcu").setLevel(logging.DEBUG)
    try:
        assert SchedulerNotes().filter(logging.LogRecord("apscheduler.scheduler", logging.WARNING, __file__, 1, busy,
                                                         (job, 1), None))
    finally:
        logging.getLogger("mcu").setLevel(level)
    missed = shown("apscheduler.executors.default", logging.WARNING, 'Run time of job "%s" was missed by %s',
                   scheduler.get_job("process"), timedelta(seconds=42.3))
    assert missed.getMessage().startswith("задание «разбор» пропущено: опоздало на 42 с") and missed.levelno == logging.WARNING
    other = shown("apscheduler.scheduler", logging.ERROR, "Error getting due jobs from job store %r: %s", "default", "boom")
    assert other.getMessage() == "планировщик: Error getting due jobs from job store 'default': boom"
    assert other.levelno == logging.ERROR, "a real error stays an error"
    ours = shown("mcu.daemon", logging.INFO, "разбор: %d постов", 5)
    assert ours.getMessage() == "разбор: 5 постов"
