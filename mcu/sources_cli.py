"""`mcu sources` and `mcu status`: what is collected from where, and how the collection and the queues stand."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Optional

import click
from rich.table import Table

from config import InputError, Settings, StorageError, mask_secrets, parse_duration
from mcu.clock import WallClock
from mcu.database import open_database, sqlite_path
from mcu.shell import app, bad_option, out, state
from mcu.source_health import source_state

if TYPE_CHECKING:
    from storage.sources import SourceRecord


# --- sources ------------------------------------------------------------------------------------


def fmt_moment(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M") if moment else "—"


def sources_table(
    records: list[SourceRecord], tz: tzinfo, settings: Settings, now: datetime,
    backlog: dict[tuple[str, str], int] | None = None,
) -> Table:
    table = Table(title="Источники")
    columns = ["Источник", "Тип", "Состояние", "Последний успех", "Последняя ошибка", "Следующий сбор", "Собрано", "Аудитория"]
    for column in columns + (["Ждут разбора"] if backlog is not None else []):
        table.add_column(column)
    for item in records:
        error = f"{fmt_moment(item.last_error_at, tz)}: {item.last_error}" if item.last_error else "—"
        row = [item.name, item.kind, source_state(item, now), fmt_moment(item.last_success_at, tz),
               mask_secrets(error, settings.secrets()), fmt_moment(item.next_run_at, tz) if item.active else "—",
               str(item.posts_collected), str(item.audience) if item.audience is not None else "—"]
        if backlog is not None:
            ref = item.ref()
            row.append(str(backlog.get((ref.platform, ref.handle), 0)) if ref.platform else "—")
        table.add_row(*row)
    return table


@app.group(invoke_without_command=True)
@click.pass_context
def sources(ctx: click.Context) -> None:
    """Источники: список; add URL — добавить сообщество, канал или сайт; disable/enable ИМЯ."""
    if ctx.invoked_subcommand is None:
        from storage import sources as source_store

        settings = state.settings
        db = open_database(settings)
        try:
            with db.transaction() as session:
                source_store.sync_config_sources(session, settings.sources)
                records = source_store.list_sources(session)
        finally:
            db.dispose()
        out.print(sources_table(records, settings.town.tz, settings, WallClock().now()))


@sources.command("add")
@click.argument("url")
@click.option("--name", default=None, help="Имя источника (по умолчанию — вид:имя, например vk_wall:desnogorsk).")
@click.option("--interval", default="10m", show_default=True, help="Как часто собирать: 5m, 1h.")
@click.option("--via", type=click.Choice(["tme", "telegram"]), default="tme", show_default=True,
              help="Каналы Telegram: tme — веб-просмотр без аккаунта, telegram — через пользовательскую сессию.")
def sources_add(url: str, name: Optional[str], interval: str, via: str) -> None:
    """Добавить источник по адресу: https://vk.com/имя, https://ok.ru/group/ID, https://t.me/имя, сайт или RSS.
    Адрес проверяется через API платформы и сохраняется в базе."""
    from collectors.base import NotConfigured
    from collectors.factory import build_resolver
    from collectors.urls import parse_source_url
    from mcu.collection import make_budget
    from storage import sources as source_store

    settings = state.settings
    try:
        seconds = parse_duration(interval)
    except ValueError as exc:
        raise bad_option("--interval", str(exc)) from None
    parsed = parse_source_url(url, telegram_kind=via)
    try:
        resolver = build_resolver(parsed.kind, settings, make_budget(settings))
    except NotConfigured as exc:
        raise InputError(f"не могу проверить {parsed.url}: {exc}") from None
    try:
        info = resolver.resolve(parsed.url)
    finally:
        close = getattr(resolver, "close", None)
        if close is not None:
            close()  # its HTTP connection, also when the address is not found
    db = open_database(settings)
    try:
        with db.transaction() as session:
            try:
                record = source_store.add_source(session, name or f"{info.kind}:{info.handle}", info, seconds, WallClock().now())
            except ValueError as exc:
                raise InputError(str(exc)) from None
    finally:
        db.dispose()
    audience = f", аудитория {info.audience}" if info.audience is not None else ""
    closed = " — ЗАКРЫТ, собирать нельзя" if info.closed else ""
    out.print(f"Добавлен источник {record.name}: {info.title} ({info.url}{audience}){closed}")


def _switch(name: str, enabled: bool) -> None:
    from storage import sources as source_store

    settings = state.settings
    db = open_database(settings)
    try:
        with db.transaction() as session:
            source_store.sync_config_sources(session, settings.sources)
            record = source_store.set_enabled(session, name, enabled)
    finally:
        db.dispose()
    if record is None:
        raise InputError(f"источник {name!r} не найден (список: mcu sources)")
    out.print(f"Источник {name} {'включён' if enabled else 'отключён'}.")


@sources.command("disable")
@click.argument("name", metavar="ИМЯ")
def sources_disable(name: str) -> None:
    """Отключить источник ИМЯ (собранное остаётся в базе)."""
    _switch(name, False)


@sources.command("enable")
@click.argument("name", metavar="ИМЯ")
def sources_enable(name: str) -> None:
    """Включить источник ИМЯ снова (в том числе помеченный закрытым)."""
    _switch(name, True)


# --- status ---------------------------------------------------------------------------------------


@app.command()
def status() -> None:
    """Состояние: база, источники (последний успех и ошибка), очередь разбора и доставки, каналы."""
    from storage import current_revision, describe_url, head_revision
    from storage import outbox as outbox_store
    from storage import analysis_queue
    from storage import sources as source_store
    from storage import usage as usage_store

    settings = state.settings
    path = sqlite_path(settings.database.url)
    if path is not None and not path.exists():
        raise StorageError(f"база данных {path} не найдена: выполните `mcu init`")
    db = open_database(settings, check_schema=False)
    try:
        current, head = current_revision(db.engine), head_revision()
        out.print(f"База: {describe_url(db.engine)}, схема {current or 'не создана'}"
                  + ("" if current == head else f" (нужна {head}: выполните `mcu init`)"))
        if current != head:
            raise StorageError("схема базы не совпадает с версией программы")
        tz = settings.town.tz
        now = WallClock().now()
        with db.transaction() as session:
            source_store.sync_config_sources(session, settings.sources)
            records = source_store.list_sources(session)
            backlog = analysis_queue.count_pending_analysis(session)
            per_source = analysis_queue.pending_by_source(session)
            queue = outbox_store.outbox_counts(session)
            quota = usage_store.load_usage(session, now.strftime("%Y-%m-%d"))
        out.print(sources_table(records, tz, settings, now, per_source))
        if quota:
            table = Table(title="Квоты API на сегодня (UTC)")
            for column in ("API", "Метод", "Вызовов", "Квота", "Заблокирован до"):
                table.add_column(column)
            for item in quota:
                table.add_row(item.api, item.method, str(item.calls), str(item.quota or "—"), fmt_moment(item.blocked_until, tz))
            out.print(table)
        out.print(f"Ждут разбора: {backlog}")
        out.print("Исходящие: " + ", ".join(f"{k}: {v}" for k, v in sorted(queue.items())) if queue else "Исходящие: пусто")
        bot = settings.api.telegram_bot.token
        chats = sum(len(r.telegram_chats) for r in settings.roles.values())
        out.print(f"Telegram-бот: {'настроен' if bot is not None and bot.present else 'не настроен (нет токена)'}, чатов ролей: {chats}")
    finally:
        db.dispose()
