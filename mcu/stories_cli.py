"""`mcu stories` (list, show, merge, split, mark) and `mcu calibrate`: the analyst's hands on stories and thresholds."""

from __future__ import annotations

import getpass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional

import click
from rich.table import Table
from sqlalchemy import select

from config import InputError, Settings, StorageError, parse_duration
from mcu.clock import WallClock
from mcu.database import open_database, store_session
from mcu.shell import app, err, out, state


def _author(by: Optional[str]) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a container
        return "аналитик"


def _moment(value: datetime, tz: object) -> str:
    return value.astimezone(tz).strftime("%d.%m %H:%M")  # type: ignore[arg-type]


by_option = click.option("--by", default=None, metavar="ИМЯ", help="Кто вносит правку (по умолчанию — имя пользователя).")


@app.group(invoke_without_command=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="Сколько историй показать.")
@click.option("--all", "show_all", is_flag=True, help="Показывать и истории низкого уровня.")
@click.pass_context
def stories(ctx: click.Context, limit: int, show_all: bool) -> None:
    """Истории: список последних; show, merge, split, mark — подробности и правки аналитика."""
    if ctx.invoked_subcommand is not None:
        return
    from storage.models import StoryRow

    settings = state.settings
    with store_session(settings) as session:
        query = select(StoryRow).where(StoryRow.merged_into.is_(None))
        if not show_all:
            query = query.where(StoryRow.peak_level != "low")
        rows = list(session.scalars(query.order_by(StoryRow.last_seen_at.desc(), StoryRow.id.desc()).limit(limit)))
        table = Table("№", "уровень", "балл", "пик", "постов", "тема", "с", "по", "о чём")
        for row in rows:
            table.add_row(str(row.id), row.level, f"{row.score:.0f}", row.peak_level, str(row.post_count), row.topic,
                          _moment(row.first_seen_at, settings.town.tz), _moment(row.last_seen_at, settings.town.tz),
                          row.title[:80])
    if not rows:
        out.print("Историй нет." if show_all else "Историй выше низкого уровня нет (все — mcu stories --all).")
        return
    out.print(table)


@stories.command("show")
@click.argument("story_id", metavar="№", type=int)
def stories_show(story_id: int) -> None:
    """Всё об истории: уровень, причины, факторы, посты (с номерами для split), правки и отметки."""
    from storage import stories as story_store
    from storage.models import AnnotationRow, PostRow, StoryFeedbackRow

    settings = state.settings
    tz = settings.town.tz
    with store_session(settings) as session:
        row = story_store.story_row(session, story_id)
        if row is None:
            raise InputError(f"истории №{story_id} нет")
        if row.id != story_id:
            out.print(f"История №{story_id} объединена с №{row.id}.")
        out.print(f"История №{row.id}: {row.title}")
        out.print(f"Уровень {row.level} (балл {row.score:.0f}, пик {row.peak_level} {row.peak_score:.0f}), тема {row.topic}, "
                  f"места: {', '.join(row.places) or '—'}, с {_moment(row.first_seen_at, tz)} по {_moment(row.last_seen_at, tz)}")
        for reason in row.reasons:
            out.print(f"  • {reason}")
        factors = ", ".join(f"{k} {v:g}" for k, v in sorted((row.factors or {}).items()))
        out.print(f"Факторы: {factors or '—'}")
        posts = list(session.scalars(select(PostRow).where(PostRow.story_id == row.id).order_by(PostRow.published_at)))
        notes = {a.post_id: a for a in session.scalars(select(AnnotationRow).where(AnnotationRow.post_id.in_([p.id for p in posts])))}
        table = Table("пост", "когда", "где", "тон", "просм.", "текст")
        for post in posts:
            note = notes.get(post.id)
            where = f"{post.platform}/{post.source}" + (" (комм.)" if post.parent_external_id else "")
            table.add_row(str(post.id), _moment(post.published_at, tz), where, note.sentiment_label if note else "—",
                          str(post.views or 0), " ".join(post.text.split())[:90])
        out.print(table)
        for correction in story_store.corrections(session, row.id):
            what = "объединение" if correction.action == "merge" else "разделение"
            out.print(f"Правка: {what} №{correction.story_id} и №{correction.other_story_id}, "
                      f"{correction.author}, {_moment(correction.at, tz)}")
        marks = session.scalars(select(StoryFeedbackRow).where(StoryFeedbackRow.story_id == row.id).order_by(StoryFeedbackRow.at))
        for mark in marks:
            out.print(f"Отметка: {mark.verdict} ({mark.author}, {_moment(mark.at, tz)}, балл {mark.score:.0f})")


