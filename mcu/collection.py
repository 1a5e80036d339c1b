"""Collection: run each registered source through its collector, store what it brings, keep its health.

One bad source never stops the others: its error is recorded on its row (and shown by `status`), a closed
source is marked and skipped until an analyst re-enables it, a spent quota waits for its reset.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from collectors import Batch, Post, RecordProblem, ReplayCollector, check_posts
from collectors.base import Collector, NotConfigured
from collectors.budget import Budget
from collectors.factory import build_collector, build_resolver
from config import (
    AuthFailed,
    CollectorError,
    InputError,
    QuotaExhausted,
    RateLimited,
    Settings,
    StorageError,
    SourceClosed,
    mask_secrets,
)
from storage import Database, posts, sources, usage
from storage.sources import SourceRecord

log = logging.getLogger(__name__)

MAX_STEPS = 10_000  # a collector that always says "more" must not loop forever
# Kinds whose config entry names a URL that must be resolved to the platform's handle and id before collecting
# (as `mcu sources add` does); web sources are read from their URL as it is.
RESOLVED_KINDS = {"vk_wall", "ok_group", "tme", "telegram"}


@dataclass
class CollectStats:
    """What one run of one source did."""

    source: str
    collected: int = 0
    new: int = 0
    edited: int = 0
    snapshots: int = 0
    deleted: int = 0
    skipped_lines: int = 0
    calls: int = 0
    refreshed: int = 0
    error: str | None = None
    skipped: str | None = None  # why the source was not run at all (disabled, closed, not configured)
    problems: list[str] = field(default_factory=list)  # each skipped or repaired record, with its reason


def make_budget(settings: Settings) -> Budget:
    """One budget per process: each API's rate and daily quotas from config."""
    api = settings.api
    return Budget(
        rates={
            "vk": api.vk.requests_per_second,
            "ok": api.ok.requests_per_second,
            "tme": api.telegram.preview_requests_per_second,
            "web": api.web.requests_per_second,
        },
        quotas={"vk": dict(api.vk.daily_quotas)},
    )


