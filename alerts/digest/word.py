"""The digest as an official справка in Word: what the deputy head sends up to the regional ЦУР as it is.

A4, Times New Roman 14 pt (tables 12 pt), the institution, «СПРАВКА», the subject and period, numbered sections in
the order of the Markdown digest, charts as numbered figures, and a line for the signature.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, datetime, tzinfo

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from alerts.digest.charts import Chart, all_charts
from alerts.digest.data import STORY_STATUS_TITLES, DigestData, StoryLine
from alerts.digest.excel import (
    Column,
    Link,
    Share,
    Table,
    Value,
    alerts_table,
    appeals_table,
    late_table,
    ratings_table,
    coverage_table,
    gospublics_table,
    open_appeals,
    platform_names,
    platforms_table,
    recurring_table,
    sentiment_table,
    topics_table,
)
from alerts.digest.excel import clean_text as clean_cell_text
from alerts.digest.formatting import long_date, number, percent, short, signed
from alerts.digest.markdown import age_text, safe_url, story_excerpts, story_links
from alerts.message import LEVEL_TITLES

# Emoji and pictographs: Times New Roman has none, so a printed справка would show empty boxes.
_PICTOGRAPHS = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u20E3]")


def clean_text(text: str, limit: int | None = None) -> str:
    return clean_cell_text(_PICTOGRAPHS.sub("", text), limit)


REGION = "Смоленской области"  # the town comes with the data; the monitor serves one region
FONT = "Times New Roman"
TABLE_STYLE = "Таблица"  # paragraph style of table cells: 12 pt, no indent
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
MARGIN, MARGIN_RIGHT = Cm(2), Cm(1.5)
TEXT_WIDTH_CM = 21 - 2 - 1.5
PICTURE_WIDTH = Cm(16)
FIRST_LINE = Cm(1.25)  # the paragraph indent of Russian official papers
LINK_COLOUR = "0563C1"

Writer = Callable[[DocumentObject, DigestData, tzinfo], None]


# --- styles and page ---------------------------------------------------------------------------------------------


def _font(style: BaseStyle, size: int, *, bold: bool | None = None) -> None:
    """Times New Roman for every script: the template's theme fonts would otherwise win for Cyrillic."""
    font = style.font  # type: ignore[attr-defined]
    font.name, font.size, font.bold = FONT, Pt(size), bold
    font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)


def _styles(document: DocumentObject) -> None:
    normal = document.styles["Normal"]
    _font(normal, 14)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "ru-RU")  # Russian spelling and hyphenation in Word
    normal.element.get_or_add_rPr().append(language)
    for name in ("Heading 1", "Heading 2"):
        heading = document.styles[name]
        _font(heading, 14, bold=True)
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.space_after = Pt(6)
    cells = document.styles.add_style(TABLE_STYLE, 1)  # 1: paragraph style
    cells.base_style = normal
    _font(cells, 12)


def _page(document: DocumentObject) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = section.bottom_margin = section.left_margin = MARGIN
    section.right_margin = MARGIN_RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")  # page numbers: the справка is printed and stapled
    footer._p.append(field)


# --- paragraphs, links, tables -----------------------------------------------------------------------------------


def _para(document: DocumentObject, text: str = "", *, indent: bool = True, bold: bool = False,
          align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.JUSTIFY) -> Paragraph:
    paragraph = document.add_paragraph()
    if text:
        paragraph.add_run(clean_text(text)).bold = bold or None
    paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = FIRST_LINE
    return paragraph


def _bullet(document: DocumentObject, text: str = "") -> Paragraph:
    paragraph = document.add_paragraph(style="List Bullet")
    if text:
        paragraph.add_run(clean_text(text))
    return paragraph