@stories.command("merge")
@click.argument("target", metavar="№", type=int)
@click.argument("others", metavar="№...", type=int, nargs=-1, required=True)
@by_option
def stories_merge(target: int, others: tuple[int, ...], by: Optional[str]) -> None:
    """Объединить истории (вторые номера) в историю с первым номером (правка запоминается, обе пересчитаются)."""
    from mcu.corrections import merge_stories

    db = open_database(state.settings)
    try:
        moved = merge_stories(db, target, list(dict.fromkeys(others)), _author(by), WallClock().now())
    finally:
        db.dispose()
    out.print(f"Истории {', '.join(f'№{o}' for o in others)} объединены в №{target}: перенесено постов {moved}. "
              "Уровень пересчитается при следующей обработке (mcu process).")


@stories.command("split")
@click.argument("story_id", metavar="№", type=int)
@click.argument("posts", metavar="ПОСТ...", type=int, nargs=-1, required=True)
@by_option
def stories_split(story_id: int, posts: tuple[int, ...], by: Optional[str]) -> None:
    """Вынести посты ПОСТ (номера из `mcu stories show`) с их комментариями в новую историю.
    Разделённые истории больше не объединяются автоматически."""
    from mcu.corrections import Splitter

    settings = state.settings
    db = open_database(settings)
    try:
        new, moved = Splitter(settings).split(db, story_id, list(dict.fromkeys(posts)), _author(by), WallClock().now())
    finally:
        db.dispose()
    out.print(f"Из истории №{story_id} вынесено постов {moved} в новую историю №{new}. "
              "Уровни пересчитаются при следующей обработке (mcu process).")


@stories.command("mark")
@click.argument("story_id", metavar="№", type=int)
@click.argument("verdict", type=click.Choice(["taken", "false", "closed"]))
@by_option
def stories_mark(story_id: int, verdict: str, by: Optional[str]) -> None:
    """Отметить историю: taken — взята в работу, false — ложное срабатывание, closed — закрыта.
    Отметки false — метки для `mcu calibrate`."""
    from mcu.alerting import Alerting
    from mcu.corrections import mark_story

    settings = state.settings
    db = open_database(settings)
    try:
        title = mark_story(db, story_id, verdict, _author(by), WallClock().now(), Alerting(settings, {}))
    finally:
        db.dispose()
    out.print(f"История №{story_id}: {title}.")


# --- calibrate -------------------------------------------------------------------------------------


def _levels(value: Optional[str]) -> Optional[tuple[float, float, float]]:
    if value is None:
        return None
    try:
        medium, high, critical = (float(part) for part in value.split(","))
    except ValueError:
        raise InputError("--levels: три порога через запятую, например 35,55,75") from None
    if not 0 <= medium < high < critical <= 100:
        raise InputError("--levels: пороги должны расти в пределах 0..100: medium < high < critical")
    return medium, high, critical


def _span(value: Optional[timedelta]) -> str:
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    return f"{minutes} мин" if minutes < 120 else f"{minutes / 60:.1f} ч".replace(".", ",")


