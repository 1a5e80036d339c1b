"""Several processing workers on one PostgreSQL database: `mcu process --workers N`, `mcu run --workers N`,
`mcu worker`.

Each worker is a process of its own (its own interpreter, NLP models and connections) that runs the same
``Pipeline.process`` the daemon runs. They share the work through the database only: a batch of posts is
claimed with ``FOR NO KEY UPDATE SKIP LOCKED`` and judged in parallel (NLP, the costly part); placing batches into
stories, merging and judging appeals happen under a PostgreSQL advisory lock, one worker at a time and in queue
order. Once no worker is analysing or answering, every worker scores stories, each claiming chunks of stale stories
the others have not claimed (scoring one story changes no other), so N workers give the stories, levels and alerts
one worker gives. Workers on other machines join by pointing `mcu worker`
at the same database URL: nothing else is shared.

SQLite lets one process write at a time, so more than one worker is refused there with a clear message.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from types import FrameType

from config import InputError, Settings
from mcu.clock import WallClock

log = logging.getLogger(__name__)

MAX_WORKERS = 64


@dataclass(frozen=True)
class WorkerStats:
    """What one worker did in a pass (plain numbers: they cross a process boundary)."""

    analysed: int = 0
    relevant: int = 0
    stories_scored: int = 0
    alerts: int = 0

    def __add__(self, other: "WorkerStats") -> "WorkerStats":
        return WorkerStats(self.analysed + other.analysed, self.relevant + other.relevant,
                           self.stories_scored + other.stories_scored, self.alerts + other.alerts)


def check_workers(settings: Settings, count: int) -> None:
    """Refuse a worker count the database cannot serve, in words a user can act on."""
    if count < 1 or count > MAX_WORKERS:
        raise InputError(f"--workers: число обработчиков от 1 до {MAX_WORKERS}, а не {count}")
    if count > 1 and settings.database.url.startswith("sqlite"):
        raise InputError(
            f"--workers {count}: несколько обработчиков работают только с PostgreSQL — SQLite пускает к записи "
            "один процесс за раз. Укажите database.url вида postgresql+psycopg://user@host:5432/db "
            "или запускайте с --workers 1")


def _one_pass(settings: Settings, now: datetime, batch: int | None = None) -> WorkerStats:
    """A worker process: analyse, place and score until the queue is empty (alerts go to the outbox)."""
    from mcu.database import open_database
    from mcu.pipeline import Pipeline

    pipeline = Pipeline(settings, open_database(settings), deliver=True)
    try:
        stats = pipeline.process(now, batch=batch)
        return WorkerStats(stats.analysed, stats.relevant, stats.stories_scored, len(stats.alerts))
    finally:
        pipeline.close()
        pipeline.db.dispose()


def process_in_parallel(settings: Settings, count: int, now: datetime, batch: int | None = None) -> WorkerStats:
    """One processing pass by ``count`` worker processes at once; returns their summed work. Batches are as one
    worker takes them (``batch`` posts, the pipeline's usual size by default): stories and levels depend on where
    batches begin, and N workers must give what one gives."""
    check_workers(settings, count)
    if count == 1:
        return _one_pass(settings, now, batch)
    # spawn, not fork: a forked child would share the parent's connections and loaded BLAS threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        futures = [pool.submit(_one_pass, settings, now, batch) for _ in range(count)]
        total = WorkerStats()
        for future in futures:
            total += future.result()
    return total


def work_until_stopped(settings: Settings, stopping: threading.Event | None = None) -> None:
    """`mcu worker`: a processing pass every ``scheduler.process_interval`` seconds until SIGTERM or SIGINT; the
    pass in progress ends after its batch."""
    from mcu.database import open_database
    from mcu.pipeline import Pipeline

    stopping = stopping or threading.Event()
    if threading.current_thread() is threading.main_thread():
        def on_signal(_signum: int, _frame: FrameType | None) -> None:
            stopping.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, on_signal)
    pipeline = Pipeline(settings, open_database(settings), deliver=True, stopping=stopping)
    clock = WallClock()
    try:
        while not stopping.is_set():
            stats = pipeline.process(clock.now())
            if stats.analysed:
                log.info("обработчик: разобрано %d, о городе %d, историй пересчитано %d, оповещений %d",
                         stats.analysed, stats.relevant, stats.stories_scored, len(stats.alerts))
            stopping.wait(settings.scheduler.process_interval)
    finally:
        pipeline.close()
        pipeline.db.dispose()


def _worker_main(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    work_until_stopped(settings)


def start_helpers(settings: Settings, count: int) -> list[multiprocessing.process.BaseProcess]:
    """`mcu run --workers N`: N-1 processing workers beside the daemon (which is the N-th)."""
    context = multiprocessing.get_context("spawn")
    helpers = [context.Process(target=_worker_main, args=(settings,), name=f"mcu-worker-{n}", daemon=True)
               for n in range(1, count)]
    for helper in helpers:
        helper.start()
    return helpers


def stop_helpers(helpers: list[multiprocessing.process.BaseProcess], patience: float = 60.0) -> None:
    """SIGTERM each helper, then wait for it to end its batch."""
    for helper in helpers:
        if helper.is_alive():
            helper.terminate()
    for helper in helpers:
        helper.join(timeout=patience)
        if helper.is_alive():
            helper.kill()
