"""The wired pipeline: a timeline through every stage, durable delivery, resume after a crash."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from collectors import Post
from config import Settings
from mcu.pipeline import Pipeline
from mcu.timeline import TimelineReport, load_timeline, run_timeline
from nlp import Analyzer
from storage import Database, analysis_queue, outbox, posts, stories
from tests.alert_helpers import T0, rumour_posts, with_bot
from tests.fakes.telegram import FakeBotApi, error

DATA = Path(__file__).resolve().parent / "data"


def test_rumour_gives_one_story_one_alert_and_updates(settings: Settings, analyzer: Analyzer, sqlite_db: Database) -> None:
    pipeline = Pipeline(settings, sqlite_db, analyzer=analyzer, deliver=False)
    report = run_timeline(pipeline, rumour_posts(), TimelineReport())
    assert report.alerts, "серьёзная история должна дать оповещение"
    assert len({a.story_id for a in report.alerts}) == 1
    assert [a.update for a in report.alerts] == [False] + [True] * (len(report.alerts) - 1)
    assert report.alerts[-1].level in {"high", "critical"}
    assert report.alerts[0].at - T0 <= timedelta(minutes=30), "первое оповещение — в первые полчаса"
    with sqlite_db.transaction() as session:
        assert outbox.outbox_counts(session) == {}  # replay decides, never sends


def test_alerts_reach_telegram_once_even_after_restart(settings: Settings, analyzer: Analyzer, sqlite_db: Database,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeBotApi() as fake:
        configured = with_bot(settings, fake, monkeypatch)
        printed: list[str] = []
        pipeline = Pipeline(configured, sqlite_db, analyzer=analyzer, console=printed.append)
        assert set(pipeline.sinks) == {"console", "telegram"}
        fake.script(error("429"))  # Telegram asks to wait on the very first message
        report = run_timeline(pipeline, rumour_posts(), TimelineReport())
        with sqlite_db.transaction() as session:
            counts = outbox.outbox_counts(session)
        assert set(counts) <= {"sent", "superseded"} and counts["sent"] >= len(report.alerts)
        attempts = len(fake.sent())
        delivered = [m["chat_id"] for m in fake.sent()][1:]  # the first answer was the 429
        assert sorted(delivered) == ["111", "222"], "в каждый чат — одно новое сообщение, дальше правки"
        edits = [r["payload"] for r in fake.requests if r["method"] == "editMessageText"]
        assert len(report.alerts) == 1 or edits, "обновления правят сообщение на месте"
        assert len(printed) >= len(report.alerts)
        # a restart finds nothing left to send
        restarted = Pipeline(configured, sqlite_db, analyzer=analyzer, console=printed.append)
        assert restarted.dispatch(T0 + timedelta(days=1)).sent == 0
        assert len(fake.sent()) == attempts


def test_undeliverable_message_is_given_up_not_retried_forever(settings: Settings, analyzer: Analyzer,
                                                               sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeBotApi() as fake:
        configured = with_bot(settings, fake, monkeypatch)
        pipeline = Pipeline(configured, sqlite_db, analyzer=analyzer, console=None)
        fake.script(*[error("400_chat_not_found")] * 50)
        run_timeline(pipeline, rumour_posts()[:4], TimelineReport())
        with sqlite_db.transaction() as session:
            counts = outbox.outbox_counts(session)
        assert counts.get("failed", 0) >= 1 and counts.get("pending", 0) == 0


def test_crash_between_stages_loses_nothing(settings: Settings, analyzer: Analyzer, sqlite_db: Database) -> None:
    pipeline = Pipeline(settings, sqlite_db, analyzer=analyzer, deliver=False)
    pipeline.ingest(rumour_posts(), T0 + timedelta(hours=1))
    # the process "dies" before analysis: everything collected is still waiting
    with sqlite_db.transaction() as session:
        assert analysis_queue.count_pending_analysis(session) == 6
    stats = Pipeline(settings, sqlite_db, analyzer=analyzer, deliver=False).process(T0 + timedelta(hours=1), limit=2)
    assert stats.analysed >= 2
    resumed = Pipeline(settings, sqlite_db, analyzer=analyzer, deliver=False).process(T0 + timedelta(hours=1))
    with sqlite_db.transaction() as session:
        assert analysis_queue.count_pending_analysis(session) == 0
    assert stats.analysed + resumed.analysed == 6


def test_timeline_with_bad_input_is_reported_not_fatal(settings: Settings, analyzer: Analyzer, sqlite_db: Database,
                                                       tmp_path: Path) -> None:
    good = [p.to_record() for p in rumour_posts()[:3]]
    reobserved = dict(good[1], observed_at=(T0 + timedelta(hours=1)).isoformat(), metrics={"views": 9000, "likes": -4})
    unknown = dict(good[0], id="never-seen", observed_at=(T0 + timedelta(hours=2)).isoformat())
    future = dict(good[0], id="typo-in-year", published_at=(T0 + timedelta(days=3650)).isoformat(), metrics={})
    lines = [json.dumps(good[2]), "{not json", json.dumps(good[0]), json.dumps(reobserved), json.dumps(unknown),
             json.dumps({"id": "x"}), json.dumps(good[1]), json.dumps(future)]
    path = tmp_path / "timeline.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = TimelineReport()
    events = load_timeline(path, report)
    run_timeline(Pipeline(settings, sqlite_db, analyzer=analyzer, deliver=False), events, report)
    assert report.skipped == 2 and report.out_of_order >= 1 and report.unknown_reobservations == 1
    assert any("отрицательное" in str(p) for p in report.problems)
    assert len(report.clock_jumps) == 1 and report.end is not None and report.end > T0 + timedelta(days=3600)
    with sqlite_db.transaction() as session:
        stored = posts.posts_between(session, T0 - timedelta(days=1), T0 + timedelta(days=1))
        assert len(stored) == 4
        assert next(r for r in stored if r.external_id == "1").views == 9000


def test_two_stories_that_turn_out_to_be_one_are_merged(settings: Settings, analyzer: Analyzer, sqlite_db: Database) -> None:
    first = "В Десногорске закрывают роддом, рожать придётся ездить в Смоленск, об этом сказали в регистратуре"
    second = "Сотрудницы больницы рассказали, что с весны женская консультация переезжает и мест не будет совсем"
    items = [
        Post(id="a", platform="vk", source="demo_gorod", published_at=T0, text=first),
        Post(id="b", platform="ok", source="demo_desnogorsk", published_at=T0 + timedelta(minutes=5), text=second),
        Post(id="c", platform="telegram", source="demo_desna_chat_feed", published_at=T0 + timedelta(minutes=40),
             text=f"Перешлите всем! {first}. {second}"),
    ]
    pipeline = Pipeline(settings, sqlite_db, analyzer=analyzer, deliver=False)
    for index, post in enumerate(items):
        pipeline.ingest([post], post.published_at)
        pipeline.process(post.published_at + timedelta(minutes=1))
        if index == 1:
            with sqlite_db.transaction() as session:
                assert len({r.story_id for r in posts.posts_between(session, T0, T0 + timedelta(hours=1))}) == 2
    with sqlite_db.transaction() as session:
        rows = posts.posts_between(session, T0, T0 + timedelta(hours=1))
        assert len({r.story_id for r in rows}) == 1, "слух, начавшийся дважды, — одна история"
        assert stories.corrections(session, rows[0].story_id)[0].author == "автоматически"
