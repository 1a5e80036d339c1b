"""A справка as a record — header, numbered sections of paragraphs and one table each, a signature — and its
four renderings. Tables hold raw values (``alerts.digest.excel.Table``): Excel keeps numbers and dates, Word and
HTML print them the Russian way."""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from openpyxl import Workbook

from alerts.digest.excel import Table, write_table
from alerts.digest.formatting import long_date
from alerts.digest.markdown import md_cell, md_text, safe_url
from config import InputError

FORMATS = ("docx", "xlsx", "html", "md")
SHEET_NAME_LIMIT = 31
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    paragraphs: tuple[str, ...] = ()
    table: Table | None = None
    empty: str = "Нет данных."
    sheet: str | None = None  # the XLSX sheet name (a table section gets one)


@dataclass(frozen=True, slots=True)
class Report:
    town: str
    kind: str  # «СПРАВКА»
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    signer: str
    day: datetime
    notes: tuple[str, ...] = field(default_factory=tuple)


def render_docx(report: Report, tz: tzinfo) -> bytes:
    from alerts.digest import word

    document = word.new_document(report.title)
    word.header(document, report.town, report.kind, report.title, report.subtitle)
    for index, section in enumerate(report.sections, 1):
        document.add_heading(word.clean_text(f"{index}. {section.title}"), level=1)
        for text in section.paragraphs:
            word.paragraph(document, text)
        if section.table is not None:
            word.table(document, section.table, tz, section.empty)
        elif not section.paragraphs:
            word.paragraph(document, section.empty)
    return word.sign_and_save(document, report.signer, report.day, tz)


def _sheet_name(name: str, used: set[str]) -> str:
    base = name.translate(_SHEET_FORBIDDEN).strip()[:SHEET_NAME_LIMIT] or "Лист"
    chosen, number = base, 2
    while chosen in used:
        suffix = f" {number}"
        chosen, number = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
    used.add(chosen)
    return chosen


def render_xlsx(report: Report, tz: tzinfo) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = report.title[:250]
    workbook.properties.language = "ru-RU"
    used: set[str] = set()
    for section in report.sections:
        if section.table is not None:
            write_table(workbook.create_sheet(_sheet_name(section.sheet or section.title, used)), section.table, tz)
    if not workbook.sheetnames:
        workbook.create_sheet("Справка")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _html_cell(value: object, column: object, tz: tzinfo) -> str:
    from alerts.digest import word
    from alerts.digest.excel import Link

    if isinstance(value, Link):
        text = html.escape(word.clean_text(value.text), quote=False)
        url = safe_url(value.url)
        return f'<a href="{html.escape(url)}" rel="noopener" target="_blank">{text}</a>' if url else text
    return html.escape(word.cell_text(value, column, tz), quote=False)  # type: ignore[arg-type]


def render_html(report: Report, tz: tzinfo) -> str:
    """One self-contained file: inline CSS, no outside requests; text from posts is escaped."""
    from alerts.digest.markdown import template_env

    env = template_env(tz, autoescape=True)
    return env.get_template("report.html.j2").render(
        r=report, cell=lambda value, column: _html_cell(value, column, tz), long_date=lambda m: long_date(m, tz))


def render_markdown(report: Report, tz: tzinfo) -> str:
    from alerts.digest import word
    from alerts.digest.excel import Link

    lines = [f"# {md_text(report.title)}", "", md_text(report.subtitle), ""]
    for index, section in enumerate(report.sections, 1):
        lines += [f"## {index}. {md_text(section.title)}", ""]
        lines += [md_text(p) + "\n" for p in section.paragraphs]
        table = section.table
        if table is not None and table.rows:
            lines.append("| " + " | ".join(md_cell(c.header) for c in table.columns) + " |")
            lines.append("|" + "|".join("---" for _ in table.columns) + "|")
            for row in table.rows:
                cells = []
                for column, value in zip(table.columns, row, strict=True):
                    if isinstance(value, Link):
                        url = safe_url(value.url)
                        cells.append(f"[{md_cell(value.text)}]({url})" if url else md_cell(value.text))
                    else:
                        cells.append(md_cell(word.cell_text(value, column, tz)))
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        elif table is not None or not section.paragraphs:
            lines += [md_text(section.empty), ""]
    lines += [f"{md_text(report.signer)}, {long_date(report.day, tz)}", ""]
    return "\n".join(lines)


def render_report(report: Report, fmt: str, tz: tzinfo) -> bytes:
    if fmt == "docx":
        return render_docx(report, tz)
    if fmt == "xlsx":
        return render_xlsx(report, tz)
    if fmt == "html":
        return render_html(report, tz).encode("utf-8")
    if fmt == "md":
        return render_markdown(report, tz).encode("utf-8")
    raise InputError(f"формат {fmt!r} не поддерживается: {', '.join(FORMATS)}")
