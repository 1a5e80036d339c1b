"""`mcu export gospublics` as a script uses it, in process, on the bundled pages of known health: one record per page
with exactly the fields of the issue, as JSON Lines, CSV and XLSX with the same columns; a week and a month; one
body's pages; and clear errors for an unknown period or body, a reversed period and an empty registry."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from gospublics import EXPORT_FIELDS
from mcu.gospublics_demo import load_demo_pages
from storage import Database
from tests.cli_helpers import mcu_here, write_config

MONTH = ["--period", "month", "--to", "2026-01-17"]
PAGES = 12  # the demo's thirteen registry entries, one of them a repeat of a page already listed


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("gospublics_export")
    path = write_config(directory)
    from mcu.cli import main

    assert main(["--config", str(path), "init"]) == 0
    db = Database.from_url(f"sqlite:///{directory / 'mcu.db'}")
    try:
        assert load_demo_pages(db) == 13
    finally:
        db.dispose()
    return path


def export(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return mcu_here("--config", str(config), "export", "gospublics", *args, capsys=capsys)


def test_json_lines_one_record_per_page_with_exactly_the_fields(config: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = export(config, capsys, *MONTH)
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == PAGES and f"Выгружено записей: {PAGES}" in err
    assert all(list(record) == list(EXPORT_FIELDS) for record in records)
    assert len({(r["page"], r["platform"]) for r in records}) == PAGES
    admin = next(r for r in records if r["page"] == "Администрация г. Десногорск (VK)")
    assert (admin["platform"], admin["body"], admin["kind"], admin["rank"]) == ("vk", "admin", "administration", 1)
    assert admin["questions"] == 17 and admin["answered_share"] == 1.0 and admin["median_minutes_to_answer"] > 0
    assert {check["code"] for check in admin["checks"]} >= {"cadence", "answers", "design"}
    assert all(set(check) == {"code", "ok", "value", "limit", "text"} for check in admin["checks"])
    olimp = next(r for r in records if r["page"] == "Спортивная школа «Олимп»")
    assert olimp["answered_share"] < 0.5 and any(a.startswith("отвечать жителям") for a in olimp["recommendations"])
    library = next(r for r in records if r["page"] == "Городская библиотека")
    assert library["questions"] == 0 and library["answered_share"] is None


def test_csv_and_xlsx_have_the_same_columns(config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = export(config, capsys, *MONTH)
    assert code == 0
    by_page = {r["page"]: r for r in map(json.loads, out.splitlines())}

    table = tmp_path / "pages.csv"
    code, _, err = export(config, capsys, *MONTH, "--format", "csv", "-o", str(table))
    assert code == 0 and f"Выгружено записей: {PAGES} в {table}" in err
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert len(rows) == PAGES and list(rows[0]) == list(EXPORT_FIELDS)
    school = next(row for row in rows if row["page"] == "Средняя школа № 1")
    assert json.loads(school["checks"]) == by_page["Средняя школа № 1"]["checks"]
    assert float(school["score"]) == by_page["Средняя школа № 1"]["score"]

    book = tmp_path / "pages.xlsx"
    code, _, err = export(config, capsys, *MONTH, "--format", "xlsx", "-o", str(book))
    assert code == 0, err
    sheet = openpyxl.load_workbook(book)["gospublics"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(EXPORT_FIELDS) and sheet.max_row == PAGES + 1 and sheet.auto_filter.ref
    values = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Средняя школа № 1"]["followers"] == by_page["Средняя школа № 1"]["followers"]
    assert json.loads(values["Средняя школа № 1"]["recommendations"]) == by_page["Средняя школа № 1"]["recommendations"]


def test_a_week_a_custom_period_and_one_body(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def posts(*args: str) -> dict[str, int]:
        code, out, err = export(config, capsys, *args)
        assert code == 0, err
        return {r["page"]: r["posts"] for r in map(json.loads, out.splitlines())}

    month, week = posts(*MONTH), posts("--period", "week", "--to", "2026-01-17")
    assert set(week) == set(month) and sum(week.values()) < sum(month.values())
    assert posts("--from", "2026-01-10", "--to", "2026-01-17") == week
    code, out, _ = export(config, capsys, *MONTH, "--body", "admin")
    assert code == 0 and {json.loads(line)["body"] for line in out.splitlines()} == {"admin"}
    assert len(out.splitlines()) == 3


@pytest.mark.parametrize(("args", "exit_code", "message"), [
    (["--period", "year"], 2, "year"),
    (["--body", "nobody"], 2, "неизвестный исполнитель 'nobody'"),
    (["--from", "2026-01-17", "--to", "2026-01-10"], 2, "начало периода должно быть раньше конца"),
    (["--to", "17 января"], 2, "не понимаю дату"),
    (["--format", "pdf"], 2, "pdf"),
    (["--body", "kkp"], 1, "нечего выгружать: в реестре нет госпабликов исполнителя 'kkp'"),
])
def test_bad_input_is_one_russian_line(config: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                       exit_code: int, message: str) -> None:
    code, out, err = export(config, capsys, *args)
    assert code == exit_code and out == "" and message in err and "Traceback" not in err, err


def test_an_empty_registry_is_an_error_and_writes_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path)
    assert mcu_here("--config", str(path), "init", capsys=capsys)[0] == 0
    target = tmp_path / "pages.jsonl"
    code, _, err = export(path, capsys, "-o", str(target))
    assert code == 1 and "нечего выгружать: в реестре нет госпабликов" in err and "mcu gospublics add" in err
    assert not target.exists()
