"""«Мониторинг госпабликов» as a Word справка for the deputy head and for ЦУР: the same page, fonts and tables as the
risk digest (``alerts/digest/word.py``), with the ranking, each page's checks and recommendations, and charts."""

from __future__ import annotations

import io
from datetime import tzinfo

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH

from alerts.digest.charts import Chart
from alerts.digest.excel import Column, Table
from alerts.digest.formatting import long_date
from alerts.digest.word import (
    REGION,
    _bullet,
    _charts,
    _page,
    _para,
    _styles,
    _table,
    add_hyperlink,
    clean_text,
)
from alerts.gospublics.tables import (
    VERDICT,
    place,
    questions_table,
    ranking_table,
    status_title,
    statuses_table,
    verdicts_table,
)
from gospublics import CHECK_TITLES, PLATFORM_TITLES, Monitoring, PageReport
from gospublics.wording import num, pct

SHORT_TITLES = ("Частота", "Перерыв", "Посл. пост", "Днём", "Вых.", "Повестка", "Вовлеч.", "Ответы", "Комм.",
                "Закреп.", "Контакты", "Оформл.")


def for_word(table: Table) -> Table:
    """Shares as «25 %» (Word has no number formats of its own here); everything else as it is."""
    shares = {index for index, column in enumerate(table.columns) if column.kind == "share"}
    if not shares:
        return table
    columns = tuple(Column(c.header, "text", c.width) if i in shares else c for i, c in enumerate(table.columns))
    rows = tuple(tuple(pct(value) if i in shares and isinstance(value, float) else value for i, value in enumerate(row))
                 for row in table.rows)
    return Table(columns, rows)


def _compact_ranking(data: Monitoring) -> Table:
    """The ranking narrowed to what fits an A4 page; the full table is in the Excel file."""
    full = ranking_table(data)
    keep = ("Вид", "Место", "Страница", "Балл", "Постов", "В неделю", "Макс. перерыв, дн.", "Повестка",
            "Вовлечённость, %", "Отвечено в срок")
    index = [i for i, column in enumerate(full.columns) if column.header in keep]
    return for_word(Table(tuple(full.columns[i] for i in index), tuple(tuple(row[i] for i in index) for row in full.rows)))


def _summary(document: DocumentObject, data: Monitoring) -> None:
    ranked = data.ranked
    scores = [r.score for r in ranked if r.score is not None]
    _para(document, f"В реестре госпабликов {len(data.pages)} страниц, проверено {len(ranked)}"
                    + (f", средний балл {num(sum(scores) / len(scores))} из 100." if scores else "."))
    if data.unranked:
        _para(document, "Не проверены: " + "; ".join(f"«{r.page.title}» — {status_title(r)}" for r in data.unranked)
              + ".")
    failing: dict[str, int] = {}
    for report in ranked:
        for check in report.checks:
            if check.ok is False:
                failing[check.code] = failing.get(check.code, 0) + 1
    if failing:
        worst = sorted(failing.items(), key=lambda item: -item[1])[:4]
        _para(document, "Чаще всего не пройдены: " + "; ".join(f"{CHECK_TITLES[code].lower()} — {count} стр."
                                                                for code, count in worst) + ".")


def _page_section(document: DocumentObject, index: int, report: PageReport, data: Monitoring) -> None:
    kind = data.kind_titles.get(report.page.kind, report.page.kind)
    score = f", балл {num(report.score)}, место {place(report)} среди «{kind}»" if report.score is not None else ""
    document.add_heading(clean_text(f"3.{index}. {report.page.title}{score}"), level=2)
    line = _para(document, f"{PLATFORM_TITLES.get(report.page.platform, report.page.platform)}, "
                           f"орган: {report.page.body}, статус: {status_title(report)}. ")
    add_hyperlink(line, report.page.url, report.page.url)
    if report.status_text and report.status_text != status_title(report):
        _para(document, report.status_text)
    for check in report.checks:
        _bullet(document, f"{VERDICT[check.ok]} {check.text}")
    if report.recommendations:
        _para(document, "Рекомендации:", bold=True)
        for advice in report.recommendations:
            _bullet(document, advice)


def render_docx(data: Monitoring, tz: tzinfo, charts: list[Chart] | None = None) -> bytes:
    document = Document()
    _styles(document)
    _page(document)
    document.core_properties.title = clean_text(data.title)
    document.core_properties.language = "ru-RU"
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, f"МЦУ муниципального образования «город {data.town}» {REGION}", indent=False, align=centre)
    _para(document, indent=False)
    _para(document, "СПРАВКА", indent=False, bold=True, align=centre)
    _para(document, data.title, indent=False, bold=True, align=centre)
    _para(document, f"за период с {long_date(data.period.start, tz)} по {long_date(data.period.end, tz)}",
          indent=False, align=centre)
    document.add_heading("1. Итоги", level=1)
    _summary(document, data)
    document.add_heading("2. Рейтинг страниц внутри видов", level=1)
    if data.ranked:
        _table(document, _compact_ranking(data), tz)
        verdicts = verdicts_table(data)
        _para(document, "Проверки: ✓ — пройдена, ✗ — не пройдена, — — нет данных или не требуется.")
        _table(document, Table((verdicts.columns[0], *(Column(t, width=5) for t in SHORT_TITLES)), verdicts.rows), tz)
    else:
        _para(document, "Проверенных страниц нет.")
    document.add_heading("3. Страницы: проверки и рекомендации", level=1)
    for index, report in enumerate(data.pages, 1):
        _page_section(document, index, report, data)
    document.add_heading("4. Вопросы жителей без ответа", level=1)
    questions = questions_table(data)
    if questions.rows:
        _table(document, questions, tz)
    else:
        _para(document, "Вопросов без ответа после срока нет.")
    document.add_heading("5. Состояние реестра", level=1)
    _table(document, statuses_table(data), tz)
    _charts(document, charts or [])
    _para(document, indent=False)
    _para(document, "Заместитель руководителя МЦУ ____________ / ____________ /", indent=False,
          align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(document, long_date(data.generated_at, tz), indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
