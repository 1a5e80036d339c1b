"""The retention period (152-ФЗ): `mcu purge` and the daemon's nightly job remove personal data older than
`retention_days` and keep what reports need, so a digest inside the window is the same after a purge."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import Settings
from mcu.digests import build_digest
from mcu.pipeline import Pipeline
from mcu.retention import purge
from nlp import Analyzer
from storage import Database
from storage.models import AlertRow, AnnotationRow, MetricSnapshotRow, OutboxRow, PostRow, StoryRow
from storage.retention import PURGED_TEXT, flush_log
from tests.alert_helpers import T0, rumour_posts
from tests.cli_helpers import mcu, write_config

NOW = T0 + timedelta(days=2)
AGE = timedelta(days=400)
MARKER = "пишет Мария Старостина"  # personal data that must leave the disk


@pytest.fixture()
def two_years(settings: Settings, analyzer: Analyzer, db: Database, tmp_path: Path) -> tuple[Settings, Database]:
    """The same night rumour told twice: 400 days ago (with a resident's name) and now; both alerted."""
    configured = settings.model_copy(update={
        "alerts": settings.alerts.model_copy(update={"jsonl_path": str(tmp_path / "alerts.jsonl")}),
        "digest": settings.digest.model_copy(update={"out_dir": str(tmp_path / "digests")}),
    })
    pipeline = Pipeline(configured, db, analyzer=analyzer, console=lambda text: None)
    old = [replace(p, id=f"old-{p.id}", published_at=p.published_at - AGE, text=f"{p.text} ({MARKER})")
           for p in rumour_posts()]
    for batch in (old, rumour_posts()):
        for post in batch:
            pipeline.ingest([post], post.published_at)
            pipeline.process(post.published_at + timedelta(minutes=1))
            pipeline.dispatch(post.published_at + timedelta(minutes=1))
    (tmp_path / "digests").mkdir()
    stale = tmp_path / "digests" / "digest-week-2025-01-01.md"
    stale.write_text(MARKER, encoding="utf-8")
    os.utime(stale, ((NOW - AGE).timestamp(), (NOW - AGE).timestamp()))
    (tmp_path / "digests" / "digest-week-2026-01-14.md").write_text("свежая", encoding="utf-8")
    return configured, db


def _count(db: Database, query: object) -> int:
    with db.transaction() as session:
        return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def test_purge_removes_old_personal_data_and_keeps_what_digests_read(two_years: tuple[Settings, Database],
                                                                     tmp_path: Path) -> None:
    settings, db = two_years
    week_before = build_digest(db, settings, "week", NOW)
    old_week_before = build_digest(db, settings, "week", NOW - AGE + timedelta(days=2))
    assert old_week_before.posts == 6 and old_week_before.stories
    stories_before = _count(db, select(func.count()).select_from(StoryRow))
    alerts_before = _count(db, select(func.count()).select_from(AlertRow))
    logged = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(line["at"] < (NOW - AGE / 2).isoformat() for line in logged)

    flush_log(db.engine)  # the old texts are in the database file itself now, not only in its log
    plan = purge(settings, db, NOW, apply=False)
    assert plan.counts.posts == 6 and plan.counts.annotations == 6 and plan.counts.snapshots >= 6
    assert plan.counts.alerts >= 1 and plan.counts.stories >= 1
    assert [p.name for p in plan.files] == ["digest-week-2025-01-01.md"]
    assert _count(db, select(func.count()).select_from(PostRow)) == 12, "проверка ничего не удаляет"

    done = purge(settings, db, NOW, apply=True)
    assert done.counts == plan.counts and done.applied
    assert _count(db, select(func.count()).select_from(PostRow)) == 6
    assert _count(db, select(func.count()).select_from(PostRow).where(PostRow.external_id.like("old-%"))) == 0
    assert _count(db, select(func.count()).select_from(AnnotationRow)) == 6
    assert _count(db, select(func.count()).select_from(MetricSnapshotRow).where(
        MetricSnapshotRow.post_id.not_in(select(PostRow.id)))) == 0
    assert _count(db, select(func.count()).select_from(OutboxRow).where(OutboxRow.created_at < NOW - AGE / 2)) == 0
    # story and alert rows stay (levels, counts, peaks) — only their texts go
    assert _count(db, select(func.count()).select_from(StoryRow)) == stories_before
    assert _count(db, select(func.count()).select_from(AlertRow)) == alerts_before
    assert _count(db, select(func.count()).select_from(StoryRow).where(StoryRow.title == PURGED_TEXT)) >= 1
    assert _count(db, select(func.count()).select_from(AlertRow).where(AlertRow.at < NOW - AGE / 2,
                                                                       AlertRow.text != PURGED_TEXT)) == 0
    # digests: the current week is exactly what it was; a purged week still renders, from what stays
    assert build_digest(db, settings, "week", NOW) == week_before
    old_week = build_digest(db, settings, "week", NOW - AGE + timedelta(days=2))
    assert old_week.posts == 0 and old_week.alerts == old_week_before.alerts
    assert not (tmp_path / "digests" / "digest-week-2025-01-01.md").exists()
    assert (tmp_path / "digests" / "digest-week-2026-01-14.md").exists()
    kept_lines = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert kept_lines and all(line["at"] >= (NOW - AGE / 2).isoformat() for line in kept_lines)
    assert purge(settings, db, NOW, apply=True).empty, "второй раз удалять нечего"
    if db.engine.dialect.name == "sqlite":
        files = [Path(db.engine.url.database or "")]
        files += [f.with_name(f.name + suffix) for f in files for suffix in ("-wal", "-shm")]
        leftovers = [f.name for f in files if f.exists() and MARKER.encode() in f.read_bytes()]
        assert leftovers == [], "удалённые тексты остались в файле базы"


def test_purge_command_shows_first_and_removes_with_yes(tmp_path: Path) -> None:
    config = write_config(tmp_path, retention_days=30)
    assert mcu("--config", str(config), "init", cwd=tmp_path).returncode == 0
    shown = mcu("--config", str(config), "purge", cwd=tmp_path)
    assert shown.returncode == 0 and "Будет удалено: всё старше 30 дн." in shown.stdout and "Удалять нечего" in shown.stdout
    done = mcu("--config", str(config), "purge", "--yes", cwd=tmp_path)
    assert done.returncode == 0 and "Удалено: всё старше 30 дн." in done.stdout


def test_files_with_personal_data_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert mcu("--config", str(config), "init", cwd=tmp_path).returncode == 0
    assert mcu("--config", str(config), "export", "posts", "-o", str(tmp_path / "out" / "posts.csv"),
               "--format", "csv", cwd=tmp_path).returncode == 1  # no such directory: export does not create it
    assert mcu("--config", str(config), "export", "posts", "-o", str(tmp_path / "posts.csv"), "--format", "csv",
               cwd=tmp_path).returncode == 0
    assert mcu("--config", str(config), "digest", "--format", "md", cwd=tmp_path).returncode == 0
    for path in [tmp_path / "mcu.db", tmp_path / "posts.csv", *(tmp_path / "digests").iterdir()]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((tmp_path / "digests").stat().st_mode) == 0o700
    (tmp_path / "mcu.db").chmod(0o644)
    assert mcu("--config", str(config), "status", cwd=tmp_path).returncode == 0
    assert stat.S_IMODE((tmp_path / "mcu.db").stat().st_mode) == 0o600, "база прежней версии закрыта от чужих"
