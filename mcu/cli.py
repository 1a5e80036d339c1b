"""The `mcu` command: a thin shell that turns the library's errors into one Russian line and an exit code."""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
import traceback
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import click
from rich.panel import Panel
from rich.progress import Progress, TaskID
from rich.table import Table
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from config import (
    CollectorError,
    ConfigError,
    InputError,
    MCUError,
    Settings,
    StorageError,
    mask_secrets,
    parse_duration,
)
from mcu import alerts_cli, gospublics_cli, purge_cli, stories_cli, web_cli  # noqa: F401  (register `mcu alerts`, `mcu gospublics`, `mcu stories`, `mcu calibrate`, `mcu purge`, `mcu web`, `mcu users`)
from mcu import responses_cli, roadmap_cli  # noqa: F401  (register `mcu bodies`, `appeals`, `ratings`, `responses`, `roadmap`)
from mcu.clock import WallClock
from mcu.database import open_database, sqlite_path
from mcu.shell import app, bad_option, err, log, out, state, usage_error
from mcu.source_health import source_state
from storage.database import database_error, describe_url

if TYPE_CHECKING:  # the heavy stages load only for the commands that need them
    from alerts import Alert
    from mcu.collection import Collection
    from mcu.pipeline import Pipeline
    from nlp.labels import LabelledText
    from storage import Database
    from storage.sources import SourceRecord

ANALYZE_BATCH = 256  # posts judged together by `mcu analyze`