def add_hyperlink(paragraph: Paragraph, text: str, url: str | None) -> None:
    """A real clickable link (w:hyperlink with an external relationship); python-docx only reads them.

    Links that are not safe http(s) ones stay plain text."""
    text = clean_text(text)
    if (target := safe_url(url)) is None:
        paragraph.add_run(text)
        return
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(target, RT.HYPERLINK, is_external=True))
    run, props = OxmlElement("w:r"), OxmlElement("w:rPr")
    colour, underline = OxmlElement("w:color"), OxmlElement("w:u")
    colour.set(qn("w:val"), LINK_COLOUR)
    underline.set(qn("w:val"), "single")
    props.extend((colour, underline))  # schema order: color before u
    run.append(props)
    body = OxmlElement("w:t")
    body.text = text
    body.set(qn("xml:space"), "preserve")
    run.append(body)
    link.append(run)
    paragraph._p.append(link)


def _cell_text(value: Value, column: Column, tz: tzinfo) -> str:
    if value is None:
        return "—"
    if isinstance(value, Share):
        return percent(value.part, value.whole)
    if isinstance(value, datetime):
        return short(value, tz)
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, (int, float)):
        if column.kind == "hours":
            return age_text(int(value))
        return signed(int(value)) if column.kind == "signed" else number(value)
    return clean_text(str(value))


