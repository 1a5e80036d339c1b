"""«Рейтинг ответственных исполнителей»: the bodies ranked by how they answer residents, the deadlines they broke
and their communication errors, for a week, a month or any period. The rating tables are shared with the digest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from alerts.digest.excel import Column, Link, Share, Table, Value
from alerts.digest.formatting import long_date, number, percent
from alerts.reports.document import Report, Section
from responses.records import QUALITY_TITLES, SATISFACTION_TITLES, SLA_TITLES, AppealRecord, BodyRating

PERIOD_TITLES = {"week": "за неделю", "month": "за месяц", "custom": "за период"}
WEIGHT_TITLES = {
    "answered": "доля обращений с ответом",
    "deadline": "доля ответов в срок",
    "speed": "скорость: медиана рабочего времени до ответа против двойного срока",
    "substance": "доля ответов по существу (не отписок и не конфликтов)",
    "satisfaction": "доля довольных среди тех, чья реакция известна",
    "conflicts": "без ошибок при коммуникации (каждый конфликт на пять ответов снимает всю часть)",
    "repeats": "без повторных жалоб",
}
LATE = ("breached", "overdue")


@dataclass(frozen=True, slots=True)
class RatingReport:
    """Everything the rating справка shows; storage and the responses component fill it."""

    town: str
    period: str
    start: datetime
    end: datetime
    ratings: tuple[BodyRating, ...]
    weights: tuple[tuple[str, float], ...]
    appeals: tuple[AppealRecord, ...]
    titles: Mapping[str, str]

    @property
    def title(self) -> str:
        return f"Рейтинг ответственных исполнителей: {self.town}, {PERIOD_TITLES.get(self.period, 'за период')}"


def rating_table(ratings: Sequence[BodyRating]) -> Table:
    columns = (Column("Место", "int", 6), Column("Исполнитель", width=34), Column("Обращений", "int", 10),
               Column("С ответом", "share", 10), Column("Медиана до ответа, раб. мин", "number", 14),
               Column("Медиана до ответа, мин", "number", 12), Column("В срок", "share", 9),
               Column("Просрочено", "int", 10), Column("Ответов", "int", 9), Column("Отписок", "share", 9),
               Column("Конфликтов", "int", 10), Column("Довольны", "share", 9), Column("Повторных жалоб", "int", 10),
               Column("Балл", "number", 8))
    rows: list[tuple[Value, ...]] = []
    for r in ratings:
        rows.append((r.rank, r.title, r.appeals, Share(r.answered, r.appeals), r.median_working_minutes,
                     r.median_minutes, Share(r.within_deadline, r.judged_deadline), r.overdue, r.replies,
                     Share(r.formulaic, r.replies), r.conflicts, Share(r.satisfied, r.satisfied + r.dissatisfied),
                     r.repeated, r.score))
    return Table(columns, tuple(rows))


def late_table(appeals: Sequence[AppealRecord], titles: Mapping[str, str]) -> Table:
    """Appeals whose first answer came late or has not come by the deadline, oldest first."""
    columns = (Column("Обращение", width=54), Column("Исполнитель", width=26), Column("Поступило", "moment", 16),
               Column("Срок ответа", "moment", 16), Column("Статус", width=20), Column("Ответ", "moment", 16),
               Column("До ответа, раб. мин", "number", 12))
    rows = tuple((Link(a.excerpt or "(без текста)", a.url), ", ".join(titles.get(b, b) for b in a.bodies) or "—",
                  a.appeal_at, a.deadline_at, SLA_TITLES.get(a.sla_status, a.sla_status), a.first_reply_at,
                  a.working_minutes_to_reply)
                 for a in appeals if a.sla_status in LATE)
    return Table(columns, rows)


def conflict_table(appeals: Sequence[AppealRecord], titles: Mapping[str, str]) -> Table:
    columns = (Column("Обращение", width=50), Column("Исполнитель", width=26), Column("Поступило", "moment", 16),
               Column("Причины", width=60), Column("Удовлетворённость", width=14))
    rows = tuple((Link(a.excerpt or "(без текста)", a.url),
                  ", ".join(titles.get(b, b) for b, q in a.replies if q == "conflict") or "—",
                  a.appeal_at, "; ".join(a.reasons), SATISFACTION_TITLES.get(a.satisfaction, a.satisfaction))
                 for a in appeals if a.reply_quality == "conflict")
    return Table(columns, rows)


def appeals_table(appeals: Sequence[AppealRecord], titles: Mapping[str, str]) -> Table:
    columns = (Column("№", "int", 6), Column("Обращение", width=50), Column("Исполнитель", width=26),
               Column("Площадка", width=10), Column("Поступило", "moment", 16), Column("Ответ", "moment", 16),
               Column("До ответа, мин", "number", 10), Column("Раб. мин", "number", 10), Column("Срок", width=18),
               Column("Качество", width=16), Column("Удовлетворённость", width=14), Column("Причины", width=60))
    rows = tuple((a.appeal_id, Link(a.excerpt or "(без текста)", a.url),
                  ", ".join(titles.get(b, b) for b in a.bodies) or "—", a.platform, a.appeal_at, a.first_reply_at,
                  a.minutes_to_reply, a.working_minutes_to_reply, SLA_TITLES.get(a.sla_status, a.sla_status),
                  QUALITY_TITLES.get(a.reply_quality or "", "—"),
                  SATISFACTION_TITLES.get(a.satisfaction, a.satisfaction), "; ".join(a.reasons))
                 for a in appeals)
    return Table(columns, rows)


def _summary(data: RatingReport) -> tuple[str, ...]:
    counted = [a for a in data.appeals if a.sla_status != "deleted"]
    answered = sum(1 for a in counted if a.first_reply_at is not None)
    in_time = sum(1 for a in counted if a.sla_status == "met")
    judged = sum(1 for a in counted if a.sla_status in ("met", "breached", "overdue"))
    conflicts = sum(1 for a in counted if a.reply_quality == "conflict")
    ranked = [r for r in data.ratings if r.rank is not None]
    lines = [f"Обращений жителей: {number(len(counted))}, с ответом: {number(answered)} "
             f"({percent(answered, len(counted))}), в срок: {number(in_time)} из {number(judged)} "
             f"({percent(in_time, judged)}), ошибок при коммуникации: {number(conflicts)}."]
    if ranked:
        best, worst = ranked[0], ranked[-1]
        lines.append(f"Лучший результат: {best.title} ({best.score:.0f} из 100)."
                     + (f" Худший: {worst.title} ({worst.score:.0f} из 100)." if worst is not best else ""))
    silent = [r.title for r in data.ratings if r.rank is None]
    if silent:
        lines.append("Без обращений за период: " + ", ".join(silent) + ".")
    return tuple(lines)


def rating_report(data: RatingReport, tz: tzinfo, *, with_appeals: bool = True) -> Report:
    weights = "; ".join(f"{WEIGHT_TITLES.get(k, k)} — {v:g}" for k, v in data.weights if v)
    sections = [
        Section("Коротко", _summary(data)),
        Section("Рейтинг", ("Балл 0–100 — взвешенное среднее показателей исполнителя; показатель без данных "
                            "(нет ответов, реакция неизвестна) в балл не входит.",),
                rating_table(data.ratings), "Ответственных исполнителей в конфигурации нет.", "Рейтинг"),
        Section("Как считается балл", (f"Веса показателей: {weights}.",)),
        Section("Нарушенные сроки ответа", (), late_table(data.appeals, data.titles),
                "Все ответы даны в срок.", "Сроки"),
        Section("Ошибки при коммуникации", (), conflict_table(data.appeals, data.titles),
                "Ошибок при коммуникации не найдено.", "Конфликты"),
    ]
    if with_appeals:
        sections.append(Section("Все обращения периода", (), appeals_table(data.appeals, data.titles),
                                "Обращений за период не было.", "Обращения"))
    last = data.end - timedelta(seconds=1)
    return Report(data.town, "СПРАВКА", data.title,
                  f"за период с {long_date(data.start, tz)} по {long_date(last, tz)}", tuple(sections),
                  "Заместитель руководителя МЦУ", data.end)
