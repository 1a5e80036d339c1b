"""`mcu purge`: what the retention period (152-ФЗ) removes — shown first, removed only with --yes."""

from __future__ import annotations

import click
from rich.table import Table

from mcu.clock import WallClock
from mcu.database import open_database
from mcu.retention import purge as purge_store
from mcu.shell import app, out, state


@app.command()
@click.option("--yes", is_flag=True, help="Удалить. Без этого флага только показать, что будет удалено.")
def purge(yes: bool) -> None:
    """Удалить персональные данные старше срока хранения retention_days (152-ФЗ): посты, комментарии, их версии,
    метрики и разметку, тексты оповещений и старые сводки. Уровни и счётчики историй для отчётов остаются.
    Без --yes — только показать, что будет удалено."""
    settings = state.settings
    db = open_database(settings)
    try:
        report = purge_store(settings, db, WallClock().now(), apply=yes)
    finally:
        db.dispose()
    cutoff = report.cutoff.astimezone(settings.town.tz).strftime("%d.%m.%Y %H:%M")
    verb = "Удалено" if yes else "Будет удалено"
    table = Table(title=f"{verb}: всё старше {settings.retention_days} дн. (до {cutoff})", show_header=False)
    for label, count in report.counts.items():
        table.add_row(label, str(count))
    table.add_row("файлов сводок", str(len(report.files)))
    table.add_row("строк журнала оповещений (alerts.jsonl_path)", str(report.alert_lines))
    out.print(table)
    for note in report.notes:
        out.print(note)
    if report.empty:
        out.print("Удалять нечего.")
    elif not yes:
        out.print("Это проверка: чтобы удалить, выполните mcu purge --yes")
