"""The digest as a working Excel table (one sheet per section), and the digest's tables shared with the Word справка.

The tables hold raw values (ints, aware datetimes, links); each renderer formats them its own way: Excel keeps
numbers and dates as such for sorting and filtering, Word prints them with the Russian helpers of ``formatting``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Literal, TypeAlias

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from alerts.digest.data import (
    PLATFORM_TITLES,
    SENTIMENT_TITLES,
    STORY_STATUS_TITLES,
    DigestData,
    StoryLine,
    Volume,
)
from alerts.digest.markdown import safe_url, story_excerpts, topic_titles
from alerts.message import LEVEL_TITLES

# XML 1.0 forbids these control characters: openpyxl and python-docx refuse them, so a post carrying one would
# break the whole file.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EXCEL_CELL_LIMIT = 32_767  # longer text makes Excel call the file damaged

Kind = Literal["text", "int", "signed", "share", "moment", "day", "number", "hours"]  # number: int or float


@dataclass(frozen=True, slots=True)
class Link:
    """Text that opens ``url`` (only safe http(s) links are made clickable, see ``safe_url``)."""

    text: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Share:
    """A part of a whole: Excel stores the fraction, Word prints «42 %» (or «—» for an empty whole)."""

    part: int
    whole: int

    @property
    def fraction(self) -> float | None:
        return self.part / self.whole if self.whole else None


Value: TypeAlias = str | int | float | datetime | date | Link | Share | None


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    kind: Kind = "text"
    width: int = 14  # the widest an Excel column may grow (characters); Word splits its page width by these


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]


# --- helpers shared with word.py and mcu/export.py --------------------------------------------------------------


def clean_text(text: str, limit: int | None = None) -> str:
    """Text from the internet as inert characters that every office format accepts."""
    text = _ILLEGAL.sub("", text)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def set_text(cell: Cell, text: str) -> None:
    """A string cell that stays a string: openpyxl would turn «=…» into a formula and «#N/A» into an error."""
    cell.value = clean_text(text, EXCEL_CELL_LIMIT)
    cell.data_type = "s"


