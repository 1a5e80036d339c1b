"""Collection orchestration with scripted collectors: health, closure, quotas, refresh, deletions, versions."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import pytest

from collectors import Batch, Metrics, Post
from collectors.base import NotConfigured
from collectors.budget import Budget
from collectors.source import KnownPost, SourceInfo, SourceRef
from config import AuthFailed, QuotaExhausted, Settings, SourceClosed, SourceUnavailable
from mcu.collection import Collection
from storage import Database, posts, sources

NOW = datetime(2026, 1, 14, 9, 0, tzinfo=timezone.utc)


def post(pid: str, text: str = "Нет воды в 3 мкр", views: int = 10, minutes: int = 0, handle: str = "gorod") -> Post:
    return Post(id=pid, platform="vk", source=handle, published_at=NOW - timedelta(minutes=minutes), text=text,
                url=f"https://vk.com/wall-1_{pid}", metrics=Metrics(views=views))


class ScriptedCollector:
    """Hands out prepared batches or raises prepared errors, recording what it was asked."""

    def __init__(self, steps: list[Batch | Exception], refresh: Batch | Exception | None = None) -> None:
        self.steps = list(steps)
        self.refresh_answer = refresh
        self.cursors: list[str | None] = []
        self.refreshed: list[list[str]] = []

    def collect(self, source: SourceRef, cursor: str | None, *, since: datetime | None = None) -> Batch:
        self.cursors.append(cursor)
        step = self.steps.pop(0) if self.steps else Batch(posts=(), cursor=cursor)
        if isinstance(step, Exception):
            raise step
        return step

    def refresh(self, source: SourceRef, known: Sequence[KnownPost]) -> Batch:
        self.refreshed.append([k.id for k in known])
        answer = self.refresh_answer or Batch(posts=(), cursor=None)
        if isinstance(answer, Exception):
            raise answer
        return answer


def register(db: Database, name: str = "gorod", kind: str = "vk_wall") -> None:
    with db.transaction() as session:
        sources.add_source(session, name, SourceInfo(kind, name, "-1", "Город", f"https://vk.com/{name}", 27000), 600, NOW)


def collection(settings: Settings, db: Database, **collectors: ScriptedCollector) -> Collection:
    return Collection(settings.model_copy(update={"sources": []}), db, Budget(), collectors=dict(collectors))


def test_cursor_is_saved_with_the_posts_and_resumed(settings: Settings, sqlite_db: Database) -> None:
    register(sqlite_db)
    fake = ScriptedCollector([
        Batch(posts=(post("1"), post("2")), cursor="c1", more=True, calls=1),
        SourceUnavailable("vk: нет ответа"),  # the run dies on the second page
    ])
    first = collection(settings, sqlite_db, vk_wall=fake).run("gorod", NOW)
    assert first.error == "vk: нет ответа" and first.new == 2
    again = ScriptedCollector([Batch(posts=(post("3"),), cursor="c2")])
    second = collection(settings, sqlite_db, vk_wall=again).run("gorod", NOW + timedelta(minutes=10))
    assert again.cursors[0] == "c1", "продолжает с сохранённой позиции"
    assert second.error is None and second.new == 1
    with sqlite_db.transaction() as session:
        record = sources.get_source(session, "gorod")
        assert record is not None and record.posts_collected == 1 and not record.failing
        assert record.next_run_at == NOW + timedelta(minutes=20)


def test_closed_source_is_marked_skipped_and_reopened(settings: Settings, sqlite_db: Database) -> None:
    register(sqlite_db)
    register(sqlite_db, "other")
    closing = ScriptedCollector([SourceClosed("vk: стена закрыта (15)", 15)])
    result = collection(settings, sqlite_db, vk_wall=closing).run("gorod", NOW)
    assert "закрыта" in (result.error or "")
    fine = ScriptedCollector([Batch(posts=(post("9", handle="other"),), cursor="x")])
    assert collection(settings, sqlite_db, vk_wall=fine).run("other", NOW).new == 1  # the others go on
    later = collection(settings, sqlite_db, vk_wall=ScriptedCollector([])).run("gorod", NOW + timedelta(hours=1))
    assert later.skipped and later.skipped.startswith("закрыт")
    with sqlite_db.transaction() as session:
        sources.set_enabled(session, "gorod", True)
        assert sources.get_source(session, "gorod").closed_at is None  # type: ignore[union-attr]


def test_token_problem_is_reported_once_loudly(settings: Settings, sqlite_db: Database,
                                                caplog: pytest.LogCaptureFixture) -> None:
    register(sqlite_db)
    register(sqlite_db, "other")
    fake = ScriptedCollector([AuthFailed("vk: ключ недействителен (5)", "vk"), AuthFailed("vk: ключ недействителен (5)", "vk")])
    runner = collection(settings, sqlite_db, vk_wall=fake)
    with caplog.at_level(logging.WARNING, logger="mcu.collection"):
        runner.run("gorod", NOW)
        runner.run("other", NOW)
    loud = [r for r in caplog.records if r.levelno == logging.ERROR and "ТОКЕН" in r.getMessage()]
    assert len(loud) == 1


def test_spent_quota_waits_for_reset(settings: Settings, sqlite_db: Database) -> None:
    register(sqlite_db)
    until = NOW + timedelta(hours=15)
    fake = ScriptedCollector([QuotaExhausted("vk wall.get: дневная квота исчерпана", "vk", "wall.get", until)])
    result = collection(settings, sqlite_db, vk_wall=fake).run("gorod", NOW)
    assert "квота" in (result.error or "")
    with sqlite_db.transaction() as session:
        assert sources.get_source(session, "gorod").next_run_at == until  # type: ignore[union-attr]


def test_missing_token_skips_with_reason(settings: Settings, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    register(sqlite_db)
    runner = collection(settings, sqlite_db)

    def refuse(kind: str) -> ScriptedCollector:
        raise NotConfigured("нет токена VK: задайте MCU_VK_TOKEN")

    monkeypatch.setattr(runner, "collector", refuse)
    result = runner.run("gorod", NOW)
    assert result.skipped == "не настроен: нет токена VK: задайте MCU_VK_TOKEN"
    with sqlite_db.transaction() as session:
        assert "MCU_VK_TOKEN" in (sources.get_source(session, "gorod").last_error or "")  # type: ignore[union-attr]


def test_refresh_records_edits_metrics_and_deletions(settings: Settings, sqlite_db: Database) -> None:
    register(sqlite_db)
    first = ScriptedCollector([Batch(posts=(post("1", minutes=60), post("2", minutes=30)), cursor="c")])
    collection(settings, sqlite_db, vk_wall=first).run("gorod", NOW)
    assert first.refreshed == []  # what the first pass read is fresh
    later = NOW + timedelta(seconds=settings.collection.watch_interval)
    edited = Post(id="1", platform="vk", source="gorod", published_at=NOW - timedelta(minutes=60),
                  text="Нет воды в 3 мкр (дали в 12:00)", metrics=Metrics(views=500), observed_at=later)
    second = ScriptedCollector([], refresh=Batch(posts=(edited,), cursor=None, deleted=("2",)))
    stats = collection(settings, sqlite_db, vk_wall=second).run("gorod", later)
    assert sorted(second.refreshed[0]) == ["1", "2"]  # posts only: none of them has comments yet
    assert (stats.edited, stats.deleted, stats.refreshed) == (1, 1, 2)
    with sqlite_db.transaction() as session:
        rows = {r.external_id: r for r in posts.posts_between(session, NOW - timedelta(days=1), NOW + timedelta(days=1))}
        assert rows["1"].views == 500 and rows["1"].version == 2
        assert posts.versions(session, rows["1"].id) == [(1, "Нет воды в 3 мкр")]
        assert rows["2"].deleted_at == later and rows["2"].text == "Нет воды в 3 мкр"  # marked, never erased
    # right after a refresh nothing is re-read; after the watch interval everything still in the window is
    quiet = ScriptedCollector([])
    collection(settings, sqlite_db, vk_wall=quiet).run("gorod", later + timedelta(minutes=1))
    assert quiet.refreshed == []
    due = ScriptedCollector([])
    collection(settings, sqlite_db, vk_wall=due).run("gorod", later + timedelta(seconds=settings.collection.watch_interval))
    assert due.refreshed == [["1"]]  # the deleted one is not asked about again


def test_usage_survives_a_restart(settings: Settings, sqlite_db: Database) -> None:
    register(sqlite_db)
    budget = Budget(quotas={"vk": {"wall.get": 3}}, clock=lambda: NOW)
    for _ in range(3):
        budget.acquire("vk", "wall.get")
    runner = Collection(settings.model_copy(update={"sources": []}), sqlite_db, budget,
                        collectors={"vk_wall": ScriptedCollector([])})
    runner.run("gorod", NOW)
    restarted = Budget(quotas={"vk": {"wall.get": 3}}, clock=lambda: NOW)
    Collection(settings.model_copy(update={"sources": []}), sqlite_db, restarted).sync(NOW)
    with pytest.raises(QuotaExhausted):
        restarted.acquire("vk", "wall.get")
