"""Bytes per post in the store, by table and index, on SQLite and PostgreSQL, and the queries the store serves.

Run: ``.venv/bin/python -m bench.store --posts 100000 [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
[--no-sqlite]``.

The store is filled as the pipeline fills it, without the cost of NLP and clustering: the demo posts repeated
with new ids a week apart (``bench.risk.feed``), stored by ``save_posts`` in batches of 500 (each post seen
twice, the second time with more views: a metric snapshot each), every post given the verdict the real analyser
gives its demo original (``save_annotations``), and the posts about the town put into one story per demo
event and week. Sizes: SQLite's ``dbstat`` (the pages each table and index takes) and PostgreSQL's
``pg_total_relation_size``, divided by the number of posts. Then the story page's queries are timed on the full
store (median of 20, ms) and the week's digest gathering (s).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from threadpoolctl import threadpool_limits

from bench.risk import StandIn, by_time, feed, first_round, record_verdicts, tick_end
from collectors import Metrics, Post
from config import Settings, load_config
from mcu.demo import demo_settings
from mcu.digests import build_digest
from mcu.pipeline import build_analyzer
from nlp import Annotation
from storage import Database, analysis_queue, annotations, posts, stories, upgrade
from storage.models import PostRow, StoryRow
from storage.workspace import story_detail, timeline

BATCH = 500


def fill(db: Database, base: Sequence[Post], verdicts: dict[str, Annotation], count: int, threshold: float) -> float:
    """Store ``count`` posts as the pipeline would; returns CPU seconds spent."""
    stand_in = StandIn(None, verdicts)  # type: ignore[arg-type]  # only its verdicts are used
    cpu = time.process_time()
    for round_, week in enumerate(feed(base, count)):
        now = tick_end(max(p.published_at for p in week))
        for start in range(0, len(week), BATCH):
            chunk = week[start : start + BATCH]
            later = [replace(p, metrics=Metrics(views=(p.metrics.views or 0) + 10, likes=p.metrics.likes),
                             observed_at=now + timedelta(hours=1)) for p in chunk]
            with db.transaction() as session:
                posts.save_posts(session, chunk, now)
                posts.save_posts(session, later, now)
                stored = {p.db_id: p for p in analysis_queue.pending_analysis(session, len(chunk) * 2)}
                found = stand_in.analyze_batch([(s.post, None) for s in stored.values()])
                annotations.save_annotations(session, [(s.db_id, s.version, a) for s, a in
                                                       zip(stored.values(), found, strict=True)], now)
                _place(session, list(stored.values()), found, threshold, round_)
    return time.process_time() - cpu


def _place(session: object, items: list[posts.StoredPost], found: list[Annotation], threshold: float,
           round_: int) -> None:
    """One story per main topic a week: enough stories for the store's shape, no clustering cost."""
    by_topic: dict[str, list[int]] = {}
    for item, annotation in zip(items, found, strict=True):
        if annotation.relevance >= threshold:
            by_topic.setdefault(annotation.main_topic, []).append(item.db_id)
    for topic, ids in by_topic.items():
        key = f"{topic} {round_}"
        story_id = session.scalar(select(StoryRow.id).where(StoryRow.title == key))  # type: ignore[attr-defined]
        if story_id is None:
            first = min(i.post.published_at for i in items)
            story_id = stories.create_story(session, key, topic, [], frozenset(), first).id  # type: ignore[arg-type]
            session.execute(text("UPDATE stories SET title = :t WHERE id = :i"), {"t": key, "i": story_id})  # type: ignore[attr-defined]
        stories.attach(session, dict.fromkeys(ids, story_id), [])  # type: ignore[arg-type]


def sqlite_sizes(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        rows = connection.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))
        return {name: int(size) for name, size in rows}


def postgres_sizes(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT c.relname, pg_relation_size(c.oid) + COALESCE(pg_total_relation_size(c.reltoastrelid), 0)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')"))
        return {name: int(size) for name, size in rows}


def timed_ms(work: Callable[[], object], runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def queries(db: Database, settings: Settings) -> list[tuple[str, float]]:
    with db.transaction() as session:
        biggest = session.scalar(select(StoryRow.id).order_by(StoryRow.post_count.desc()).limit(1))
        last = session.scalar(select(func.max(PostRow.published_at)))
    assert biggest is not None and last is not None

    def page() -> None:
        with db.transaction() as session:
            story_detail(session, biggest)
            timeline(session, biggest)

    def members() -> None:
        with db.transaction() as session:
            stories.members(session, biggest)

    started = time.perf_counter()
    build_digest(db, settings, "week", last + timedelta(minutes=1))
    digest = time.perf_counter() - started
    return [("страница истории (story_detail + timeline), мс", timed_ms(page)),
            ("участники истории для оценки (members), мс", timed_ms(members)),
            ("недельная сводка, сбор данных, мс", digest * 1000)]


def report(label: str, sizes: dict[str, int], count: int) -> None:
    total = sum(sizes.values())
    print(f"{label}: {total / 2**20:.0f} МБ, {total / count:,.0f} байт на пост".replace(",", " "))
    for name, size in sorted(sizes.items(), key=lambda item: -item[1])[:14]:
        if size >= total / 200:
            print(f"  {name:42} {size / count:8.0f} байт на пост")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100000)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL: a fresh schema is made there and dropped")
    parser.add_argument("--no-sqlite", action="store_true", help="with --pg: PostgreSQL only (a 1M store takes a while)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    settings, _ = load_config(None)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        settings = demo_settings(settings, workdir)
        real = build_analyzer(settings)
        threadpool_limits(1)
        base = by_time(first_round(workdir))
        verdicts = record_verdicts(settings, workdir, real, base)
        threshold = settings.nlp.relevance_threshold
        targets = [] if args.no_sqlite and args.pg else [("SQLite", f"sqlite:///{workdir / 'store.db'}", None)]
        if args.pg:
            schema = f"bench_store_{uuid.uuid4().hex[:8]}"
            separator = "&" if "?" in args.pg else "?"
            targets.append(("PostgreSQL", f"{args.pg}{separator}options=-csearch_path%3D{schema}", schema))
        for label, url, schema in targets:
            if schema is not None:
                admin = Database.from_url(args.pg)
                with admin.engine.begin() as connection:
                    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            db = Database.from_url(url)
            try:
                upgrade(db.engine)
                cpu = fill(db, base, verdicts, args.posts, threshold)
                print(f"{label}: заполнение {args.posts} постов — {args.posts / cpu:,.0f} постов/с CPU".replace(",", " "))
                if schema is None:
                    report(label, sqlite_sizes(db), args.posts)
                else:
                    report(f"{label}, как записано (с мёртвыми версиями строк до автоочистки)", postgres_sizes(db),
                           args.posts)
                    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                        connection.execute(text("VACUUM FULL ANALYZE"))
                    report(f"{label}, живые данные (после VACUUM FULL)", postgres_sizes(db), args.posts)
                for name, ms in queries(db, settings):
                    print(f"  {name:48} {ms:8.1f}")
            finally:
                db.dispose()
                if schema is not None:
                    with admin.engine.begin() as connection:
                        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                    admin.dispose()


if __name__ == "__main__":
    main()