# What makes a spreadsheet read a cell as a formula (OWASP «CSV injection»), full-width forms included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def inert_text(text: str) -> str:
    """Text for a file without cell types (CSV): a leading apostrophe keeps «=HYPERLINK(…)» a string in Excel and
    LibreOffice, as ``set_text`` does with a typed cell in XLSX."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def local(moment: datetime, tz: tzinfo) -> datetime:
    """Excel has no time zones: naive datetime in town time."""
    return moment.astimezone(tz).replace(tzinfo=None)


# --- the digest's tables --------------------------------------------------------------------------------------


def open_appeals(data: DigestData) -> int:
    # Older storage filled only the list, not the total.
    return max(data.appeals_total, len(data.appeals))


def volume_table(volumes: Sequence[Volume], header: str) -> Table:
    """Count, previous and change per key."""
    columns = (Column(header, width=40), Column("Сообщений", "int", 12), Column("Было", "int", 10),
               Column("Изменение", "signed", 12))
    return Table(columns, tuple((v.title, v.count, v.previous, v.delta) for v in volumes))


def topics_table(data: DigestData) -> Table:
    return volume_table(data.topics, "Тема")


def platforms_table(data: DigestData) -> Table:
    return volume_table(data.platforms, "Платформа")


def sentiment_table(data: DigestData) -> Table:
    """With shares of the posts about the town, now and in the previous period."""
    columns = (Column("Тональность", width=20), Column("Сообщений", "int", 12), Column("Доля", "share", 8),
               Column("Было", "int", 10), Column("Доля была", "share", 10), Column("Изменение", "signed", 12))
    rows = tuple((v.title, v.count, Share(v.count, data.relevant), v.previous,
                  Share(v.previous, data.relevant_previous), v.delta) for v in data.sentiment)
    return Table(columns, rows)


def appeals_table(data: DigestData) -> Table:
    titles = topic_titles(data)
    columns = (Column("Сообщение", width=60), Column("Источник", width=24), Column("Тема", width=24),
               Column("Опубликовано", "moment", 17), Column("Ждёт ответа", "hours", 12))
    rows = tuple((Link(a.excerpt, a.url), a.source, titles.get(a.topic, a.topic), a.published_at, a.age_hours)
                 for a in data.appeals)
    return Table(columns, rows)


def recurring_table(data: DigestData) -> Table:
    columns = (Column("Тема", width=30), Column("Место", width=30), Column("Историй за 30 дней", "int", 12),
               Column("Историй за 90 дней", "int", 12), Column("Последний раз", "moment", 17))
    rows = tuple((r.title, r.place, r.stories_30, r.stories_90, r.last_seen_at) for r in data.recurring)
    return Table(columns, rows)


def alerts_table(data: DigestData) -> Table:
    a = data.alerts
    rows: tuple[tuple[Value, ...], ...] = (
        ("Отправлено (первые и обновления)", a.sent),
        ("Первых оповещений", a.first),
        ("Взято в работу", a.taken),
        ("Ложных срабатываний", a.false_positive),
        ("Закрыто", a.closed),
        ("Остались без ответа", a.unanswered),
        ("Медиана времени до взятия в работу, мин", a.median_minutes_to_take),
    )
    return Table((Column("Показатель", width=46), Column("Значение", "number", 12)), rows)


def coverage_table(data: DigestData) -> Table:
    """Failing sources and spent API quotas: the blind spots of the period."""
    columns = (Column("Что", width=14), Column("Название", width=34), Column("Проблема", width=40),
               Column("С", "moment", 17))
    rows = tuple(("источник", t.name, t.problem, t.since) for t in data.coverage.failing) + tuple(
        ("квота API", t.name, t.problem, t.since) for t in data.coverage.quota)
    return Table(columns, rows)


def stories_table(data: DigestData) -> Table:
    columns = (Column("№", "int", 5), Column("Тема", width=30), Column("Уровень", width=12),
               Column("Балл", "number", 8), Column("Статус", width=14), Column("Заголовок", width=60),
               Column("Впервые", "moment", 17), Column("Последнее", "moment", 17), Column("Сообщений", "int", 12),
               Column("Источников", "int", 12), Column("Платформы", width=30), Column("Места", width=24),
               Column("Причины", width=60), Column("Ссылка", width=40))
    rows = []
    for number, line in enumerate(data.stories, 1):
        s, level = line.story, line.story.assessment.level
        url = _story_link(line)
        rows.append((number, s.topic_title, LEVEL_TITLES.get(level, level), s.assessment.score,
                     STORY_STATUS_TITLES.get(line.status, line.status), s.title, s.first_seen_at, s.last_seen_at,
                     s.post_count, s.source_count, platform_names(s.platforms), ", ".join(s.places),
                     "; ".join(s.assessment.reasons), Link(url, url) if url else None))
    return Table(columns, tuple(rows))


def _story_link(line: StoryLine) -> str | None:
    """The story's most telling post, or else its first link."""
    excerpt_links = (url for _, url in story_excerpts(line))
    return next(filter(None, excerpt_links), None) or next(filter(None, map(safe_url, line.story.links)), None)


def platform_names(platforms: Iterable[str]) -> str:
    return ", ".join(PLATFORM_TITLES.get(p, p) for p in platforms)


def summary_table(data: DigestData) -> Table:
    columns = (Column("Показатель", width=40), Column("Значение", "int", 17), Column("Было", "int", 17),
               Column("Изменение", "signed", 12))
    period: list[tuple[Value, ...]] = [("Начало периода", data.start, None, None),
                                       ("Конец периода", data.end, None, None)]
    if data.previous_start is not None:
        period.append(("Начало предыдущего периода", data.previous_start, None, None))
    counts: tuple[tuple[Value, ...], ...] = (
        ("Собрано сообщений", data.posts, data.posts_previous, data.posts - data.posts_previous),
        ("Сообщений о городе", data.relevant, data.relevant_previous, data.relevant - data.relevant_previous),
        ("Историй новых", data.new_stories, None, None),
        ("Историй продолжается", data.continuing_stories, None, None),
        ("Историй завершилось", data.resolved_stories, None, None),
        ("Оповещений отправлено", data.alerts.sent, None, None),
        ("Оповещений взято в работу", data.alerts.taken, None, None),
        ("Оповещений ложных", data.alerts.false_positive, None, None),
        ("Жалоб и вопросов без ответа", open_appeals(data), None, None),
        ("Источников работало", data.coverage.sources_ok, None, None),
        ("Источников всего", data.coverage.sources, None, None),
    )
    return Table(columns, (*period, *counts))


def _ordered(known: Iterable[str], seen: Iterable[Mapping[str, int]]) -> list[str]:
    """Keys in the digest's own order first, then any others alphabetically, so no count is dropped."""
    order = list(dict.fromkeys(known))
    extra = sorted({key for counts in seen for key in counts} - set(order))
    return order + extra


