"""The lean store: JSON written compactly, older data rewritten by migration 0009 without loss, queues indexed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import event, text

from collectors import Metrics, Post
from nlp.annotation import Annotation, Entity, Sentiment, TopicScore
from storage import Database, analysis_queue, annotations, head_revision, posts, stories, upgrade
from storage.models import PostRow

T0 = datetime(2026, 1, 14, 8, 0, tzinfo=timezone.utc)
ENTITIES = [{"kind": "place", "text": "Десногорске", "normal": "Десногорск"}]
FACTORS = {"negativity": 0.5, "complaints": 1.0, "alarm": 0.0}


def _raw(db: Database, sql: str) -> str:
    with db.engine.connect() as connection:
        return str(connection.execute(text(sql)).scalar())


def test_new_verdicts_are_stored_as_readable_compact_json(db: Database) -> None:
    verdict = Annotation("1", 0.9, (TopicScore("housing", 0.5),), Sentiment("negative", -0.5), True,
                         entities=(Entity("place", "Десногорске", "Десногорск"),), places=("3 мкр",))
    with db.transaction() as session:
        posts.save_posts(session, [Post("1", "vk", "demo_gorod", T0, "Нет воды в 3 мкр")], T0)
        stored = analysis_queue.pending_analysis(session, 1)[0]
        annotations.save_annotation(session, stored.db_id, stored.version, verdict, T0)
    raw = _raw(db, "SELECT CAST(entities AS TEXT) FROM annotations")
    assert "Десногорск" in raw and "\\u" not in raw and ", " not in raw
    with db.transaction() as session:
        assert annotations.annotations_for(session, [stored.db_id])[stored.db_id].entities == ENTITIES
        assert analysis_queue.pending_analysis(session, 10) == []


def test_upgrade_rewrites_old_json_compactly_and_keeps_every_value(db_url: str) -> None:
    from alembic import command

    from storage.schema import _alembic_config

    database = Database.from_url(db_url)
    try:
        command.upgrade(_alembic_config(database.engine), "0008")
        cast = "CAST(:{0} AS JSON)" if database.engine.dialect.name == "postgresql" else ":{0}"
        with database.engine.begin() as connection:  # as version 0008 wrote them: \u escapes, spaces
            connection.execute(text(
                "INSERT INTO posts (id, platform, source, external_id, published_at, text, first_seen_at, last_seen_at,"
                " version, needs_analysis) VALUES (1, 'vk', 'gorod', '1', :at, 'Нет воды', :at, :at, 1, true),"
                " (2, 'vk', 'gorod', '2', :at, 'Ещё пост', :at, :at, 1, false)"), {"at": T0})
            connection.execute(text(
                "INSERT INTO stories (id, title, topic, places, fingerprint, first_seen_at, last_seen_at, post_count,"
                " score, level, peak_level, peak_score, reasons, factors, updated_at, rescore) VALUES (1, 'Нет воды',"
                f" 'housing', {cast.format('places')}, {cast.format('print')}, :at, :at, 1, 0.5, 'medium', 'medium',"
                f" 0.5, {cast.format('reasons')}, {cast.format('factors')}, :at, true)"),
                {"at": T0, "places": json.dumps(["3 мкр"]), "print": json.dumps(["нет вода дом"]),
                 "reasons": json.dumps(["жалобы жителей"]), "factors": json.dumps(FACTORS)})
            connection.execute(text(
                "INSERT INTO annotations (post_id, post_version, relevance, main_topic, topics, sentiment_label,"
                " sentiment_score, needs_response, entities, toxicity, signals, places, model_version, analysed_at)"
                f" VALUES (2, 1, 0.9, 'housing', {cast.format('topics')}, 'negative', -0.5, true,"
                f" {cast.format('entities')}, 0.0, {cast.format('signals')}, {cast.format('places')}, 'v1', :at)"),
                {"at": T0, "topics": json.dumps([{"code": "housing", "score": 0.5}]),
                 "entities": json.dumps(ENTITIES), "signals": json.dumps(["complaint"]),
                 "places": json.dumps(["3 мкр"])})
        assert "\\u" in _raw(database, "SELECT CAST(entities AS TEXT) FROM annotations")
        before, after = upgrade(database.engine)
        assert (before, after) == ("0008", head_revision())
        for column in ("entities", "places", "topics"):
            raw = _raw(database, f"SELECT CAST({column} AS TEXT) FROM annotations")
            assert "\\u" not in raw and ", " not in raw, raw
        with database.transaction() as session:
            note = annotations.annotations_for(session, [2])[2]
            assert (note.entities, note.places, note.signals) == (ENTITIES, ["3 мкр"], ["complaint"])
            assert note.topics == [{"code": "housing", "score": 0.5}]
            state = stories.open_stories(session, T0 - timedelta(days=1))[0]
            assert (state.places, state.fingerprint) == (("3 мкр",), frozenset({"нет вода дом"}))
            assert stories.stale_story_ids(session) == [1], "the story still waits for scoring"
            assert [p.post.id for p in analysis_queue.pending_analysis(session, 10)] == ["1"], "the post still waits"
    finally:
        database.dispose()


def test_queue_lookups_use_the_partial_indexes(sqlite_db: Database) -> None:
    """Only waiting rows are indexed; the queries that find work must be the ones that can use them."""
    with sqlite_db.transaction() as session:
        posts.save_posts(session, [Post(str(n), "vk", "gorod", T0, f"пост {n}", metrics=Metrics(views=n))
                                   for n in range(5)], T0)
        session.add(PostRow(platform="vk", source="gorod", external_id="5_c", parent_external_id="4", published_at=T0,
                            text="комментарий", first_seen_at=T0, last_seen_at=T0))
    sent: list[tuple[str, Any]] = []

    def record(_connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(sqlite_db.engine, "before_cursor_execute", record)
    try:
        with sqlite_db.transaction() as session:
            assert [s.post.id for s in analysis_queue.pending_analysis(session, 10)] == ["0", "1", "2", "3", "4", "5_c"]
    finally:
        event.remove(sqlite_db.engine, "before_cursor_execute", record)
    with sqlite_db.engine.connect() as connection:
        # The analysis queue is read in claim order off its indexes, posts then comments: no sort of the queue.
        for (statement, parameters), index in zip(sent, ("ix_posts_queue_posts", "ix_posts_queue_comments"), strict=True):
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            assert any(index in str(row) for row in plan) and not any("TEMP B-TREE" in str(row) for row in plan), plan
        plan = connection.execute(text("EXPLAIN QUERY PLAN SELECT id FROM stories WHERE rescore = 1")).all()
        assert any("ix_stories_rescore" in str(row) for row in plan), plan
