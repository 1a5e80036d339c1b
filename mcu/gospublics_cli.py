"""`mcu gospublics`: the registry of official pages (list, add by URL, import a CSV, remove), reading their facts,
checking a period, and the «Мониторинг госпабликов» report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Optional

import click
from rich.table import Table

from config import InputError, Settings
from mcu.clock import WallClock
from mcu.database import open_database, store_session
from mcu.shell import app, bad_option, err, out, parse_moment, state, usage_error

if TYPE_CHECKING:
    from gospublics import PageReport, Period
    from gospublics.registry import RowProblem
    from mcu.gospublics_run import Gospublics

period_option = click.option("--period", type=click.Choice(["week", "month"]), default="month", show_default=True,
                             help="Период: неделя или месяц (30 дней) до --to.")
to_option = click.option("--to", "date_to", default=None, metavar="ДАТА",
                         help="Конец периода (2026-06-01); по умолчанию — сейчас.")


def _service(settings: Settings) -> Gospublics:
    from mcu.gospublics_run import Gospublics

    return Gospublics(settings, open_database(settings))


def _fmt_date(moment: datetime | None, settings: Settings) -> str:
    return moment.astimezone(settings.town.tz).strftime("%d.%m.%Y %H:%M") if moment else "—"


@app.group(invoke_without_command=True)
@click.pass_context
def gospublics(ctx: click.Context) -> None:
    """Госпаблики — официальные страницы администрации и учреждений: список с состоянием; add URL, import CSV,
    remove, collect — собрать факты, check — проверить период, report — отчёт «Мониторинг госпабликов»."""
    if ctx.invoked_subcommand is not None:
        return
    from storage import gospublics as store

    settings = state.settings
    kinds = settings.gospublics.kinds
    with store_session(settings) as session:
        pages = store.list_pages(session)
        rows = []
        for page in pages:
            facts = store.latest_facts(session, page.key)
            last = store.last_post_at(session, page, WallClock().now())
            rows.append((page, facts, last))
    if not pages:
        out.print("Реестр госпабликов пуст: добавьте страницы (mcu gospublics add URL --body ОРГАН --kind ВИД) "
                  "или загрузите таблицу (mcu gospublics import pages.csv).")
        return
    from gospublics import PLATFORM_TITLES, STATUS_TITLES

    table = Table("ключ", "страница", "платформа", "вид", "орган", "состояние", "подписчиков", "последний пост",
                  "проверена", title="Госпаблики")
    for page, facts, last in rows:
        status = {"duplicate": "повтор в реестре"}.get(page.status) or STATUS_TITLES.get(page.status, page.status)
        if page.status_detail and page.status != "ok":
            status += f": {page.status_detail}"
        if page.renamed_from:
            status += f" (адрес сменился: {page.renamed_from} → {page.handle})"
        followers = str(facts.followers) if facts is not None and facts.followers is not None else "—"
        kind = kinds[page.kind].title if page.kind in kinds else page.kind
        table.add_row(page.key, page.title, PLATFORM_TITLES.get(page.platform, page.platform), kind, page.body, status,
                      followers, _fmt_date(last, settings), _fmt_date(facts.observed_at if facts else None, settings))
    out.print(table)


def _entry_options(function: Callable[..., None]) -> Callable[..., None]:
    """The options describing a page, shared by `add` (and documented once)."""
    for option in reversed((
        click.option("--body", required=True, metavar="ОРГАН", help="Орган или учреждение, чья это страница."),
        click.option("--kind", required=True, metavar="ВИД",
                     help="Вид страницы: administration, school, kindergarten, culture, sport, health… (gospublics.kinds)."),
        click.option("--name", default=None, help="Как называть страницу в отчётах (по умолчанию — её название)."),
        click.option("--via", type=click.Choice(["tme", "telegram"]), default="tme", show_default=True,
                     help="Каналы Telegram: веб-просмотр без аккаунта или пользовательская сессия."),
        click.option("--phone", default=None, help="Телефон, который должен быть на странице."),
        click.option("--email", default=None, help="Электронная почта, которая должна быть на странице."),
        click.option("--site", default=None, help="Официальный сайт учреждения."),
        click.option("--address", default=None, help="Адрес учреждения."),
    )):
        function = option(function)
    return function


@gospublics.command("add")
@click.argument("url")
@_entry_options
def gospublics_add(url: str, body: str, kind: str, name: Optional[str], via: str, phone: Optional[str],
                   email: Optional[str], site: Optional[str], address: Optional[str]) -> None:
    """Добавить госпаблик по адресу (https://vk.com/имя, https://ok.ru/group/ID, https://t.me/имя): адрес
    проверяется через API платформы; страница начинает собираться как источник."""
    from gospublics.registry import PageEntry

    settings = state.settings
    expected = {key: value for key, value in (("phone", phone), ("email", email), ("site", site),
                                              ("address", address)) if value}
    service = _service(settings)
    try:
        page, _ = service.add(PageEntry(url, body, kind, name, via, expected), WallClock().now())
    finally:
        service.close()
        service.db.dispose()
    closed = f" — {page.status_detail}" if page.status_detail else ""
    out.print(f"Добавлен госпаблик {page.key}: {page.title} ({page.url}), орган {page.body}, вид {page.kind}{closed}")


@gospublics.command("import")
@click.argument("file", metavar="ФАЙЛ", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def gospublics_import(file: Path) -> None:
    """Загрузить госпаблики из таблицы CSV: столбцы url, body, kind и, если есть, name, phone, email, site, address,
    via. Плохие строки пропускаются с номером и причиной, повторы отмечаются, остальные добавляются."""
    from config import CollectorError
    from gospublics.registry import known_bodies, read_csv

    settings = state.settings
    entries, problems = read_csv(file.read_bytes(), settings.gospublics.kinds, known_bodies(settings))
    service = _service(settings)
    added = repeats = 0
    try:
        for entry in entries:
            try:
                page, repeated = service.add(entry, WallClock().now(), "import", allow_duplicate=True)
            except (InputError, CollectorError) as exc:
                problems.append(_row_problem(entry.line, str(exc)))
                continue
            if repeated:
                repeats += 1
                err.print(f"строка {entry.line}: {page.url} уже в реестре как «{repeated}» — записана как повтор")
            else:
                added += 1
    finally:
        service.close()
        service.db.dispose()
    for problem in problems:
        err.print(str(problem))
    out.print(f"Добавлено страниц: {added}, повторов: {repeats}, пропущено строк: {len(problems)}")


def _row_problem(line: int, text: str) -> RowProblem:
    from gospublics.registry import RowProblem

    return RowProblem(line, text)


@gospublics.command("remove")
@click.argument("key", metavar="КЛЮЧ")
def gospublics_remove(key: str) -> None:
    """Исключить страницу из реестра (по ключу из списка); собранные посты остаются в базе."""
    from storage import gospublics as store

    with store_session(state.settings) as session:
        page = store.find_page(session, key)
        if page is None or not store.remove_page(session, page.key):
            raise InputError(f"госпаблика {key!r} нет в реестре (список: mcu gospublics)")
    out.print(f"Госпаблик {page.key} ({page.title}) исключён из реестра.")


@gospublics.command("collect")
@click.option("--page", "pages", multiple=True, metavar="КЛЮЧ", help="Только эти страницы (можно несколько).")
def gospublics_collect(pages: tuple[str, ...]) -> None:
    """Собрать факты о страницах сейчас: описание, подписчики, оформление, закреплённый пост, лента."""
    settings = state.settings
    service = _service(settings)
    try:
        problems = service.sync_config(WallClock().now())
        outcomes = service.collect(WallClock().now(), list(pages) or None)
    finally:
        service.close()
        service.db.dispose()
    for problem in problems:
        err.print(problem)
    for outcome in outcomes:
        tail = f": {outcome.error}" if outcome.error else ""
        out.print(f"{outcome.page}: {outcome.status}, постов {outcome.posts}, запросов {outcome.calls}{tail}")
    if not outcomes:
        out.print("Реестр госпабликов пуст.")


def _reports(period_name: str, date_to: Optional[str]) -> tuple[list[PageReport], Period, datetime]:
    from mcu.gospublics_run import period_of

    settings = state.settings
    end = parse_moment(date_to, settings, "--to") or WallClock().now()
    period = period_of(period_name, end)
    service = _service(settings)
    try:
        return service.check(period, WallClock().now() if date_to is None else end), period, end
    finally:
        service.db.dispose()


def ranking_table(reports: list[PageReport], settings: Settings) -> Table:
    from gospublics import CHECK_TITLES, PLATFORM_TITLES
    from gospublics.wording import num

    kinds = settings.gospublics.kinds
    table = Table("вид", "место", "страница", "платформа", "балл", "постов в неделю", "перерыв, дн.", "не пройдено",
                  "состояние", title="Госпаблики: рейтинг внутри видов")
    for report in reports:
        failed = [CHECK_TITLES[check.code].lower() for check in report.checks if check.ok is False]
        kind = kinds[report.page.kind].title if report.page.kind in kinds else report.page.kind
        figures = report.figures
        checked = report.checked
        table.add_row(
            kind, f"{report.rank} из {report.rank_of}" if report.rank else "—", report.page.title,
            PLATFORM_TITLES.get(report.page.platform, report.page.platform),
            num(report.score, 0) if report.score is not None else "—",
            num(figures.posts_per_week) if checked else "—",
            num(figures.max_silence_days, 0) if checked and figures.max_silence_days is not None else "—",
            ", ".join(failed) or "—", report.status_text,
        )
    return table


@gospublics.command("check")
@period_option
@to_option
@click.option("--details", is_flag=True, help="Показать каждую проверку и рекомендации.")
def gospublics_check(period: str, date_to: Optional[str], details: bool) -> None:
    """Проверить госпаблики за период: частота и время публикаций, повестка, вовлечённость, ответы жителям,
    комментарии, актуальность, оформление; балл 0..100 и место внутри вида."""
    from gospublics import CHECK_TITLES

    settings = state.settings
    reports, _, _ = _reports(period, date_to)
    if not reports:
        out.print("Реестр госпабликов пуст.")
        return
    out.print(ranking_table(reports, settings))
    if details:
        for report in reports:
            out.print(f"\n[bold]{report.page.title}[/bold] ({report.page.url}) — {report.status_text}", markup=True)
            for check in report.checks:
                mark = {True: "✓", False: "✗", None: "—"}[check.ok]
                out.print(f"  {mark} {CHECK_TITLES[check.code]}: {check.text}", markup=False)
            for advice in report.recommendations:
                out.print(f"  → {advice}", markup=False)


@gospublics.command("report")
@period_option
@to_option
@click.option("--format", "fmt", type=click.Choice(["docx", "xlsx", "html"]), default="docx", show_default=True,
              help="Формат: docx (справка), xlsx (таблицы с фильтрами), html (один файл с графиками).")
@click.option("--out", "-o", "output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Файл отчёта (по умолчанию — в каталоге digest.out_dir).")
def gospublics_report(period: str, date_to: Optional[str], fmt: str, output: Optional[Path]) -> None:
    """Отчёт «Мониторинг госпабликов» для заместителя и ЦУР: рейтинг, проверки каждой страницы, графики,
    рекомендации."""
    from mcu.gospublics_run import default_report_path, monitoring, write_report

    settings = state.settings
    reports, span, end = _reports(period, date_to)
    data = monitoring(settings, reports, span, end)
    path = write_report(settings, data, fmt, output or default_report_path(settings, span, fmt))
    out.print(f"Отчёт записан: {path}")


def export_gospublics(period_name: str, date_from: Optional[str], date_to: Optional[str], fmt: str,
                      output: Optional[Path], body: Optional[str]) -> int:
    """`mcu export gospublics`: one record per page of the registry for a week, a month or ``--from``..``--to``
    (JSON Lines, or CSV/XLSX with the same columns, nested values as JSON in their cells), as
    `mcu export responses|ratings` do. A repeated listing of a page is not another page: it is left out (the report
    names it). An empty registry, or no page of ``--body``, is an error: an empty file would look like healthy
    silence to a script."""
    from gospublics.registry import known_bodies
    from mcu.export import write_records
    from mcu.gospublics_run import period_of

    settings = state.settings
    known = known_bodies(settings)
    if body and known is not None and body not in known:
        raise bad_option("--body", f"неизвестный исполнитель {body!r} (есть: {', '.join(sorted(known))})")
    end = parse_moment(date_to, settings, "--to")
    start = parse_moment(date_from, settings, "--from")
    try:
        period = period_of(period_name, end or WallClock().now(), start)
    except InputError as exc:
        raise usage_error(str(exc)) from None
    service = _service(settings)
    try:
        reports = service.check(period, WallClock().now() if end is None else period.end)
    finally:
        service.db.dispose()
    pages = [r for r in reports if r.status != "duplicate" and (body is None or r.page.body == body)]
    if not pages:
        where = f" исполнителя {body!r}" if body else ""
        raise InputError(f"нечего выгружать: в реестре нет госпабликов{where} — добавьте страницы "
                         "(mcu gospublics add URL --body ОРГАН --kind ВИД) или загрузите таблицу (mcu gospublics import)")
    return write_records((report.to_record() for report in pages), fmt, output, kind="gospublics")
