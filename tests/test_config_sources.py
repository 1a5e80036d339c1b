"""Sources written in the config are read from their URL, resolved the way `mcu sources add` resolves them:
the name is only a label (defect: a vk_wall source queried VK with its name as the screen name)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from config import Settings
from config.schema import SourceSettings
from config.secret import Secret
from mcu.collection import Collection
from storage import Database, posts, sources
from tests.cli_helpers import LOOPBACK_RATES
from tests.fakes.ok import FakeOk
from tests.fakes.telethon_client import FakeTelethonClient
from tests.fakes.tme import FakeTme
from tests.fakes.vk import FakeVk
from tests.test_telegram_collector import with_secrets


def with_api(settings: Settings, name: str, **values: Any) -> Settings:
    """``settings`` pointed at a loopback fake of one API (its requests not spaced: see LOOPBACK_RATES)."""
    section = getattr(settings.api, name).model_copy(update={LOOPBACK_RATES[name]: 1000, **values})
    return settings.model_copy(update={"api": settings.api.model_copy(update={name: section})})


def run_config_source(settings: Settings, db: Database, source: SourceSettings, now: datetime) -> tuple[Any, Any, set[str]]:
    """Collect a config source once: (stats, its registry record, the `source` of every stored post)."""
    runner = Collection(settings.model_copy(update={"sources": [source]}), db)
    try:
        runner.sync(now)
        stats = runner.run(source.name, now)
    finally:
        runner.close()
    with db.transaction() as session:
        record = sources.get_source(session, source.name)
        handles = {row.source for row in posts.posts_between(session, now - timedelta(days=30), now + timedelta(days=1))}
    return stats, record, handles


@pytest.fixture
def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def test_vk_wall_from_config_is_resolved_from_its_url(settings: Settings, db: Database, now: datetime) -> None:
    with FakeVk(now=now) as fake:
        fake.add_wall(-1001, "gorod_demo", "Город (демо)", posts=4, start=now - timedelta(minutes=10), members=27000)
        configured = with_api(settings, "vk", base_url=fake.base_url, token=Secret("env:MCU_VK_TOKEN", fake.token))
        source = SourceSettings(name="Городская группа", kind="vk_wall", url="https://vk.com/gorod_demo")
        stats, record, handles = run_config_source(configured, db, source, now)
        assert stats.error is None and stats.new == 4
        assert handles == {"gorod_demo"}
        assert record.handle == "gorod_demo" and record.external_id == "-1001"
        assert record.title == "Город (демо)" and record.audience == 27000
        assert all(p.get("domain") != "Городская группа" for p in fake.params("wall.get"))
        calls = fake.calls("utils.resolveScreenName")
        again, _, _ = run_config_source(configured, db, source, now + timedelta(minutes=20))
        assert again.error is None and fake.calls("utils.resolveScreenName") == calls, "resolved once, not every run"


def test_vk_wall_from_config_that_does_not_exist_is_marked_closed(settings: Settings, db: Database, now: datetime) -> None:
    with FakeVk(now=now) as fake:
        configured = with_api(settings, "vk", base_url=fake.base_url, token=Secret("env:MCU_VK_TOKEN", fake.token))
        source = SourceSettings(name="Нет такой", kind="vk_wall", url="https://vk.com/no_such_wall")
        stats, record, _ = run_config_source(configured, db, source, now)
        assert stats.error is not None and "не найдено" in stats.error
        assert record.closed_at == now and fake.calls("wall.get") == 0


def test_changed_url_in_config_is_resolved_again(settings: Settings, db: Database, now: datetime) -> None:
    with FakeVk(now=now) as fake:
        fake.add_wall(-1001, "first_demo", posts=1, start=now - timedelta(minutes=10))
        fake.add_wall(-1002, "second_demo", posts=2, start=now - timedelta(minutes=10))
        configured = with_api(settings, "vk", base_url=fake.base_url, token=Secret("env:MCU_VK_TOKEN", fake.token))
        run_config_source(configured, db, SourceSettings(name="группа", kind="vk_wall", url="https://vk.com/first_demo"), now)
        moved = SourceSettings(name="группа", kind="vk_wall", url="https://vk.com/second_demo")
        stats, record, handles = run_config_source(configured, db, moved, now + timedelta(minutes=1))
        assert stats.new == 2 and record.handle == "second_demo" and handles == {"first_demo", "second_demo"}


def test_tme_channel_from_config_is_resolved_from_its_url(settings: Settings, db: Database, now: datetime) -> None:
    with FakeTme(now=now) as fake:
        fake.add_channel("desna_demo", posts=6, title="Десна (демо)", start=now - timedelta(minutes=5))
        configured = with_api(settings, "telegram", preview_base_url=fake.base_url)
        source = SourceSettings(name="Десна — канал", kind="tme", url="https://t.me/desna_demo")
        stats, record, handles = run_config_source(configured, db, source, now)
        assert stats.error is None and stats.new == 6
        assert handles == {"desna_demo"} and record.title == "Десна (демо)"


def test_ok_group_from_config_is_resolved_from_its_url(settings: Settings, db: Database, now: datetime) -> None:
    with FakeOk() as fake:
        fake.add_group("70000001234567", shortname="desna_ok", name="Десногорск ОК", topics=3,
                       newest=now - timedelta(minutes=30), members=5400)
        configured = with_api(settings, "ok", base_url=fake.base_url, application_key=fake.application_key,
                              application_secret=Secret("env:MCU_OK_APP_SECRET", fake.application_secret),
                              access_token=Secret("env:MCU_OK_ACCESS_TOKEN", fake.access_token))
        source = SourceSettings(name="Группа в ОК", kind="ok_group", url="https://ok.ru/group/70000001234567")
        stats, record, handles = run_config_source(configured, db, source, now)
        assert stats.error is None and stats.new >= 3
        assert handles == {"desna_ok"} and record.external_id == "70000001234567" and record.audience == 5400


@pytest.fixture
def telethon(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTelethonClient]:
    client = FakeTelethonClient(now=datetime.now(timezone.utc))
    monkeypatch.setattr("collectors.telegram.client_factory", lambda settings: (lambda: client))
    yield client


def test_telegram_channel_from_config_is_resolved_from_its_url(settings: Settings, db: Database,
                                                                telethon: FakeTelethonClient, now: datetime) -> None:
    telethon.add_channel("desna_tg", posts=3, comments=0, title="Десна TG", start=now - timedelta(minutes=5))
    source = SourceSettings(name="Канал через аккаунт", kind="telegram", url="https://t.me/desna_tg")
    stats, record, handles = run_config_source(with_secrets(settings), db, source, now)
    assert stats.error is None and stats.new == 3
    assert handles == {"desna_tg"} and record.title == "Десна TG" and record.external_id is not None