def days_table(data: DigestData) -> Table:
    """One row per day: counts per topic, sentiment and risk level (the numbers behind the charts)."""
    titles = topic_titles(data)
    topics = _ordered((t.key for t in data.topics), (d.topics for d in data.days))
    sentiment = _ordered(SENTIMENT_TITLES, (d.sentiment for d in data.days))
    levels = _ordered(LEVEL_TITLES, (d.levels for d in data.days))
    columns = (Column("День", "day", 12),
               *(Column(f"Тема: {titles.get(k, k)}", "int", 22) for k in topics),
               *(Column(f"Тональность: {SENTIMENT_TITLES.get(k, k)}", "int", 22) for k in sentiment),
               *(Column(f"Уровень: {LEVEL_TITLES.get(k, k)}", "int", 22) for k in levels))
    rows: tuple[tuple[Value, ...], ...] = tuple(
        (d.day, *(d.topics.get(k, 0) for k in topics), *(d.sentiment.get(k, 0) for k in sentiment),
         *(d.levels.get(k, 0) for k in levels))
        for d in data.days)
    return Table(columns, rows)


SHEETS = (
    ("Сводка", summary_table), ("Истории", stories_table), ("Темы", topics_table),
    ("Платформы", platforms_table), ("Тональность", sentiment_table), ("Жалобы", appeals_table),
    ("Повторы", recurring_table), ("Оповещения", alerts_table), ("Покрытие", coverage_table),
    ("По дням", days_table),
)

# --- the workbook -----------------------------------------------------------------------------------------------

# Codes are stored in English; Russian Excel shows «ДД.ММ.ГГГГ чч:мм» and spaces between thousands.
NUMBER_FORMATS: dict[str, str] = {"int": "#,##0", "signed": "+#,##0;-#,##0;0", "share": "0%",
                                  "float": "#,##0.0", "moment": "DD.MM.YYYY HH:MM", "day": "DD.MM.YYYY",
                                  "hours": '#,##0" ч"'}
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def _put(cell: Cell, value: Value, column: Column, tz: tzinfo) -> int:
    """Write one value; return its width in characters, for sizing the column."""
    if isinstance(value, Link):
        set_text(cell, value.text)
        if url := safe_url(value.url):
            cell.hyperlink = url
            cell.style = "Hyperlink"
        return len(value.text)
    if isinstance(value, str):
        set_text(cell, value)
        return max(len(line) for line in value.splitlines() or [""])
    if isinstance(value, datetime):
        cell.value = local(value, tz)
        cell.number_format = NUMBER_FORMATS["moment"]
        return 16
    if isinstance(value, date):
        cell.value = value
        cell.number_format = NUMBER_FORMATS["day"]
        return 10
    if isinstance(value, Share):
        cell.value, cell.number_format = value.fraction, NUMBER_FORMATS["share"]
        return 5
    cell.value = value
    kind = ("float" if isinstance(value, float) else "int") if column.kind == "number" else column.kind
    if kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[kind]
    return len(f"{value:,}") if value is not None else 0  # with the thousands separators Excel will show


def write_table(sheet: Worksheet, table: Table, tz: tzinfo) -> None:
    """Header row bold and frozen, a filter over the table, columns as wide as their content (within reason)."""
    widths = [len(c.header) for c in table.columns]
    for index, column in enumerate(table.columns, 1):
        set_text(sheet.cell(row=1, column=index), column.header)
        sheet.cell(row=1, column=index).font = HEADER_FONT
        sheet.cell(row=1, column=index).alignment = WRAP
    for row_index, row in enumerate(table.rows, 2):
        for index, (column, value) in enumerate(zip(table.columns, row, strict=True), 1):
            cell = sheet.cell(row=row_index, column=index)
            widths[index - 1] = max(widths[index - 1], _put(cell, value, column, tz))
            cell.alignment = WRAP if column.kind == "text" else TOP
    for index, (column, width) in enumerate(zip(table.columns, widths, strict=True), 1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 6) + 2, column.width + 2)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"


def render_xlsx(data: DigestData, tz: tzinfo) -> bytes:
    """The digest as an .xlsx workbook: one sheet per section, every sheet a filterable table."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = clean_text(data.title)
    workbook.properties.language = "ru-RU"
    for name, build in SHEETS:
        write_table(workbook.create_sheet(name), build(data), tz)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
