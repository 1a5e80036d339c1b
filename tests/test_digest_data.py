"""Digest numbers counted in a real store (SQLite and PostgreSQL), and the digest sent to Telegram as files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from collectors.budget import Usage
from config import Secret, Settings
from mcu.digests import build_digest, send_digest, summary, write_digest
from mcu.pipeline import Pipeline
from nlp import Analyzer
from storage import Database, alert_state, sources, usage
from tests.alert_helpers import T0, rumour_posts
from tests.digest_sample import sample_digest
from tests.fakes.telegram import FakeBotApi

END = T0 + timedelta(days=1)


@pytest.fixture()
def filled(settings: Settings, analyzer: Analyzer, db: Database) -> Database:
    """A night rumour that alerted and was taken up, a failing source and a spent quota."""
    pipeline = Pipeline(settings, db, analyzer=analyzer, deliver=False)
    for i, post in enumerate(rumour_posts()):
        pipeline.ingest([post], post.published_at)
        pipeline.process(post.published_at + timedelta(minutes=1))
    with db.transaction() as session:
        assert pipeline.alerting.act(session, 1, "taken", "Ольга", T0 + timedelta(minutes=50))
        good = sources.ensure_source(session, "vk_wall:desnogorsk", "vk_wall")
        sources.record_success(session, good.id, T0, 10, 0)
        sources.record_failure(session, "vk_wall:closed_group", "vk_wall", T0 + timedelta(hours=2), "VK: доступ закрыт (15)")
        usage.save_usage(session, [Usage("vk", "newsfeed.search", "2026-01-14", 1000, 1000, T0 + timedelta(hours=20))])
    return db


def test_digest_counts_what_the_store_holds(settings: Settings, filled: Database) -> None:
    data = build_digest(filled, settings, "day", END)
    assert (data.posts, data.posts_previous) == (6, 0)
    assert data.relevant == 6 and sum(v.count for v in data.topics) == 6 and sum(v.count for v in data.sentiment) == 6
    assert [v.key for v in data.sentiment] == ["negative", "neutral", "positive"]
    assert data.stories and data.stories[0].story.topic == "npp" and data.stories[0].status == "new"
    assert data.stories[0].story.assessment.level in {"high", "critical"}, "в сводке — пиковый уровень истории"
    assert data.stories[0].excerpts and data.stories[0].excerpts[0][1].startswith("https://example.test/")
    assert data.new_stories == 1 and data.continuing_stories == 0
    assert data.alerts.first == 1 and data.alerts.sent >= 1 and data.alerts.taken == 1
    assert data.alerts.median_minutes_to_take is not None and data.alerts.median_minutes_to_take > 0
    assert data.coverage.sources == 2 and data.coverage.sources_ok == 1
    assert [t.name for t in data.coverage.failing] == ["vk_wall:closed_group"]
    assert [t.name for t in data.coverage.quota] == ["vk newsfeed.search"]
    assert sum(sum(d.topics.values()) for d in data.days) == 6 and len(data.days) == 2  # 04:30 to 04:30 in town
    # a week later the same story is over, and the next week's digest compares with this one
    later = build_digest(filled, settings, "day", END + timedelta(days=1))
    assert later.posts == 0 and later.posts_previous == 6 and later.stories == ()


def test_custom_period_and_recurring_problems(settings: Settings, filled: Database) -> None:
    data = build_digest(filled, settings, "week", END, start=T0 - timedelta(hours=1))
    assert data.period == "custom" and data.start == T0 - timedelta(hours=1) and data.posts == 6
    with filled.transaction() as session:
        assert alert_state.state(session, 1) is not None


def test_every_format_is_written(settings: Settings, tmp_path: Path) -> None:
    data = sample_digest()
    for fmt, magic in (("md", b"# "), ("html", b"<!DOCTYPE"), ("docx", b"PK"), ("xlsx", b"PK")):
        path = write_digest(data, settings, tmp_path / f"digest.{fmt}")
        assert path.read_bytes().lstrip().startswith(magic), fmt


def test_digest_goes_to_telegram_as_photo_and_document(settings: Settings, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from alerts import BotClient

    data = sample_digest()
    files = [write_digest(data, settings, tmp_path / "digest.docx"), write_digest(data, settings, tmp_path / "digest.html")]
    roles = dict(settings.roles)
    roles["deputy"] = roles["deputy"].model_copy(update={"telegram_chats": [111]})
    configured = settings.model_copy(update={"roles": roles})
    with FakeBotApi() as fake:
        client = BotClient(fake.base_url, Secret("test", fake.token))
        fake.script_for("sendDocument", {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                         "parameters": {"retry_after": 1}})
        assert send_digest(configured, data, files, client) == 1
        uploads = fake.files()
        photos = [f for f in uploads if f["method"] == "sendPhoto"]
        documents = [f for f in uploads if f["method"] == "sendDocument"]
        assert len(photos) == 1 and photos[0]["data"].startswith(b"\x89PNG")
        assert photos[0]["caption"] == summary(data, configured) and len(photos[0]["caption"]) <= 1024
        assert "Справка об информационных рисках: Десногорск, за неделю" in photos[0]["caption"]
        statuses = [r["status"] for r in fake.requests if r["method"] == "sendDocument"]
        assert statuses == [429, 200, 200], "после 429 — повтор, и каждый файл один раз"
        assert [d["file_name"] for d in documents] == ["digest.docx", "digest.docx", "digest.html"]
        assert all(str(d["chat_id"]) == "111" for d in uploads)
        client.close()


def test_sending_without_recipients_is_explained(settings: Settings, tmp_path: Path) -> None:
    from alerts import BotClient
    from config import InputError

    with pytest.raises(InputError, match="некому отправлять"):
        send_digest(settings, sample_digest(), [], BotClient("http://127.0.0.1:9", Secret("t", "1:x")))
