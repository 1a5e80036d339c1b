"""Serving the workspace: uvicorn on its own (`mcu web`) or in a thread beside the daemon (`mcu run` with
``web.serve_with_daemon``). Listens on 127.0.0.1 unless configured otherwise; behind a reverse proxy the client
address comes from X-Forwarded-For of the trusted proxies only."""

from __future__ import annotations

import logging
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timezone

import uvicorn
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from fastapi import FastAPI

from config import InputError, Settings
from mcu.pipeline import Pipeline
from mcu.web.app import create_app
from mcu.web.context import Workspace

log = logging.getLogger(__name__)


def session_secret(settings: Settings) -> str:
    """The key that signs session cookies: from config (env or file); without one, a random key for this run."""
    configured = settings.web.session_secret
    if configured is not None and configured.present:
        return configured.reveal()
    log.warning("web.session_secret не задан: ключ сессий случайный, после перезапуска всем придётся войти заново")
    return secrets.token_urlsafe(48)


def delivery_after_actions(pipeline: Pipeline) -> Callable[[], None]:
    """A standalone workspace delivers the re-rendered chat messages itself, in one background thread."""
    if "telegram" not in pipeline.sinks:
        return lambda: None
    wake = threading.Event()

    def worker() -> None:
        while True:
            wake.wait()
            wake.clear()
            try:
                pipeline.dispatch(datetime.now(timezone.utc))
            except Exception:  # delivery retries on its own schedule; the workspace must keep serving
                log.exception("доставка после действия в рабочем месте не удалась")

    threading.Thread(target=worker, name="web-delivery", daemon=True).start()
    return wake.set


def build_app(settings: Settings, pipeline: Pipeline, after_action: Callable[[], None] | None = None) -> FastAPI:
    space = Workspace(settings, pipeline.db, pipeline.alerting, session_secret(settings),
                      after_action=after_action or delivery_after_actions(pipeline))
    return create_app(space)


def _config(app: FastAPI, settings: Settings, host: str | None, port: int | None) -> uvicorn.Config:
    web = settings.web
    return uvicorn.Config(app, host=host or web.host, port=port or web.port, proxy_headers=True,
                          forwarded_allow_ips=",".join(web.trusted_proxies) or None, log_config=None,
                          access_log=False, server_header=False, timeout_graceful_shutdown=5)


def check_address(host: str, port: int) -> None:
    """Fail with one clear line before uvicorn would log a traceback-like error and exit."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise InputError(f"не могу слушать {host}:{port}: {exc.strerror or exc} (порт занят? другой --port)") from None


def serve(app: FastAPI, settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Run until Ctrl+C or SIGTERM."""
    check_address(host or settings.web.host, port or settings.web.port)
    uvicorn.Server(_config(app, settings, host, port)).run()


def serve_in_thread(app: FastAPI, settings: Settings, host: str | None = None,
                    port: int | None = None) -> Callable[[], None]:
    """Start beside the daemon; returns the function that stops it (the daemon owns the signals)."""
    server = uvicorn.Server(_config(app, settings, host, port))
    thread = threading.Thread(target=server.run, name="web", daemon=True)
    thread.start()

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return stop


def wake_delivery(scheduler: BaseScheduler) -> Callable[[], None]:
    """After an action in the workspace: run the daemon's delivery job now rather than at its next turn."""

    def nudge() -> None:
        try:
            scheduler.modify_job("dispatch", next_run_time=datetime.now(timezone.utc))
        except JobLookupError:  # the daemon is stopping; delivery runs on its own schedule anyway
            log.debug("задания доставки нет")

    return nudge


def serve_beside_daemon(settings: Settings, pipeline: Pipeline, scheduler: BaseScheduler) -> Callable[[], None]:
    """The workspace in a thread of `mcu run`: its actions wake the daemon's delivery job instead of sending."""
    check_address(settings.web.host, settings.web.port)
    stop = serve_in_thread(build_app(settings, pipeline, after_action=wake_delivery(scheduler)), settings)
    log.info("рабочее место: http://%s:%d", settings.web.host, settings.web.port)
    return stop
