"""Risk stage: decision latency on a tick-by-tick replay, its throughput without NLP, its cost on a big store.

Run: ``.venv/bin/python -m bench.risk [--posts 10000] [--store 100000]``.

Feed: the demo posts repeated with new ids (``bench.pipeline.make_feed`` makes the first pass, its ``-r<n>``
scheme names the later ones). Pass ``n`` keeps the demo's own publication times shifted ``n`` weeks later, so
the ticks carry the demo's real rhythm (about 90 posts a day, mostly one to three per 5-minute tick) and a
week keeps the weekdays. Posts go in as ``mcu replay`` feeds them: 5-minute ticks, ``ingest`` then ``process``
with now = the tick's end. A post's latency is the wall time from its tick's ``ingest`` returning to
``process`` returning (its story updated and the alert decided); percentiles are over posts.

Without NLP: the analyser is replaced by a stand-in that hands back verdicts the real one gave once (every
copy of a demo post has the same text and context, so one verdict per demo post serves all copies). What is
left is the risk stage: parents, clustering, scoring, decisions and their storage.

Big store: ``--store`` posts in passes of a week (one ``ingest`` + ``process`` each, with the stand-in), then
one tick of 50 new posts with the stand-in and one with the real analyser, as a daemon cycle would meet it;
the same tick on a store of 50 posts is the comparison. CPU figures are ``process_time`` of this process on one
core; SQLite files live in a temporary directory. Peak memory is printed before and after the big store.

The big store also times the last week's digest (gathering, charts, every format). Filling the store costs a
few ms of CPU per post, so the defaults take a quarter of an hour or more; ``--posts 2000 --store 20000``
gives the shape in a few minutes.
"""

from __future__ import annotations

import argparse
import logging
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from threadpoolctl import threadpool_limits

from alerts.digest.charts import all_charts
from bench.pipeline import make_feed
from collectors import Post, parse_line
from config import Settings, load_config
from mcu.demo import demo_data_path, demo_settings
from mcu.digests import FORMATS, build_digest, render
from mcu.pipeline import Pipeline, build_analyzer
from mcu.timeline import ticks  # the replay's own grouping into ticks, so the bench meets the same ticks
from nlp import Analyzer, Annotation, Lemmatizer
from nlp.analyzer import PostContext
from storage import Database, upgrade

TICK = timedelta(minutes=5)
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
ROUND_SHIFT = timedelta(weeks=1)
LAST_TICK = 50


# --- feed ------------------------------------------------------------------------------------------


def first_round(workdir: Path) -> list[Post]:
    """One pass over the demo posts (re-observations left out, as make_feed does), with make_feed's ids."""
    demo = demo_data_path().read_text(encoding="utf-8").splitlines()
    count = sum(1 for line in demo if line.strip() and "observed_at" not in line)
    lines = make_feed(count, workdir / "round.jsonl")
    return [post for i, line in enumerate(lines, 1) if (post := parse_line(line, i)[0]) is not None]


def demo_id(post_id: str) -> str:
    """The demo post a copy was made from: make_feed appends "-r<pass>" to the demo's id."""
    return post_id.rsplit("-r", 1)[0]


def copy_round(base: Sequence[Post], round_: int) -> list[Post]:
    """Pass ``round_`` of the feed: make_feed's ids for that pass, times moved ``round_`` weeks on."""
    shift = ROUND_SHIFT * round_

    def renamed(post_id: str | None) -> str | None:
        return f"{demo_id(post_id)}-r{round_}" if post_id is not None else None

    return [replace(p, id=renamed(p.id), parent_id=renamed(p.parent_id), published_at=p.published_at + shift) for p in base]


def feed(base: Sequence[Post], count: int) -> Iterator[list[Post]]:
    """``count`` posts, one pass at a time (the last one cut short), so a big store is never held in memory."""
    round_ = 0
    while count > 0:
        posts = copy_round(base, round_)[:count]
        count -= len(posts)
        round_ += 1
        yield posts


