"""Storage on SQLite and PostgreSQL: schema by Alembic, deduplication, edits, snapshots, outbox."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from alerts import Alert
from collectors import Metrics, Post
from config import StorageError
from nlp.annotation import Annotation, Sentiment, TopicScore
from risk import RiskAssessment
from storage import Database, analysis_queue, annotations, ensure_current, head_revision, outbox, posts, sources, stories, upgrade
from storage.models import PostRow

T0 = datetime(2026, 1, 14, 8, 0, tzinfo=timezone.utc)


def make_post(pid: str = "1", text: str = "Нет воды", views: int | None = 10, **kw: object) -> Post:
    fields = dict(id=pid, platform="vk", source="demo_gorod", published_at=T0, text=text, metrics=Metrics(views=views))
    fields.update(kw)
    return Post(**fields)  # type: ignore[arg-type]


def annotation(pid: str = "1") -> Annotation:
    return Annotation(pid, 0.9, (TopicScore("housing", 0.5),), Sentiment("negative", -0.5), True)


def test_schema_is_created_by_migrations(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {"sources", "cursors", "posts", "metric_snapshots", "annotations", "stories", "alerts", "outbox",
            "alembic_version"} <= tables
    ensure_current(db.engine)
    before, after = upgrade(db.engine)  # idempotent
    assert before == after == head_revision()


def test_empty_or_outdated_schema_is_refused(db_url: str) -> None:
    database = Database.from_url(db_url)
    try:
        with pytest.raises(StorageError, match="нет схемы: выполните `mcu init`"):
            ensure_current(database.engine)
        upgrade(database.engine)
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
        with pytest.raises(StorageError, match="новее этой версии программы"):
            ensure_current(database.engine)
    finally:
        database.dispose()


def test_recollected_post_is_not_duplicated(db: Database) -> None:
    with db.transaction() as session:
        first = posts.save_posts(session, [make_post(), make_post("2")], T0)
    with db.transaction() as session:
        again = posts.save_posts(session, [make_post(views=50)], T0 + timedelta(minutes=10))
    assert (first.new, again.new, again.refreshed) == (2, 0, 1)
    with db.transaction() as session:
        rows = posts.posts_between(session, T0 - timedelta(days=1), T0 + timedelta(days=1))
        assert len(rows) == 2
        row = next(r for r in rows if r.external_id == "1")
        assert row.views == 50 and row.version == 1
        assert len(posts.first_snapshots(session, [row.id])) == 1


def test_same_id_on_other_source_is_another_post(db: Database) -> None:
    with db.transaction() as session:
        result = posts.save_posts(session, [make_post(), make_post(source="demo_podslushano"), make_post(platform="ok")], T0)
    assert result.new == 3


def test_edit_bumps_version_and_requeues_analysis(db: Database) -> None:
    with db.transaction() as session:
        posts.save_posts(session, [make_post()], T0)
        waiting = analysis_queue.pending_analysis(session, 10)
        assert [w.post.id for w in waiting] == ["1"]
        annotations.save_annotation(session, waiting[0].db_id, waiting[0].version, annotation(), T0)
    with db.transaction() as session:
        assert analysis_queue.pending_analysis(session, 10) == []
        result = posts.save_posts(session, [make_post(text="Нет воды (исправлено)")], T0 + timedelta(hours=1))
        assert result.edited == 1
    with db.transaction() as session:
        waiting = analysis_queue.pending_analysis(session, 10)
        assert len(waiting) == 1 and waiting[0].version == 2 and waiting[0].post.text.endswith("(исправлено)")


def test_older_observation_never_overwrites_newer(db: Database) -> None:
    late = T0 + timedelta(hours=2)
    with db.transaction() as session:
        posts.save_posts(session, [make_post(views=500, observed_at=late)], T0)
        posts.save_posts(session, [make_post(views=100, text="старый текст", observed_at=T0 + timedelta(hours=1))], T0)
    with db.transaction() as session:
        row = posts.posts_between(session, T0 - timedelta(days=1), T0 + timedelta(days=1))[0]
        assert row.views == 500 and row.text == "Нет воды" and row.version == 1


def test_times_come_back_aware_utc(db: Database) -> None:
    moscow = timezone(timedelta(hours=3))
    with db.transaction() as session:
        posts.save_posts(session, [make_post(published_at=datetime(2026, 1, 14, 11, 0, tzinfo=moscow))], T0)
    with db.transaction() as session:
        row = posts.posts_between(session, T0 - timedelta(days=1), T0 + timedelta(days=1))[0]
        assert row.published_at == T0 and row.published_at.tzinfo is not None


def test_unicode_and_huge_text_round_trip(db: Database) -> None:
    odd = "Дeсногорск 😱 \u200b «кавычки» ё " + "слово " * 50_000
    with db.transaction() as session:
        posts.save_posts(session, [make_post(text=odd)], T0)
    with db.transaction() as session:
        assert analysis_queue.pending_analysis(session, 1)[0].post.text == odd


def test_failed_transaction_leaves_data_untouched(db: Database) -> None:
    with db.transaction() as session:
        posts.save_posts(session, [make_post()], T0)
    with pytest.raises(RuntimeError):
        with db.transaction() as session:
            posts.save_posts(session, [make_post(text="полу-записанное изменение")], T0 + timedelta(hours=1))
            raise RuntimeError("сбой посреди записи")
    with db.transaction() as session:
        row = posts.posts_between(session, T0 - timedelta(days=1), T0 + timedelta(days=1))[0]
        assert row.text == "Нет воды" and row.version == 1


def test_cursors_and_source_health(db: Database) -> None:
    with db.transaction() as session:
        source = sources.ensure_source(session, "архив", "replay")
        assert sources.get_cursor(session, source.id) is None
        sources.set_cursor(session, source.id, "120:3", T0)
        sources.record_success(session, source.id, T0, 3, 1)
        sources.record_failure(session, "архив", "replay", T0 + timedelta(minutes=5), "файл не найден")
    with db.transaction() as session:
        assert sources.get_cursor(session, source.id) == "120:3"
        health = sources.source_health(session)[0]
        assert (health.name, health.posts_collected, health.problems, health.last_error) == ("архив", 3, 1, "файл не найден")


def test_outbox_lifecycle(db: Database) -> None:
    with db.transaction() as session:
        posts.save_posts(session, [make_post()], T0)
        from storage import stories

        story = stories.create_story(session, "Нет воды", "housing", ["3 мкр"], frozenset({"нет вода"}), T0)
        alert = Alert(story.id, "high", T0, ("deputy",), False, ("тема: ЖКХ",), "текст", 3)
        outbox.save_alert(session, alert, [("console", "-"), ("telegram", "1"), ("telegram", "1")])
    with db.transaction() as session:
        due = outbox.due_messages(session, T0)
        assert [(m.channel, m.target) for m in due] == [("console", "-"), ("telegram", "1")]
        outbox.mark_sent(session, due[0].id, T0)
        outbox.mark_failed(session, due[1].id, "Telegram недоступен", T0 + timedelta(minutes=1))
    with db.transaction() as session:
        assert outbox.due_messages(session, T0) == []
        retry = outbox.due_messages(session, T0 + timedelta(minutes=1))
        assert len(retry) == 1 and retry[0].attempts == 1
        outbox.mark_failed(session, retry[0].id, "403 Forbidden", None)
        assert outbox.outbox_counts(session) == {"sent": 1, "failed": 1}
        previous = outbox.previous_alert(session, story.id)
        assert previous is not None and previous.level == "high" and previous.post_count == 3


def test_sqlite_file_uses_wal(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'sub' / 'wal.db'}")
    try:
        upgrade(database.engine)
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        database.dispose()


def test_bad_database_urls_give_storage_errors(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="неверный адрес базы данных"):
        Database.from_url("это не адрес")
    unreachable = Database.from_url("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StorageError, match="база данных недоступна"):
        ensure_current(unreachable.engine)


def test_upgrade_from_the_first_schema_keeps_data(db_url: str) -> None:
    from alembic import command

    from storage.schema import _alembic_config

    database = Database.from_url(db_url)
    try:
        command.upgrade(_alembic_config(database.engine), "0001")
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO sources (name, kind, enabled, posts_collected, problems) VALUES ('архив', 'replay', true, 5, 0)"))
        before, after = upgrade(database.engine)
        assert (before, after) == ("0001", head_revision())
        with database.transaction() as session:
            health = sources.source_health(session)
            assert [(h.name, h.posts_collected) for h in health] == [("архив", 5)]
    finally:
        database.dispose()


def test_known_posts_for_refresh_list_posts_then_their_comments(db: Database) -> None:
    recent = T0 - timedelta(hours=1)
    with db.transaction() as session:
        posts.save_posts(session, [
            make_post("p1", published_at=recent), make_post("p2", published_at=recent),
            make_post("p1/c1", parent_id="p1", published_at=recent + timedelta(minutes=5)),
            make_post("old", published_at=T0 - timedelta(days=10)),
        ], T0)
        posts.mark_deleted(session, "vk", "demo_gorod", ["p2"], T0)
    with db.transaction() as session:
        known = posts.known_posts(session, "vk", "demo_gorod", T0 - timedelta(days=3))
    assert [(k.id, k.parent_id) for k in known] == [("p1", None), ("p1/c1", "p1")]


def test_migrations_build_exactly_the_models(db: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.models import Base

    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def _story_with(db: Database, ids: list[str], title: str) -> int:
    with db.transaction() as session:
        posts.save_posts(session, [make_post(pid, text=title) for pid in ids], T0)
        state = stories.create_story(session, title, "housing", ["3 мкр"], frozenset({title}), T0, negative=True)
        for stored in analysis_queue.pending_analysis(session, 100):
            if stored.post.id in ids:
                annotations.save_annotation(session, stored.db_id, stored.version, annotation(stored.post.id), T0)
                stories.add_post(session, state.id, stored.db_id, ["3 мкр"], T0)
        return state.id


def test_merged_story_takes_no_posts_and_is_scored_again(db: Database) -> None:
    a = _story_with(db, ["1", "2"], "нет отопления")
    b = _story_with(db, ["3"], "холодные батареи")
    with db.transaction() as session:
        stories.save_assessment(session, a, RiskAssessment(40.0, "medium", ()), "housing", None, T0)
        stories.save_assessment(session, b, RiskAssessment(60.0, "high", ()), "housing", None, T0)
        assert stories.stale_story_ids(session) == []
        stories.merge_into(session, b, a)
        stories.record_correction(session, "merge", a, b, [], "аналитик", T0)
    with db.transaction() as session:
        assert [s.id for s in stories.open_stories(session, T0 - timedelta(days=1))] == [a]
        assert stories.stale_story_ids(session) == [a]
        merged = stories.story_row(session, b)
        assert merged is not None and merged.id == a and merged.post_count == 3
        assert (merged.peak_level, merged.peak_score) == ("high", 60.0)
        assert [(c.action, c.story_id, c.other_story_id, c.author) for c in stories.corrections(session, b)] == [
            ("merge", a, b, "аналитик")]


def test_split_keeps_the_stories_apart_and_moves_comments(db: Database) -> None:
    a = _story_with(db, ["1", "2"], "нет отопления")
    with db.transaction() as session:
        posts.save_posts(session, [make_post("2_c", text="у нас тоже", parent_id="2")], T0)
        comment = next(s for s in analysis_queue.pending_analysis(session, 10) if s.post.id == "2_c")
        stories.add_post(session, a, comment.db_id, [], T0)
        second = next(i for i in stories.post_ids_of(session, a) if session.get(PostRow, i).external_id == "2")
        moving = stories.with_comments(session, [second])
        assert moving == sorted([second, comment.db_id])
        b = stories.create_story(session, "", "housing", [], frozenset(), T0).id
        stories.move_posts(session, moving, b)
        stories.rebuild(session, a, frozenset({"x"}), ["3 мкр"])
        stories.rebuild(session, b, frozenset({"y"}), [])
        stories.record_correction(session, "split", a, b, moving, "аналитик", T0)
    with db.transaction() as session:
        assert len(stories.post_ids_of(session, a)) == 1 and len(stories.post_ids_of(session, b)) == 2
        assert stories.kept_apart(session) == {frozenset((a, b))}
        assert set(stories.stale_story_ids(session)) == {a, b}


def test_feedback_keeps_the_latest_verdict_with_peak_score(db: Database) -> None:
    a = _story_with(db, ["1"], "нет отопления")
    with db.transaction() as session:
        stories.save_assessment(session, a, RiskAssessment(62.0, "high", ()), "housing", None, T0)
        stories.save_assessment(session, a, RiskAssessment(30.0, "low", ()), "housing", None, T0)
        stories.add_feedback(session, a, "taken", "Иванова", T0)
        stories.add_feedback(session, a, "false_positive", "Петров", T0 + timedelta(minutes=5))
    with db.transaction() as session:
        assert stories.feedback(session) == [(a, "false_positive", 62.0, "high")]