def _fill(cell: _Cell, value: Value, column: Column, tz: tzinfo, style_id: str, *, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph._p.style = style_id  # by id: python-docx looks a style name up by scanning every style, per cell
    if column.kind != "text":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if isinstance(value, Link):
        add_hyperlink(paragraph, value.text, value.url)
    else:
        paragraph.add_run(_cell_text(value, column, tz)).bold = bold or None


def _repeat_header(row_element: CT_Row) -> None:
    """The header row is repeated on every page a long table runs over."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row_element.get_or_add_trPr().append(header)


def _table(document: DocumentObject, table: Table, tz: tzinfo) -> None:
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    style_id = document.styles[TABLE_STYLE].style_id
    for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
        _fill(cell, column.header, Column(column.header), tz, style_id, bold=True)
    _repeat_header(grid.rows[0]._tr)
    for row in table.rows:
        for cell, column, value in zip(grid.add_row().cells, table.columns, row, strict=True):
            _fill(cell, value, column, tz, style_id)
    total = sum(c.width for c in table.columns)
    for index, column in enumerate(table.columns):
        width = Cm(TEXT_WIDTH_CM * column.width / total)
        grid.columns[index].width = width
        for cell in grid.columns[index].cells:  # Word reads the cell widths, LibreOffice the grid
            cell.width = width
    document.add_paragraph()  # air between the table and what follows


def _table_or(document: DocumentObject, table: Table, tz: tzinfo, empty: str) -> None:
    if table.rows:
        _table(document, table, tz)
    else:
        _para(document, empty)


# --- the sections ------------------------------------------------------------------------------------------------


def _summary(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    sentences = (
        f"Собрано сообщений: {number(data.posts)} (за предыдущий период — {number(data.posts_previous)}, "
        f"{signed(data.posts - data.posts_previous)}), из них о городе — {number(data.relevant)} "
        f"(было {number(data.relevant_previous)}, {signed(data.relevant - data.relevant_previous)}).",
        f"Истории с риском: новых — {number(data.new_stories)}, продолжаются — {number(data.continuing_stories)}, "
        f"завершились — {number(data.resolved_stories)}.",
        f"Оповещений отправлено: {number(data.alerts.sent)}, взято в работу: {number(data.alerts.taken)}, "
        f"ложных: {number(data.alerts.false_positive)}.",
        f"Жалоб и вопросов без ответа: {number(open_appeals(data))}.",
    )
    for sentence in sentences:
        _para(document, sentence)


def _story(document: DocumentObject, index: int, line: StoryLine, tz: tzinfo) -> None:
    story, level = line.story, line.story.assessment.level
    document.add_heading(clean_text(f"2.{index}. {story.topic_title}: уровень {LEVEL_TITLES.get(level, level)} "
                                    f"({story.assessment.score:.0f}/100), "
                                    f"{STORY_STATUS_TITLES.get(line.status, line.status)}"), level=2)
    _para(document, story.title, bold=True)
    _para(document, f"Впервые: {short(story.first_seen_at, tz)}, последнее сообщение: "
                    f"{short(story.last_seen_at, tz)}.")
    _para(document, f"Сообщений: {number(story.post_count)}, источников: {number(story.source_count)}, "
                    f"платформы: {platform_names(story.platforms) or '—'}.")
    if story.places:
        _para(document, f"Где: {', '.join(story.places)}.")
    if story.assessment.reasons:
        _para(document, "Почему такой уровень:")
        for reason in story.assessment.reasons:
            _bullet(document, reason)
    _story_posts(document, line)


def _story_posts(document: DocumentObject, line: StoryLine) -> None:
    """The most telling posts with their links; the URL is printed too, for the paper copy."""
    if excerpts := story_excerpts(line):
        _para(document, "Самые показательные сообщения:")
        for text, url in excerpts:
            paragraph = _bullet(document, f"«{text}»" + (" — " if url else ""))
            if url:
                add_hyperlink(paragraph, url, url)
    if links := story_links(line):
        _para(document, "Ссылки:")
        for url in links:
            add_hyperlink(_bullet(document), url, url)


def _stories(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    if not data.stories:
        _para(document, "Историй с риском выше низкого за период не было.")
    for index, line in enumerate(data.stories, 1):
        _story(document, index, line, tz)


def _topics(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    _table_or(document, topics_table(data), tz, "Сообщений о городе за период не было.")


def _platforms(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    _table_or(document, platforms_table(data), tz, "Сообщений о городе за период не было.")


def _sentiment(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    if not (data.sentiment and data.relevant):
        _para(document, "Сообщений о городе за период не было, тональность не определялась.")
        return
    _para(document, f"Доли — от сообщений о городе ({number(data.relevant)}; в предыдущий период — "
                    f"{number(data.relevant_previous)}).")
    _table(document, sentiment_table(data), tz)


def _appeals(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    total = open_appeals(data)
    if total > len(data.appeals):
        _para(document, f"Всего {number(total)}, показаны самые давние ({number(len(data.appeals))}).")
    _table_or(document, appeals_table(data), tz, "Жалоб и вопросов без официального ответа нет.")


def _recurring(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    if data.recurring:
        _para(document, "Одна и та же тема снова и снова в одном и том же месте — разовым ответом её не закрыть; "
                        "это материал для «дорожной карты».")
    _table_or(document, recurring_table(data), tz, "Повторяющихся проблем за 90 дней не найдено.")


def _alerts(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    if data.alerts.sent == 0 and data.alerts.first == 0:
        _para(document, "Оповещений за период не отправлялось.")
        return
    _table(document, alerts_table(data), tz)


def _coverage(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    coverage = data.coverage
    if not coverage.sources:
        _para(document, "Сведений об источниках нет.")
    else:
        _para(document, f"Источники работали: {number(coverage.sources_ok)} из {number(coverage.sources)}.")
    if coverage.failing or coverage.quota:
        _para(document, "Чего система не собрала, того в справке нет: сообщения из перечисленного ниже за время "
                        "сбоя могли быть пропущены.")
        _table(document, coverage_table(data), tz)
    elif coverage.sources:
        _para(document, "Все источники собирались без ошибок.")


def _ratings(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    if not data.ratings:
        _para(document, "Ответственные исполнители не настроены (раздел bodies конфигурации).")
        return
    _para(document, "Балл 0–100 — взвешенное среднее доли ответов, ответов в срок, скорости, ответов по существу, "
                    "удовлетворённости, отсутствия конфликтов и повторных жалоб (подробно — mcu ratings).")
    _table(document, ratings_table(data), tz)
    _para(document, "Нарушенные сроки ответа:")
    _table_or(document, late_table(data), tz, "Все ответы даны в срок.")


SECTIONS: tuple[tuple[str, Writer], ...] = (
    ("Коротко", _summary),
    ("Главные истории", _stories),
    ("Темы", _topics),
    ("Платформы", _platforms),
    ("Тональность", _sentiment),
    ("Жалобы и вопросы без ответа", _appeals),
    ("Ответы на обращения: рейтинг исполнителей", _ratings),
    ("Повторяющиеся проблемы (30/90 дней)", _recurring),
    ("Оповещения", _alerts),
    ("Покрытие", _coverage),
)


# --- the frame: header, charts, signature ------------------------------------------------------------------------


def _header_block(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, f"МЦУ муниципального образования «город {data.town}» {REGION}", indent=False, align=centre)
    _para(document, indent=False)
    _para(document, "СПРАВКА", indent=False, bold=True, align=centre)
    _para(document, data.title, indent=False, bold=True, align=centre)
    _para(document, f"за период с {long_date(data.start, tz)} по {long_date(data.end, tz)}", indent=False,
          align=centre)


def _charts(document: DocumentObject, charts: list[Chart]) -> None:
    if not charts:
        return
    document.add_heading("Приложение. Графики по дням", level=1)
    for index, chart in enumerate(charts, 1):
        picture = document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True  # the caption stays under its picture
        picture.add_run().add_picture(io.BytesIO(chart.png), width=PICTURE_WIDTH)
        caption = _para(document, f"Рисунок {index} — {chart.title}", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        caption.paragraph_format.space_after = Pt(12)


def _signature(document: DocumentObject, data: DigestData, tz: tzinfo) -> None:
    _para(document, indent=False)
    _para(document, indent=False)
    sign = _para(document, "Заместитель руководителя МЦУ ____________ / ____________ /", indent=False,
                 align=WD_ALIGN_PARAGRAPH.LEFT)
    sign.paragraph_format.keep_with_next = True  # never a lone date on the last page
    _para(document, long_date(data.end, tz), indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)


def render_docx(data: DigestData, tz: tzinfo, charts: list[Chart] | None = None) -> bytes:
    """The справка as .docx bytes; ``charts`` default to the digest's three charts (pass [] for none)."""
    document = Document()
    _styles(document)
    _page(document)
    document.core_properties.title = clean_text(data.title)
    document.core_properties.language = "ru-RU"
    _header_block(document, data, tz)
    # The rating section appears once bodies are configured (the digest of a town without them stays as it was).
    sections = [(title, write) for title, write in SECTIONS if write is not _ratings or data.ratings]
    for index, (title, write) in enumerate(sections, 1):
        document.add_heading(f"{index}. {title}", level=1)
        write(document, data, tz)
    if data.gospublics:
        document.add_heading(f"{len(SECTIONS) + 1}. Госпаблики", level=1)
        _para(document, "Официальные страницы органов и учреждений за период: место внутри вида, балл 0..100 и "
                        "не пройденные проверки (подробно — в отчёте «Мониторинг госпабликов»).")
        _table(document, gospublics_table(data), tz)
    _charts(document, all_charts(data) if charts is None else charts)
    _signature(document, data, tz)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- building blocks for the other справки (the rating of bodies, the дорожная карта) ----------------------------


def new_document(title: str) -> DocumentObject:
    """An empty справка with the digest's page, fonts and styles."""
    document = Document()
    _styles(document)
    _page(document)
    document.core_properties.title = clean_text(title)
    document.core_properties.language = "ru-RU"
    return document


def header(document: DocumentObject, town: str, kind: str, title: str, subtitle: str) -> None:
    """The institution, the kind of paper («СПРАВКА»), its subject and period, centred."""
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, f"МЦУ муниципального образования «город {town}» {REGION}", indent=False, align=centre)
    _para(document, indent=False)
    _para(document, kind, indent=False, bold=True, align=centre)
    _para(document, title, indent=False, bold=True, align=centre)
    if subtitle:
        _para(document, subtitle, indent=False, align=centre)


def paragraph(document: DocumentObject, text: str) -> Paragraph:
    return _para(document, text)


def bullet(document: DocumentObject, text: str) -> Paragraph:
    return _bullet(document, text)


def table(document: DocumentObject, content: Table, tz: tzinfo, empty: str) -> None:
    _table_or(document, content, tz, empty)


def cell_text(value: Value, column: Column, tz: tzinfo) -> str:
    """A table value as the справка prints it (also what the HTML reports show)."""
    return _cell_text(value, column, tz)


def sign_and_save(document: DocumentObject, signer: str, day: datetime, tz: tzinfo) -> bytes:
    _para(document, indent=False)
    _para(document, indent=False)
    sign = _para(document, f"{signer} ____________ / ____________ /", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    sign.paragraph_format.keep_with_next = True
    _para(document, long_date(day, tz), indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
