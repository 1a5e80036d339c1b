"""Logging for the shell: one stderr handler, secrets masked in every line, chatty libraries quietened."""

from __future__ import annotations

import logging
import sys

from config.secret import Secret, mask_secrets


class SecretMask(logging.Formatter):
    """Formats a record, then masks secrets in the whole line, tracebacks included.

    Known values (the configured tokens) and anything shaped like a token are masked: an API or a proxy that
    echoes the request URL must not put ``access_token=…`` into the log."""

    def __init__(self, secrets: list[Secret] | None = None) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
        self._secrets = [s for s in secrets or [] if s.present]

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record), self._secrets)


JOB_TITLES = {"process": "разбор", "dispatch": "доставка", "sources": "источники", "digest:day": "дневная сводка",
              "digest:week": "недельная сводка", "purge": "очистка старых данных"}
_SKIPPED = 'Execution of job "%s" skipped: maximum number of running instances'
_MISSED = 'Run time of job "%s" was missed by'


def job_title(job: object) -> str:
    """«разбор», «сбор лента»: a job as the daemon's log calls it."""
    name = str(getattr(job, "id", None) or getattr(job, "name", None) or job)
    if name.startswith("collect:"):
        return f"сбор {name.removeprefix('collect:')}"
    return JOB_TITLES.get(name, name)


class SchedulerNotes(logging.Filter):
    """APScheduler's expected notices, in Russian; anything else it reports stays as it is, marked as its own.

    «maximum number of running instances reached»: the job's previous run is still going (a slow delivery
    pass), a debug line; «run time … was missed by»: the one worker was busy with another job past the misfire
    grace time, a warning.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("apscheduler") or getattr(record, "mcu_translated", False):
            return True
        record.mcu_translated = True
        template = record.msg if isinstance(record.msg, str) else ""
        args = record.args if isinstance(record.args, tuple) else ()
        if template.startswith(_SKIPPED) and args:
            # Normal when a pass is slow (its own log line tells how it went): shown with --verbose only.
            record.msg, record.args = "задание «%s» не запущено: предыдущий запуск ещё идёт", (job_title(args[0]),)
            record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
            return logging.getLogger("mcu").isEnabledFor(logging.DEBUG)
        elif template.startswith(_MISSED) and len(args) >= 2:
            late = getattr(args[1], "total_seconds", lambda: 0.0)()
            record.msg = "задание «%s» пропущено: опоздало на %.0f с, пока выполнялось другое; следующий запуск — по расписанию"
            record.args = (job_title(args[0]), late)
        elif record.levelno >= logging.WARNING:
            record.msg = f"планировщик: {template or record.msg}"
        return True


def setup_logging(verbose: bool = False, secrets: list[Secret] | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SecretMask(secrets))
    handler.addFilter(SchedulerNotes())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    # httpx logs full request URLs at INFO, and the Bot API puts the token in the URL.
    for noisy in ("httpx", "httpcore", "apscheduler.executors", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("mcu").setLevel(logging.DEBUG if verbose else logging.INFO)
