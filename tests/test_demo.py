"""`mcu demo` end to end, as a newcomer runs it: alerts on screen, a digest file, the right stories flagged."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import Database
from storage.models import AlertRow, PostRow, StoryRow
from tests.cli_helpers import mcu

OTHER_TOWNS = {"demo_roslavl", "demo_smolensk_news"}
RUMOUR_FIRST = ("telegram", "demo_desna_chat_feed", "telegram-demo_desna_chat_feed-11894")
HEATING_FIRST = ("telegram", "demo_desna_chat_feed", "telegram-demo_desna_chat_feed-11881")
PLAYGROUND_FIRST = ("vk", "demo_gorod", "vk-demo_gorod-48226")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    workdir = tmp_path_factory.mktemp("demo")
    result = mcu("demo", "--dir", str(workdir / "out"), cwd=workdir, timeout=300, separate=True)  # end to end
    assert result.returncode == 0, result.stderr
    return workdir / "out", result.stdout


def _story_of(db: Database, key: tuple[str, str, str]) -> StoryRow | None:
    with db.transaction() as session:
        post = session.scalar(select(PostRow).where(PostRow.platform == key[0], PostRow.source == key[1], PostRow.external_id == key[2]))
        assert post is not None, key
        return session.get(StoryRow, post.story_id) if post.story_id else None


def test_demo_prints_alerts_and_where_things_are(demo: tuple[Path, str]) -> None:
    out, stdout = demo
    assert "Информационный риск" in stdout and "Почему:" in stdout
    assert str(out / "mcu.db") in stdout
    for fmt in ("md", "html", "docx", "xlsx"):
        assert str(out / f"digest-week.{fmt}") in stdout and (out / f"digest-week.{fmt}").stat().st_size > 0
    assert "Историй по пиковому уровню" in stdout


def test_demo_digest_is_readable(demo: tuple[Path, str]) -> None:
    out, _ = demo
    text = (out / "digest-week.md").read_text(encoding="utf-8")
    assert text.startswith("# Справка об информационных рисках: Десногорск, за неделю")
    for heading in ("## Коротко", "## Главные истории", "## Темы", "## Тональность", "## Жалобы и вопросы без ответа"):
        assert heading in text
    assert "АЭС и радиационная безопасность" in text and "https://" in text


def test_demo_flags_the_serious_stories_and_spares_the_rest(demo: tuple[Path, str]) -> None:
    out, _ = demo
    db = Database.from_url(f"sqlite:///{out / 'mcu.db'}")
    try:
        rumour = _story_of(db, RUMOUR_FIRST)
        heating = _story_of(db, HEATING_FIRST)
        playground = _story_of(db, PLAYGROUND_FIRST)
        assert rumour is not None and rumour.peak_level in {"high", "critical"}
        assert heating is not None and heating.peak_level in {"medium", "high", "critical"}
        assert playground is None or playground.peak_level == "low"
        with db.transaction() as session:
            alerts = list(session.scalars(select(AlertRow).order_by(AlertRow.at, AlertRow.id)))
            by_story: dict[int, list[AlertRow]] = {}
            for alert in alerts:
                by_story.setdefault(alert.story_id, []).append(alert)
            for story_id, story_alerts in by_story.items():
                assert [a.is_update for a in story_alerts] == [False] + [True] * (len(story_alerts) - 1)
                sources = set(session.scalars(select(PostRow.source).where(PostRow.story_id == story_id)))
                assert not sources <= OTHER_TOWNS, f"история другого города дала оповещение: {story_id}"
            first_rumour = by_story[rumour.id][0].at
            started = datetime(2026, 1, 13, 22, 34, tzinfo=timezone.utc)
            assert (first_rumour - started).total_seconds() <= 3600, "слух об АЭС должен дать оповещение в первый час"
            # Nine serious stories: the heating, the plant rumour and its night (people leaving, the silent
            # administration, iodine sold out), an entrance answered rudely, the waste, the МСЧ's recurring problem
            # and the open letter. The other ~120 stay low.
            assert len(by_story) <= 9, "демо не должно тонуть в оповещениях"
    finally:
        db.dispose()
