"""One bad record never blocks its source: it is skipped (or repaired) with a reason, the rest is stored, the
cursor moves on and `status` shows the run. On SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from collectors import Batch, Metrics, Post
from collectors.bounds import FUTURE_SLACK, MAX_ID, MAX_METRIC
from config import Settings
from config.schema import SourceSettings
from mcu.collection import Collection
from storage import Database, posts, sources
from tests.test_collection import ScriptedCollector, collection, register

NOW = datetime(2026, 1, 14, 9, 0, tzinfo=timezone.utc)
GOOD = {
    "id": "1", "platform": "vk", "source": "gorod", "url": "https://vk.com/wall-1_1", "author": "Ира",
    "published_at": "2026-01-14T08:00:00+03:00", "text": "В 3 мкр нет отопления", "metrics": {"views": 10},
}


def feed(path: Path, *records: dict[str, object] | str) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records),
                    encoding="utf-8")
    return path


def replay_source(settings: Settings, path: Path) -> Settings:
    return settings.model_copy(update={"sources": [SourceSettings(name="лента", kind="replay", path=str(path))]})


def stored_ids(db: Database) -> set[str]:
    with db.transaction() as session:
        rows = posts.posts_between(session, datetime(1, 1, 2, tzinfo=timezone.utc), datetime(9999, 1, 1, tzinfo=timezone.utc))
        return {row.external_id for row in rows}


def test_bad_lines_of_a_file_are_skipped_with_line_numbers_and_the_rest_stored(
        settings: Settings, db: Database, tmp_path: Path) -> None:
    long_id = "x" * MAX_ID  # as long as the store keeps, on PostgreSQL too
    path = feed(
        tmp_path / "feed.jsonl",
        GOOD,
        dict(GOOD, id="2", published_at="0001-01-01T00:00:00+03:00"),  # overflowed astimezone
        dict(GOOD, id="3", metrics={"views": 1e300, "likes": 5}),  # overflowed SQLite INTEGER
        dict(GOOD, id="y" * (MAX_ID + 1)),  # longer than any id column keeps
        dict(GOOD, id=long_id),
        dict(GOOD, id="6", published_at=(NOW + FUTURE_SLACK + timedelta(hours=1)).isoformat()),
        dict(GOOD, id="7", published_at=(NOW + timedelta(hours=3)).isoformat()),  # clocks differ by hours
        dict(GOOD, id="8", text="нуль\x00 и \ud800 суррогат", author="\x00"),
        dict(GOOD, id="9", metrics={"views": -3, "likes": MAX_METRIC + 1, "reposts": 2}),
        '{"id": "10", "platform": "vk", "source": "gorod", "published_at": "2026-01-14T08:00:00+03:00", "metrics": {"views": 1e999}}',
    )
    runner = Collection(replay_source(settings, path), db)
    runner.sync(NOW)
    stats = runner.run("лента", NOW)
    assert stats.error is None
    assert stats.skipped_lines == 3 and stats.collected == 7
    messages = "\n".join(stats.problems)
    assert "строка 2 пропущена: published_at: дата 0001-01-01T00:00:00+03:00 вне допустимого диапазона" in messages
    assert f"строка 4 пропущена: id: длиннее {MAX_ID} символов" in messages
    assert "строка 6 пропущена: published_at" in messages and "в будущем" in messages
    assert "строка 3 исправлена: metrics.views" in messages and "строка 9 исправлена: metrics.likes" in messages
    assert "строка 10 исправлена: metrics.views: ожидается число" in messages
    assert stored_ids(db) == {"1", "3", long_id, "7", "8", "9", "10"}
    with db.transaction() as session:
        rows = {r.external_id: r for r in posts.posts_between(session, NOW - timedelta(days=1), NOW + timedelta(days=1))}
        assert rows["3"].views is None and rows["3"].likes == 5
        assert (rows["9"].views, rows["9"].likes, rows["9"].reposts) == (None, None, 2)
        assert rows["8"].text == "нуль и \ufffd суррогат" and rows["8"].author is None
        record = sources.get_source(session, "лента")
        assert record is not None and record.last_success_at == NOW and record.problems == 3
    again = runner.run("лента", NOW + timedelta(minutes=10))
    assert (again.collected, again.skipped_lines, again.error) == (0, 0, None), "позиция сдвинулась за плохие строки"


def test_bad_records_from_a_platform_are_skipped_with_their_id(settings: Settings, db: Database) -> None:
    register(db)
    good = Post(id="1", platform="vk", source="gorod", published_at=NOW - timedelta(minutes=5), text="Нет воды",
                metrics=Metrics(views=10))
    ancient = Post(id="2", platform="vk", source="gorod", published_at=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=3))),
                   text="")
    future = Post(id="3", platform="vk", source="gorod", published_at=NOW + timedelta(days=30), text="из будущего")
    huge = Post(id="4", platform="vk", source="gorod", published_at=NOW, text="x", metrics=Metrics(views=10**300))
    fake = ScriptedCollector([Batch(posts=(good, ancient, future, huge), cursor="c1")])
    stats = collection(settings, db, vk_wall=fake).run("gorod", NOW)
    assert stats.error is None and (stats.collected, stats.skipped_lines) == (2, 2)
    assert any("запись '2' пропущена: published_at" in p for p in stats.problems)
    assert any("запись '3' пропущена: published_at" in p and "в будущем" in p for p in stats.problems)
    assert stored_ids(db) == {"1", "4"}
    with db.transaction() as session:
        assert sources.get_cursor(session, sources.ensure_source(session, "gorod", "vk_wall").id) == "c1"


def test_a_record_the_store_still_refuses_is_skipped_alone(settings: Settings, sqlite_db: Database,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: whatever the bounds miss, the store refusing one record does not lose the batch."""
    register(sqlite_db)
    monkeypatch.setattr("mcu.collection.check_posts", lambda batch, now: (list(batch), []))
    good = Post(id="1", platform="vk", source="gorod", published_at=NOW, text="Нет воды")
    bad = Post(id="2", platform="vk", source="gorod", published_at=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=3))),
               text="")
    fake = ScriptedCollector([Batch(posts=(good, bad), cursor="c1")])
    stats = collection(settings, sqlite_db, vk_wall=fake).run("gorod", NOW)
    assert stats.error is None and (stats.collected, stats.skipped_lines) == (1, 1)
    assert any("запись '2' пропущена: база не приняла её" in p for p in stats.problems)
    assert stored_ids(sqlite_db) == {"1"}


def test_a_collector_bug_is_recorded_for_status_and_the_others_go_on(settings: Settings, sqlite_db: Database) -> None:
    register(sqlite_db)
    register(sqlite_db, "other")
    broken = ScriptedCollector([KeyError("items")])
    stats = collection(settings, sqlite_db, vk_wall=broken).run("gorod", NOW)
    assert stats.error is not None and "внутренняя ошибка сборщика: KeyError" in stats.error
    with sqlite_db.transaction() as session:
        record = sources.get_source(session, "gorod")
        assert record is not None and record.failing and record.last_run_at == NOW
    fine = ScriptedCollector([Batch(posts=(Post(id="9", platform="vk", source="other", published_at=NOW, text="ok"),),
                                    cursor="x")])
    assert collection(settings, sqlite_db, vk_wall=fine).run("other", NOW).new == 1
