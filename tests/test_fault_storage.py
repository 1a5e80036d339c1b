"""Faults of the database, as commands meet them: SQLite locked by another process, a full disk, a PostgreSQL
connection dropped mid-run, two processes on PostgreSQL at once. Each gives a clear Russian line (or nothing at
all), leaves nothing half-written, and the next run completes the work."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from collectors import read_posts
from config import Settings, StorageError
from mcu.pipeline import Pipeline
from nlp import Analyzer
from storage import Database, alert_state
from storage import database as storage_database
from storage.models import MetricSnapshotRow, StoryRow
from tests.cli_helpers import guarded_environment, mcu_here, one_russian_line, write_config
from tests.daemon_helpers import Store, happening_now, unique_records


def configured(tmp_path: Path, feed: Path, url: str | None = None, **changes: Any) -> Path:
    config = write_config(
        tmp_path,
        sources=[{"name": "лента", "kind": "replay", "path": str(feed), "interval": "1m"}],
        database={"url": url or f"sqlite:///{tmp_path / 'mcu.db'}", "busy_timeout": "0.5s"},
        alerts={"console": False},
        **changes,
    )
    return config


class WriteLock:
    """The write lock of a SQLite file held by another connection, as by a process in the middle of a write."""

    def __init__(self) -> None:
        self._held: list[sqlite3.Connection] = []

    def take(self, path: Path) -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        self._held.append(connection)

    def release(self) -> None:
        while self._held:
            connection = self._held.pop()
            connection.rollback()
            connection.close()


@pytest.fixture()
def other_writer() -> Iterator[WriteLock]:
    lock = WriteLock()
    yield lock
    lock.release()


@pytest.mark.parametrize("command", ["collect", "process", "ack"])
def test_a_locked_database_is_reported_as_busy_and_nothing_is_half_done(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], other_writer: WriteLock, command: str) -> None:
    # A story that alerts when the command is `ack`; a short one otherwise (the models judge it twice).
    feed = happening_now(tmp_path / "feed.jsonl", "heating" if command == "ack" else "npp_rumour")
    config = configured(tmp_path, feed)
    store = Store.created(f"sqlite:///{tmp_path / 'mcu.db'}")
    if command != "collect":
        assert mcu_here("--config", str(config), "collect", "--once", capsys=capsys)[0] == 0
    story = 0
    if command == "ack":
        assert mcu_here("--config", str(config), "process", capsys=capsys)[0] == 0
        story = min(store.first_alerts_per_story())
    args = {"collect": ["collect", "--once"], "process": ["process"],
            "ack": ["alerts", "ack", str(story), "--by", "Ольга"]}
    before = (store.posts(), store.annotations())

    other_writer.take(tmp_path / "mcu.db")
    code, _, stderr = mcu_here("--config", str(config), *args[command], capsys=capsys)
    assert code == 1
    line = one_russian_line(stderr)
    assert "занята" in line and "другой процесс" in line and "повторите" in line, line
    assert (store.posts(), store.annotations(), _status(store, story)) == (*before, "open"), "ничего не записано наполовину"

    other_writer.release()  # the other process finished its write: the same command now works
    assert mcu_here("--config", str(config), *args[command], capsys=capsys)[0] == 0
    assert store.posts() == unique_records(feed)
    assert store.annotations() == (0 if command == "collect" else store.posts())
    assert _status(store, story) == ("taken" if command == "ack" else "open")


def _status(store: Store, story: int) -> str:
    """The alert status of a story (open when there is none yet)."""
    db = Database.from_url(store.url)
    try:
        with db.transaction() as session:
            state = alert_state.state(session, story)
            return state.status if state is not None else "open"
    finally:
        db.dispose()


def test_a_full_disk_is_reported_and_the_next_run_resumes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    feed = happening_now(tmp_path / "feed.jsonl", "heating")
    config = configured(tmp_path, feed)
    store = Store.created(f"sqlite:///{tmp_path / 'mcu.db'}")
    with sqlite3.connect(tmp_path / "mcu.db") as probe:
        pages = probe.execute("PRAGMA page_count").fetchone()[0]
    pragmas = storage_database._sqlite_pragmas

    def no_room(busy_timeout: float, connection: Any, record: Any) -> None:
        pragmas(busy_timeout, connection, record)
        connection.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk fills up a few pages from now

    for step in (["collect", "--once"], ["process", "--no-send"]):
        with monkeypatch.context() as patch:
            patch.setattr(storage_database, "_sqlite_pragmas", no_room)
            before = (store.posts(), store.annotations())
            code, _, stderr = mcu_here("--config", str(config), *step, capsys=capsys)
            assert code == 1
            line = one_russian_line(stderr)
            assert "нет места" in line and "диск заполнен" in line, line
            assert (store.posts(), store.annotations()) == before, "ничего не записано наполовину"
        assert mcu_here("--config", str(config), *step, capsys=capsys)[0] == 0, "место появилось: работа продолжается"
    assert store.posts() == unique_records(feed) and store.annotations() == store.posts()


def test_locks_and_faults_are_told_apart() -> None:
    """The words of each database failure (the old code said «база данных недоступна» for all of them)."""
    from sqlalchemy.exc import OperationalError

    engine = Database.from_url("sqlite://").engine

    def message(original: Exception, invalidated: bool = False) -> str:
        return str(storage_database.database_error(
            OperationalError("SELECT 1", {}, original, connection_invalidated=invalidated), engine, 15))

    locked = sqlite3.OperationalError("database is locked")
    assert "занята" in message(locked) and "15 с" in message(locked)
    assert "нет места" in message(sqlite3.OperationalError("database or disk is full"))
    assert "потеряно" in message(Exception("server closed the connection unexpectedly"), invalidated=True)
    assert "недоступна" in message(Exception("could not connect to server"))


# --- PostgreSQL -----------------------------------------------------------------------------------------------------


def _with_name(url: str, name: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}application_name={name}"


def _terminate(url: str, name: str) -> int:
    """Drop every server connection of this test (by application name): the shared server stays up."""
    db = Database.from_url(url)
    try:
        with db.engine.connect() as connection:
            dropped = connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name}).scalar()
            connection.commit()
            return int(dropped or 0)
    finally:
        db.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_dropped_postgresql_connection_mid_run(db_url: str, tmp_path: Path, settings: Settings, analyzer: Analyzer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"mcu-{uuid.uuid4().hex[:8]}"
    url = _with_name(db_url, name)
    store = Store.created(url)
    feed = happening_now(tmp_path / "feed.jsonl", "heating")
    pipeline = Pipeline(settings, Database.from_url(url), analyzer=analyzer, deliver=False)
    with feed.open(encoding="utf-8") as lines:
        pipeline.ingest([post for post, _ in read_posts(lines) if post is not None], datetime.now(timezone.utc))
    judge = analyzer.analyze_batch
    dropped: list[int] = []

    def judge_then_lose_the_server(items: Any) -> Any:
        result = judge(items)
        if not dropped:
            dropped.append(_terminate(db_url, name))  # the connection dies mid-transaction
        return result

    monkeypatch.setattr(analyzer, "analyze_batch", judge_then_lose_the_server)
    with pytest.raises(StorageError, match="соединение с базой данных .* потеряно"):
        pipeline.process(datetime.now(timezone.utc))
    assert dropped and dropped[0] >= 1
    assert store.annotations() == 0, "the batch rolled back whole"
    stats = pipeline.process(datetime.now(timezone.utc))  # the pool reconnects: the next run does the work
    pipeline.db.dispose()
    assert stats.analysed == store.posts() == store.annotations() > 0
    assert store.empty_stories() == 0


def _at_once(url: str, name: str, *commands: list[str], cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """Run the commands truly at once: the posts table stays locked until each of them either waits on it or has
    finished without needing it (found the work taken), then all go together; starting an interpreter takes
    seconds, so without this gate one would be done before the other began."""
    gatekeeper = Database.from_url(url)
    try:
        with gatekeeper.engine.connect() as gate, gatekeeper.engine.connect() as watch:
            gate.execute(text("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE"))
            children = [subprocess.Popen([sys.executable, "-m", "mcu", *command], cwd=cwd, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True, env=guarded_environment())
                        for command in commands]
            deadline = time.monotonic() + 90
            query = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"
                         " AND wait_event_type = 'Lock'")
            while True:
                waiting = int(watch.execute(query, {"name": name}).scalar() or 0)
                watch.rollback()  # the activity view is a snapshot per transaction
                done = sum(child.poll() is not None for child in children)
                if waiting and waiting + done == len(children):
                    break
                assert done < len(children), [child.communicate() for child in children]
                assert time.monotonic() < deadline, "процессы не дошли до базы"
                time.sleep(0.05)
            gate.commit()
        finished = []
        for child, command in zip(children, commands, strict=True):
            out, err = child.communicate(timeout=120)
            finished.append(subprocess.CompletedProcess(command, child.returncode, out, err))
        return finished
    finally:
        gatekeeper.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_processes_on_postgresql_give_the_result_of_one(db_url: str, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Two collectors and then two processors at once on one PostgreSQL database: the same posts, verdicts,
    stories and alert decisions as one process on its own, no duplicate, no empty story, no traceback."""
    feed = happening_now(tmp_path / "feed.jsonl", "heating")
    name = f"mcu-{uuid.uuid4().hex[:8]}"
    shared, alone = tmp_path / "shared", tmp_path / "alone"
    shared.mkdir()
    alone.mkdir()
    config = configured(shared, feed, _with_name(db_url, name))
    single = configured(alone, feed)
    store, baseline = Store.created(db_url), Store.created(f"sqlite:///{alone / 'mcu.db'}")

    twice = [["--config", str(config), "collect", "--once"]] * 2
    collected = _at_once(db_url, name, *twice, cwd=shared)
    processed = _at_once(db_url, name, *[["--config", str(config), "process", "--no-send"]] * 2, cwd=shared)
    assert mcu_here("--config", str(single), "collect", "--once", capsys=capsys)[0] == 0
    assert mcu_here("--config", str(single), "process", "--no-send", capsys=capsys)[0] == 0
    for result in collected + processed:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr and "Violation" not in result.stderr
    assert store.posts() == baseline.posts() == unique_records(feed)
    assert store.count(MetricSnapshotRow) == baseline.count(MetricSnapshotRow), "each sighting recorded once"
    assert store.annotations() == baseline.annotations() == store.posts()
    assert store.empty_stories() == 0
    assert all(count == 1 for count in store.first_alerts_per_story().values())
    assert _story_sizes(store.url) == _story_sizes(baseline.url), "the same stories as one process makes"
    assert len(store.first_alerts_per_story()) == len(baseline.first_alerts_per_story()) > 0