@app.command()
@click.argument("files", nargs=-1, metavar="[ЛЕНТА]...", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--levels", default=None, metavar="M,H,C", help="Проверить другие пороги уровней, например 30,50,70.")
@click.option("--tick", default="5m", show_default=True, help="Шаг модельных часов.")
def calibrate(files: tuple[Path, ...], levels: Optional[str], tick: str) -> None:
    """Проверить пороги риска на размеченных лентах ЛЕНТА (рядом — ЛЕНТА.expect.json; по умолчанию — встроенные):
    как быстро серьёзные истории достигают уровня, сколько ложных оповещений дают безобидные;
    и по отметкам аналитиков в базе — какой порог оповещения убрал бы ложные срабатывания."""
    from mcu.calibration import bundled_timelines, run_labelled
    from mcu.pipeline import build_analyzer

    settings = state.settings
    chosen = _levels(levels)
    if chosen is not None:
        thresholds = settings.risk.levels.model_copy(update=dict(zip(("medium", "high", "critical"), chosen, strict=True)))
        settings = settings.model_copy(update={"risk": settings.risk.model_copy(update={"levels": thresholds})})
    step = timedelta(seconds=parse_duration(tick))
    timelines = list(files) or bundled_timelines()
    analyzer = build_analyzer(settings)
    table = Table("лента", "ожидание", "medium", "high", "critical", "оповещений", "обновлений", "лишних", "итог")
    failed = false_alerts = 0
    for path in timelines:
        outcome = run_labelled(settings, analyzer, path, step)
        expected = outcome.expectation
        want = f"{expected.level} за {_span(expected.within)}" if expected.kind == "serious" else f"не выше {expected.level}"
        failed += not outcome.passed
        false_alerts += outcome.false_alerts
        table.add_row(outcome.name, want, _span(outcome.reached.get("medium")), _span(outcome.reached.get("high")),
                      _span(outcome.reached.get("critical")), str(outcome.first_alerts), str(outcome.updates),
                      str(outcome.false_alerts), "да" if outcome.passed else "НЕТ")
    levels_now = settings.risk.levels
    out.print(f"Пороги: medium {levels_now.medium:g}, high {levels_now.high:g}, critical {levels_now.critical:g}. "
              "Время — от первого поста ленты.")
    out.print(table)
    out.print(f"Лент: {len(timelines)}, не выполнено ожиданий: {failed}, лишних оповещений: {false_alerts}.")
    _advise_from_marks(settings)
    if failed:
        raise click.exceptions.Exit(1)


def _advise_from_marks(settings: Settings) -> None:
    """Analysts' verdicts in the configured store, if it has any."""
    from mcu.calibration import advise_threshold, describe_peaks
    from storage import stories as story_store

    try:
        db = open_database(settings)
    except StorageError as exc:
        err.print(f"Отметки аналитиков не прочитаны: {exc}")
        return
    try:
        with db.transaction() as session:
            verdicts = story_store.feedback(session)
    finally:
        db.dispose()
    if not verdicts:
        out.print("Отметок аналитиков в базе нет: `mcu stories mark № false` (или кнопка «Ложное срабатывание»).")
        return
    advice = advise_threshold(verdicts, settings.risk.levels.medium)
    out.print(f"Отметки аналитиков: ложные срабатывания — {describe_peaks(advice.false_peaks)}; "
              f"взятые в работу и закрытые — {describe_peaks(advice.taken_peaks)} (пиковый балл).")
    if advice.threshold > advice.current and advice.spared:
        out.print(f"Порог оповещения (risk.levels.medium) {advice.threshold:g} вместо {advice.current:g} убрал бы "
                  f"{advice.spared} из {advice.false_alarms} ложных срабатываний; нужных оповещений осталось бы {advice.taken_kept} из {advice.taken}.")
    else:
        out.print("Поднять порог оповещения, не потеряв нужных историй, нельзя: ложные и нужные истории набирают одинаковый балл.")
