"""`mcu export` and `mcu digest`: records and reports for the МЦУ, the regional center and scripts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

import click

from config import InputError
from mcu import gospublics_cli, responses_cli
from mcu.database import open_database
from mcu.shell import app, bad_option, err, out, parse_moment, state, usage_error


# --- export ---------------------------------------------------------------------------------------


@app.command()
@click.argument("kind", type=click.Choice(["posts", "stories", "alerts", "responses", "ratings", "gospublics"]))
@click.option("--from", "date_from", default=None, metavar="ДАТА", help="Начало периода (2026-01-01); по умолчанию — неделя назад.")
@click.option("--to", "date_to", default=None, metavar="ДАТА", help="Конец периода (не включая); по умолчанию — сейчас.")
@click.option("--topic", default=None, metavar="КОД", help="Только эта тема (housing, npp, …).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl", show_default=True,
              help="Формат файла: jsonl, csv или xlsx (Excel с фильтрами).")
@click.option("--out", "-o", "output", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Файл (по умолчанию — stdout).")
@click.option("--period", type=click.Choice(["week", "month"]), default="week", show_default=True,
              help="responses, ratings, gospublics: неделя или месяц (30 дней) до --to, если не задан --from.")
@click.option("--body", default=None, metavar="ID", help="responses, ratings, gospublics: только этот исполнитель.")
def export(kind: str, date_from: Optional[str], date_to: Optional[str], topic: Optional[str], fmt: str,
           output: Optional[Path], period: str, body: Optional[str]) -> None:
    """Выгрузить посты, истории, оповещения, обращения с ответами, рейтинг исполнителей или госпаблики
    (posts, stories, alerts, responses, ratings, gospublics) за период — для запросов ЦУР и скриптов."""
    if kind in ("responses", "ratings"):
        start, end, named = responses_cli.rating_period(state.settings, period, date_from, date_to)
        count = responses_cli.export_answers(kind, state.settings, start, end, named, fmt, output, body)
        err.print(f"Выгружено записей: {count}" + (f" в {output}" if output else ""))
        return
    from mcu.export import write_records
    from storage import reports

    settings = state.settings
    if kind == "gospublics":
        count = gospublics_cli.export_gospublics(period, date_from, date_to, fmt, output, body)
        err.print(f"Выгружено записей: {count}" + (f" в {output}" if output else ""))
        return
    if topic and topic not in {t.code for t in settings.topics}:
        raise bad_option("--topic", f"неизвестная тема {topic!r} (есть: {', '.join(t.code for t in settings.topics)})")
    end = parse_moment(date_to, settings, "--to") or datetime.now(timezone.utc)
    start = parse_moment(date_from, settings, "--from") or end - timedelta(days=7)
    if start >= end:
        raise usage_error("--from должно быть раньше --to")
    db = open_database(settings)
    try:
        with db.transaction() as session:
            source = {"posts": reports.export_posts, "stories": reports.export_stories, "alerts": reports.export_alerts}[kind]
            count = write_records(source(session, start, end, topic), fmt, output, kind=kind)
    finally:
        db.dispose()
    err.print(f"Выгружено записей: {count}" + (f" в {output}" if output else ""))


# --- digest ---------------------------------------------------------------------------------------


@app.command()
@click.option("--period", type=click.Choice(["day", "week"]), default="day", show_default=True, help="Период сводки.")
@click.option("--from", "date_from", default=None, metavar="ДАТА", help="Начало своего периода (вместе с --to).")
@click.option("--to", "date_to", default=None, metavar="ДАТА", help="Конец периода (по умолчанию — сейчас).")
@click.option("--end", default=None, metavar="ДАТА", hidden=True)
@click.option("--format", "fmt", type=click.Choice(["md", "html", "docx", "xlsx"]), default="md", show_default=True,
              help="Формат: md, html (один файл с графиками), docx (справка), xlsx (таблицы с фильтрами).")
@click.option("--out", "-o", "output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Файл сводки (по умолчанию — в каталоге digest.out_dir).")
@click.option("--send", is_flag=True, help="Отправить в Telegram ролям digest.roles: график с итогом и файл.")
def digest(period: str, date_from: Optional[str], date_to: Optional[str], end: Optional[str], fmt: str,
           output: Optional[Path], send: bool) -> None:
    """Сводка информационных рисков за сутки, неделю или свой период: темы, тональность, главные истории
    с причинами и ссылками, жалобы без ответа, повторяющиеся проблемы, оповещения и покрытие."""
    from alerts import TelegramSink
    from alerts.digest.charts import all_charts
    from mcu.digests import build_digest, default_digest_path, send_digest, write_digest

    settings = state.settings
    moment = parse_moment(date_to or end, settings, "--to") or datetime.now(timezone.utc)
    start = parse_moment(date_from, settings, "--from")
    db = open_database(settings)
    try:
        data = build_digest(db, settings, period, moment, start)
    finally:
        db.dispose()
    charts = all_charts(data) if fmt in ("html", "docx") or send else None
    path = write_digest(data, settings, output or default_digest_path(settings, period, moment, fmt), fmt, charts)
    out.print(f"Сводка записана: {path}")
    if send:
        bot = settings.api.telegram_bot
        if bot.token is None or not bot.token.present:
            raise InputError("для --send нужен токен бота: api.telegram_bot.token")
        sink = TelegramSink(bot.base_url, bot.token, bot.timeout)
        try:
            chats = send_digest(settings, data, [path], sink.bot, charts)
        finally:
            sink.close()
        out.print(f"Сводка отправлена в Telegram: чатов {chats}")
