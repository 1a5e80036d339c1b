"""The tables of «Мониторинг госпабликов», shared by Word, Excel and HTML: raw values, each renderer formats them.

Shares are fractions (0.25) in columns of kind ``share``; Excel shows them as «25%», Word and HTML as «25 %».
"""

from __future__ import annotations

from alerts.digest.excel import Column, Link, Table, Value
from gospublics import CHECK_TITLES, PLATFORM_TITLES, STATUS_TITLES, Monitoring, PageReport
from gospublics.records import CheckResult

VERDICT = {True: "✓", False: "✗", None: "—"}
VERDICT_WORDS = {True: "пройдена", False: "не пройдена", None: "нет данных"}
EXTRA_STATUS = {"duplicate": "повтор в реестре"}


def status_title(report: PageReport) -> str:
    return EXTRA_STATUS.get(report.status) or STATUS_TITLES.get(report.status, report.status)


def page_link(report: PageReport) -> Link:
    return Link(report.page.title, report.page.url)


def place(report: PageReport) -> str:
    return f"{report.rank} из {report.rank_of}" if report.rank is not None else "—"


def ranking_table(data: Monitoring) -> Table:
    columns = (
        Column("Вид", width=18), Column("Место", width=8), Column("Страница", width=30), Column("Платформа", width=12),
        Column("Орган", width=14), Column("Балл", "number", 7), Column("Подписчиков", "int", 11),
        Column("Постов", "int", 8), Column("В неделю", "number", 9), Column("Макс. перерыв, дн.", "number", 10),
        Column("Дней без постов", "number", 9), Column("Повестка", "share", 9), Column("Вовлечённость, %", "number", 12),
        Column("Вопросов", "int", 9), Column("Отвечено", "share", 10), Column("Отвечено в срок", "share", 10),
        Column("Не пройдено проверок", "int", 10),
    )
    rows: list[tuple[Value, ...]] = []
    for report in data.ranked:
        figures = report.figures
        failed = sum(1 for check in report.checks if check.ok is False)
        answers = report.check("answers")  # its value: the share answered within the body's deadline, of those due
        in_time = float(answers.value) if answers is not None and isinstance(answers.value, (int, float)) else None
        rows.append((
            data.kind_titles.get(report.page.kind, report.page.kind), place(report), page_link(report),
            PLATFORM_TITLES.get(report.page.platform, report.page.platform), report.page.body, report.score,
            figures.followers, figures.posts, round(figures.posts_per_week, 1),
            round(figures.max_silence_days, 1) if figures.max_silence_days is not None else None,
            round(figures.days_since_last_post, 1) if figures.days_since_last_post is not None else None,
            figures.federal_regional_share,
            round(figures.engagement_rate, 2) if figures.engagement_rate is not None else None,
            figures.questions, figures.answered_share, in_time, failed,
        ))
    return Table(columns, tuple(rows))


def verdicts_table(data: Monitoring) -> Table:
    """Page × check: ✓ passed, ✗ failed, — no data or not applicable."""
    codes = list(CHECK_TITLES)
    columns = (Column("Страница", width=28), *(Column(CHECK_TITLES[code], width=9) for code in codes))
    rows = []
    for report in data.ranked:
        verdicts = {check.code: check.ok for check in report.checks}
        rows.append((page_link(report), *(VERDICT[verdicts.get(code)] for code in codes)))
    return Table(columns, tuple(rows))


def check_row(report: PageReport, check: CheckResult) -> tuple[Value, ...]:
    value = check.value if isinstance(check.value, (int, float, str)) and not isinstance(check.value, bool) else (
        None if check.value is None else str(check.value))
    limit = check.limit if isinstance(check.limit, (int, float, str)) and not isinstance(check.limit, bool) else (
        None if check.limit is None else str(check.limit))
    return (page_link(report), CHECK_TITLES.get(check.code, check.code), VERDICT_WORDS[check.ok], value, limit,
            check.text)


def checks_table(data: Monitoring) -> Table:
    columns = (Column("Страница", width=26), Column("Проверка", width=20), Column("Итог", width=11),
               Column("Значение", "number", 10), Column("Норма", "number", 9), Column("Пояснение", width=60))
    rows = tuple(check_row(report, check) for report in data.ranked for check in report.checks)
    return Table(columns, rows)


def recommendations_table(data: Monitoring) -> Table:
    columns = (Column("Страница", width=30), Column("Рекомендация", width=80))
    rows = tuple((page_link(report), advice) for report in data.pages for advice in report.recommendations)
    return Table(columns, rows)


def statuses_table(data: Monitoring) -> Table:
    """Every page's state: what could not be checked and why, and what was lost (nothing, or named)."""
    columns = (Column("Страница", width=30), Column("Вид", width=18), Column("Статус", width=20),
               Column("Пояснение", width=60))
    rows = tuple((page_link(report), data.kind_titles.get(report.page.kind, report.page.kind), status_title(report),
                  report.status_text) for report in data.pages)
    return Table(columns, rows)


def questions_table(data: Monitoring) -> Table:
    """Residents' questions past their deadline without the page's answer, oldest first."""
    columns = (Column("Страница", width=26), Column("Вопрос", width=60), Column("Задан", "moment", 16),
               Column("Срок", "moment", 16))
    overdue = sorted(((report, question) for report in data.pages for question in report.questions
                      if question.overdue(data.generated_at)), key=lambda pair: pair[1].asked_at)
    rows = tuple((page_link(report), Link(question.excerpt, question.url), question.asked_at, question.deadline_at)
                 for report, question in overdue)
    return Table(columns, rows)


SHEETS = (
    ("Рейтинг", ranking_table), ("Проверки", verdicts_table), ("Подробно", checks_table),
    ("Рекомендации", recommendations_table), ("Вопросы без ответа", questions_table), ("Состояние", statuses_table),
)
