"""The `mcu` command: a thin shell that turns the library's errors into one Russian line and an exit code."""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
import traceback
from datetime import timedelta
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
    mask_secrets,
    parse_duration,
)
from mcu import alerts_cli, gospublics_cli, purge_cli, stories_cli, web_cli  # noqa: F401  (register `mcu alerts`, `mcu gospublics`, `mcu stories`, `mcu calibrate`, `mcu purge`, `mcu web`, `mcu users`)
from mcu import responses_cli, roadmap_cli  # noqa: F401  (register `mcu bodies`, `appeals`, `ratings`, `responses`, `roadmap`)
from mcu import nlp_cli, reports_cli, sources_cli  # noqa: F401  (register `mcu analyze`, `train`, `eval`, `export`, `digest`, `sources`, `status`)
from mcu.clock import WallClock
from mcu.database import open_database
from mcu.shell import app, bad_option, err, log, out, parse_moment, state
from storage.database import database_error, describe_url

if TYPE_CHECKING:  # the heavy stages load only for the commands that need them
    from alerts import Alert
    from mcu.collection import Collection
    from mcu.pipeline import Pipeline
    from storage import Database

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
    start = parse_moment(since, settings, "--since")
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