def tick_end(moment: datetime) -> datetime:
    """The end of the 5-minute tick a moment falls in: the replay's ``now`` for it (as mcu.timeline.ticks)."""
    return EPOCH + ((moment - EPOCH) // TICK + 1) * TICK


# --- analysers -------------------------------------------------------------------------------------


class Recorder:
    """The real analyser, keeping what it said about each demo post."""

    def __init__(self, real: Analyzer) -> None:
        self.real = real
        self.verdicts: dict[str, Annotation] = {}

    @property
    def lemmatizer(self) -> Lemmatizer:  # the responses stage lemmatises replies with the analyser's own
        return self.real.lemmatizer

    def context_for(self, post: Post, parent_relevance: float | None = None, parent_text: str | None = None) -> PostContext:
        return self.real.context_for(post, parent_relevance, parent_text)

    def analyze_batch(self, items: Sequence[tuple[Post, PostContext | None]]) -> list[Annotation]:
        found = self.real.analyze_batch(items)
        for (post, _), annotation in zip(items, found, strict=True):
            self.verdicts[demo_id(post.id)] = annotation
        return found


class StandIn:
    """Hands back recorded verdicts: the pipeline runs without NLP cost, on the verdicts NLP would give."""

    def __init__(self, real: Analyzer, verdicts: dict[str, Annotation]) -> None:
        self.real = real
        self.verdicts = verdicts

    @property
    def lemmatizer(self) -> Lemmatizer:  # the responses stage lemmatises replies with the analyser's own
        return self.real.lemmatizer

    def context_for(self, post: Post, parent_relevance: float | None = None, parent_text: str | None = None) -> PostContext:
        return self.real.context_for(post, parent_relevance, parent_text)

    def analyze_batch(self, items: Sequence[tuple[Post, PostContext | None]]) -> list[Annotation]:
        return [replace(self.verdicts[demo_id(post.id)], id=post.id) for post, _ in items]


def open_pipeline(settings: Settings, path: Path, analyzer: object) -> tuple[Database, Pipeline]:
    db = Database.from_url(f"sqlite:///{path}")
    upgrade(db.engine)
    # The stand-ins have the two methods the pipeline calls; it is typed for the real class.
    return db, Pipeline(settings, db, analyzer=analyzer, deliver=False)  # type: ignore[arg-type]


def record_verdicts(settings: Settings, workdir: Path, real: Analyzer, base: Sequence[Post]) -> dict[str, Annotation]:
    """The real analyser's verdict on every demo post, in context (comments see their parent's verdict)."""
    recorder = Recorder(real)
    db, pipeline = open_pipeline(settings, workdir / "verdicts.db", recorder)
    one_tick(pipeline, list(base))
    db.dispose()
    return recorder.verdicts


# --- measurements ----------------------------------------------------------------------------------


@dataclass
class Replay:
    latencies: list[float] = field(default_factory=list)  # seconds, one per post
    process_cpu: float = 0.0
    ingest_cpu: float = 0.0
    ticks: int = 0
    busiest: int = 0
    alerts: int = 0
    wall: float = 0.0

    def percentile(self, share: int, part: slice = slice(None)) -> float:
        """Percentile of latency in milliseconds, over posts (or a part of them, in feed order)."""
        return statistics.quantiles(self.latencies[part], n=100, method="inclusive")[share - 1] * 1000


def replay(pipeline: Pipeline, posts: list[Post]) -> Replay:
    """Feed posts tick by tick as run_timeline does; time each tick's process call."""
    result = Replay()
    started = time.perf_counter()
    for now, group in ticks(by_time(posts), TICK):
        cpu = time.process_time()
        pipeline.ingest(group, now)
        stored, cpu_stored = time.perf_counter(), time.process_time()
        stats = pipeline.process(now)
        done = time.perf_counter()
        result.ingest_cpu += cpu_stored - cpu
        result.process_cpu += time.process_time() - cpu_stored
        result.latencies += [done - stored] * len(group)
        result.ticks += 1
        result.busiest = max(result.busiest, len(group))
        result.alerts += len(stats.alerts)
    result.wall = time.perf_counter() - started
    return result


def batch_rate(settings: Settings, path: Path, analyzer: object, posts: list[Post]) -> float:
    """Posts per CPU second of one process call over everything stored at once (no per-tick overhead)."""
    db, pipeline = open_pipeline(settings, path, analyzer)
    now = tick_end(max(p.published_at for p in posts))
    pipeline.ingest(posts, now)
    cpu = time.process_time()
    pipeline.process(now)
    seconds = time.process_time() - cpu
    db.dispose()
    return len(posts) / seconds


@dataclass
class Store:
    posts: int = 0
    fill_wall: float = 0.0
    # Process CPU per post in the first and the last pass: does the store's size slow each pass down?
    first_pass: float = 0.0
    last_pass: float = 0.0
    size: int = 0
    ticks: list[tuple[str, float, float]] = field(default_factory=list)  # label, CPU s, wall s
    digest: list[tuple[str, float]] = field(default_factory=list)  # the week's digest: step, wall s


def fill_store(pipeline: Pipeline, base: Sequence[Post], count: int, store: Store) -> int:
    """Store and process ``count`` posts a week at a time; returns the next pass's number."""
    started = time.perf_counter()
    round_ = 0
    for round_, posts in enumerate(feed(base, count)):
        now = tick_end(max(p.published_at for p in posts))
        pipeline.ingest(posts, now)
        cpu = time.process_time()
        pipeline.process(now)
        per_post = (time.process_time() - cpu) / len(posts)
        store.first_pass = store.first_pass or per_post
        store.last_pass = per_post
        store.posts += len(posts)
    store.fill_wall = time.perf_counter() - started
    return round_ + 1


def one_tick(pipeline: Pipeline, posts: list[Post]) -> tuple[float, float]:
    """CPU and wall seconds of one daemon-like cycle: store the posts, then process them."""
    now = tick_end(max(p.published_at for p in posts))
    cpu, wall = time.process_time(), time.perf_counter()
    pipeline.ingest(posts, now)
    pipeline.process(now)
    return time.process_time() - cpu, time.perf_counter() - wall


def by_time(posts: Sequence[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: p.published_at)


def big_store(
    settings: Settings, workdir: Path, real: Analyzer, stand_in: StandIn, base: Sequence[Post], count: int
) -> Store:
    store = Store()
    # The same tick on a near-empty store first: what the big store adds to a daemon cycle. The first tick on
    # a new engine only warms SQLAlchemy's statement cache, so it is not the one measured.
    db, pipeline = open_pipeline(settings, workdir / "empty.db", stand_in)
    one_tick(pipeline, by_time(base)[:LAST_TICK])
    store.ticks.append((f"{LAST_TICK} постов, без NLP", *one_tick(pipeline, by_time(base)[LAST_TICK : 2 * LAST_TICK])))
    db.dispose()
    db, pipeline = open_pipeline(settings, workdir / "store.db", stand_in)
    next_round = fill_store(pipeline, base, count, store)
    fresh = by_time(copy_round(base, next_round))
    store.digest = weekly_digest(db, settings, max(p.published_at for p in copy_round(base, next_round - 1)))
    store.ticks.append((f"{count} постов, без NLP", *one_tick(pipeline, fresh[:LAST_TICK])))
    # The same store with the real analyser: the whole daemon cycle.
    with_nlp = Pipeline(settings, db, analyzer=real, deliver=False)
    store.ticks.append((f"{count} постов, с NLP", *one_tick(with_nlp, fresh[LAST_TICK : 2 * LAST_TICK])))
    db.dispose()
    store.size = sum(f.stat().st_size for f in workdir.glob("store.db*"))  # with the WAL file, if any is left
    return store


def weekly_digest(db: Database, settings: Settings, last_post: datetime) -> list[tuple[str, float]]:
    """How long the last week's digest takes on the big store: gathering, charts, each format."""
    steps: list[tuple[str, float]] = []
    started = time.perf_counter()
    data = build_digest(db, settings, "week", last_post + timedelta(minutes=1))
    steps.append(("сбор данных", time.perf_counter() - started))
    started = time.perf_counter()
    charts = all_charts(data)
    steps.append(("графики", time.perf_counter() - started))
    for fmt in FORMATS:
        started = time.perf_counter()
        render(data, settings, fmt, charts)
        steps.append((fmt, time.perf_counter() - started))
    return steps


# --- report ----------------------------------------------------------------------------------------


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_replays(posts: int, runs: list[tuple[str, Replay]]) -> None:
    first = runs[0][1]
    print(f"Реплей: {posts} постов, тиков {first.ticks} по 5 минут, в среднем {posts / first.ticks:.1f} поста "
          f"на тик, самый плотный {first.busiest}; задержка решения — от конца ingest до конца process, стена")
    tenth = slice(None, max(posts // 10, 2))
    last = slice(-max(posts // 10, 2), None)
    print(f"{'':22} {'p50, мс':>9} {'p95, мс':>9} {'p50 первых 10%':>15} {'p50 последних 10%':>18} "
          f"{'CPU process, с':>15} {'стена, с':>9} {'оповещений':>11}")
    for label, run in runs:
        print(f"{label:22} {run.percentile(50):9.1f} {run.percentile(95):9.1f} {run.percentile(50, tenth):15.1f} "
              f"{run.percentile(50, last):18.1f} {run.process_cpu:15.1f} {run.wall:9.1f} {run.alerts:11}")


def print_rates(rows: list[tuple[str, float]]) -> None:
    print(f"{'этап (время процессора одного ядра)':58} {'постов/с':>10}")
    for label, rate in rows:
        print(f"{label:58} {f'{rate:,.0f}'.replace(',', ' '):>10}")


def print_store(store: Store, peak_before: float) -> None:
    print(f"Хранилище: {store.posts} постов за {store.fill_wall:.0f} с; файл SQLite {store.size / 2**20:.0f} МБ; "
          f"CPU process на пост: первый проход {store.first_pass * 1000:.2f} мс, последний {store.last_pass * 1000:.2f} мс")
    for label, cpu, wall in store.ticks:
        print(f"тик из {LAST_TICK} новых постов поверх {label:24} CPU {cpu * 1000:5.0f} мс, стена {wall * 1000:5.0f} мс")
    total = sum(seconds for _, seconds in store.digest)
    print(f"недельная сводка на этом хранилище: {total:.1f} с (" +
          ", ".join(f"{step} {seconds:.2f}" for step, seconds in store.digest) + ")")
    print(f"пиковая память: {peak_before:.0f} МБ до хранилища, {peak_mb():.0f} МБ после")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10000, help="posts in the tick-by-tick replay")
    parser.add_argument("--store", type=int, default=100000, help="posts in the big store")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # replays warn about nothing the figures need
    settings, _ = load_config(None)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        settings = demo_settings(settings, workdir)
        real = build_analyzer(settings)  # NER and the model as the settings ask (on by default)
        threadpool_limits(1)  # one core, as the shell runs it (see mcu.pipeline.build_analyzer)
        base = first_round(workdir)
        verdicts = record_verdicts(settings, workdir, real, base)  # also warms the caches a daemon keeps warm
        stand_in = StandIn(real, verdicts)
        posts = [p for group in feed(base, args.posts) for p in group]
        runs = []
        for label, analyzer in (("с NLP", real), ("без NLP (заглушка)", stand_in)):
            db, pipeline = open_pipeline(settings, workdir / f"replay-{len(runs)}.db", analyzer)
            runs.append((label, replay(pipeline, posts)))
            db.dispose()
        rates = [
            ("обработка по тикам, с NLP", len(posts) / runs[0][1].process_cpu),
            ("обработка по тикам, без NLP (риск-этап)", len(posts) / runs[1][1].process_cpu),
            ("обработка одним вызовом, без NLP (риск-этап)", batch_rate(settings, workdir / "batch.db", stand_in, posts)),
            ("сохранение по тикам (ingest)", len(posts) / runs[1][1].ingest_cpu),
        ]
        peak_before = peak_mb()
        store = big_store(settings, workdir, real, stand_in, base, args.store)
    print_replays(len(posts), runs)
    print()
    print_rates(rates)
    print()
    print_store(store, peak_before)


if __name__ == "__main__":
    main()
