"""Wiring of the госпаблики component: register pages through the platforms' resolvers, read their facts with the
page readers, judge a period, tell the responsible role about problems through the outbox.

One bad page never stops the others: a closed or deleted page is a status, a failed reading keeps the page's last
facts and says why they are stale.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from alerts.lifecycle import quiet_until
from collectors.base import NotConfigured
from collectors.budget import Budget
from collectors.factory import build_page_reader, build_resolver
from collectors.page import PageReader, PageRef
from collectors.source import SourceInfo
from collectors.urls import parse_source_url
from config import CollectorError, InputError, Settings
from gospublics import (
    Monitoring,
    Page,
    PageInput,
    PageReport,
    Period,
    Problem,
    body_accounts,
    evaluate,
    judge,
    problems_of,
)
from gospublics.registry import PageEntry, check_entry, known_bodies
from mcu.collection import make_budget
from nlp.morph import Lemmatizer
from responses import Assessor, build_assessor
from storage import Database, outbox, sources
from storage import responses as responses_store
from storage import gospublics as store
from storage.gospublics import page_key

log = logging.getLogger(__name__)

PERIODS = {"week": 7, "month": 30}
KIND_OF = {"vk": "vk_wall", "ok": "ok_group"}


def period_of(name: str, end: datetime, start: datetime | None = None) -> Period:
    """A named period (week, month = 30 days) ending at ``end``, or ``start``..``end``."""
    if start is not None:
        if start >= end:
            raise InputError("начало периода должно быть раньше конца")
        return Period(start, end)
    if name not in PERIODS:
        raise InputError(f"период {name!r} не поддерживается: {', '.join(PERIODS)}")
    return Period(end - timedelta(days=PERIODS[name]), end)


def _canonical(url: str, via: str) -> str:
    try:
        return parse_source_url(url, telegram_kind=via).url.lower()
    except InputError:
        return url.strip().lower()


def source_kind(page: Page) -> str:
    return KIND_OF.get(page.platform) or page.via


@dataclass
class ReadOutcome:
    page: str
    status: str
    posts: int = 0
    calls: int = 0
    error: str | None = None


class Gospublics:
    """The component for one database; ``readers`` and ``resolve`` are injected by tests (fake servers).

    ``lemmatizer`` makes the morphology the responses component reads replies with; it is called only when a page
    has comments to judge (a shell that already holds one passes it in)."""

    def __init__(self, settings: Settings, db: Database, *, budget: Budget | None = None,
                 readers: dict[str, PageReader] | None = None,
                 resolve: Callable[[str, str], SourceInfo] | None = None,
                 lemmatizer: Callable[[], Lemmatizer] | None = None) -> None:
        self.settings = settings
        self._make_lemmatizer = lemmatizer or Lemmatizer
        self._lemmatizer: Lemmatizer | None = None
        self.config = settings.gospublics
        self.db = db
        self.budget = budget or make_budget(settings)
        self._readers: dict[str, PageReader] = dict(readers or {})
        self._resolve = resolve or self._resolve_with_api
        self._infos: dict[str, SourceInfo] = {}  # what resolution learnt, for registering the page's source

    # --- the registry -------------------------------------------------------------------------------------------

    def _resolve_with_api(self, kind: str, url: str) -> SourceInfo:
        try:
            resolver = build_resolver(kind, self.settings, self.budget)
        except NotConfigured as exc:
            raise InputError(f"не могу проверить {url}: {exc}") from None
        try:
            return resolver.resolve(url)
        finally:
            close = getattr(resolver, "close", None)
            if close is not None:
                close()

    def add(self, entry: PageEntry, now: datetime, origin: str = "analyst", *, allow_duplicate: bool = False
            ) -> tuple[Page, str | None]:
        """Resolve the URL through the platform's API and register the page (and a source that collects its
        comments); a page already registered is refused, or, for imports, kept as a marked repeat."""
        return self.register(self.resolve(entry), now, origin, allow_duplicate=allow_duplicate)

    def resolve(self, entry: PageEntry) -> Page:
        """The page an entry names, as the platform's API describes it (not stored yet)."""
        wrong = check_entry(entry, self.config.kinds, known_bodies(self.settings))
        if wrong:
            raise InputError(wrong)
        parsed = parse_source_url(entry.url, telegram_kind=entry.via)
        if parsed.kind not in ("vk_wall", "ok_group", "tme", "telegram"):
            raise InputError(f"{entry.url}: госпаблик — это страница VK, ОК или канал Telegram, а не сайт")
        info = self._resolve(parsed.kind, parsed.url)
        self._infos[page_key(info.platform, info.external_id, info.handle)] = info
        return Page(
            key=page_key(info.platform, info.external_id, info.handle), platform=info.platform, url=info.url,
            handle=info.handle, title=entry.name or info.title, platform_title=info.title, body=entry.body,
            kind=entry.kind, external_id=info.external_id, via=entry.via, expected=dict(entry.expected),
            status="closed" if info.closed else "new",
            status_detail="закрыта на платформе: лента видна только участникам" if info.closed else None,
        )

    def register(self, page: Page, now: datetime, origin: str = "analyst", *, allow_duplicate: bool = False
                 ) -> tuple[Page, str | None]:
        with self.db.transaction() as session:
            existing = store.find_page(session, page.key)
            if existing is not None and not allow_duplicate:
                raise InputError(f"эта страница уже в реестре: {existing.title} ({existing.key})")
            info = self._infos.get(page.key)
            source = self._source(session, info, now) if info is not None else page.source
            return store.register_page(session, replace(page, source=source), now, origin)

    def _source(self, session: Session, info: SourceInfo, now: datetime) -> str:
        """The collected source of the page (its posts and residents' comments): existing or new."""
        for record in sources.list_sources(session):
            if record.kind == info.kind and (record.handle or "").lower() == info.handle.lower():
                return record.name
        name = f"{info.kind}:{info.handle}"
        sources.add_source(session, name, info, None, now)
        return name

    def sync_config(self, now: datetime) -> list[str]:
        """Register the pages written in config that the registry lacks; returns the problems met.

        A page already registered (under any address that resolves to it) is left alone; a page the config lists
        twice is kept once more as a marked repeat, so the report shows the double listing.
        """
        problems: list[str] = []
        with self.db.transaction() as session:
            known_urls = store.urls(session)
            known_keys = {page.key for page in store.list_pages(session)}
        added: set[str] = set()
        for index, configured in enumerate(self.config.pages):
            if _canonical(configured.url, configured.via) in known_urls:
                continue
            entry = PageEntry(configured.url, configured.body, configured.kind, configured.name, configured.via,
                              configured.contacts.model_dump(exclude_none=True))
            try:
                page = self.resolve(entry)
                if page.key in known_keys and page.key not in added:
                    continue
                page, repeats = self.register(page, now, "config", allow_duplicate=True)
            except (InputError, CollectorError) as exc:
                problems.append(f"gospublics.pages.{index} ({configured.url}): {exc}")
                continue
            added.add(page.key.split("#", 1)[0])
            if repeats:
                problems.append(f"gospublics.pages.{index}: {page.url} повторяет страницу «{repeats}»")
        return problems

    # --- facts --------------------------------------------------------------------------------------------------

    def reader(self, kind: str) -> PageReader:
        if kind not in self._readers:
            self._readers[kind] = build_page_reader(kind, self.settings, self.budget)
        return self._readers[kind]

    def collect(self, now: datetime, only: Sequence[str] | None = None) -> list[ReadOutcome]:
        """Read every registered page (or ``only`` these keys) and store what the platforms say."""
        with self.db.transaction() as session:
            pages = [p for p in store.list_pages(session) if p.status != "duplicate"]
        since = now - timedelta(days=self.config.history_days)
        outcomes = []
        for page in pages:
            if only and page.key not in only:
                continue
            outcomes.append(self._collect_one(page, since, now))
        return outcomes

    def _collect_one(self, page: Page, since: datetime, now: datetime) -> ReadOutcome:
        ref = PageRef(source_kind(page), page.handle, page.external_id, page.url)
        try:
            read = self.reader(ref.kind).read(ref, since)
        except NotConfigured as exc:
            return self._failed(page, f"не настроен: {exc}", now)
        except (CollectorError, InputError) as exc:
            return self._failed(page, str(exc), now)
        with self.db.transaction() as session:
            store.save_read(session, page.key, read, now)
        for problem in read.problems:
            log.warning("госпаблик %s: %s", page.title, problem)
        log.info("госпаблик %s: %s, постов %d, запросов %d", page.title, read.facts.status, len(read.posts), read.calls)
        return ReadOutcome(page.key, read.facts.status, len(read.posts), read.calls)

    def _failed(self, page: Page, error: str, now: datetime) -> ReadOutcome:
        log.warning("госпаблик %s: %s", page.title, error)
        with self.db.transaction() as session:
            store.record_failure(session, page.key, error, now)
        return ReadOutcome(page.key, "error", error=error)

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()

    # --- judging ------------------------------------------------------------------------------------------------

    def assessor(self, session: Session, pages: Sequence[Page]) -> Assessor:
        """The responses component's judge of appeals: the bodies of config with the accounts analysts attached and
        every registered page as an account of its body, the working calendar and the deadline rules."""
        if self._lemmatizer is None:
            self._lemmatizer = self._make_lemmatizer()
        extra = responses_store.accounts(session)
        for body, accounts in body_accounts(pages).items():
            extra[body] = [*extra.get(body, []), *accounts]
        return build_assessor(self.settings, self._lemmatizer, extra, adopt_unknown=True)

    def inputs(self, period: Period, now: datetime) -> list[PageInput]:
        previous = period.previous()
        found: list[PageInput] = []
        with self.db.transaction() as session:
            repeats = store.duplicates(session)
            pages = store.list_pages(session)
            assessor: Assessor | None = None
            for page in pages:
                if page.key in repeats:
                    found.append(PageInput(page, None, duplicate_of=repeats[page.key]))
                    continue
                facts = store.latest_facts(session, page.key, period.end)
                comments = store.page_comments(session, page, period.start, period.end)
                if comments and assessor is None:
                    assessor = self.assessor(session, pages)
                dialogue = judge(page, comments, assessor, now) if assessor is not None and comments else None
                history = store.follower_history(session, page.key, previous.start, previous.end)
                found.append(PageInput(
                    page=page,
                    facts=facts,
                    posts=tuple(store.page_posts(session, page, period.start, period.end)),
                    past_posts=tuple(store.page_posts(session, page, previous.start, previous.end)),
                    past_followers=history[-1][1] if history else None,
                    last_post_at=store.last_post_at(session, page, period.end),
                    previous_post_at=store.last_post_at(session, page, period.start),
                    pinned=store.pinned_post(session, page),
                    questions=dialogue.questions if dialogue is not None else (),
                    answers=dialogue.figures if dialogue is not None else None,
                ))
        return found

    def check(self, period: Period, now: datetime) -> list[PageReport]:
        return evaluate(self.inputs(period, now), period, now, self.config, self.settings.town.tz)

    # --- alerts -------------------------------------------------------------------------------------------------

    def alert(self, reports: Iterable[PageReport], now: datetime, chats: Sequence[tuple[str, str]]) -> list[str]:
        """Open problems the role has not heard of, close those that went away; queue one message per new one."""
        told: list[str] = []
        limits = self.config.thresholds
        with self.db.transaction() as session:
            for report in reports:
                window = now - timedelta(seconds=limits.follower_drop_window * 2)
                history = store.follower_history(session, report.page.key, window, now)
                current = {problem.code: problem for problem in problems_of(report, limits, now, history)}
                known = store.open_problems(session, report.page.key)
                for code, row in known.items():
                    if code not in current:
                        store.close_problem(session, row, now)
                for code, problem in current.items():
                    if code in known:
                        continue
                    store.open_problem(session, report.page.key, code, problem.text, problem.value, now)
                    for channel, target in chats:
                        outbox.queue(session, None, self._plan(channel, target, problem, now), problem.text, now)
                    told.append(problem.text)
        return told

    def _plan(self, channel: str, target: str, problem: Problem, now: datetime) -> outbox.Planned:
        """Telegram waits out the quiet hours (nothing here is critical); the file gets a JSON record."""
        if channel == "jsonl":
            record = {"kind": "gospublics", "page": problem.page, "problem": problem.code, "at": now.isoformat(),
                      "recipients": [self.config.role], "text": problem.text}
            return outbox.Planned(channel, target, "send", now, text=json.dumps(record, ensure_ascii=False))
        due = now
        if channel == "telegram":
            due = quiet_until(now, self.settings.alerts.quiet_hours, self.settings.town.tz) or now
        return outbox.Planned(channel, target, "send", due)


