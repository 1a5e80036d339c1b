"""`mcu roadmap`: the дорожная карта — recurring problems turned into draft items that analysts edit, close and
export; a closed item whose complaints keep coming is flagged."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import click
from rich.table import Table

from config import InputError
from mcu.clock import WallClock
from mcu.database import store_session
from mcu.shell import app, bad_option, out, state
from mcu.stories_cli import _author, by_option
from responses.roadmap import STATUS_TITLES, STATUSES

FORMATS = ("docx", "xlsx", "html", "md")


def _titles() -> tuple[dict[str, str], dict[str, str]]:
    settings = state.settings
    return {b.id: b.title for b in settings.bodies}, {t.code: t.title for t in settings.topics}


@app.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Показывать и выполненные, и отменённые пункты.")
@click.pass_context
def roadmap(ctx: click.Context, show_all: bool) -> None:
    """Дорожная карта: пункты (проблема, ответственный, мера, срок, статус); draft — предложить пункты по
    повторяющимся проблемам; show, edit, status, export."""
    if ctx.invoked_subcommand is not None:
        return
    from mcu.ratings import roadmap_items

    settings = state.settings
    with store_session(settings) as session:
        items = roadmap_items(session, settings, WallClock().now(), include_closed=show_all)
    if not items:
        out.print("Пунктов нет. Предложить по повторяющимся проблемам: mcu roadmap draft")
        return
    bodies, _ = _titles()
    table = Table("№", "проблема", "ответственный", "срок", "статус", "мера")
    for item in items:
        status = STATUS_TITLES.get(item.status, item.status)
        if item.flagged:
            status += f" — ЖАЛОБЫ ПРОДОЛЖАЮТСЯ ({item.complaints_after_close})"
        table.add_row(str(item.id), item.title, bodies.get(item.body_id or "", "—"),
                      item.deadline.strftime("%d.%m.%Y") if item.deadline else "—", status, item.measure[:60])
    out.print(table)


@roadmap.command("draft")
@by_option
def roadmap_draft(by: Optional[str]) -> None:
    """Предложить пункты-черновики по повторяющимся проблемам (тема × место × исполнитель за 30/90 дней)."""
    from mcu.ratings import draft_roadmap

    settings = state.settings
    with store_session(settings) as session:
        added = draft_roadmap(session, settings, WallClock().now(), _author(by))
    if not added:
        out.print("Новых повторяющихся проблем нет: всё уже в дорожной карте или жалоб мало.")
        return
    for item in added:
        out.print(f"№{item.id} {item.title}: {item.evidence}", markup=False)
    out.print(f"Добавлено черновиков: {len(added)}. Править: mcu roadmap edit № --measure … --deadline …")


@roadmap.command("show")
@click.argument("number", type=int)
def roadmap_show(number: int) -> None:
    """Пункт №: проблема, основание, ответственный, мера, срок, статус и история правок."""
    from mcu.ratings import roadmap_items
    from storage import roadmap as store

    settings = state.settings
    bodies, topics = _titles()
    with store_session(settings) as session:
        item = next((i for i in roadmap_items(session, settings, WallClock().now()) if i.id == number), None)
        if item is None:
            raise InputError(f"пункта №{number} нет (список: mcu roadmap --all)")
        events = [(e.at, e.actor, e.field, e.old, e.new) for e in store.history(session, number)]
    tz = settings.town.tz
    out.print(f"№{item.id} {item.title}", markup=False)
    out.print(f"Тема: {topics.get(item.topic, item.topic)}; место: {item.place}; "
              f"ответственный: {bodies.get(item.body_id or '', '—')}", markup=False)
    out.print(f"Основание: {item.evidence}", markup=False)
    out.print(f"Мера: {item.measure}", markup=False)
    out.print(f"Срок: {item.deadline.strftime('%d.%m.%Y') if item.deadline else '—'}; "
              f"статус: {STATUS_TITLES.get(item.status, item.status)}", markup=False)
    if item.flagged:
        out.print(f"Закрыт {item.closed_at.astimezone(tz):%d.%m.%Y}, но жалобы продолжаются: "  # type: ignore[union-attr]
                  f"{item.complaints_after_close}. Причина не устранена.", markup=False)
    for at, actor, field, old, new in events:
        out.print(f"  {at.astimezone(tz):%d.%m %H:%M} {actor}: {field}: {old or '—'} → {new or '—'}", markup=False)


def _edit(number: int, changes: dict[str, object], by: Optional[str]) -> None:
    from storage import roadmap as store

    settings = state.settings
    with store_session(settings) as session:
        row = store.row(session, number)
        if row is None:
            raise InputError(f"пункта №{number} нет (список: mcu roadmap --all)")
        changed = store.edit(session, row, changes, _author(by), WallClock().now())
    out.print(f"Пункт №{number}: изменено — {', '.join(changed)}." if changed else f"Пункт №{number}: без изменений.")


@roadmap.command("edit")
@click.argument("number", type=int)
@click.option("--title", default=None, help="Формулировка проблемы.")
@click.option("--measure", default=None, help="Предлагаемая мера.")
@click.option("--deadline", default=None, metavar="ДАТА", help="Срок (2026-03-31).")
@click.option("--body", default=None, metavar="ID", help="Ответственный исполнитель (id из mcu bodies).")
@click.option("--place", default=None, help="Место или учреждение.")
@by_option
def roadmap_edit(number: int, title: Optional[str], measure: Optional[str], deadline: Optional[str],
                 body: Optional[str], place: Optional[str], by: Optional[str]) -> None:
    """Править пункт №: формулировку, меру, срок, ответственного, место (каждая правка записывается в историю)."""
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = title.strip() or None
    if measure is not None:
        changes["measure"] = measure.strip()
    if deadline is not None:
        try:
            changes["deadline"] = date.fromisoformat(deadline)
        except ValueError:
            raise bad_option("--deadline", f"не понимаю дату {deadline!r}, пишите 2026-03-31") from None
    if body is not None:
        if body not in {b.id for b in state.settings.bodies}:
            raise bad_option("--body", f"неизвестный исполнитель {body!r} (список: mcu bodies)")
        changes["body_id"] = body
    if place is not None:
        changes["place"] = place.strip()
    if changes.get("title", "") is None:
        raise bad_option("--title", "формулировка не может быть пустой")
    if not changes:
        raise click.UsageError("укажите, что изменить: --title, --measure, --deadline, --body или --place")
    _edit(number, changes, by)


@roadmap.command("status")
@click.argument("number", type=int)
@click.argument("status", type=click.Choice(STATUSES))
@by_option
def roadmap_status(number: int, status: str, by: Optional[str]) -> None:
    """Статус пункта №: draft, planned, in_progress, done, cancelled (done — дальше система следит, прекратились
    ли жалобы)."""
    _edit(number, {"status": status}, by)


@roadmap.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="docx, xlsx, html или md.")
@click.option("--out", "-o", "output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Файл (формат — по расширению, если не задан --format).")
def roadmap_export(fmt: Optional[str], output: Path) -> None:
    """Дорожная карта справкой: пункты с основанием, мерой, сроком и статусом, и повторяющиеся проблемы."""
    from alerts.reports import render_report, roadmap_report
    from mcu.ratings import recurring_problems, roadmap_items

    settings = state.settings
    chosen = fmt or output.suffix.lstrip(".").lower()
    if chosen not in FORMATS:
        raise bad_option("--out", f"не понимаю формат {output.name!r}: {', '.join(FORMATS)}")
    now = WallClock().now()
    with store_session(settings) as session:
        items = roadmap_items(session, settings, now)
        problems = recurring_problems(session, settings, now)
    bodies, topics = _titles()
    report = roadmap_report(settings.town.name, items, problems, bodies, topics, now, settings.town.tz)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(render_report(report, chosen, settings.town.tz))
    except OSError as exc:
        raise InputError(f"не удалось записать {output}: {exc.strerror}") from exc
    out.print(f"Дорожная карта записана: {output}")
