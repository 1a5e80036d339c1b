"""Digests for a period: gather from the store, render in the formats asked, write, and send to Telegram."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from dataclasses import replace
from functools import partial
from pathlib import Path

from alerts import BotClient
from alerts.digest import DigestData, GospublicLine, render_markdown
from alerts.digest.charts import Chart, all_charts
from alerts.digest.formatting import day_month, number, signed
from config import DeliveryError, InputError, Settings
from gospublics import PageReport
from mcu.ratings import ratings as body_ratings
from storage import Database, digests

log = logging.getLogger(__name__)

PERIODS = {"day": timedelta(days=1), "week": timedelta(days=7)}
FORMATS = ("md", "html", "docx", "xlsx")
MIME = {
    "md": "text/markdown",
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CAPTION_LIMIT = 1024
SEND_ATTEMPTS = 3


def period_bounds(period: str, end: datetime, start: datetime | None = None) -> tuple[datetime, datetime, datetime]:
    """(previous period start, start, end): a named period ending at ``end``, or ``start``..``end``."""
    if start is not None:
        if start >= end:
            raise InputError("начало периода должно быть раньше конца")
        return start - (end - start), start, end
    length = PERIODS[period]
    return end - 2 * length, end - length, end


def build_digest(db: Database, settings: Settings, period: str, end: datetime, start: datetime | None = None) -> DigestData:
    previous_start, start, end = period_bounds(period, end, start)
    with db.transaction() as session:
        data = digests.digest_data(
            session,
            town=settings.town.name,
            period=period if start is None or end - start in PERIODS.values() else "custom",
            start=start,
            end=end,
            previous_start=previous_start,
            threshold=settings.nlp.relevance_threshold,
            topic_titles={t.code: t.title for t in settings.topics},
            tz=settings.town.tz,
        )
        if not settings.bodies:
            return data
        found, records = body_ratings(session, settings, start, end)
    late = tuple(r for r in records if r.sla_status in ("breached", "overdue"))
    return replace(data, ratings=tuple(found), late=late,
                   body_titles=tuple((b.id, b.title) for b in settings.bodies))


def render(data: DigestData, settings: Settings, fmt: str, charts: list[Chart] | None = None) -> bytes:
    """The digest as file bytes; the office formats load their libraries only when asked for."""
    tz = settings.town.tz
    if fmt == "md":
        return render_markdown(data, tz).encode("utf-8")
    if fmt == "html":
        from alerts.digest.html import render_html

        return render_html(data, tz, charts).encode("utf-8")
    if fmt == "docx":
        from alerts.digest.word import render_docx

        return render_docx(data, tz, charts)
    if fmt == "xlsx":
        from alerts.digest.excel import render_xlsx

        return render_xlsx(data, tz)
    raise InputError(f"формат {fmt!r} не поддерживается: {', '.join(FORMATS)}")


def write_digest(data: DigestData, settings: Settings, out: Path, fmt: str | None = None,
                 charts: list[Chart] | None = None) -> Path:
    fmt = fmt or out.suffix.lstrip(".") or "md"
    content = render(data, settings, fmt, charts)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
    except OSError as exc:
        raise InputError(f"не удалось записать сводку в {out}: {exc.strerror}") from exc
    return out


def default_digest_path(settings: Settings, period: str, end: datetime, fmt: str = "md") -> Path:
    stamp = end.astimezone(settings.town.tz).strftime("%Y-%m-%d")
    return Path(settings.digest.out_dir) / f"digest-{period}-{stamp}.{fmt}"


def summary(data: DigestData, settings: Settings) -> str:
    """A few lines for the photo caption: the reader sees the gist before opening the file."""
    tz = settings.town.tz
    last = data.end - timedelta(seconds=1)
    lines = [
        f"{data.title}",
        f"Период: {day_month(data.start.astimezone(tz).date())}–{day_month(last.astimezone(tz).date())}",
        f"Сообщений: {number(data.posts)} ({signed(data.posts - data.posts_previous)}), о городе: {number(data.relevant)}",
        f"Историй с риском: новых {data.new_stories}, продолжается {data.continuing_stories}, "
        f"завершилось {data.resolved_stories}",
        f"Оповещений: {data.alerts.sent}, взято в работу: {data.alerts.taken}, ложных: {data.alerts.false_positive}",
        f"Жалоб и вопросов без ответа: {data.appeals_total}",
    ]
    for line in data.stories[:3]:
        lines.append(f"• {line.story.topic_title}: {line.story.title[:120]}")
    if data.coverage.failing or data.coverage.quota:
        lines.append(f"Не собирались: {len(data.coverage.failing)} источн., квоты: {len(data.coverage.quota)}")
    text = "\n".join(lines)
    return text if len(text) <= CAPTION_LIMIT else text[: CAPTION_LIMIT - 1] + "…"


def _with_retries(work: Callable[[], object], what: str) -> None:
    """A digest is sent by hand or once a day: a few tries, honouring retry_after, then a clear error."""
    for attempt in range(SEND_ATTEMPTS):
        try:
            work()
            return
        except DeliveryError as exc:
            if not exc.retryable or attempt + 1 == SEND_ATTEMPTS:
                raise DeliveryError(f"{what}: {exc}", exc.retryable) from None
            time.sleep(min(float(exc.retry_after or 2 ** attempt), 60.0))


def send_digest(settings: Settings, data: DigestData, files: Sequence[Path], client: BotClient,
                charts: list[Chart] | None = None) -> int:
    """To every chat of ``digest.roles``: the topics chart with the summary as a photo, then each file as a
    document. Returns how many chats got it."""
    chats = list(dict.fromkeys(str(chat) for role in settings.digest.roles
                               for chat in (settings.roles[role].telegram_chats if role in settings.roles else [])))
    if not chats:
        raise InputError("некому отправлять: у ролей digest.roles нет чатов Telegram (roles.*.telegram_chats)")
    charts = charts if charts is not None else all_charts(data)
    caption = summary(data, settings)
    for chat in chats:
        if charts:
            photo = partial(client.upload, "sendPhoto", {"chat_id": chat, "caption": caption}, "photo", "digest.png",
                            charts[0].png, "image/png")
            _with_retries(photo, f"фото в чат {chat}")
        else:
            _with_retries(partial(client.call, "sendMessage", {"chat_id": chat, "text": caption}), f"сводка в чат {chat}")
        for path in files:
            document = partial(client.upload, "sendDocument", {"chat_id": chat}, "document", path.name, path.read_bytes(),
                               MIME.get(path.suffix.lstrip("."), "application/octet-stream"))
            _with_retries(document, f"файл {path.name} в чат {chat}")
        log.info("сводка отправлена в чат %s: %d файл(ов)", chat, len(files))
    return len(chats)


def with_gospublics(data: DigestData, settings: Settings, reports: Sequence[PageReport]) -> DigestData:
    """The digest with its section on the official pages (none when the registry is empty)."""
    from alerts.gospublics.tables import place, status_title
    from gospublics import CHECK_TITLES

    kinds = settings.gospublics.kinds
    lines = tuple(GospublicLine(
        title=r.page.title, url=r.page.url, kind=kinds[r.page.kind].title if r.page.kind in kinds else r.page.kind,
        score=r.score, place=place(r), posts=r.figures.posts, days_since_last_post=r.figures.days_since_last_post,
        failed=tuple(CHECK_TITLES[c.code] for c in r.checks if c.ok is False),
        status=status_title(r) if r.status_text == status_title(r) else f"{status_title(r)}: {r.status_text}",
    ) for r in reports)
    return replace(data, gospublics=lines)


def gospublics_for_digest(db: Database, settings: Settings, period: str, end: datetime) -> list[PageReport]:
    """The official pages judged over the digest's period (the registry may be empty: then nothing)."""
    from gospublics import Period
    from mcu.gospublics_run import Gospublics

    length = PERIODS.get(period, PERIODS["week"])
    return Gospublics(settings, db).check(Period(end - length, end), end)
