"""The retention purge as `mcu purge` and the daemon run it: the store, old digest files, old alert log lines."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from config import Settings
from mcu.alerting import jsonl_sink_path
from storage import Database, retention
from storage.retention import PurgeCounts

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What a purge removed (or, as a plan, would remove) before ``cutoff``."""

    cutoff: datetime
    counts: PurgeCounts
    files: tuple[Path, ...] = ()  # digests older than the cutoff
    alert_lines: int = 0  # lines of the alerts JSON Lines file older than the cutoff
    applied: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.counts.total and not self.files and not self.alert_lines


def cutoff_for(settings: Settings, now: datetime) -> datetime:
    return now - timedelta(days=settings.retention_days)


def purge(settings: Settings, db: Database, now: datetime, *, apply: bool) -> PurgeReport:
    """Plan (``apply=False``) or carry out the purge of everything older than ``retention_days``."""
    cutoff = cutoff_for(settings, now)
    with db.transaction() as session:
        counts = retention.purge(session, cutoff) if apply else retention.plan(session, cutoff)
    if apply:
        retention.flush_log(db.engine)
    files = _old_digests(Path(settings.digest.out_dir).expanduser(), cutoff)
    alerts_file = jsonl_sink_path(settings)
    lines = _old_alert_lines(alerts_file, cutoff, apply) if alerts_file is not None else 0
    notes: list[str] = []
    if apply:
        for path in files:
            try:
                path.unlink()
            except OSError as exc:
                notes.append(f"не удалось удалить {path}: {exc.strerror}")
    report = PurgeReport(cutoff, counts, tuple(files), lines, apply, notes)
    if apply and not report.empty:
        log.info("срок хранения %d дн.: удалено до %s — записей %d, файлов сводок %d, строк журнала оповещений %d",
                 settings.retention_days, cutoff.date().isoformat(), counts.total, len(files), lines)
    return report


def _old_digests(directory: Path, cutoff: datetime) -> list[Path]:
    """Digest files the daemon or `mcu digest` wrote there, last changed before the cutoff."""
    if not directory.is_dir():
        return []
    limit = cutoff.timestamp()
    return sorted(path for path in directory.glob("digest-*") if path.is_file() and path.stat().st_mtime < limit)


def _old_alert_lines(path: Path, cutoff: datetime, apply: bool) -> int:
    """Count (and with ``apply`` drop) alert records older than the cutoff; the file is replaced atomically."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except (OSError, UnicodeDecodeError):
        return 0
    kept = [line for line in lines if not _older(line, cutoff)]
    dropped = len(lines) - len(kept)
    if apply and dropped:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.writelines(kept)
        os.replace(temporary, path)
    return dropped


def _older(line: str, cutoff: datetime) -> bool:
    try:
        moment = datetime.fromisoformat(json.loads(line)["at"])
    except (ValueError, KeyError, TypeError):
        return False  # not an alert record we wrote: leave it
    return moment.tzinfo is not None and moment < cutoff
