"""`mcu bodies`, `mcu appeals`, `mcu ratings`, `mcu responses check`: responsible bodies, residents' appeals and
how they were answered, the rating of bodies, and the bundled timelines with known answers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

import click
from rich.table import Table

from config import InputError, Settings
from mcu.clock import WallClock
from mcu.database import store_session
from mcu.shell import app, bad_option, err, out, parse_moment, state, usage_error
from responses.records import QUALITY_TITLES, SATISFACTION_TITLES, SLA_TITLES

REPORT_FORMATS = ("docx", "xlsx", "html", "md")
KIND_TITLES = {"administration": "администрация", "department": "подразделение", "institution": "учреждение",
               "company": "организация", "mup": "МУП", "other": "другое"}


def _when(value: datetime | None, settings: Settings) -> str:
    return value.astimezone(settings.town.tz).strftime("%d.%m %H:%M") if value else "—"


def _body_known(settings: Settings, body: str) -> None:
    ids = [b.id for b in settings.bodies]
    if body not in ids:
        raise bad_option("--body", f"неизвестный исполнитель {body!r} (есть: {', '.join(ids) or 'нет — см. bodies'})")


# --- bodies -------------------------------------------------------------------------------------------------------


@app.group(invoke_without_command=True)
@click.pass_context
def bodies(ctx: click.Context) -> None:
    """Ответственные исполнители: список с официальными аккаунтами; add URL --body ID — привязать аккаунт."""
    if ctx.invoked_subcommand is not None:
        return
    from responses import bodies_of
    from storage import responses as store

    settings = state.settings
    with store_session(settings) as session:
        added = {row.handle: row for row in store.account_rows(session)}
        extra = store.accounts(session)
    if not settings.bodies:
        out.print("Исполнителей нет: опишите их в разделе bodies конфигурации.")
        return
    table = Table("id", "исполнитель", "вид", "подчиняется", "аккаунты", "темы", "места и ключевые слова")
    for body in bodies_of(settings, extra):
        accounts = [f"{a.platform}:{a.handle or a.id}" + (" (добавлен)" if a.handle in added else "")
                    for a in body.accounts]
        where = ", ".join([*body.places, *body.keywords])
        table.add_row(body.id, body.title, KIND_TITLES.get(body.kind, body.kind), body.parent or "—",
                      "\n".join(accounts) or "нет", ", ".join(body.topics) or "—", where or "—")
    out.print(table)


@bodies.command("add")
@click.argument("url")
@click.option("--body", "body", required=True, metavar="ID", help="Исполнитель из раздела bodies конфигурации.")
@click.option("--via", type=click.Choice(["tme", "telegram"]), default="tme", show_default=True,
              help="Каналы Telegram: tme — веб-просмотр без аккаунта, telegram — через пользовательскую сессию.")
def bodies_add(url: str, body: str, via: str) -> None:
    """Привязать официальный аккаунт исполнителя по адресу (https://vk.com/имя, https://ok.ru/group/ID,
    https://t.me/канал): адрес проверяется через API, как в mcu sources add; его посты и комментарии — официальные
    ответы."""
    from collectors.base import NotConfigured
    from collectors.factory import build_resolver
    from collectors.urls import parse_source_url
    from mcu.collection import make_budget
    from storage import responses as store

    settings = state.settings
    _body_known(settings, body)
    parsed = parse_source_url(url, telegram_kind=via)
    try:
        resolver = build_resolver(parsed.kind, settings, make_budget(settings))
    except NotConfigured as exc:
        raise InputError(f"не могу проверить {parsed.url}: {exc}") from None
    info = resolver.resolve(parsed.url)
    with store_session(settings) as session:
        row, new = store.attach_account(session, body, info, WallClock().now())
        where = f"{row.platform}:{row.handle}" + (f" (id {row.external_id})" if row.external_id else "")
    title = next(b.title for b in settings.bodies if b.id == body)
    verb = "Привязан" if new else "Перепривязан"
    out.print(f"{verb} аккаунт {where} — {info.title} — к исполнителю {body} ({title}).")


# --- appeals ------------------------------------------------------------------------------------------------------


@app.group(invoke_without_command=True)
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 3660), help="За сколько дней.")
@click.option("--body", default=None, metavar="ID", help="Только обращения к этому исполнителю.")
@click.option("--status", type=click.Choice(["open", "met", "breached", "overdue", "deleted"]), default=None,
              help="Только с этим статусом срока.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000), help="Сколько показать.")
@click.pass_context
def appeals(ctx: click.Context, days: int, body: Optional[str], status: Optional[str], limit: int) -> None:
    """Обращения жителей и ответы на них: исполнитель, время до ответа, срок, качество, удовлетворённость;
    show № — подробности и события."""
    if ctx.invoked_subcommand is not None:
        return
    from storage import responses as store

    settings = state.settings
    if body:
        _body_known(settings, body)
    end = WallClock().now()
    with store_session(settings) as session:
        records = store.appeal_records(session, end - timedelta(days=days), end + timedelta(seconds=1), body=body,
                                       statuses=[status] if status else None)
    titles = {b.id: b.title for b in settings.bodies}
    if not records:
        out.print("Обращений за период нет.")
        return
    table = Table("№", "поступило", "исполнитель", "ответ", "мин (раб.)", "срок", "качество", "удовлетв.", "текст")
    for r in records[-limit:]:
        minutes = f"{r.minutes_to_reply:.0f} ({r.working_minutes_to_reply:.0f})" if r.minutes_to_reply is not None else "—"
        table.add_row(str(r.appeal_id), _when(r.appeal_at, settings), ", ".join(titles.get(b, b) for b in r.bodies) or "—",
                      _when(r.first_reply_at, settings), minutes, SLA_TITLES.get(r.sla_status, r.sla_status),
                      QUALITY_TITLES.get(r.reply_quality or "", "—"),
                      SATISFACTION_TITLES.get(r.satisfaction, r.satisfaction), r.excerpt[:70])
    out.print(table)


@appeals.command("show")
@click.argument("number", type=int)
def appeals_show(number: int) -> None:
    """Всё об обращении №: исполнители и почему, ответы с оценкой, сроки, причины, история событий."""
    from storage import responses as store
    from storage.responses_models import AppealReplyRow

    settings = state.settings
    titles = {b.id: b.title for b in settings.bodies}
    with store_session(settings) as session:
        row = store.appeal(session, number)
        if row is None:
            raise InputError(f"обращения №{number} нет (список: mcu appeals)")
        post = store.appeal_post(session, row)
        replies = list(session.query(AppealReplyRow).filter(AppealReplyRow.appeal_id == row.id)
                       .order_by(AppealReplyRow.at))
        reply_posts = {p.db_id: p for p in store.posts_by_id(session, [r.post_id for r in replies])}
        events = [(e.at, e.kind, e.detail) for e in store.events_of(session, row.id)]
    out.print(f"[bold]Обращение №{row.id}[/bold] — {_when(row.appeal_at, settings)}, "
              f"{post.author if post and post.author else 'автор не указан'}", markup=True)
    if post is not None:
        out.print(post.text, markup=False)
        if post.url:
            out.print(post.url, markup=False)
    out.print(f"Исполнители: {', '.join(titles.get(b, b) for b in row.bodies) or 'не определены'} "
              f"({'; '.join(row.routing or [])})", markup=False)
    out.print(f"Срок первого ответа: {_when(row.deadline_at, settings)} — {SLA_TITLES.get(row.sla_status, row.sla_status)}; "
              f"окончательного: {_when(row.final_deadline_at, settings)}", markup=False)
    for reply in replies:
        text = reply_posts.get(reply.post_id)
        out.print(f"• {_when(reply.at, settings)} {titles.get(reply.body_id, reply.body_id)} "
                  f"({'в ветке' if reply.via == 'thread' else 'пост в истории'}): "
                  f"{QUALITY_TITLES.get(reply.quality, reply.quality)} — {'; '.join(reply.reasons)}", markup=False)
        if text is not None:
            out.print(f"  «{text.text[:300]}»", markup=False)
    out.print(f"Удовлетворённость: {SATISFACTION_TITLES.get(row.satisfaction, row.satisfaction)}"
              + (f"; повторная жалоба: №{row.repeated_by}" if row.repeated_by else ""), markup=False)
    out.print("Причины: " + ("; ".join(row.reasons or []) or "—"), markup=False)
    for at, kind, detail in events:
        out.print(f"  {_when(at, settings)} {kind}: {detail}", markup=False)


# --- ratings ------------------------------------------------------------------------------------------------------


def rating_period(settings: Settings, period: str, date_from: Optional[str], date_to: Optional[str]
                  ) -> tuple[datetime, datetime, str]:
    from mcu.ratings import bounds

    end = parse_moment(date_to, settings, "--to") or datetime.now(timezone.utc)
    start = parse_moment(date_from, settings, "--from")
    try:
        return bounds(period, end, start)
    except InputError as exc:
        raise usage_error(str(exc)) from None


@app.command()
@click.option("--period", type=click.Choice(["week", "month"]), default="week", show_default=True,
              help="Неделя или месяц (30 дней), заканчивающиеся --to.")
@click.option("--from", "date_from", default=None, metavar="ДАТА", help="Начало своего периода.")
@click.option("--to", "date_to", default=None, metavar="ДАТА", help="Конец периода (не включая); по умолчанию — сейчас.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default=None,
              help="Справка «Рейтинг ответственных исполнителей»: docx, xlsx, html или md (нужен --out).")
@click.option("--out", "-o", "output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Файл справки (формат — по расширению, если не задан --format).")
def ratings(period: str, date_from: Optional[str], date_to: Optional[str], fmt: Optional[str],
            output: Optional[Path]) -> None:
    """Рейтинг ответственных исполнителей за неделю, месяц или свой период: обращения, доля ответов, медиана
    времени до ответа, доля в срок, отписки, конфликты, удовлетворённость, повторные жалобы и балл 0..100."""
    from alerts.reports import rating_report, render_report
    from mcu.ratings import rating_data

    settings = state.settings
    start, end, named = rating_period(settings, period, date_from, date_to)
    if fmt is not None and output is None:
        raise usage_error("--format пишет файл: укажите --out")
    with store_session(settings) as session:
        data = rating_data(session, settings, named, start, end)
    if output is not None:
        chosen = fmt or output.suffix.lstrip(".").lower()
        if chosen not in REPORT_FORMATS:
            raise bad_option("--out", f"не понимаю формат {output.name!r}: {', '.join(REPORT_FORMATS)}")
        content = render_report(rating_report(data, settings.town.tz), chosen, settings.town.tz)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(content)
        except OSError as exc:
            raise InputError(f"не удалось записать {output}: {exc.strerror}") from exc
        out.print(f"Справка записана: {output}")
        return
    out.print(rating_console_table(data.ratings, data.title))


def rating_console_table(found: object, title: str) -> Table:
    table = Table("место", "исполнитель", "обращ.", "с ответом", "медиана, раб. мин", "в срок", "отписок",
                  "конфл.", "довольны", "повт.", "балл", title=title)

    def share(part: int, whole: int) -> str:
        return f"{round(100 * part / whole)} %" if whole else "—"

    for r in found:  # type: ignore[attr-defined]
        table.add_row(str(r.rank or "—"), r.title, str(r.appeals), share(r.answered, r.appeals),
                      f"{r.median_working_minutes:.0f}" if r.median_working_minutes is not None else "—",
                      share(r.within_deadline, r.judged_deadline), share(r.formulaic, r.replies), str(r.conflicts),
                      share(r.satisfied, r.satisfied + r.dissatisfied), str(r.repeated),
                      f"{r.score:.0f}" if r.score is not None else "—")
    return table


def export_answers(kind: str, settings: Settings, start: datetime, end: datetime, period: str, fmt: str,
                   output: Optional[Path], body: Optional[str]) -> int:
    """`mcu export responses|ratings`: one record per appeal, or one per body with its score and rank."""
    from mcu.export import write_records
    from mcu.ratings import ratings as body_ratings
    from storage import responses as store

    if body:
        _body_known(settings, body)
    with store_session(settings) as session:
        if kind == "responses":
            records = [r.to_export() for r in store.appeal_records(session, start, end, body=body)]
        else:
            found, _ = body_ratings(session, settings, start, end)
            records = [dict(r.to_export(), period=period, start=start.isoformat(), end=end.isoformat())
                       for r in found if body is None or r.body_id == body]
    return write_records(records, fmt, output, kind=kind)


# --- the bundled timelines with known answers -----------------------------------------------------------------------


@app.group()
def responses() -> None:
    """Ответы на обращения: проверка на встроенных лентах с известными ответами (check)."""


@responses.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False), metavar="[ЛЕНТА]...")
def responses_check(files: tuple[Path, ...]) -> None:
    """Прогнать ленты с известными ответами (рядом ИМЯ.responses.json; по умолчанию — встроенные): для каждого
    обращения — исполнитель, ответ, минуты, срок, качество, удовлетворённость; и балл истории с ответом и без."""
    from mcu.answer_check import answers_path, bundled_answer_timelines, run_answer_timeline
    from mcu.pipeline import build_analyzer

    settings = state.settings
    timelines = list(files) or bundled_answer_timelines()
    for path in timelines:
        if not answers_path(path).exists():
            raise InputError(f"нет файла ответов {answers_path(path).name} рядом с {path}")
    analyzer = build_analyzer(settings)
    failed = 0
    titles = {b.id: b.title for b in settings.bodies}
    for path in timelines:
        with out.status(f"Прогоняю {path.name}…"):
            outcome = run_answer_timeline(settings, analyzer, path)
        table = Table("обращение", "исполнитель", "ответ", "мин", "раб. мин", "срок", "качество", "удовлетв.",
                      title=f"{outcome.name}: {'верно' if outcome.passed else 'РАСХОЖДЕНИЯ'}")
        for r in outcome.records:
            table.add_row(r.key.split(":", 2)[2], ", ".join(titles.get(b, b) for b in r.bodies) or "—",
                          (r.first_reply_key or "—").split(":", 2)[-1],
                          f"{r.minutes_to_reply:.0f}" if r.minutes_to_reply is not None else "—",
                          f"{r.working_minutes_to_reply:.0f}" if r.working_minutes_to_reply is not None else "—",
                          r.sla_status, r.reply_quality or "—", r.satisfaction)
        out.print(table)
        if outcome.effect and outcome.score_with is not None:
            verb = "успокаивает" if outcome.effect == "calms" else "обостряет"
            out.print(f"Ответ {verb} историю: балл {outcome.score_with:.1f} ({outcome.level_with}) против "
                      f"{outcome.score_without:.1f} ({outcome.level_without}) без официальных ответов.")
        for problem in outcome.mismatches:
            err.print(f"{outcome.name}: {problem}")
        for note in outcome.skipped:
            err.print(f"{outcome.name}: не проверено — {note}")
        failed += not outcome.passed
    if failed:
        raise InputError(f"расхождения с известными ответами в {failed} из {len(timelines)} лент")