def _story_sizes(url: str) -> list[int]:
    db = Database.from_url(url)
    try:
        with db.transaction() as session:
            query = select(StoryRow.post_count).where(StoryRow.merged_into.is_(None), StoryRow.post_count > 0)
            return sorted(int(count) for count in session.scalars(query))
    finally:
        db.dispose()


@pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_batches_judged_in_parallel_are_placed_in_queue_order(db_url: str, tmp_path: Path, settings: Settings,
                                                             analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small batches, two workers: each judges its batches at the same time as the other, yet stories come out
    exactly as one worker makes them, because batches are claimed in turn and placed in queue order (on SQLite,
    where rows cannot be locked, a batch someone placed meanwhile is dropped, never placed twice)."""
    import threading

    from mcu import pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "ANALYSIS_BATCH", 12)
    feed = happening_now(tmp_path / "feed.jsonl", "heating")
    with feed.open(encoding="utf-8") as lines:
        posts = [post for post, _ in read_posts(lines) if post is not None]
    now = datetime.now(timezone.utc)
    alone = Store.created(f"sqlite:///{tmp_path / 'alone.db'}")
    shared = Store.created(db_url)
    single = Pipeline(settings, Database.from_url(alone.url), analyzer=analyzer, deliver=False)
    single.ingest(posts, now)
    single.process(now)
    single.db.dispose()
    workers = [Pipeline(settings, Database.from_url(db_url), analyzer=analyzer, deliver=False) for _ in range(2)]
    workers[0].ingest(posts, now)
    first = min(posts, key=lambda p: p.published_at)
    judge = analyzer.analyze_batch

    def slow_on_the_first_batch(items: Any) -> Any:
        if any(post.id == first.id for post, _ in items):
            time.sleep(1.0)  # the worker with the queue's head is the slower one: the other is done first
        return judge(items)

    monkeypatch.setattr(analyzer, "analyze_batch", slow_on_the_first_batch)
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def work(pipeline: Pipeline) -> None:
        start.wait()
        try:
            pipeline.process(now)
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for worker in workers:
        worker.db.dispose()
    assert not failures, failures
    assert shared.annotations() == alone.annotations() == len({(p.platform, p.source, p.id) for p in posts})
    assert shared.empty_stories() == 0 and shared.count_stale() == 0
    assert _story_sizes(shared.url) == _story_sizes(alone.url)
    assert shared.first_alerts_per_story() == alone.first_alerts_per_story()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_claimed_post_may_still_be_pointed_at_by_another_process(db_url: str, tmp_path: Path) -> None:
    """While one worker holds a batch it is judging, another worker's appeal or snapshot may point at a post of
    that batch (a reply under its appeal): the claim must not block that write, or two workers waiting for each
    other (one for the story lock, one for the post) deadlock."""
    from storage import analysis_queue
    from storage import posts as post_store

    feed = happening_now(tmp_path / "feed.jsonl", "heating")
    with feed.open(encoding="utf-8") as lines:
        posts = [post for post, _ in read_posts(lines) if post is not None]
    db = Database.from_url(db_url)
    Store.created(db_url)
    other = Database.from_url(db_url)
    try:
        with db.transaction() as session:
            post_store.save_posts(session, posts, datetime.now(timezone.utc))
        with db.transaction() as session:
            claimed = analysis_queue.claim_pending(session, 5)
            assert claimed
            with other.transaction() as elsewhere:
                elsewhere.execute(text("SET LOCAL lock_timeout = '3s'"))
                elsewhere.add(MetricSnapshotRow(post_id=claimed[0].db_id, observed_at=datetime.now(timezone.utc)))
                elsewhere.flush()  # blocked by a FOR UPDATE claim: lock_timeout raises
    finally:
        other.dispose()
        db.dispose()