def monitoring(settings: Settings, reports: Sequence[PageReport], period: Period, now: datetime) -> Monitoring:
    config = settings.gospublics
    return Monitoring(settings.town.name, period, now, tuple(reports),
                      {code: kind.title for code, kind in config.kinds.items()}, dict(config.weights))


def write_report(settings: Settings, data: Monitoring, fmt: str, out: Path) -> Path:
    """Render and write the report; an unwritable path is a one-line Russian error."""
    from alerts.gospublics import render_report

    content = render_report(data, settings.town.tz, fmt, settings.gospublics.thresholds.min_posts_per_week)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
    except OSError as exc:
        raise InputError(f"не удалось записать отчёт в {out}: {exc.strerror}") from exc
    return out


def default_report_path(settings: Settings, period: Period, fmt: str) -> Path:
    stamp = period.end.astimezone(settings.town.tz).strftime("%Y-%m-%d")
    return Path(settings.digest.out_dir) / f"gospublics-{stamp}.{fmt}"


# --- the daemon's jobs ---------------------------------------------------------------------------------------


def daily_check(settings: Settings, db: Database, budget: Budget, chats: Sequence[tuple[str, str]], now: datetime
                ) -> tuple[list[ReadOutcome], list[str]]:
    """Register pages new in config, read every page's facts, judge the last month, tell the role what is new."""
    service = Gospublics(settings, db, budget=budget)
    try:
        for problem in service.sync_config(now):
            log.warning("госпаблики: %s", problem)
        outcomes = service.collect(now)
        told = service.alert(service.check(period_of("month", now), now), now, chats)
    finally:
        service.close()
    return outcomes, told


