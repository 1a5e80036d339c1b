"""The registry's input: pages listed in config, added by URL, or imported from a CSV table an analyst keeps.

CSV columns (a header row; Excel's «;» or «,»; UTF-8 or Windows-1251): ``url``, ``body``, ``kind``, and optional
``name``, ``phone``, ``email``, ``site``, ``address``, ``via``. A bad row is reported with its number and skipped;
the good rows go on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

CONTACT_FIELDS = ("phone", "email", "site", "address")
REQUIRED = ("url", "body", "kind")
HEADER_WORDS = {
    "адрес": "url", "ссылка": "url", "страница": "url", "орган": "body", "учреждение": "body", "вид": "kind",
    "название": "name", "телефон": "phone", "почта": "email", "сайт": "site", "адрес учреждения": "address",
}


@dataclass(frozen=True, slots=True)
class PageEntry:
    """One page to register, as a person wrote it (the URL is resolved through the platform's API later)."""

    url: str
    body: str
    kind: str
    name: str | None = None
    via: str = "tme"
    expected: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    text: str

    def __str__(self) -> str:
        return f"строка {self.line}: {self.text}"


def check_entry(entry: PageEntry, kinds: Collection[str], bodies: Collection[str] | None) -> str | None:
    """What is wrong with an entry before any API call, in Russian; ``None`` when nothing is."""
    if not entry.url.strip():
        return "нет адреса страницы"
    if entry.kind not in kinds:
        return f"неизвестный вид {entry.kind!r} (есть: {', '.join(kinds)})"
    if not entry.body.strip():
        return "не указан орган или учреждение (body)"
    if bodies is not None and entry.body not in bodies:
        return f"неизвестный орган {entry.body!r}: его нет в разделе bodies конфигурации"
    if entry.via not in ("tme", "telegram"):
        return f"via: ожидается tme или telegram, а не {entry.via!r}"
    return None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _column(name: str) -> str:
    key = name.strip().lower().lstrip("\ufeff")
    return HEADER_WORDS.get(key, key)


def read_csv(data: bytes, kinds: Collection[str], bodies: Collection[str] | None = None
             ) -> tuple[list[PageEntry], list[RowProblem]]:
    """Entries from a CSV table and the rows that could not be used (with line numbers)."""
    text = _decode(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if reader.fieldnames is None:
        return [], [RowProblem(1, "файл пуст: нужна строка заголовков url;body;kind")]
    columns = [_column(name) for name in reader.fieldnames]
    absent = [name for name in REQUIRED if name not in columns]
    if absent:
        return [], [RowProblem(1, f"в заголовке нет столбцов: {', '.join(absent)} (нужны url, body, kind)")]
    entries: list[PageEntry] = []
    problems: list[RowProblem] = []
    for raw in reader:
        line = reader.line_num
        row = {_column(key): (value or "").strip() for key, value in raw.items() if isinstance(key, str)}
        if not any(row.values()):
            continue
        entry = entry_from(row, line)
        wrong = check_entry(entry, kinds, bodies)
        if wrong:
            problems.append(RowProblem(line, wrong))
            continue
        entries.append(entry)
    return entries, problems


def entry_from(row: Mapping[str, str | None], line: int = 0) -> PageEntry:
    expected = {key: value.strip() for key in CONTACT_FIELDS if (value := row.get(key)) and value.strip()}
    return PageEntry(
        url=(row.get("url") or "").strip(),
        body=(row.get("body") or "").strip(),
        kind=(row.get("kind") or "").strip(),
        name=(row.get("name") or "").strip() or None,
        via=(row.get("via") or "tme").strip() or "tme",
        expected=expected,
        line=line,
    )


def known_bodies(settings: object) -> set[str] | None:
    """Ids of the responsible bodies when config has a ``bodies`` section (the responses component), else ``None``."""
    bodies = getattr(settings, "bodies", None)
    if bodies is None:
        return None
    if isinstance(bodies, Mapping):
        return {str(key) for key in bodies}
    ids = {str(getattr(body, "id", "")) for body in bodies} if isinstance(bodies, (list, tuple)) else set()
    return {body for body in ids if body} or None
