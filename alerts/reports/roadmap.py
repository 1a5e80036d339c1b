"""The дорожная карта as a справка: plan items with evidence, owner, measure, deadline and status; recurring
problems not yet in the plan; items closed while their complaints keep coming."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from alerts.digest.excel import Column, Link, Table, Value
from alerts.digest.formatting import long_date
from alerts.reports.document import Report, Section
from responses.records import RecurringProblem, RoadmapItem
from responses.roadmap import STATUS_TITLES


def items_table(items: Sequence[RoadmapItem], titles: Mapping[str, str], topics: Mapping[str, str]) -> Table:
    columns = (Column("№", "int", 6), Column("Проблема", width=40), Column("Тема", width=18), Column("Место", width=18),
               Column("Ответственный", width=26), Column("Основание", width=50), Column("Мера", width=50),
               Column("Срок", "day", 12), Column("Статус", width=14), Column("Жалобы после закрытия", "int", 12))
    rows: list[tuple[Value, ...]] = []
    for item in items:
        status = STATUS_TITLES.get(item.status, item.status) + (" — жалобы продолжаются" if item.flagged else "")
        rows.append((item.id, item.title, topics.get(item.topic, item.topic), item.place,
                     titles.get(item.body_id or "", "—"), item.evidence, item.measure, item.deadline, status,
                     item.complaints_after_close if item.status == "done" else None))
    return Table(columns, tuple(rows))


def problems_table(problems: Sequence[RecurringProblem], titles: Mapping[str, str], topics: Mapping[str, str]) -> Table:
    columns = (Column("Тема", width=18), Column("Место", width=20), Column("Исполнитель", width=26),
               Column("За 30 дней", "int", 10), Column("За 90 дней", "int", 10), Column("Тренд", width=14),
               Column("Авторов", "int", 9), Column("Последнее", "moment", 16), Column("Пример", width=60))
    rows = tuple((topics.get(p.topic, p.topic), p.place, titles.get(p.body_id or "", "—"), p.count_short, p.count_long,
                  p.trend, p.authors, p.last_at,
                  Link(p.examples[0].excerpt, p.examples[0].url) if p.examples else None) for p in problems)
    return Table(columns, rows)


def roadmap_report(town: str, items: Sequence[RoadmapItem], problems: Sequence[RecurringProblem],
                   titles: Mapping[str, str], topics: Mapping[str, str], now: datetime, tz: tzinfo) -> Report:
    flagged = [i for i in items if i.flagged]
    open_items = [i for i in items if i.status not in ("done", "cancelled")]
    summary = [f"Пунктов дорожной карты: {len(items)}, в работе и запланировано: {len(open_items)}, "
               f"выполнено: {sum(1 for i in items if i.status == 'done')}."]
    if flagged:
        summary.append("Закрыты, но жалобы продолжаются: " + "; ".join(f"№{i.id} {i.title} "
                                                                      f"({i.complaints_after_close})" for i in flagged)
                       + ". Причина не устранена — пункт стоит вернуть в работу.")
    sections = (
        Section("Коротко", tuple(summary)),
        Section("Пункты дорожной карты", (), items_table(items, titles, topics),
                "Пунктов нет: предложите их командой mcu roadmap draft.", "Дорожная карта"),
        Section("Повторяющиеся проблемы (тема × место × исполнитель)",
                ("Одна и та же проблема в одном месте снова и снова за 30 и 90 дней: материал для новых пунктов.",),
                problems_table(problems, titles, topics), "Повторяющихся проблем не найдено.", "Повторы"),
    )
    return Report(town, "ДОРОЖНАЯ КАРТА", "Устранение причин повторяющихся жалоб жителей",
                  f"по состоянию на {long_date(now, tz)}", sections, "Заместитель руководителя МЦУ", now)
