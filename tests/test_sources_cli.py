"""Sources as an analyst handles them, end to end through `mcu` and the loopback fakes:
add by URL, collect, see health and quotas in `status`, disable; a wall that closes; a channel and a site."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.cli_helpers import mcu, write_config
from tests.fakes.tme import FakeTme
from tests.fakes.vk import FakeVk
from tests.fakes.web import FakeSite


def _run(config: Path, tmp_path: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return mcu("--config", str(config), *args, cwd=tmp_path, env=env)


def test_vk_community_added_collected_watched_and_disabled(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    with FakeVk(now=now) as fake:
        fake.add_wall(-1001, "gorod_demo", "Город (демо)", posts=30, comments=3, step=timedelta(minutes=30),
                      start=now - timedelta(minutes=10), members=27000)
        config = write_config(tmp_path, sources=[],
                              api={"vk": {"base_url": fake.base_url, "token": {"env": "MCU_VK_TOKEN"}}})
        env = {"MCU_VK_TOKEN": fake.token}
        assert _run(config, tmp_path, "init").returncode == 0

        added = _run(config, tmp_path, "sources", "add", "https://vk.com/gorod_demo", env=env)
        assert added.returncode == 0, added.stderr
        assert "Добавлен источник vk_wall:gorod_demo: Город (демо)" in added.stdout and "27000" in added.stdout
        again = _run(config, tmp_path, "sources", "add", "vk.com/gorod_demo", "--name", "другое", env=env)
        assert again.returncode == 1 and "уже добавлен под именем 'vk_wall:gorod_demo'" in again.stderr

        first = _run(config, tmp_path, "collect", "--once", env=env)
        assert first.returncode == 0, first.stderr
        assert re.search(r"vk_wall:gorod_demo: записей 120, новых 120", first.stdout), first.stdout
        second = _run(config, tmp_path, "collect", "--once", env=env)
        assert "записей 0, новых 0" in second.stdout

        status = _run(config, tmp_path, "status", env=env)
        assert status.returncode == 0, status.stderr
        assert "vk_wall:gorod_demo" in status.stdout and "работает" in status.stdout
        assert re.search(r"vk\s+│\s+wall\.get\s+│\s+\d+\s+│\s+5000", status.stdout), status.stdout
        assert fake.token not in status.stdout

        no_token = _run(config, tmp_path, "collect", "--once")
        assert no_token.returncode == 0 and "пропущен — не настроен" in no_token.stdout and "MCU_VK_TOKEN" in no_token.stdout

        assert _run(config, tmp_path, "sources", "disable", "vk_wall:gorod_demo").returncode == 0
        listing = _run(config, tmp_path, "sources")
        assert "отключён" in listing.stdout
        nothing = _run(config, tmp_path, "collect", "--once", env=env)
        assert nothing.returncode == 1 and "нет включённых источников" in nothing.stderr


def test_a_wall_that_closes_is_marked_and_the_others_go_on(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    with FakeVk(now=now) as fake:
        fake.add_wall(-1001, "first_demo", posts=5, start=now - timedelta(minutes=10))
        fake.add_wall(-1002, "second_demo", posts=5, start=now - timedelta(minutes=10))
        config = write_config(tmp_path, sources=[],
                              api={"vk": {"base_url": fake.base_url, "token": {"env": "MCU_VK_TOKEN"}}})
        env = {"MCU_VK_TOKEN": fake.token}
        assert _run(config, tmp_path, "init").returncode == 0
        for name in ("first_demo", "second_demo"):
            assert _run(config, tmp_path, "sources", "add", f"https://vk.com/{name}", env=env).returncode == 0
        fake.walls[-1001].wall_error = 15
        result = _run(config, tmp_path, "collect", "--once", env=env)
        assert result.returncode == 1 and "vk_wall:first_demo" in result.stderr
        assert "vk_wall:second_demo: записей 5" in result.stdout
        status = _run(config, tmp_path, "status")
        assert "закрыт" in status.stdout
        calls = fake.calls("wall.get")
        later = _run(config, tmp_path, "collect", "--once", env=env)
        # Closed sources wait for a person, and every run says so instead of leaving them out.
        assert later.returncode == 0 and "vk_wall:first_demo: пропущен — закрыт" in later.stdout, later.stdout
        assert fake.calls("wall.get") == calls + 1  # only the open wall was read


def test_telegram_channel_without_an_account(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    with FakeTme(now=now) as fake:
        fake.add_channel("desna_demo", posts=25, title="Десна (демо)", start=now - timedelta(minutes=5))
        config = write_config(tmp_path, sources=[], api={"telegram": {"preview_base_url": fake.base_url}})
        assert _run(config, tmp_path, "init").returncode == 0
        added = _run(config, tmp_path, "sources", "add", "https://t.me/desna_demo")
        assert added.returncode == 0, added.stderr
        assert "Добавлен источник tme:desna_demo: Десна (демо)" in added.stdout
        collected = _run(config, tmp_path, "collect", "--once")
        assert collected.returncode == 0, collected.stderr
        assert re.search(r"tme:desna_demo: записей 25", collected.stdout), collected.stdout
        missing = _run(config, tmp_path, "sources", "add", "https://t.me/no_such_channel")
        assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_news_site_from_config(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    with FakeSite(8, feed="rss", newest=now - timedelta(hours=1), step=timedelta(hours=3)) as site:
        config = write_config(tmp_path, sources=[{"name": "газета", "kind": "site", "url": site.front_url}])
        assert _run(config, tmp_path, "init").returncode == 0
        collected = _run(config, tmp_path, "collect", "--once")
        assert collected.returncode == 0, collected.stderr
        assert re.search(r"газета: записей 8, новых 8", collected.stdout), collected.stdout
        exported = _run(config, tmp_path, "export", "posts")
        assert exported.returncode == 0 and exported.stdout.count('"platform": "web"') == 8
