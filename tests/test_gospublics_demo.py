"""The bundled official pages of known health (``mcu/data/demo/gospublics.jsonl``): every check gives the verdict
the page was written to earn, the ranking within each kind is the expected one, the problems reach the role once,
and the report files open in Word and Excel."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from sqlalchemy import func, select

from config import Settings
from gospublics import CHECK_TITLES, PageReport
from mcu.gospublics_demo import demo_agenda, load_demo_pages
from mcu.gospublics_run import Gospublics, monitoring, period_of, write_report
from storage import Database, upgrade
from storage.models import GospublicProblemRow, OutboxRow

END = datetime.fromisoformat("2026-01-17T00:00:00+03:00")
Y, N, O = True, False, None  # passed, failed, no data / not required
CODES = list(CHECK_TITLES)
# cadence, silence, last post, working hours, weekends, agenda, engagement, answers, comments, pinned, contacts, design
EXPECTED = {
    "Администрация г. Десногорск (VK)": (Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y),
    "Администрация Десногорска (Telegram)": (Y, Y, Y, Y, Y, Y, Y, O, O, O, O, Y),
    "Администрация Десногорска (ОК)": (N, Y, Y, Y, Y, N, N, N, O, O, O, N),
    "Средняя школа № 1": (Y, Y, Y, Y, O, Y, Y, Y, Y, Y, Y, Y),
    "Средняя школа № 2": (N, N, N, Y, O, N, N, O, Y, O, O, N),
    "Детский сад «Солнышко»": (Y, Y, Y, Y, O, Y, Y, O, N, Y, O, N),
    "Детский сад «Ромашка»": (Y, Y, Y, Y, O, Y, Y, O, O, N, N, Y),
    "ДК «Энергетик»": (Y, Y, Y, N, Y, Y, Y, Y, Y, Y, Y, Y),
    "Городская библиотека": (N, N, N, O, N, N, O, O, O, O, O, N),
    "Спортивная школа «Олимп»": (Y, Y, Y, Y, Y, Y, Y, N, Y, O, O, N),
    "МСЧ-135 (Десногорск)": (Y, Y, Y, Y, O, Y, Y, Y, Y, Y, Y, Y),
}
RANKING = {
    "administration": ["Администрация г. Десногорск (VK)", "Администрация Десногорска (Telegram)",
                       "Администрация Десногорска (ОК)"],
    "school": ["Средняя школа № 1", "Средняя школа № 2"],
    "kindergarten": ["Детский сад «Солнышко»", "Детский сад «Ромашка»"],
    "culture": ["ДК «Энергетик»", "Городская библиотека"],
    "sport": ["Спортивная школа «Олимп»"],
    "health": ["МСЧ-135 (Десногорск)"],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, builtin_settings: Settings
         ) -> Iterator[tuple[Settings, Database, list[PageReport]]]:
    settings = demo_agenda(builtin_settings)
    path = tmp_path_factory.mktemp("gospublics") / "demo.db"
    db = Database.from_url(f"sqlite:///{path}")
    upgrade(db.engine)
    assert load_demo_pages(db) == 13
    reports = Gospublics(settings, db).check(period_of("month", END), END)
    yield settings, db, reports
    db.dispose()


def _by_title(reports: list[PageReport]) -> dict[str, PageReport]:
    return {report.page.title: report for report in reports}


def test_every_check_gives_the_expected_verdict(demo: tuple[Settings, Database, list[PageReport]]) -> None:
    reports = _by_title(demo[2])
    wrong = []
    for title, verdicts in EXPECTED.items():
        got = {check.code: check.ok for check in reports[title].checks}
        for code, expected in zip(CODES, verdicts, strict=True):
            if got[code] is not expected:
                wrong.append(f"{title}: {code} {got[code]} вместо {expected} — {reports[title].check(code).text}")  # type: ignore[union-attr]
    assert not wrong, "\n".join(wrong)


def test_ranking_within_each_kind(demo: tuple[Settings, Database, list[PageReport]]) -> None:
    reports = demo[2]
    for kind, titles in RANKING.items():
        ranked = sorted((r for r in reports if r.page.kind == kind and r.rank is not None), key=lambda r: r.rank or 0)
        assert [r.page.title for r in ranked] == titles, kind
        assert all(r.rank_of == len(titles) for r in ranked)
    scores = [r.score for r in reports if r.score is not None]
    assert all(0 <= s <= 100 for s in scores) and len(scores) == 11


def test_bad_input_gets_a_status_and_loses_nothing(demo: tuple[Settings, Database, list[PageReport]]) -> None:
    reports = _by_title(demo[2])
    deleted = reports["Молодёжный центр"]
    assert deleted.status == "deleted" and deleted.score is None and deleted.rank is None
    assert deleted.recommendations == ("восстановить доступ к странице или исключить её из реестра госпабликов",)
    repeat = reports["СШ № 1 (повторная запись)"]
    assert repeat.status == "duplicate" and "уже записана как «Средняя школа № 1»" in repeat.status_text
    library = reports["Городская библиотека"]
    assert library.status == "ok" and library.status_text == "нет постов за период" and library.score is not None
    renamed = reports["МСЧ-135 (Десногорск)"]
    assert renamed.status_text == "адрес изменился: demo_msch135 → demo_msch"
    assert renamed.figures.posts == 16, "10 posts under the old screen name and 6 under the new one are one page's"
    assert "в ответе API нет полей: homepage_url, phone" in reports["Администрация Десногорска (ОК)"].status_text


def test_recommendations_are_concrete(demo: tuple[Settings, Database, list[PageReport]]) -> None:
    reports = _by_title(demo[2])
    assert reports["Средняя школа № 2"].recommendations[0] == \
        "публиковать не реже 3 раз в неделю: за месяц 4 поста, самый долгий перерыв 13 дней"
    assert "включить комментарии" in reports["Детский сад «Солнышко»"].recommendations
    romashka = " ".join(reports["Детский сад «Ромашка»"].recommendations)
    assert "обновить закреплённый пост: закреплённый пост объявляет событие 25 декабря" in romashka
    assert "на странице 8 (48153) 7-11-11, в реестре +7 (48153) 7-22-33" in romashka
    assert any(a.startswith("публиковать в дневные часы 08:00–20:00") for a in reports["ДК «Энергетик»"].recommendations)


def test_problems_reach_the_role_once(demo: tuple[Settings, Database, list[PageReport]]) -> None:
    settings, db, reports = demo
    service = Gospublics(settings, db)
    told = service.alert(reports, END, [("console", "-")])
    assert len(told) == 7
    codes = {(row.page_id, row.code) for row in _problems(db)}
    assert len(codes) == 7
    assert service.alert(reports, END, [("console", "-")]) == [], "one alert per page and problem until it changes"
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 7
    texts = "\n".join(told)
    for expected in ("«Средняя школа № 2» молчит 10 дней", "«Детский сад «Солнышко»»: комментарии закрыты",
                     "«Спортивная школа «Олимп»»: 14 вопросов жителей без ответа", "отток подписчиков 7",
                     "«Молодёжный центр» недоступен"):
        assert expected in texts


def _problems(db: Database) -> list[GospublicProblemRow]:
    with db.transaction() as session:
        return list(session.scalars(select(GospublicProblemRow)))


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "html"])
def test_reports_open_in_word_and_excel(demo: tuple[Settings, Database, list[PageReport]], tmp_path: Path,
                                        fmt: str) -> None:
    settings, _, reports = demo
    data = monitoring(settings, reports, period_of("month", END), END)
    path = write_report(settings, data, fmt, tmp_path / f"report.{fmt}")
    if fmt == "docx":
        document = Document(io.BytesIO(path.read_bytes()))
        text = "\n".join(p.text for p in document.paragraphs)
        assert "Мониторинг госпабликов: Десногорск" in text and "Рекомендации:" in text
        assert len(document.tables) >= 4 and len(document.inline_shapes) == 3
        assert document.tables[0].rows[1].cells[2].text == "Администрация г. Десногорск (VK)"
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["Рейтинг", "Проверки", "Подробно", "Рекомендации", "Вопросы без ответа", "Состояние"]
        ranking = book["Рейтинг"]
        assert ranking.auto_filter.ref and ranking.freeze_panes == "A2"
        assert ranking.cell(2, 3).value == "Администрация г. Десногорск (VK)"
        assert isinstance(ranking.cell(2, 6).value, (int, float)) and ranking.max_row == 12
        assert book["Состояние"].max_row == 14
    else:
        text = path.read_text(encoding="utf-8")
        assert text.count("data:image/png;base64,") == 3 and "Вопросы жителей без ответа" in text
        assert "<script" not in text


def test_export_records(demo: tuple[Settings, Database, list[PageReport]]) -> None:
    record = json.loads(json.dumps(_by_title(demo[2])["Средняя школа № 2"].to_record(), ensure_ascii=False))
    assert list(record) == ["page", "platform", "body", "kind", "followers", "posts", "posts_per_week",
                            "max_silence_days", "days_since_last_post", "federal_regional_share", "engagement_rate",
                            "comments_open", "questions", "answered_share", "median_minutes_to_answer", "checks",
                            "score", "rank", "recommendations"]  # exactly the fields of issue 15, in its order
    assert record["posts"] == 4 and record["rank"] == 2 and record["comments_open"] is True
    assert {"code", "ok", "value", "limit", "text"} == set(record["checks"][0])


def test_monthly_report_covers_the_previous_calendar_month(demo: tuple[Settings, Database, list[PageReport]],
                                                           tmp_path: Path) -> None:
    from mcu.gospublics_run import monthly_report, previous_month

    settings, db, _ = demo
    tz = settings.town.tz
    january = previous_month(datetime.fromisoformat("2026-02-01T09:30:00+03:00"), tz)
    assert (january.start.isoformat(), january.end.isoformat()) == ("2026-01-01T00:00:00+03:00",
                                                                     "2026-02-01T00:00:00+03:00")
    december = previous_month(datetime.fromisoformat("2026-01-01T09:30:00+03:00"), tz)
    assert december.start.isoformat() == "2025-12-01T00:00:00+03:00"
    local = settings.model_copy(update={"digest": settings.digest.model_copy(update={"out_dir": str(tmp_path)})})
    paths = monthly_report(local, db, datetime.fromisoformat("2026-02-01T09:30:00+03:00"))
    assert [p.name for p in paths] == ["gospublics-2026-02-01.docx", "gospublics-2026-02-01.xlsx",
                                       "gospublics-2026-02-01.html"]
    assert "с 1 января 2026 г. по 1 февраля 2026 г." in "\n".join(
        p.text for p in Document(io.BytesIO(paths[0].read_bytes())).paragraphs)


def test_weekly_digest_has_a_section_on_the_pages(demo: tuple[Settings, Database, list[PageReport]]) -> None:
    from mcu.digests import build_digest, gospublics_for_digest, render, with_gospublics

    settings, db, _ = demo
    data = with_gospublics(build_digest(db, settings, "week", END), settings,
                           gospublics_for_digest(db, settings, "week", END))
    assert len(data.gospublics) == 13
    school2 = next(line for line in data.gospublics if line.title == "Средняя школа № 2")
    assert school2.place == "2 из 2" and "Частота публикаций" in school2.failed
    markdown = render(data, settings, "md", []).decode("utf-8")
    assert "## Госпаблики" in markdown and "| [Средняя школа № 2](https://vk.com/demo_school2) |" in markdown
    assert "Госпаблики" in openpyxl.load_workbook(io.BytesIO(render(data, settings, "xlsx"))).sheetnames
    document = Document(io.BytesIO(render(data, settings, "docx", [])))
    assert any(p.text.endswith(". Госпаблики") for p in document.paragraphs)
    assert 'id="gospublics"' in render(data, settings, "html", []).decode("utf-8")
    empty = build_digest(db, settings, "week", END)
    assert "Госпаблики" not in render(empty, settings, "md", []).decode("utf-8")


def test_same_verdicts_on_postgresql(db: Database, builtin_settings: Settings,
                                     demo: tuple[Settings, Database, list[PageReport]]) -> None:
    """The registry, snapshots, marks and queries behave the same on both databases."""
    load_demo_pages(db)
    reports = Gospublics(demo_agenda(builtin_settings), db).check(period_of("month", END), END)
    assert [(r.page.key, r.score, r.rank, r.status) for r in reports] == \
        [(r.page.key, r.score, r.rank, r.status) for r in demo[2]]


def test_purge_clears_residents_quotes_in_problems(sqlite_db: Database, builtin_settings: Settings) -> None:
    from storage.retention import PURGED_TEXT, purge

    load_demo_pages(sqlite_db)
    service = Gospublics(demo_agenda(builtin_settings), sqlite_db)
    service.alert(service.check(period_of("month", END), END), END, [])
    assert any("Почему" in row.text or "?" in row.text for row in _problems(sqlite_db))
    with sqlite_db.transaction() as session:
        purge(session, END + timedelta(days=1))
    texts = [row.text for row in _problems(sqlite_db)]
    assert len(texts) == 7 and set(texts) == {PURGED_TEXT}
