"""The benchmarks' analyser stand-ins carry everything the pipeline asks of an analyser, so a bench run does not
die half-way when the pipeline starts asking for something new (the answers stage's lemmatizer once did)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from bench.risk import Recorder, StandIn, one_tick, open_pipeline
from collectors import Post
from config import Settings
from nlp import Analyzer


def _posts() -> list[Post]:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    texts = ["В Десногорске в 6 мкр не вывозят мусор третий день", "Спасибо коммунальщикам, двор убрали"]
    return [Post(id=f"bench-{n}", platform="vk", source="bench", published_at=at, text=text)
            for n, text in enumerate(texts, 1)]


def test_a_tick_runs_with_the_recorder_and_the_stand_in(tmp_path: Path, settings: Settings, analyzer: Analyzer) -> None:
    recorder = Recorder(analyzer)
    db, pipeline = open_pipeline(settings, tmp_path / "recorded.db", recorder)
    one_tick(pipeline, _posts())
    db.dispose()
    assert len(recorder.verdicts) == 2

    db, pipeline = open_pipeline(settings, tmp_path / "stand-in.db", StandIn(analyzer, recorder.verdicts))
    one_tick(pipeline, _posts())
    db.dispose()