def _parse_moment(value: str | None, settings: Settings, what: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise bad_option(what, f"не понимаю дату {value!r}, пишите 2026-01-14 или 2026-01-14T08:00+03:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.town.tz)
    return moment


# --- init -----------------------------------------------------------------------------------------


@app.command()
def init() -> None:
    """Создать базу данных или обновить её схему до текущей версии."""
    from storage import describe_url, upgrade

    settings = state.settings
    db = open_database(settings, check_schema=False)
    try:
        before, after = upgrade(db.engine)
    finally:
        db.dispose()
    where = describe_url(db.engine)
    if before == after:
        out.print(f"Схема базы {where} уже актуальна ({after}).")
    else:
        out.print(f"Схема базы {where} обновлена: {before or 'пусто'} → {after}.")


# --- demo -----------------------------------------------------------------------------------------


@app.command()
@click.option("--dir", "workdir", type=click.Path(path_type=Path, file_okay=False), default=Path("mcu-demo"),
              show_default=True, help="Каталог для базы и сводки демо.")
def demo(workdir: Path) -> None:
    """Весь конвейер офлайн на встроенных данных: сбор, разбор, истории, оповещения, сводка."""
    from mcu.demo import run_demo

    settings = state.settings
    out.print(f"[bold]МЦУ monitor — демонстрация[/bold]: {settings.town.name}, встроенные данные, без сети.")
    out.print("Оповещения выводятся по мере того, как истории набирают уровень риска.\n")

    def show(text: str) -> None:
        head = text.splitlines()[0] if text else ""
        style = "red" if "критич" in head else "dark_orange" if "высок" in head else "yellow"
        out.print(Panel(text, border_style=style, expand=False))

    with out.status("Разбираю посты…"):
        result = run_demo(settings, workdir, show)
    report = result.report
    table = Table(title="Итоги демо", show_header=False)
    table.add_row("Записей в ленте", str(report.events))
    table.add_row("Постов и комментариев", str(report.posts))
    table.add_row("Повторных наблюдений метрик", str(report.reobservations))
    table.add_row("Пропущено строк", str(report.skipped))
    levels = result.stories_by_level
    table.add_row("Историй по пиковому уровню", ", ".join(f"{k}: {v}" for k, v in sorted(levels.items())) or "—")
    first = sum(1 for a in report.alerts if not a.update)
    table.add_row("Оповещений", f"{first} новых, {len(report.alerts) - first} обновлений")
    table.add_row("База данных", str(result.database))
    table.add_row("Сводка за неделю", ", ".join(str(p) for p in result.digests) or str(result.digest))
    table.add_row("Мониторинг госпабликов", ", ".join(str(p) for p in result.gospublics_files) or "—")
    if result.password_file is not None:
        table.add_row("Рабочее место", f"mcu web --demo --dir {workdir} → http://127.0.0.1:{settings.web.port}, "
                                       f"вход demo, пароль — в файле {result.password_file}")
    out.print(table)
    if result.ratings:
        out.print(responses_cli.rating_console_table(result.ratings, result.rating_title))
    if result.gospublics:
        out.print(gospublics_cli.ranking_table(list(result.gospublics), state.settings))
    for problem in report.problems:
        err.print(str(problem), style="dim")


# --- run / collect / process ------------------------------------------------------------------------


def _pipeline(settings: Settings, console: bool = True, stopping: threading.Event | None = None) -> Pipeline:
    from mcu.pipeline import Pipeline

    db = open_database(settings)
    return Pipeline(settings, db, console=(lambda text: out.print(Panel(text, expand=False))) if console else None,
                    stopping=stopping)


def _collection(settings: Settings, db: Database, stopping: threading.Event | None = None) -> Collection:
    from mcu.collection import Collection

    return Collection(settings, db, stopping=stopping)


_WORKERS = click.option("--workers", "-w", type=int, default=1, show_default=True, metavar="N",
                        help="Процессов разбора (больше одного — только с PostgreSQL).")


@app.command()
@_WORKERS
def run(workers: int) -> None:
    """Запустить демон: сбор по расписанию, разбор, оповещения, сводки. Остановка — Ctrl+C или SIGTERM."""
    from mcu.daemon import build_scheduler, run_forever, start_listener
    from mcu.web.server import serve_beside_daemon
    from mcu.workers import check_workers, start_helpers, stop_helpers

    settings = state.settings
    check_workers(settings, workers)
    stopping = threading.Event()  # one stop request for every job of the daemon
    pipeline = _pipeline(settings, stopping=stopping)
    collection = _collection(settings, pipeline.db, stopping)
    scheduler = build_scheduler(pipeline, collection, WallClock())
    stop_listener = start_listener(pipeline, WallClock())
    stop_web = serve_beside_daemon(settings, pipeline, scheduler) if settings.web.serve_with_daemon else None
    collecting = [job.id.removeprefix("collect:") for job in scheduler.get_jobs() if job.id.startswith("collect:")]
    log.info("демон запущен: источников %d (%s), каналы доставки: %s", len(collecting), ", ".join(collecting) or "нет",
             ", ".join(pipeline.sinks) or "нет")
    helpers = start_helpers(settings, workers) if workers > 1 else []
    try:
        run_forever(scheduler, stopping)
    finally:
        stop_helpers(helpers)
        if stop_listener is not None:
            stop_listener()
        if stop_web is not None:
            stop_web()
        collection.close()
        pipeline.close()
        pipeline.db.dispose()
    log.info("демон остановлен")


@app.command()
@click.option("--source", "-s", "source", multiple=True, metavar="ИМЯ", help="Имя источника из конфигурации (можно несколько).")
@click.option("--once", is_flag=True, help="Собрать один раз и выйти (иначе — по расписанию, пока не остановят).")
@click.option("--since", default=None, metavar="ДАТА", help="Дозагрузка с этой даты (2026-01-01), с индикатором хода.")
def collect(source: tuple[str, ...], once: bool, since: Optional[str]) -> None:
    """Собрать посты из источников (из конфигурации и добавленных командой mcu sources add)."""
    settings = state.settings
    start = _parse_moment(since, settings, "--since")
    db = open_database(settings)
    collection: Collection | None = None
    stopping = threading.Event()
    try:
        collection = _collection(settings, db, stopping)
        now = WallClock().now()
        records = {r.name: r for r in collection.sync(now)}
        for name in source:
            if name not in records:
                known = ", ".join(records) or "источников нет"
                raise bad_option("--source", f"источник {name!r} не найден (есть: {known})")
        # Closed sources stay in the list: each run says that they are closed and why, not just leaves them out.
        chosen = list(source) or [name for name, record in records.items() if record.enabled]
        if not chosen:
            raise InputError("нет включённых источников: добавьте их (mcu sources add URL) или в раздел sources конфигурации")
        if not once and start is None:
            from mcu.daemon import build_scheduler, run_forever
            from mcu.pipeline import Pipeline

            scheduler = build_scheduler(Pipeline(settings, db, stopping=stopping), collection, WallClock(),
                                        collect_only=True, only=chosen)
            run_forever(scheduler, stopping)
            return
        if not state.verbose:  # a one-shot run prints each source's outcome itself
            logging.getLogger("mcu.collection").setLevel(logging.CRITICAL)
        failed = []
        for name in chosen:
            if start is not None:
                with Progress(console=err, transient=True) as progress:
                    task = progress.add_task(f"{name}: загружено записей", total=None)

                    def advance(count: int, task: TaskID = task) -> None:
                        progress.advance(task, count)

                    stats = collection.run(name, WallClock().now(), since=start, progress=advance, force=bool(source))
            else:
                stats = collection.run(name, WallClock().now(), force=bool(source))
            for problem in stats.problems:
                err.print(f"{name}: {problem}")
            if stats.skipped:
                out.print(f"{name}: пропущен — {stats.skipped}")
                continue
            out.print(f"{name}: записей {stats.collected}, новых {stats.new}, изменённых {stats.edited}, "
                      f"удалённых {stats.deleted}, снимков метрик {stats.snapshots}, пропущено строк {stats.skipped_lines}, "
                      f"запросов {stats.calls}")
            if stats.error:
                failed.append(f"{name}: {stats.error}")
        if failed:
            raise CollectorError("; ".join(failed))
    finally:
        if collection is not None:
            collection.close()
        db.dispose()


@app.command()
@click.option("--send/--no-send", default=True, show_default=True, help="Сразу отправить принятые оповещения.")
@_WORKERS
def process(send: bool, workers: int) -> None:
    """Разобрать собранные посты: NLP, истории, оценка риска, решения об оповещениях."""
    from mcu.workers import check_workers, process_in_parallel

    settings = state.settings
    check_workers(settings, workers)
    pipeline = _pipeline(settings)
    try:
        now = WallClock().now()
        if workers > 1:
            together = process_in_parallel(settings, workers, now)
            analysed, relevant, scored, alerts = (together.analysed, together.relevant, together.stories_scored,
                                                  together.alerts)
        else:
            stats = pipeline.process(now)
            analysed, relevant, scored, alerts = stats.analysed, stats.relevant, stats.stories_scored, len(stats.alerts)
        out.print(f"Разобрано постов: {analysed}, о городе: {relevant}, "
                  f"историй пересчитано: {scored}, оповещений: {alerts}")
        if send:
            sent = pipeline.dispatch(now)
            out.print(f"Доставлено сообщений: {sent.sent}, ошибок доставки: {sent.failed}")
    finally:
        pipeline.close()
        pipeline.db.dispose()


@app.command()
def worker() -> None:
    """Обработчик разбора без сбора и доставки: запускайте сколько нужно на любых машинах с одной базой PostgreSQL.
    Остановка — Ctrl+C или SIGTERM (после текущей пачки)."""
    from mcu.workers import work_until_stopped

    settings = state.settings
    db = open_database(settings)  # a missing or outdated schema is said at once, not in the loop
    log.info("обработчик запущен: база %s", describe_url(db.engine))
    db.dispose()
    work_until_stopped(settings)
    log.info("обработчик остановлен")


# --- analyze --------------------------------------------------------------------------------------


@app.command()
def analyze() -> None:
    """Разметить посты без базы: JSON Lines постов на stdin → JSON Lines разметки на stdout."""
    from collectors import Post, read_posts
    from mcu.pipeline import build_analyzer
    from nlp import PostContext

    settings = state.settings
    analyzer = build_analyzer(settings)
    # Posts are judged in batches (NER and the classifiers are far cheaper per post that way); a comment is
    # judged with its post when the post came earlier in the stream.
    parents: dict[tuple[str, str, str], tuple[float | None, str]] = {}
    pending: list[tuple[Post, PostContext]] = []
    written = skipped = 0

    def flush() -> int:
        for (post, _), annotation in zip(pending, analyzer.analyze_batch(pending), strict=True):
            if not post.is_comment:
                parents[(post.platform, post.source, post.id)] = (annotation.relevance, post.text)
            sys.stdout.write(json.dumps(annotation.to_record(), ensure_ascii=False) + "\n")
        done = len(pending)
        pending.clear()
        return done

    for post, problems in read_posts(sys.stdin.buffer):
        for problem in problems:
            err.print(f"stdin: {problem}")
            skipped += int(problem.skipped)
        if post is None:
            continue
        parent = parents.get((post.platform, post.source, post.parent_id or ""))
        pending.append((post, analyzer.context_for(post, *parent) if parent else analyzer.context_for(post)))
        if not post.is_comment:
            parents.setdefault((post.platform, post.source, post.id), (None, post.text))  # for comments in this batch
        if len(pending) >= ANALYZE_BATCH:
            written += flush()
    written += flush()
    sys.stdout.flush()
    log.info("размечено %d, пропущено строк %d", written, skipped)


# --- train / eval ---------------------------------------------------------------------------------


def _labelled(files: tuple[Path, ...], default: str, command: str) -> tuple[list[Path], list[LabelledText], int]:
    """The labelled files asked for (or the built-in ``default`` split), their valid records, and skips printed."""
    from importlib import resources

    from nlp.labels import read_labelled

    sources = list(files) or sorted(Path(str(resources.files("nlp").joinpath("corpus"))).glob(f"{default}_*.jsonl"))
    if not sources:
        raise InputError(f"нет файлов разметки: укажите их (mcu {command} ФАЙЛ …)")
    records, problems = read_labelled(sources, {t.code for t in state.settings.topics})
    for problem in problems:
        err.print(problem)
    return sources, records, len(problems)


@app.command()
@click.argument("files", nargs=-1, metavar="[ФАЙЛ]...", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", "-o", "output", type=click.Path(path_type=Path, dir_okay=False), default=Path("mcu-model.joblib"),
              show_default=True, help="Куда сохранить модель (потом укажите её в nlp.model_path).")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(0, 20),
              help="Перекрёстная проверка на стольких частях (0 — без неё).")
@click.option("--features", "feature_set", type=click.Choice(["both", "tfidf", "navec"]), default="both", show_default=True,
              help="Признаки: both — TF-IDF и векторы слов navec, tfidf или navec — только одни (для сравнения).")
def train(files: tuple[Path, ...], output: Path, folds: int, feature_set: str) -> None:
    """Обучить классификаторы на размеченных текстах (JSON Lines или CSV; по умолчанию — встроенный набор).
    Формат разметки — nlp/corpus/GUIDE.md; подходят и метки аналитиков."""
    from nlp import Analyzer, Lemmatizer
    from nlp.evaluation import evaluate, format_reliability, format_reports, reliability
    from nlp.models import save_models
    from nlp.training import cross_validate, train_models

    settings = state.settings
    codes = [t.code for t in settings.topics]
    _, records, skipped = _labelled(files, "train", "train")
    if len(records) < 20:
        raise InputError(f"слишком мало размеченных записей для обучения: {len(records)}")
    analyzer = Analyzer(settings, Lemmatizer())
    with out.status(f"Обучаю на {len(records)} записях…"):
        if folds >= 2:
            annotations, predictions = cross_validate(analyzer, records, folds, feature_set)
            report = format_reports(evaluate(records, annotations, codes),
                                    f"Перекрёстная проверка ({folds} частей), правила + модель (признаки: {feature_set}):")
            report += "\n" + format_reliability(reliability(records, annotations, predictions))
        models = train_models(analyzer, records, feature_set)
        save_models(models, output, len(records))
    if folds >= 2:
        out.print(report, markup=False)
    out.print(f"Модель сохранена: {output} (записей: {len(records)}, пропущено: {skipped}). "
              f"Чтобы её использовать, укажите в конфигурации nlp.model_path: {output}")


@app.command("eval")
@click.argument("files", nargs=-1, metavar="[ФАЙЛ]...", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--rules-only", is_flag=True, help="Оценить одни правила, без модели.")
def eval_command(files: tuple[Path, ...], rules_only: bool) -> None:
    """Оценить разметку на размеченных текстах ФАЙЛ (по умолчанию — встроенная отложенная выборка):
    точность, полнота и F1 по классам, матрицы ошибок, надёжность вероятностей (Брайер, ECE)."""
    from nlp import Analyzer, Lemmatizer
    from nlp.evaluation import evaluate, format_reliability, format_reports, reliability
    from nlp.models import load_for
    from nlp.training import annotate, probabilities

    settings = state.settings
    codes = [t.code for t in settings.topics]
    sources, records, _ = _labelled(files, "heldout", "eval")
    if not records:
        raise InputError("в файлах нет ни одной пригодной размеченной записи")
    models = None if rules_only else load_for(settings.nlp.use_model, settings.nlp.model_path)
    analyzer = Analyzer(settings, Lemmatizer(), models=models)
    annotations = annotate(analyzer, records)
    reports = evaluate(records, annotations, codes)
    what = "правила" if models is None else "правила + модель"
    out.print(format_reports(reports, f"Оценка ({what}) на {len(records)} записях: {', '.join(p.name for p in sources)}"),
              markup=False)
    out.print(format_reliability(reliability(records, annotations, probabilities(analyzer, records))), markup=False)


# --- replay ---------------------------------------------------------------------------------------


@app.command()
@click.argument("file", metavar="ФАЙЛ", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--db", default=None, metavar="URL", help="Адрес базы (по умолчанию — временная SQLite).")
@click.option("--tick", default="5m", show_default=True, help="Шаг модельных часов: 1m, 5m, 1h.")
def replay(file: Path, db: Optional[str], tick: str) -> None:
    """Прогнать ленту ФАЙЛ (JSON Lines: посты и повторные наблюдения с observed_at) через весь конвейер
    на модельных часах и вывести решения об оповещениях (JSON Lines)."""
    from mcu.pipeline import Pipeline
    from mcu.timeline import TimelineReport, load_timeline, run_timeline
    from storage import Database, upgrade

    settings = state.settings
    try:
        step = timedelta(seconds=parse_duration(tick))
    except ValueError as exc:
        raise bad_option("--tick", str(exc)) from None
    if step.total_seconds() <= 0:
        raise bad_option("--tick", "шаг должен быть больше нуля")
    report = TimelineReport()
    events = load_timeline(file, report)
    with tempfile.TemporaryDirectory(prefix="mcu-replay-") as scratch:
        url = db or f"sqlite:///{Path(scratch) / 'replay.db'}"
        database = Database.from_url(url)
        try:
            upgrade(database.engine)
            pipeline = Pipeline(settings, database, deliver=False, telegram=False)

            def emit(alert: Alert) -> None:
                sys.stdout.write(json.dumps(alert.to_record(), ensure_ascii=False) + "\n")
                sys.stdout.flush()

            run_timeline(pipeline, events, report, tick=step, on_alert=emit)
        finally:
            database.dispose()
    for problem in report.problems:
        err.print(f"{file.name}: {problem}")
    notes = []
    if report.out_of_order:
        notes.append(f"строк не по порядку времени: {report.out_of_order} (отсортированы)")
    for start, end in report.clock_jumps:
        notes.append(f"скачок времени: с {start:%Y-%m-%d %H:%M} до {end:%Y-%m-%d %H:%M} событий нет (часы переведены)")
    if report.unknown_reobservations:
        notes.append(f"повторных наблюдений неизвестных постов: {report.unknown_reobservations} (сохранены как новые)")
    for note in notes:
        err.print(f"{file.name}: {note}")
    err.print(f"Лента: событий {report.events}, постов {report.posts}, повторных наблюдений {report.reobservations}, "
              f"пропущено строк {report.skipped}, оповещений {len(report.alerts)}")


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
    from storage import posts as post_store
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
            backlog = post_store.count_pending_analysis(session)
            per_source = post_store.pending_by_source(session)
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
    end = _parse_moment(date_to, settings, "--to") or datetime.now(timezone.utc)
    start = _parse_moment(date_from, settings, "--from") or end - timedelta(days=7)
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
    moment = _parse_moment(date_to or end, settings, "--to") or datetime.now(timezone.utc)
    start = _parse_moment(date_from, settings, "--from")
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


# --- entry point ----------------------------------------------------------------------------------


# Files `mcu` creates hold personal data (152-ФЗ): the database and its -wal/-shm, exports, digests, the alert log.
# They are readable by the owner only (0600 files, 0700 directories).
PRIVATE_UMASK = 0o077


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every error a user can meet becomes one Russian line and a non-zero exit code."""
    os.umask(PRIVATE_UMASK)
    try:
        # Without standalone mode click returns a command's `Exit` code instead of raising it.
        code = app.main(args=argv, prog_name="mcu", standalone_mode=False)
        if isinstance(code, int) and code:
            return code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        err.print("Прервано.")
        return 130
    except click.exceptions.NoArgsIsHelpError as exc:  # plain `mcu`: the help is what was asked for
        out.print(exc.format_message(), markup=False, highlight=False)
        return 0
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx is not None else "mcu"
        err.print(f"Ошибка в команде: {exc.format_message()} Справка: {command} --help")
        return 2
    except ConfigError as exc:
        err.print(f"Ошибка: {exc}")
        return 78
    except MCUError as exc:
        err.print(f"Ошибка: {_masked(str(exc))}")
        return 1
    except DBAPIError as exc:
        err.print(f"Ошибка: {_masked(str(database_error(exc, None)))}")
        return 1
    except SQLAlchemyError as exc:
        err.print(f"Ошибка базы данных: {_masked(str(getattr(exc, 'orig', None) or exc).splitlines()[0])}")
        return 1
    except KeyboardInterrupt:
        err.print("Прервано.")
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except Exception as exc:  # the last net: a bug still gets one line, the traceback only with --verbose
        err.print(f"Внутренняя ошибка: {type(exc).__name__}: {_masked(str(exc))}. Подробности: mcu --verbose …")
        if state.verbose:
            traceback.print_exc()
        return 1
    return 0


def _masked(text: str) -> str:
    settings = state._settings
    return mask_secrets(text, settings.secrets() if settings is not None else None)


def entry() -> None:
    sys.exit(main())