def previous_month(now: datetime, tz: tzinfo) -> Period:
    """The calendar month before the one ``now`` falls in (town time): what the monthly report covers."""
    local = now.astimezone(tz)
    end = datetime(local.year, local.month, 1, tzinfo=tz)
    start = datetime(end.year - (end.month == 1), 12 if end.month == 1 else end.month - 1, 1, tzinfo=tz)
    return Period(start, end)


def monthly_report(settings: Settings, db: Database, now: datetime) -> list[Path]:
    """«Мониторинг госпабликов» for the previous calendar month in every configured format."""
    period = previous_month(now, settings.town.tz)
    reports = Gospublics(settings, db).check(period, now)
    if not reports:
        return []
    data = monitoring(settings, reports, period, now)
    return [write_report(settings, data, fmt, default_report_path(settings, period, fmt))
            for fmt in settings.gospublics.report_formats]


def send_report(settings: Settings, paths: Sequence[Path], client: Any) -> int:
    """The report files to every chat of ``gospublics.report_roles`` (the deputy, ЦУР's chat in a role)."""
    from mcu.digests import MIME

    config = settings.gospublics
    chats = list(dict.fromkeys(str(chat) for role in config.report_roles
                               for chat in (settings.roles[role].telegram_chats if role in settings.roles else [])))
    for chat in chats:
        for path in paths:
            client.upload("sendDocument", {"chat_id": chat, "caption": "Мониторинг госпабликов"}, "document", path.name,
                          path.read_bytes(), MIME.get(path.suffix.lstrip("."), "application/octet-stream"))
    return len(chats)
