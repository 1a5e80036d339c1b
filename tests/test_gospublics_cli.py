"""`mcu gospublics` as an analyst uses it, in process, against the fake VK and OK: add by URL, import a table with
a repeat and a bad row, list, collect facts, check a period, the report and the JSON Lines export; a page that
changes its screen name and one that gets closed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest

from mcu.cli import main
from tests.cli_helpers import LOOPBACK_RATES, write_config
from tests.fakes.ok import FakeOk
from tests.fakes.vk import FakeVk

if TYPE_CHECKING:
    from collectors.source import SourceInfo
    from config import Settings


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_registry_facts_checks_report_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(timezone.utc)
    with FakeVk(now=now) as vk, FakeOk() as ok:
        vk.add_wall(-501, "desn_school1", "МБОУ «СШ № 1»", posts=20, step=timedelta(days=1, hours=3), members=1450,
                    contacts=[{"user_id": 1, "desc": "Приёмная", "phone": "+7 (48153) 3-10-01"}], cover=True,
                    site="https://school1.example.ru", verified=1, start=now - timedelta(hours=5))
        vk.add_post(-501, "Контакты: +7 (48153) 3-10-01", date=now - timedelta(days=100), is_pinned=True)
        quiet = vk.add_wall(-502, "desn_school2", "МБОУ «СШ № 2»", posts=3, step=timedelta(days=9),
                            start=now - timedelta(days=8), members=980)
        ok.add_group("70000000900007", name="Детский сад «Ромашка»", topics=12, step=timedelta(days=2),
                     newest=now - timedelta(hours=3), members=410)
        config = write_config(tmp_path, sources=[], api={
            "vk": {"base_url": vk.base_url, "token": {"env": "MCU_VK_TOKEN"}},
            "ok": {"base_url": ok.base_url, "application_key": ok.application_key,
                   "application_secret": {"env": "MCU_OK_APP_SECRET"}, "access_token": {"env": "MCU_OK_ACCESS_TOKEN"}},
        })
        monkeypatch.setenv("MCU_VK_TOKEN", vk.token)
        monkeypatch.setenv("MCU_OK_APP_SECRET", ok.application_secret)
        monkeypatch.setenv("MCU_OK_ACCESS_TOKEN", ok.access_token)
        base = ("--config", str(config))
        assert run(capsys, *base, "init")[0] == 0

        code, out, err = run(capsys, *base, "gospublics", "add", "https://vk.com/desn_school1", "--body", "education",
                             "--kind", "school", "--name", "Средняя школа № 1", "--phone", "7-22-33")
        assert code == 0, err
        assert "Добавлен госпаблик vk:-501: Средняя школа № 1 (https://vk.com/desn_school1)" in out
        code, _, err = run(capsys, *base, "gospublics", "add", "vk.com/desn_school1", "--body", "education",
                           "--kind", "school")
        assert code == 1 and "уже в реестре: Средняя школа № 1 (vk:-501)" in err
        code, _, err = run(capsys, *base, "gospublics", "add", "https://vk.com/desn_school1", "--body", "x",
                           "--kind", "zoo")
        assert code == 1 and "неизвестный вид 'zoo'" in err
        code, _, err = run(capsys, *base, "gospublics", "add", "https://example.ru", "--body", "education",
                           "--kind", "school")
        assert code == 1 and "а не сайт" in err
        code, _, err = run(capsys, *base, "gospublics", "add", "https://vk.com/desn_school3", "--body", "x",
                           "--kind", "school")
        assert code == 1 and "неизвестный орган 'x'" in err

        table = tmp_path / "pages.csv"
        table.write_text("url;body;kind;name\n"
                         "https://vk.com/desn_school2;education;school;Средняя школа № 2\n"
                         "https://ok.ru/group/70000000900007;education;kindergarten;Детский сад «Ромашка»\n"
                         "https://vk.com/desn_school1;education;school;СШ № 1 ещё раз\n"
                         "https://vk.com/no_such_page;education;school;Нет такой\n"
                         "https://vk.com/x;education;zoo;Зоопарк\n", encoding="utf-8")
        code, out, err = run(capsys, *base, "gospublics", "import", str(table))
        assert code == 0, err
        assert "Добавлено страниц: 2, повторов: 1, пропущено строк: 2" in out
        assert "строка 4: https://vk.com/desn_school1 уже в реестре как «Средняя школа № 1»" in err
        assert "строка 5:" in err and "не найдено" in err and "строка 6: неизвестный вид 'zoo'" in err

        code, out, err = run(capsys, *base, "gospublics", "collect")
        assert code == 0, err
        assert "vk:-501: ok" in out and "ok:70000000900007: ok" in out

        quiet.screen_name = "desn_school2_new"  # the school renames its community
        code, out, err = run(capsys, *base, "gospublics", "collect")
        assert code == 0, err

        code, out, err = run(capsys, *base, "gospublics")
        assert code == 0, err
        assert "Средняя школа № 2" in out and "адрес сменился" in out and "desn_school2_new" in out
        assert "повтор в реестре" in out and "1450" in out

        code, out, err = run(capsys, *base, "gospublics", "check", "--period", "month", "--details")
        assert code == 0, err
        assert "Госпаблики: рейтинг внутри видов" in out and "1 из 2" in out
        assert "контакты устарели: телефон на странице +7 (48153) 3-10-01, в реестре 7-22-33" in out
        assert "→ публиковать не реже 3 раз в неделю: за месяц 3 поста" in out

        report = tmp_path / "month.xlsx"
        code, out, err = run(capsys, *base, "gospublics", "report", "--format", "xlsx", "-o", str(report))
        assert code == 0 and f"Отчёт записан: {report}" in out, err
        assert openpyxl.load_workbook(report)["Рейтинг"].max_row == 4

        code, out, err = run(capsys, *base, "export", "gospublics", "--period", "week")
        assert code == 0, err
        records = [json.loads(line) for line in out.splitlines()]
        # «СШ № 1 ещё раз» repeats a page already listed: one record per page, the report names the repeat
        assert {r["page"] for r in records} == {"Средняя школа № 1", "Средняя школа № 2", "Детский сад «Ромашка»"}
        school1 = next(r for r in records if r["page"] == "Средняя школа № 1")
        assert school1["platform"] == "vk" and school1["body"] == "education" and school1["followers"] == 1450
        assert school1["rank"] == 1 and school1["posts"] >= 5 and school1["checks"][0]["code"] == "cadence"
        assert "Выгружено записей: 3" in err

        vk.walls[-502].wall_error = 15  # the community closes its wall
        code, out, _ = run(capsys, *base, "gospublics", "collect")
        assert "vk:-502: closed" in out
        code, out, _ = run(capsys, *base, "gospublics", "check")
        assert "закрыта на платформе" in out and "Средняя школа № 1" in out

        code, out, _ = run(capsys, *base, "gospublics", "remove", "vk:-502")
        assert code == 0 and "исключён из реестра" in out
        code, _, err = run(capsys, *base, "gospublics", "remove", "vk:-502")
        assert code == 1 and "нет в реестре" in err


def test_missing_token_is_a_page_status_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(timezone.utc)
    with FakeVk(now=now) as vk:
        vk.add_wall(-601, "desn_lib", "Библиотека", posts=5)
        config = write_config(tmp_path, sources=[], api={"vk": {"base_url": vk.base_url,
                                                                 "token": {"env": "MCU_VK_TOKEN"}}})
        base = ("--config", str(config))
        assert run(capsys, *base, "init")[0] == 0
        monkeypatch.setenv("MCU_VK_TOKEN", vk.token)
        assert run(capsys, *base, "gospublics", "add", "https://vk.com/desn_lib", "--body", "culture",
                   "--kind", "culture")[0] == 0
        monkeypatch.delenv("MCU_VK_TOKEN")
        code, out, _ = run(capsys, *base, "gospublics", "collect")
        assert code == 0 and "vk:-601: error" in out and "не настроен" in out
        code, out, _ = run(capsys, *base, "gospublics", "check")
        assert code == 0 and "не удалось проверить" not in out and "последний сбор не удался" in out


def test_telegram_channels_through_the_preview_and_the_account(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               settings: "Settings") -> None:
    from collectors.budget import Budget
    from collectors.telegram.page import TelethonPageReader
    from collectors.telegram.session import TelethonSession
    from gospublics.registry import PageEntry
    from mcu.gospublics_run import Gospublics, period_of
    from storage import Database, upgrade
    from tests.fakes.telethon_client import FakeTelethonClient
    from tests.fakes.tme import FakeTme

    now = datetime.now(timezone.utc)
    client = FakeTelethonClient(now=now)
    client.add_channel("desn_culture", 40, title="Управление культуры", step=timedelta(hours=20),
                       about="Телефон: +7 (48153) 7-00-01, сайт https://culture.example.ru", photo=True)
    with FakeTme(now=now) as tme:
        tme.add_channel("desn_adm", 30, title="Администрация", step=timedelta(days=1))
        tme.add_channel("desn_lib", 2, title="Библиотека", step=timedelta(days=20))
        preview = settings.api.telegram.model_copy(update={"preview_base_url": tme.base_url,
                                                           LOOPBACK_RATES["telegram"]: 1000})
        configured = settings.model_copy(update={"api": settings.api.model_copy(update={"telegram": preview})})
        db = Database.from_url(f"sqlite:///{tmp_path / 'tg.db'}")
        upgrade(db.engine)
        session = TelethonSession(lambda: client, Budget(rates={}), timeout=10)
        telethon = TelethonPageReader(session, clock=lambda: now)

        def resolve(kind: str, url: str) -> "SourceInfo":
            if kind == "telegram":
                from collectors.source import SourceInfo

                info = session.channel(url.rsplit("/", 1)[-1], full=True)
                return SourceInfo("telegram", info.username or "", str(info.id), info.title, url, info.audience)
            from collectors.factory import build_resolver

            resolver = build_resolver(kind, configured, Budget(rates={}))
            try:
                return resolver.resolve(url)
            finally:
                resolver.close()  # type: ignore[attr-defined]

        service = Gospublics(configured, db, readers={"telegram": telethon}, resolve=resolve)
        try:
            service.add(PageEntry("https://t.me/desn_adm", "admin", "administration"), now)
            service.add(PageEntry("https://t.me/desn_lib", "culture", "culture"), now)
            service.add(PageEntry("https://t.me/desn_culture", "culture", "culture", via="telegram"), now)
            outcomes = {o.page: o for o in service.collect(now)}
            reports = {r.page.handle: r for r in service.check(period_of("month", now), now)}
        finally:
            service.close()
            db.dispose()
    assert {o.status for o in outcomes.values()} == {"ok"}
    adm, lib, culture = reports["desn_adm"], reports["desn_lib"], reports["desn_culture"]
    assert adm.figures.posts == 30 and adm.check("cadence").ok and adm.check("comments_open").ok is None  # type: ignore[union-attr]
    assert lib.check("cadence").ok is False and lib.check("silence").ok is False  # type: ignore[union-attr]
    assert culture.figures.followers == 12_400 and culture.check("comments_open").ok is True  # type: ignore[union-attr]
    design = culture.check("design")
    assert design is not None and design.details == {"absent": ["pinned_contacts"], "unknown": ["cover", "state_mark"]}
    assert design.value == 4, "avatar, description, contacts and the site link come from the channel's card"
    assert culture.page.key.startswith("telegram:") and culture.page.key[9:].isdigit()  # the channel's id


def test_pages_listed_in_config_are_registered_once(tmp_path: Path, settings: "Settings") -> None:
    from collectors.source import SourceInfo
    from config.gospublics import ConfiguredPage
    from config.errors import SourceClosed
    from mcu.gospublics_run import Gospublics
    from storage import Database, gospublics as store, upgrade

    calls: list[str] = []

    def resolve(kind: str, url: str) -> SourceInfo:
        calls.append(url)
        handle = url.rsplit("/", 1)[-1]
        if handle == "gone":
            raise SourceClosed("VK: сообщество или страница «gone» не найдено", "not_found")
        return SourceInfo("vk_wall", "school1", "-501", "МБОУ «СШ № 1»", "https://vk.com/school1", 1450)

    pages = [ConfiguredPage(url="vk.com/school1", body="education", kind="school"),
             ConfiguredPage(url="https://vk.com/club501", body="education", kind="school", name="СШ № 1 ещё раз"),
             ConfiguredPage(url="https://vk.com/gone", body="education", kind="school")]
    configured = settings.model_copy(update={"gospublics": settings.gospublics.model_copy(update={"pages": pages})})
    db = Database.from_url(f"sqlite:///{tmp_path / 'c.db'}")
    upgrade(db.engine)
    service = Gospublics(configured, db, resolve=resolve)
    now = datetime.now(timezone.utc)
    try:
        first = service.sync_config(now)
        second = service.sync_config(now)
        with db.transaction() as session:
            keys = [page.key for page in store.list_pages(session)]
    finally:
        db.dispose()
    assert keys == ["vk:-501", "vk:-501#2"]
    assert any("gospublics.pages.1: https://vk.com/school1 повторяет страницу «МБОУ «СШ № 1»»" in p for p in first)
    assert any("gospublics.pages.2 (https://vk.com/gone)" in p and "не найдено" in p for p in first)
    assert [p for p in second if "повторяет" in p] == [], "a second sync adds nothing"
    assert calls.count("https://vk.com/school1") == 1, "a registered address is not resolved again"
