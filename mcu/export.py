"""Write exported records as JSON Lines, CSV or XLSX (nested values as JSON in their cell)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from alerts.digest.excel import inert_text, set_text
from config import InputError

XLSX_WIDTHS = {"text": 60, "title": 50, "url": 40, "reasons": 50, "annotation": 50, "metrics": 30}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _csv_cell(value: Any) -> str:
    """Numbers stay numbers (``-5``); text from posts never becomes a formula when the file opens in Excel."""
    if value is None or isinstance(value, (bool, int, float)):
        return _cell(value)
    return inert_text(_cell(value))


def _write(records: Iterable[dict[str, Any]], fmt: str, stream: TextIO) -> int:
    count = 0
    writer: csv.DictWriter[str] | None = None
    for record in records:
        if fmt == "jsonl":
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            if writer is None:
                writer = csv.DictWriter(stream, fieldnames=list(record), extrasaction="ignore")
                writer.writeheader()
            writer.writerow({key: _csv_cell(value) for key, value in record.items()})
        count += 1
    return count


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Cell:
    """Numbers and booleans stay numbers; lists and dicts become JSON text; text never becomes a formula."""
    if value is None or isinstance(value, (bool, int, float)):
        return WriteOnlyCell(sheet, value)
    cell = WriteOnlyCell(sheet)
    set_text(cell, _cell(value))
    return cell


def _write_xlsx(records: Iterable[dict[str, Any]], kind: str, stream: BinaryIO) -> int:
    """One sheet named after ``kind``: bold frozen header from the first record's keys (as CSV does), a filter.

    Write-only mode streams rows to a temporary file, so a large posts export needs little memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind[:31])
    sheet.freeze_panes = "A2"
    fields: list[str] | None = None
    count = 0
    for record in records:
        if fields is None:
            fields = list(record)
            for index, key in enumerate(fields, 1):  # widths must be set before the first row is written
                sheet.column_dimensions[get_column_letter(index)].width = XLSX_WIDTHS.get(key, max(len(key) + 4, 12))
            header = [_xlsx_cell(sheet, key) for key in fields]
            for cell in header:
                cell.font = Font(bold=True)
            sheet.append(header)
        sheet.append([_xlsx_cell(sheet, record.get(key)) for key in fields])
        count += 1
    if fields:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(fields))}{count + 1}"
    workbook.save(stream)
    return count


def write_records(records: Iterable[dict[str, Any]], fmt: str, output: Path | None, kind: str = "records") -> int:
    """Write to ``output`` or stdout; CSV gets a BOM so Excel opens Cyrillic correctly.

    XLSX is binary: its one sheet is named ``kind``; to stdout only when it is redirected, not to a terminal."""
    if fmt == "xlsx":
        return _write_xlsx_to(records, kind, output)
    if output is None:
        return _write(records, fmt, sys.stdout)
    try:
        with output.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as stream:
            return _write(records, fmt, stream)
    except OSError as exc:
        raise InputError(f"не удалось записать {output}: {exc.strerror}") from exc


def _write_xlsx_to(records: Iterable[dict[str, Any]], kind: str, output: Path | None) -> int:
    if output is None:
        if sys.stdout.isatty():
            raise InputError("xlsx — двоичный файл: укажите --out или перенаправьте вывод в файл")
        buffer = io.BytesIO()
        count = _write_xlsx(records, kind, buffer)
        sys.stdout.flush()  # whatever text went before stays before the bytes
        sys.stdout.buffer.write(buffer.getvalue())
        sys.stdout.buffer.flush()
        return count
    try:
        with output.open("wb") as stream:
            return _write_xlsx(records, kind, stream)
    except OSError as exc:
        raise InputError(f"не удалось записать {output}: {exc.strerror}") from exc


def records_bytes(records: Iterable[dict[str, Any]], fmt: str, kind: str = "records") -> tuple[bytes, int]:
    """The same files as ``write_records`` writes, in memory (for a download): (content, records written)."""
    if fmt == "xlsx":
        buffer = io.BytesIO()
        count = _write_xlsx(records, kind, buffer)
        return buffer.getvalue(), count
    if fmt not in ("jsonl", "csv"):
        raise InputError(f"формат {fmt!r}: jsonl, csv или xlsx")
    text = io.StringIO(newline="")
    count = _write(records, fmt, text)
    return text.getvalue().encode("utf-8-sig" if fmt == "csv" else "utf-8"), count
