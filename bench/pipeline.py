"""Throughput of each stage and of the whole pipeline, in posts per second on one core.

Run: ``.venv/bin/python -m bench.pipeline --posts 3000``. The demo posts are repeated with new ids until there
are enough; every figure is compared with the plain cost of reading the same JSON Lines.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from threadpoolctl import threadpool_limits

from bench.timing import per_second
from collectors import parse_line
from config import load_config
from mcu.demo import demo_data_path, demo_settings
from mcu.pipeline import Pipeline
from nlp import Analyzer, Lemmatizer, NerTagger
from storage import Database, upgrade


def make_feed(count: int, target: Path) -> list[str]:
    source = [line for line in demo_data_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    base = [json.loads(line) for line in source if "observed_at" not in line]
    lines = []
    for n in range(count):
        record = dict(base[n % len(base)])
        round_ = n // len(base)
        record["id"] = f"{record['id']}-r{round_}"
        if record.get("parent_id"):
            record["parent_id"] = f"{record['parent_id']}-r{round_}"
        lines.append(json.dumps(record, ensure_ascii=False))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def timed(label: str, count: int, work: Callable[[], object], repeat: bool = False) -> tuple[str, float]:
    return label, per_second(count, work, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=3000)
    args = parser.parse_args()
    settings, _ = load_config(None)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        settings = demo_settings(settings, workdir)
        feed = workdir / "feed.jsonl"
        lines = make_feed(args.posts, feed)
        posts = [parse_line(line, i)[0] for i, line in enumerate(lines, 1)]
        lemmatizer = Lemmatizer()
        plain = Analyzer(settings, lemmatizer=lemmatizer)
        with_ner = Analyzer(settings, lemmatizer=lemmatizer, ner=NerTagger())
        threadpool_limits(1)  # one core, as the shell runs it (see mcu.pipeline.build_analyzer)
        plain.analyze(posts[0])  # warm caches that a long-running daemon keeps warm
        results = [
            timed("чтение JSON Lines (база сравнения)", len(lines),
                  lambda: [json.loads(line) for line in feed.open(encoding="utf-8")], repeat=True),
            timed("разбор записей в Post", len(lines), lambda: [parse_line(line, 1) for line in lines], repeat=True),
            timed("NLP без NER", len(posts), lambda: [plain.analyze(p) for p in posts if p]),
            timed("NLP с NER (natasha)", len(posts), lambda: [with_ner.analyze(p) for p in posts if p]),
        ]
        db = Database.from_url(f"sqlite:///{workdir / 'bench.db'}")
        upgrade(db.engine)
        pipeline = Pipeline(settings, db, analyzer=with_ner, deliver=False)
        now = max(p.published_at for p in posts if p) + timedelta(hours=1)
        results.append(timed("сохранение в SQLite", len(posts), lambda: pipeline.ingest([p for p in posts if p], now)))
        results.append(timed("разбор, истории, риск, решения (SQLite)", len(posts), lambda: pipeline.process(now)))
        db.dispose()
    baseline = results[0][1]
    print(f"Постов: {args.posts}; время процессора одного ядра (process_time)")
    print(f"{'этап':45} {'постов/с':>12} {'доля от чтения':>16}")
    for label, rate in results:
        print(f"{label:45} {rate:12,.0f} {rate / baseline:16.4f}".replace(",", " "))
    # The whole pipeline per post: parse, store, then analyse+group+score (which includes NLP with NER).
    whole = 1 / (1 / results[1][1] + 1 / results[4][1] + 1 / results[5][1])
    print(f"{'весь конвейер: разбор + сохранение + обработка':45} {whole:12,.0f} {whole / baseline:16.4f}".replace(",", " "))
    print(f"пиковая память: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} МБ")


if __name__ == "__main__":
    main()
