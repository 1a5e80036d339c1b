"""Throughput of each stage and of the whole pipeline, in posts per second on one core; several workers.

Run: ``.venv/bin/python -m bench.pipeline --posts 3000 [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]``.

The demo posts are repeated with new ids until there are enough; every figure is compared with the plain cost
of reading the same JSON Lines. With ``--pg`` the storing and processing stages run on PostgreSQL too (a fresh
schema, dropped after), and the processing pass runs in 1 and in 2 worker processes (``mcu process --workers``)
on a feed whose every text is distinct (no verdict can be reused: the NLP-heavy case). Workers are measured in
CPU seconds of the worker processes and in wall time; on a machine shared with other work the wall-clock speedup
says little, the CPU per post says what one core does.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import text
from threadpoolctl import threadpool_limits

from bench.timing import per_second
from collectors import Post, parse_line
from config import Settings, load_config
from mcu.demo import demo_data_path, demo_settings
from mcu.pipeline import Pipeline
from nlp import Analyzer, Lemmatizer, NerTagger
from storage import Database, upgrade


def make_feed(count: int, target: Path, distinct: bool = False) -> list[str]:
    """``count`` demo posts with new ids; ``distinct`` gives each copy a text of its own (a number added)."""
    source = [line for line in demo_data_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    base = [json.loads(line) for line in source if "observed_at" not in line]
    lines = []
    for n in range(count):
        record = dict(base[n % len(base)])
        round_ = n // len(base)
        record["id"] = f"{record['id']}-r{round_}"
        if record.get("parent_id"):
            record["parent_id"] = f"{record['parent_id']}-r{round_}"
        if distinct and round_:
            record["text"] = f"{record['text']} (запись {round_})"
        lines.append(json.dumps(record, ensure_ascii=False))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def timed(label: str, count: int, work: Callable[[], object], repeat: bool = False) -> tuple[str, float]:
    return label, per_second(count, work, repeat)


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A URL for a new schema in the PostgreSQL database ``url``, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = Database.from_url(url)
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def stages(settings: Settings, url: str, posts: list[Post], analyzer: Analyzer, name: str) -> list[tuple[str, float]]:
    db = Database.from_url(url)
    upgrade(db.engine)
    pipeline = Pipeline(settings, db, analyzer=analyzer, deliver=False)
    now = max(p.published_at for p in posts) + timedelta(hours=1)
    pipeline.ingest(posts[:1], now - timedelta(days=400))  # warms SQLAlchemy's statement cache, as a daemon is
    results = [timed(f"сохранение ({name})", len(posts), lambda: pipeline.ingest(posts, now))]
    results.append(timed(f"разбор+истории+риск+решения ({name})", len(posts), lambda: pipeline.process(now)))
    db.dispose()
    return results


def workers_run(settings: Settings, url: str, posts: list[Post], count: int) -> tuple[float, float, float, int]:
    """Wall seconds, worker CPU seconds, the largest worker's peak memory (MB) and posts analysed, for one pass by
    ``count`` worker processes (each loads its models before the clock runs, as a running worker has them)."""
    db = Database.from_url(url)
    upgrade(db.engine)
    now = max(p.published_at for p in posts) + timedelta(hours=1)
    Pipeline(settings, db, deliver=False).ingest(posts, now)
    db.dispose()
    settings = settings.model_copy(update={"database": settings.database.model_copy(update={"url": url})})
    with ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn")) as pool:
        # One task per worker, all waiting at a barrier once their models are loaded.
        barrier = get_context("spawn").Manager().Barrier(count)
        done = list(pool.map(_timed_pass, [settings] * count, [now] * count, [barrier] * count))
    wall = max(end for _, _, end, _, _ in done) - min(start for _, start, _, _, _ in done)
    return wall, sum(cpu for cpu, *_ in done), max(peak for *_, peak in done), sum(n for _, _, _, n, _ in done)


def _timed_pass(settings: Settings, now: datetime, barrier: object) -> tuple[float, float, float, int, float]:
    """In a worker: load the models, wait for the others, then one processing pass; CPU s, start, end, posts,
    peak memory MB."""
    pipeline = Pipeline(settings, Database.from_url(settings.database.url), deliver=False)
    pipeline.analyzer.analyze_batch([])  # pymorphy3, natasha and the classifiers load here, not in the pass
    barrier.wait(timeout=900)  # type: ignore[attr-defined]
    start_wall, start_cpu = time.time(), time.process_time()
    stats = pipeline.process(now)
    cpu, end = time.process_time() - start_cpu, time.time()
    pipeline.db.dispose()
    return cpu, start_wall, end, stats.analysed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (trust auth): also measure there, with workers")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    settings, _ = load_config(None)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        settings = demo_settings(settings, workdir)
        feed = workdir / "feed.jsonl"
        lines = make_feed(args.posts, feed)
        posts = [p for i, line in enumerate(lines, 1) if (p := parse_line(line, i)[0]) is not None]
        lemmatizer = Lemmatizer()
        plain = Analyzer(settings, lemmatizer=lemmatizer)
        with_ner = Analyzer(settings, lemmatizer=lemmatizer, ner=NerTagger())
        threadpool_limits(1)  # one core, as the shell runs it (see mcu.pipeline.build_analyzer)
        plain.analyze(posts[0])  # warm caches that a long-running daemon keeps warm
        results = [
            timed("чтение JSON Lines (база сравнения)", len(lines),
                  lambda: [json.loads(line) for line in feed.open(encoding="utf-8")], repeat=True),
            timed("разбор записей в Post", len(lines), lambda: [parse_line(line, 1) for line in lines], repeat=True),
            timed("NLP без NER", len(posts), lambda: [plain.analyze(p) for p in posts]),
            timed("NLP с NER (natasha)", len(posts), lambda: [with_ner.analyze(p) for p in posts]),
        ]
        sqlite = stages(settings, f"sqlite:///{workdir / 'bench.db'}", posts, with_ner, "SQLite")
        results += sqlite
        postgres: list[tuple[str, float]] = []
        if args.pg:
            with fresh_schema(args.pg) as url:
                postgres = stages(settings, url, posts, with_ner, "PostgreSQL")
            results += postgres
        peak_main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        runs = []
        if args.pg:
            distinct = make_feed(args.posts, workdir / "distinct.jsonl", distinct=True)
            unique = [p for i, line in enumerate(distinct, 1) if (p := parse_line(line, i)[0]) is not None]
            for count in (1, 2):
                with fresh_schema(args.pg) as url:
                    runs.append((count, *workers_run(settings, url, unique, count)))
    baseline = results[0][1]
    print(f"Постов: {args.posts}; время процессора одного ядра (process_time)")
    print(f"{'этап':52} {'постов/с':>10} {'доля от чтения':>15}")
    for label, rate in results:
        print(f"{label:52} {rate:10,.0f} {rate / baseline:15.4f}".replace(",", " "))
    # The whole pipeline per post: parse, store, then analyse+group+score (which includes NLP with NER).
    for name, (store, process) in (("SQLite", sqlite), ("PostgreSQL", postgres or None)) if postgres else (("SQLite", sqlite),):
        whole = 1 / (1 / results[1][1] + 1 / store[1] + 1 / process[1])
        print(f"{'весь конвейер: разбор+сохранение+обработка (' + name + ')':52} {whole:10,.0f} "
              f"{whole / baseline:15.4f}".replace(",", " "))
    print(f"пиковая память процесса замера: {peak_main:.0f} МБ")
    if runs:
        print()
        print(f"Обработчики на PostgreSQL (mcu process --workers N), {args.posts} постов с разными текстами:")
        print(f"{'N':>2} {'стена, с':>9} {'CPU, с':>8} {'постов/с на ядро':>17} {'постов/с по стене':>18} "
              f"{'ускорение':>10} {'пик памяти, МБ':>15}")
        single_wall = runs[0][1]
        for count, wall, cpu, peak, analysed in runs:
            print(f"{count:>2} {wall:9.1f} {cpu:8.1f} {analysed / cpu:17,.0f} {analysed / wall:18,.0f} "
                  f"{single_wall / wall:10.2f} {peak:15.0f}".replace(",", " "))


if __name__ == "__main__":
    main()
