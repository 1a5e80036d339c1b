"""`mcu alerts`: open alerts, and from the terminal what the bot's buttons do (take, close, false alarm),
plus silences for planned events and the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

import click
from rich.table import Table

from config import InputError, parse_duration
from mcu.clock import WallClock
from mcu.database import open_database, store_session
from mcu.shell import app, bad_option, out, state, usage_error
from mcu.stories_cli import _author, _moment, by_option

STATUS_WORDS = {"open": "ждёт", "taken": "в работе", "false_positive": "ложное", "closed": "закрыто"}


@app.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Показывать и закрытые, и ложные.")
@click.pass_context
def alerts(ctx: click.Context, show_all: bool) -> None:
    """Оповещения: открытые (ждут или в работе); ack, close, false — как кнопки в Telegram;
    silence — тишина на время планового события; audit — кто что сделал."""
    if ctx.invoked_subcommand is not None:
        return
    from storage import alert_state
    from storage.models import StoryRow

    settings = state.settings
    tz = settings.town.tz
    with store_session(settings) as session:
        rows = alert_state.open_states(session, include_done=show_all)
        table = Table("№", "уровень", "статус", "кто", "с", "последнее", "напоминание", "о чём")
        for row in rows:
            story = session.get(StoryRow, row.story_id)
            table.add_row(str(row.story_id), row.level + (f" → {row.escalated_to}" if row.escalated_to else ""),
                          STATUS_WORDS.get(row.status, row.status), row.actor or "—", _moment(row.first_at, tz),
                          _moment(row.notified_at, tz), _moment(row.remind_at, tz) if row.remind_at else "—",
                          (story.title if story else "")[:70])
    if not rows:
        out.print("Открытых оповещений нет." if not show_all else "Оповещений не было.")
        return
    out.print(table)


def _act(story_id: int, status: str, by: Optional[str]) -> None:
    from alerts.lifecycle import STATUS_TITLES
    from mcu.pipeline import Pipeline

    settings = state.settings
    db = open_database(settings)
    pipeline = Pipeline(settings, db)
    try:
        with db.transaction() as session:
            done = pipeline.alerting.act(session, story_id, status, _author(by), WallClock().now(), chat="CLI")
        if not done:
            raise InputError(f"по истории №{story_id} оповещений не было")
        sent = pipeline.dispatch(WallClock().now(), story_id) if "telegram" in pipeline.sinks else None
    finally:
        pipeline.close()
        db.dispose()
    note = f" Сообщения в Telegram обновлены: {sent.sent}." if sent is not None and sent.sent else ""
    out.print(f"История №{story_id}: {STATUS_TITLES[status].lower()}. Напоминаний и эскалации больше не будет.{note}")


@alerts.command("ack")
@click.argument("story_id", metavar="№", type=int)
@by_option
def alerts_ack(story_id: int, by: Optional[str]) -> None:
    """Взять оповещение по истории № в работу (как кнопка «Взять в работу»)."""
    _act(story_id, "taken", by)


@alerts.command("close")
@click.argument("story_id", metavar="№", type=int)
@by_option
def alerts_close(story_id: int, by: Optional[str]) -> None:
    """Закрыть оповещение по истории № (как кнопка «Закрыть»)."""
    _act(story_id, "closed", by)


@alerts.command("false")
@click.argument("story_id", metavar="№", type=int)
@by_option
def alerts_false(story_id: int, by: Optional[str]) -> None:
    """Отметить ложное срабатывание (как кнопка): метка для `mcu calibrate`."""
    _act(story_id, "false_positive", by)


def _until(start: datetime, span: Optional[str], until: Optional[str], tz: object) -> datetime:
    if (span is None) == (until is None):
        raise usage_error("укажите срок тишины: --for 6h или --until 2026-01-20T18:00")
    if span is not None:
        try:
            return start + timedelta(seconds=parse_duration(span))
        except ValueError as exc:
            raise bad_option("--for", str(exc)) from None
    try:
        moment = datetime.fromisoformat(str(until))
    except ValueError:
        raise bad_option("--until", f"не понимаю дату {until!r}, пишите 2026-01-20T18:00") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=tz)  # type: ignore[arg-type]
    if moment <= start:
        raise bad_option("--until", "тишина должна кончаться в будущем")
    return moment


@alerts.command("silence")
@click.option("--topic", default=None, help="Код темы (housing, waste, …).")
@click.option("--place", default=None, help="Место, как в историях: «3 мкр».")
@click.option("--words", default=None, help="Слова, которые должны быть в заголовке истории.")
@click.option("--for", "span", default=None, help="На сколько: 6h, 2d.")
@click.option("--until", default=None, help="До какого времени (время города): 2026-01-20T18:00.")
@click.option("--reason", required=True, help="Почему: «плановое отключение воды, график на сайте администрации».")
@by_option
def alerts_silence(topic: Optional[str], place: Optional[str], words: Optional[str], span: Optional[str],
                   until: Optional[str], reason: str, by: Optional[str]) -> None:
    """Тишина для планового события: подходящие истории не оповещают до конца срока (только в сводку)."""
    from mcu.silences import add_silence

    settings = state.settings
    if not (topic or place or words):
        raise usage_error("тишина без условий заглушит всё: укажите --topic, --place или --words")
    codes = {t.code for t in settings.topics}
    if topic and topic not in codes:
        raise bad_option("--topic", f"темы {topic!r} нет; есть: {', '.join(sorted(codes))}")
    now = WallClock().now()
    ends = _until(now, span, until, settings.town.tz)
    db = open_database(settings)
    try:
        number = add_silence(db, settings, topic=topic, place=place, words=words, now=now, ends=ends, reason=reason,
                             author=_author(by))
    finally:
        db.dispose()
    out.print(f"Тишина №{number} до {_moment(ends, settings.town.tz)}: {reason}")


@alerts.command("silences")
def alerts_silences() -> None:
    """Действующие тишины."""
    from storage import alert_state

    settings = state.settings
    with store_session(settings) as session:
        found = alert_state.silences(session, WallClock().now())
    if not found:
        out.print("Действующих тишин нет.")
        return
    table = Table("№", "тема", "место", "слова", "до", "почему")
    for item in found:
        table.add_row(str(item.id), item.topic or "—", item.place or "—", item.words or "—",
                      _moment(item.ends_at, settings.town.tz), item.reason)
    out.print(table)


@alerts.command("unsilence")
@click.argument("silence_id", metavar="№", type=int)
@by_option
def alerts_unsilence(silence_id: int, by: Optional[str]) -> None:
    """Снять тишину досрочно."""
    from mcu.silences import end_silence

    db = open_database(state.settings)
    try:
        end_silence(db, silence_id, _author(by), WallClock().now())
    finally:
        db.dispose()
    out.print(f"Тишина №{silence_id} снята.")


@alerts.command("audit")
@click.argument("story_id", metavar="[№]", type=int, required=False)
def alerts_audit(story_id: Optional[int]) -> None:
    """Журнал действий: кто, когда и что сделал с оповещениями (по истории № или весь)."""
    from storage import alert_state

    settings = state.settings
    with store_session(settings) as session:
        rows = [(r.at, r.story_id, r.action, r.actor, r.chat, r.detail) for r in alert_state.audit_of(session, story_id)]
    if not rows:
        out.print("Записей нет.")
        return
    table = Table("когда", "история", "действие", "кто", "чат", "подробности")
    for at, story, action, actor, chat, detail in rows:
        table.add_row(_moment(at, settings.town.tz), str(story or "—"), action, actor, chat or "—", detail or "")
    out.print(table)
