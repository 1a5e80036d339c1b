"""The bundled labelled timelines, run as `mcu calibrate` runs them (built-in config, shipped model):
serious events rise fast, benign ones never alert, one story gives one alert."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from config import InputError, Settings
from mcu.calibration import ThresholdAdvice, advise_threshold, bundled_timelines, load_expectation, run_labelled
from nlp import Analyzer

TIMELINES = bundled_timelines()


def test_every_kind_of_event_the_brief_names_has_a_timeline() -> None:
    names = {p.name.removesuffix(".jsonl") for p in TIMELINES}
    assert {"npp_night_rumour", "heating", "city_day", "grumpy_comment", "other_towns", "copypaste_rumour"} <= names


@pytest.mark.parametrize("path", TIMELINES, ids=lambda p: p.name.removesuffix(".jsonl"))
def test_timeline_meets_its_expectation(builtin_settings: Settings, product_analyzer: Analyzer, path: Path) -> None:
    outcome = run_labelled(builtin_settings, product_analyzer, path)
    assert outcome.report.skipped == 0
    assert outcome.passed, (outcome.reached, outcome.expectation)
    if outcome.expectation.kind == "benign":
        assert outcome.first_alerts == 0
    else:
        assert outcome.main_story is not None
        assert outcome.first_alerts_by_story[outcome.main_story] == 1, "одна история — одно оповещение, дальше обновления"
        assert outcome.updates >= 1


def test_copies_of_a_rumour_form_one_story(builtin_settings: Settings, product_analyzer: Analyzer) -> None:
    outcome = run_labelled(builtin_settings, product_analyzer, next(p for p in TIMELINES if p.name == "copypaste_rumour.jsonl"))
    assert outcome.first_alerts == 1 and outcome.main_story_posts >= 25
    assert outcome.reached["high"] <= timedelta(hours=1)


def test_bad_expectation_files_are_explained(tmp_path: Path) -> None:
    timeline = tmp_path / "x.jsonl"
    timeline.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="нет файла ожиданий x.expect.json"):
        load_expectation(timeline)
    (tmp_path / "x.expect.json").write_text('{"kind": "scary", "level": "high"}', encoding="utf-8")
    with pytest.raises(InputError, match="нужны kind"):
        load_expectation(timeline)
    (tmp_path / "x.expect.json").write_text('{"kind": "serious", "level": "high", "within": "soon"}', encoding="utf-8")
    with pytest.raises(InputError, match="within"):
        load_expectation(timeline)


def test_analysts_false_marks_suggest_a_threshold_that_keeps_real_stories() -> None:
    verdicts = [(1, "false_positive", 38.0, "medium"), (2, "false_positive", 44.0, "medium"), (3, "taken", 52.0, "medium"),
                (4, "false_positive", 61.0, "high"), (5, "closed", 70.0, "high"), (6, "false_positive", 20.0, "low")]
    advice = advise_threshold(verdicts, current=35.0)
    assert advice == ThresholdAdvice(35.0, 51.9, 3, 2, 2, 2, (38.0, 44.0, 61.0), (52.0, 70.0))
    assert advise_threshold([(1, "false_positive", 40.0, "medium")], 35.0).threshold == 35.0  # nothing known to keep