class Collection:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        budget: Budget | None = None,
        collectors: dict[str, Collector] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.budget = budget or make_budget(settings)
        self._collectors: dict[str, Collector] = dict(collectors or {})
        self._reported_auth: set[str] = set()
        self._now: datetime | None = None  # the moment of the current run, for the replay reader's future check

    def sync(self, now: datetime) -> list[SourceRecord]:
        """Bring config sources into the registry and restore today's API usage; returns every source."""
        with self.db.transaction() as session:
            sources.sync_config_sources(session, self.settings.sources)
            self.budget.preload(usage.load_usage(session, now.strftime("%Y-%m-%d")))
            return sources.list_sources(session)

    def _resolved(self, record: SourceRecord) -> SourceRecord:
        """A config source of a platform, resolved from its URL once (as `mcu sources add` does): the handle and
        id its collector needs, title and audience for `status`. Raises ``SourceClosed`` when it does not exist."""
        if record.kind not in RESOLVED_KINDS or record.origin != "config" or record.handle or not record.url:
            return record
        resolver = build_resolver(record.kind, self.settings, self.budget)
        try:
            info = resolver.resolve(record.url)
        finally:
            close = getattr(resolver, "close", None)
            if close is not None:
                close()
        with self.db.transaction() as session:
            sources.update_info(session, record.name, info)
            resolved = sources.get_source(session, record.name)
        log.info("источник %s: %s → %s (%s)", record.name, record.url, info.handle, info.title)
        if info.closed:
            raise SourceClosed(f"{info.url}: закрыт на платформе", "closed")
        return resolved or record

    def collector(self, kind: str) -> Collector:
        if kind not in self._collectors:
            self._collectors[kind] = (ReplayCollector(clock=self._clock) if kind == "replay"
                                      else build_collector(kind, self.settings, self.budget))
        return self._collectors[kind]

    def _clock(self) -> datetime | None:
        return self._now

    def interval(self, record: SourceRecord) -> float:
        return record.interval or 600.0

    def run(
        self,
        name: str,
        now: datetime,
        *,
        since: datetime | None = None,
        progress: Callable[[int], None] | None = None,
        force: bool = False,
    ) -> CollectStats:
        """Collect one source to the end, then re-read its recent posts if that is due."""
        stats = CollectStats(name)
        self._now = now
        with self.db.transaction() as session:
            record = sources.get_source(session, name)
        if record is None:
            raise InputError(f"источник {name!r} не найден (список: mcu sources)")
        if not force and not record.enabled:
            stats.skipped = "отключён"
            return stats
        if not force and record.closed_at is not None:
            stats.skipped = f"закрыт: {record.closed_reason}"
            return stats
        try:
            collector = self.collector(record.kind)
            record = self._resolved(record)
            self._collect(record, collector, now, since, progress, stats)
            self._refresh(record, collector, now, stats)
        except NotConfigured as exc:
            stats.skipped = mask_secrets(f"не настроен: {exc}")
            self._fail(record, now, stats.skipped, now + timedelta(seconds=self.interval(record)))
        except SourceClosed as exc:
            stats.error = mask_secrets(str(exc))
            with self.db.transaction() as session:
                sources.mark_closed(session, record.name, stats.error, now)
            log.warning("источник %s закрыт и больше не опрашивается: %s", record.name, stats.error)
        except AuthFailed as exc:
            stats.error = mask_secrets(str(exc))
            if exc.api not in self._reported_auth:
                self._reported_auth.add(exc.api)
                log.error("ПРОБЛЕМА С ТОКЕНОМ %s: %s — сбор через этот API остановлен до исправления", exc.api,
                          stats.error)
            self._fail(record, now, stats.error, now + timedelta(seconds=self.interval(record)))
        except QuotaExhausted as exc:
            stats.error = mask_secrets(str(exc))
            self._fail(record, now, stats.error, max(exc.until, now + timedelta(seconds=self.interval(record))))
        except RateLimited as exc:
            stats.error = mask_secrets(str(exc))
            self._fail(record, now, stats.error, now + timedelta(seconds=max(exc.retry_after, 60.0)))
        except (CollectorError, InputError) as exc:
            stats.error = mask_secrets(str(exc))
            self._fail(record, now, stats.error, now + timedelta(seconds=self.interval(record)))
        except StorageError:
            raise  # the database is down: nothing about this source is wrong, and nothing can be recorded
        except Exception as exc:  # a collector's bug must not stop the other sources nor hide from `status`
            stats.error = mask_secrets(f"внутренняя ошибка сборщика: {type(exc).__name__}: {exc}")
            log.exception("источник %s: %s", record.name, stats.error)
            self._fail(record, now, stats.error, now + timedelta(seconds=self.interval(record)))
        else:
            with self.db.transaction() as session:
                row = sources.ensure_source(session, record.name, record.kind, record.enabled)
                sources.record_success(session, row.id, now, stats.collected, stats.skipped_lines,
                                       now + timedelta(seconds=self.interval(record)))
        finally:
            self._save_usage()
        return stats

    def _collect(
        self,
        record: SourceRecord,
        collector: Collector,
        now: datetime,
        since: datetime | None,
        progress: Callable[[int], None] | None,
        stats: CollectStats,
    ) -> None:
        with self.db.transaction() as session:
            source_id = sources.ensure_source(session, record.name, record.kind, record.enabled).id
            cursor = None if since is not None else sources.get_cursor(session, source_id)
        ref = record.ref()
        for _ in range(MAX_STEPS):
            batch = collector.collect(ref, cursor, since=since)
            self._store(record, source_id, batch, now, stats, save_cursor=True)
            cursor = batch.cursor
            if progress is not None:
                progress(len(batch.posts))
            if not batch.more:
                return
        log.warning("источник %s: сборщик не закончил за %d шагов, продолжу в следующий раз", record.name, MAX_STEPS)

    def _refresh(self, record: SourceRecord, collector: Collector, now: datetime, stats: CollectStats) -> None:
        """Re-read recent posts: all of them every watch interval, those of risky stories more often."""
        if record.kind == "replay":
            return
        collection = self.settings.collection
        if record.last_refresh_at is None:
            # The first pass has just read everything: the watch starts now.
            with self.db.transaction() as session:
                sources.record_refresh(session, record.name, now)
            return
        since_refresh = (now - record.last_refresh_at).total_seconds()
        if since_refresh < collection.risky_watch_interval:
            return
        risky_only = since_refresh < collection.watch_interval
        ref = record.ref()
        window_start = now - timedelta(seconds=collection.watch_window)
        with self.db.transaction() as session:
            known = posts.known_posts(session, ref.platform, ref.handle, window_start, risky_only=risky_only)
            source_id = sources.ensure_source(session, record.name, record.kind, record.enabled).id
        if known:
            batch = collector.refresh(ref, known)
            self._store(record, source_id, batch, now, stats, save_cursor=False)
            stats.refreshed += len(known)
        if not risky_only:
            with self.db.transaction() as session:
                sources.record_refresh(session, record.name, now)

    def _store(
        self, record: SourceRecord, source_id: int, batch: Batch, now: datetime, stats: CollectStats, *, save_cursor: bool
    ) -> None:
        """Posts, deletions and the cursor go in one transaction: a crash repeats the step, never skips it.

        Records out of bounds are skipped with a reason first; if the store still refuses the batch, the posts
        are stored one by one and only those it refuses are skipped, so one record never blocks its source."""
        ref = record.ref()
        kept, problems = check_posts(batch.posts, now)
        problems = list(batch.problems) + problems
        try:
            with self.db.transaction() as session:
                saved = posts.save_posts(session, kept, now)
                self._finish(session, record, source_id, batch, now, stats, save_cursor)
        except (StatementError, ValueError, OverflowError) as exc:
            log.warning("источник %s: база не приняла пачку (%s), сохраняю записи по одной", record.name,
                        type(exc).__name__)
            saved, kept, refused = self._store_one_by_one(kept, now)
            problems += refused
            with self.db.transaction() as session:
                self._finish(session, record, source_id, batch, now, stats, save_cursor)
        stats.collected += len(kept)
        stats.new += saved.new
        stats.edited += saved.edited
        stats.snapshots += saved.snapshots
        stats.calls += batch.calls
        stats.skipped_lines += sum(1 for p in problems if p.skipped)
        for problem in problems:
            stats.problems.append(mask_secrets(str(problem)))
            log.warning("%s: %s", record.name, stats.problems[-1])

    def _finish(self, session: Session, record: SourceRecord, source_id: int, batch: Batch, now: datetime,
                stats: CollectStats, save_cursor: bool) -> None:
        """What a stored batch moves on: deletions, what the source told about itself, the cursor."""
        ref = record.ref()
        if batch.deleted:
            stats.deleted += posts.mark_deleted(session, ref.platform, ref.handle, batch.deleted, now)
        if batch.info is not None:
            sources.update_info(session, record.name, batch.info)
        if save_cursor and batch.cursor is not None:
            sources.set_cursor(session, source_id, batch.cursor, now)

    def _store_one_by_one(
        self, candidates: list[Post], now: datetime
    ) -> tuple[posts.SaveResult, list[Post], list[RecordProblem]]:
        """Each post in its own transaction: (what was saved, the posts stored, a problem per refused post)."""
        saved = posts.SaveResult()
        stored: list[Post] = []
        refused: list[RecordProblem] = []
        for post in candidates:
            try:
                with self.db.transaction() as session:
                    saved += posts.save_posts(session, [post], now)
            except (StatementError, ValueError, OverflowError) as exc:
                reason = getattr(exc, "orig", None) or exc
                first = (str(reason).splitlines() or [type(reason).__name__])[0]
                refused.append(RecordProblem(0, f"запись {post.id[:60]!r} пропущена: база не приняла её "
                                                f"({first[:200]})"))
            else:
                stored.append(post)
        return saved, stored, refused

    def _fail(self, record: SourceRecord, now: datetime, error: str, next_run: datetime) -> None:
        log.warning("источник %s: %s", record.name, error)
        with self.db.transaction() as session:
            sources.record_failure(session, record.name, record.kind, now, error, next_run)

    def close(self) -> None:
        """Release what collectors hold (HTTP connections, the telethon loop)."""
        for collector in self._collectors.values():
            close = getattr(collector, "close", None)
            if close is not None:
                close()
        self._collectors.clear()

    def _save_usage(self) -> None:
        with self.db.transaction() as session:
            usage.save_usage(session, self.budget.usage())
