"""Several processing workers: on PostgreSQL they give what one worker gives; SQLite refuses them in Russian."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from collectors import read_posts
from config import load_config
from mcu.pipeline import Pipeline
from mcu.workers import process_in_parallel
from storage import Database
from storage.models import AlertRow, PostRow, StoryRow
from tests.cli_helpers import mcu_here, one_russian_line, write_config
from tests.daemon_helpers import Store, happening_now

MIX = ("heating", "copypaste_rumour", "city_day", "slowburn_address", "wave_plant_evacuation")
BATCH = 24  # posts a worker claims at a time: small, so each of two workers gets several batches


def _outcome(url: str) -> tuple[list[tuple[str, str, tuple[str, ...]]], list[tuple[tuple[str, ...], str]], int]:
    """Stories as a user sees them (level, peak, the posts in them), the alerts told per story, posts waiting."""
    db = Database.from_url(url)
    try:
        with db.transaction() as session:
            members: dict[int, list[str]] = {}
            for story_id, external_id in session.execute(select(PostRow.story_id, PostRow.external_id)
                                                         .where(PostRow.story_id.is_not(None))):
                members.setdefault(story_id, []).append(external_id)
            stories = sorted((row.level, row.peak_level, tuple(sorted(members.get(row.id, []))))
                             for row in session.scalars(select(StoryRow).where(StoryRow.merged_into.is_(None))))
            alerts = sorted((tuple(sorted(members.get(story_id, []))), level)
                            for story_id, level in session.execute(select(AlertRow.story_id, AlertRow.level)))
            waiting = len(list(session.scalars(select(PostRow.id).where(PostRow.needs_analysis.is_(True)))))
        return stories, alerts, waiting
    finally:
        db.dispose()


def test_more_than_one_worker_on_sqlite_is_refused_in_russian(tmp_path: Path, capsys: Any) -> None:
    config = write_config(tmp_path)
    assert mcu_here("--config", str(config), "init", capsys=capsys)[0] == 0
    for command in ("process", "run"):
        code, _, err = mcu_here("--config", str(config), command, "--workers", "2", capsys=capsys)
        assert code != 0
        assert "PostgreSQL" in one_russian_line(err)


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_workers_give_the_stories_levels_and_alerts_of_one(db_url: str, tmp_path: Path) -> None:
    """Two worker processes on one PostgreSQL database, small batches so both get several: the stories, their
    levels and the alerts are those of one worker taking the same batches."""
    feed = happening_now(tmp_path / "feed.jsonl", *MIX)
    with feed.open(encoding="utf-8") as lines:
        posts = [post for post, _ in read_posts(lines) if post is not None]
    now = datetime.now(timezone.utc)
    alone = f"sqlite:///{tmp_path / 'alone.db'}"
    results = []
    for url, workers in ((alone, 1), (db_url, 2)):
        Store.created(url)
        settings, _ = load_config(write_config(tmp_path, database={"url": url}, alerts={"console": False}))
        db = Database.from_url(url)
        Pipeline(settings, db, deliver=False).ingest(posts, now)
        db.dispose()
        done = process_in_parallel(settings, workers, now, batch=BATCH)
        assert done.analysed == len({(p.platform, p.source, p.id) for p in posts})
        results.append(_outcome(url))
    single, together = results
    assert together[2] == single[2] == 0, "every post analysed"
    assert together[0] == single[0], "the same stories with the same levels"
    assert together[1] == single[1] and single[1], "the same alerts"


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_scoring_waits_for_a_busy_worker_then_leaves_it_the_stories(db_url: str, tmp_path: Path) -> None:
    """A worker done with its batches waits while another still analyses or answers (then both score, each its own
    chunks); one busy for longer than the patience (a backfill) is left to score them itself."""
    from storage import locks

    Store.created(db_url)
    settings, _ = load_config(write_config(tmp_path, database={"url": db_url}, alerts={"console": False}))
    pipeline = Pipeline(settings, Database.from_url(db_url), deliver=False)
    other = Database.from_url(db_url)
    try:
        assert pipeline._wait_for_others(patience=0.2), "nobody else is busy"
        with locks.presence(other.engine, locks.BUSY):
            assert not pipeline._wait_for_others(patience=0.2), "the other worker is still analysing"
        assert pipeline._wait_for_others(patience=0.2), "the other worker is done"
    finally:
        other.dispose()
        pipeline.db.dispose()
