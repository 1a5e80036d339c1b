"""The daemon: APScheduler only triggers; one worker thread runs the jobs, whose state lives in the database."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from alerts import TelegramSink
from config import MCUError, Settings
from mcu.bot import BotPoller, run_polling
from mcu.clock import Clock
from mcu.collection import Collection
from alerts.digest.charts import all_charts
from mcu.digests import build_digest, default_digest_path, send_digest, write_digest
from mcu.pipeline import Pipeline
from mcu.retention import purge

log = logging.getLogger(__name__)


def _guarded(name: str, work: Callable[[], object]) -> Callable[[], None]:
    """One failing job is logged and retried on its next run; it never stops the daemon."""

    def run() -> None:
        try:
            work()
        except MCUError as exc:
            log.error("%s: %s", name, exc)
        except Exception:  # the daemon must outlive any single bug; the traceback goes to the log
            log.exception("%s: непредвиденная ошибка", name)

    run.__name__ = name
    return run


def build_scheduler(
    pipeline: Pipeline,
    collection: Collection,
    clock: Clock,
    *,
    collect_only: bool = False,
    only: Sequence[str] | None = None,
    scheduler: BaseScheduler | None = None,
) -> BaseScheduler:
    """Jobs with stable ids: collect per registered source, process, dispatch, digests, and a reconcile job
    that picks up sources analysts add or disable while the daemon runs."""
    settings: Settings = pipeline.settings
    scheduler = scheduler or BlockingScheduler()
    scheduler.configure(
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": int(settings.scheduler.misfire_grace)},
        timezone=settings.town.tz,
    )
    start = clock.now()

    def collect(name: str) -> None:
        stats = collection.run(name, clock.now())
        if stats.collected or stats.deleted or stats.error:
            log.info("сбор %s: записей %d, новых %d, изменённых %d, удалённых %d, запросов %d%s", name,
                     stats.collected, stats.new, stats.edited, stats.deleted, stats.calls,
                     f", ошибка: {stats.error}" if stats.error else "")

    def reconcile() -> None:
        """Match collect jobs to the registry: new sources get a job, disabled or closed ones lose it."""
        records = collection.sync(clock.now())
        wanted = {r.name: r for r in records if r.active and (only is None or r.name in only)}
        current = {job.id.removeprefix("collect:") for job in scheduler.get_jobs() if job.id.startswith("collect:")}
        for name in current - set(wanted):
            scheduler.remove_job(f"collect:{name}")
        # Busier (larger audience) sources get the earliest first slots.
        ordered = sorted(set(wanted) - current, key=lambda n: -(wanted[n].audience or 0))
        for position, name in enumerate(ordered):
            record = wanted[name]
            jitter = int(record.options.get("jitter", 30) or 0) or None
            first = record.next_run_at if record.next_run_at and record.next_run_at > clock.now() else clock.now()
            scheduler.add_job(
                _guarded(f"collect:{name}", partial(collect, name)),
                IntervalTrigger(seconds=max(1, collection.interval(record)), jitter=jitter, timezone=settings.town.tz),
                id=f"collect:{name}",
                next_run_time=first + timedelta(seconds=position),
            )

    reconcile()
    scheduler.add_job(_guarded("sources", reconcile), IntervalTrigger(seconds=60), id="sources",
                      next_run_time=start + timedelta(seconds=60))
    if collect_only:
        return scheduler

    def process() -> None:
        stats = pipeline.process(clock.now())
        if stats.analysed:
            log.info("разбор: %d постов, о городе %d, историй пересчитано %d, оповещений %d",
                     stats.analysed, stats.relevant, stats.stories_scored, len(stats.alerts))

    def dispatch() -> None:
        stats = pipeline.dispatch(clock.now())
        if stats.sent or stats.failed:
            log.info("доставка: отправлено %d, ошибок %d", stats.sent, stats.failed)

    scheduler.add_job(_guarded("process", process), IntervalTrigger(seconds=settings.scheduler.process_interval),
                      id="process", next_run_time=start + timedelta(seconds=1))
    scheduler.add_job(_guarded("dispatch", dispatch), IntervalTrigger(seconds=settings.scheduler.dispatch_interval),
                      id="dispatch", next_run_time=start + timedelta(seconds=2))
    for period, at in (("day", settings.digest.daily_at), ("week", settings.digest.weekly_at)):
        hour, minute = (int(part) for part in at.split(":"))
        days = settings.digest.weekly_day if period == "week" else "*"
        trigger = CronTrigger(day_of_week=days, hour=hour, minute=minute, timezone=settings.town.tz)

        def digest(period: str = period) -> None:
            paths = produce_digests(pipeline, settings, period, clock.now())
            log.info("сводка %s: %s", period, ", ".join(str(p) for p in paths))

        scheduler.add_job(_guarded(f"digest:{period}", digest), trigger, id=f"digest:{period}")
    # The retention period (152-ФЗ): personal data older than retention_days goes every night.
    scheduler.add_job(_guarded("purge", lambda: purge(settings, pipeline.db, clock.now(), apply=True)),
                      CronTrigger(hour=3, minute=30, timezone=settings.town.tz), id="purge")
    return scheduler


def produce_digests(pipeline: Pipeline, settings: Settings, period: str, now: datetime) -> list[Path]:
    """The period's digest in every configured format, sent to the digest roles when a bot is configured."""
    data = build_digest(pipeline.db, settings, period, now)
    charts = all_charts(data)
    paths = [write_digest(data, settings, default_digest_path(settings, period, now, fmt), fmt, charts)
             for fmt in settings.digest.formats]
    sink = pipeline.sinks.get("telegram")
    if settings.digest.send and isinstance(sink, TelegramSink) and any(
            settings.roles[r].telegram_chats for r in settings.digest.roles if r in settings.roles):
        send_digest(settings, data, paths, sink.bot, charts)
    return paths


def start_listener(pipeline: Pipeline, clock: Clock) -> Callable[[], None] | None:
    """A thread long-polling the bot for button presses (when a bot is configured); returns its stop."""
    sink = pipeline.sinks.get("telegram")
    if not isinstance(sink, TelegramSink):
        return None
    settings = pipeline.settings
    poller = BotPoller(settings, pipeline.db, pipeline.alerting, sink.bot, clock.now)
    stop = threading.Event()
    thread = threading.Thread(target=run_polling, args=(poller, stop, settings.api.telegram_bot.poll_timeout),
                              name="bot-listener", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=settings.api.telegram_bot.poll_timeout + settings.api.telegram_bot.timeout)

    return halt


def run_forever(scheduler: BaseScheduler) -> None:
    """Start and block; SIGTERM and SIGINT stop after the running job finishes."""

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("получен сигнал %s: завершаю после текущего задания", signal.Signals(signum).name)
        scheduler.shutdown(wait=False)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
