"""`mcu run` with ``web.serve_with_daemon``: the workspace answers from the daemon's process, and an action in
it wakes the daemon's delivery job at once instead of sending from the web thread."""

from __future__ import annotations

import socket
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from apscheduler.schedulers.background import BackgroundScheduler

from config import Settings
from mcu.pipeline import Pipeline
from mcu.web.server import serve_beside_daemon, wake_delivery
from storage import Database, upgrade


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_workspace_answers_from_the_daemon_process(settings: Settings, tmp_path: Path) -> None:
    port = _free_port()
    here = settings.model_copy(update={"web": settings.web.model_copy(update={"serve_with_daemon": True, "port": port})})
    db = Database.from_url(f"sqlite:///{tmp_path / 'mcu.db'}")
    upgrade(db.engine)
    pipeline = Pipeline(here, db, telegram=False)
    scheduler = BackgroundScheduler(timezone=timezone.utc)
    stop = serve_beside_daemon(here, pipeline, scheduler)
    try:
        answer = None
        for _ in range(100):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None and answer.text == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/queue.json").status_code == 401
    finally:
        stop()
        pipeline.close()
        db.dispose()


def test_an_action_wakes_the_daemons_delivery() -> None:
    scheduler = BackgroundScheduler(timezone=timezone.utc)
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    scheduler.add_job(lambda: None, "interval", hours=1, id="dispatch", next_run_time=later)
    scheduler.start(paused=True)
    try:
        wake_delivery(scheduler)()
        job = scheduler.get_job("dispatch")
        assert job is not None and job.next_run_time <= datetime.now(timezone.utc) + timedelta(seconds=1)
        scheduler.remove_job("dispatch")
        wake_delivery(scheduler)()  # the daemon stopping meanwhile: nothing breaks
    finally:
        scheduler.shutdown(wait=False)
