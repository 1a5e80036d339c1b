"""Write exported records as JSON Lines or CSV (nested values as JSON in their cell)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from config import InputError


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


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
            writer.writerow({key: _cell(value) for key, value in record.items()})
        count += 1
    return count


def write_records(records: Iterable[dict[str, Any]], fmt: str, output: Path | None) -> int:
    """Write to ``output`` or stdout; CSV gets a BOM so Excel opens Cyrillic correctly."""
    if output is None:
        return _write(records, fmt, sys.stdout)
    try:
        with output.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as stream:
            return _write(records, fmt, stream)
    except OSError as exc:
        raise InputError(f"не удалось записать {output}: {exc.strerror}") from exc
