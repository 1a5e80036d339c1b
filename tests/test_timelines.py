"""The bundled labelled timelines, run as `mcu calibrate` runs them (built-in config, shipped model):
serious events rise fast, benign ones never alert, one story gives one alert; copy-paste waves, slow-burning
problems and a bot flood as the control centre meets them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from config import InputError, Settings
from mcu.calibration import (
    ThresholdAdvice,
    TimelineOutcome,
    advise_threshold,
    bundled_timelines,
    load_expectation,
    run_labelled,
)
from mcu.weights import CachedAnalyzer, sensitivity
from nlp import Analyzer

TIMELINES = bundled_timelines()
WAVES = ("wave_plant_evacuation", "wave_school_closure_refuted", "wave_shop_shortage", "wave_water_chlorine")
BENIGN_WAVES = ("wave_congratulation", "wave_charity_repost", "wave_planned_outage")


@pytest.fixture(scope="module")
def outcomes(builtin_settings: Settings, product_analyzer: Analyzer) -> dict[str, TimelineOutcome]:
    """Each timeline run once for the whole module (the bot flood alone is a thousand posts)."""
    cached = CachedAnalyzer(product_analyzer)
    return {p.name.removesuffix(".jsonl"): run_labelled(builtin_settings, cached, p) for p in TIMELINES}  # type: ignore[arg-type]


def test_every_kind_of_event_the_brief_names_has_a_timeline() -> None:
    names = {p.name.removesuffix(".jsonl") for p in TIMELINES}
    assert {"npp_night_rumour", "heating", "city_day", "grumpy_comment", "other_towns", "copypaste_rumour"} <= names
    assert {*WAVES, *BENIGN_WAVES, "slowburn_school", "slowburn_address", "lookalike_praise", "lookalike_one_author",
            "spam_flood"} <= names


@pytest.mark.parametrize("name", [p.name.removesuffix(".jsonl") for p in TIMELINES])
def test_timeline_meets_its_expectation(outcomes: dict[str, TimelineOutcome], name: str) -> None:
    outcome = outcomes[name]
    assert outcome.report.skipped == 0
    assert outcome.passed, (outcome.reached, outcome.expectation, outcome.alert_problems)
    if outcome.expectation.kind == "benign":
        assert outcome.first_alerts == 0
    else:
        assert outcome.main_story is not None
        assert outcome.first_alerts_by_story[outcome.main_story] == 1, "одна история — одно оповещение, дальше обновления"
        wanted = outcome.expectation.min_updates
        assert outcome.updates >= (1 if wanted is None else wanted)


def test_copies_of_a_rumour_form_one_story(outcomes: dict[str, TimelineOutcome]) -> None:
    outcome = outcomes["copypaste_rumour"]
    assert outcome.first_alerts == 1 and outcome.main_story_posts >= 25
    assert outcome.reached["high"] <= timedelta(hours=1)


@pytest.mark.parametrize("name", WAVES)
def test_an_alarming_wave_of_neutral_copies_is_high_within_15_minutes(outcomes: dict[str, TimelineOutcome], name: str) -> None:
    outcome = outcomes[name]
    assert outcome.reached["high"] <= timedelta(minutes=15)
    # A single alarming post may already alert at medium; the alert that calls it high names the wave.
    first = next(a for a in outcome.report.alerts if a.level in {"high", "critical"})
    assert any(r.startswith("одинаковый текст: ") and " копи" in r and " источник" in r for r in first.reasons), first.reasons
    assert any(r.startswith("тревожные признаки: ") for r in first.reasons)


def test_a_refuted_wave_falls_and_the_update_says_so(outcomes: dict[str, TimelineOutcome]) -> None:
    outcome = outcomes["wave_school_closure_refuted"]
    refuted = next(a for a in outcome.report.alerts if a.update and "опровержение" in a.text)
    assert refuted.level in {"low", "medium"} and "уровень ↓" in refuted.text
    assert refuted.reasons[0].startswith("опровержение: Администрация г. Десногорск (демо): «Уважаемые родители!")


@pytest.mark.parametrize("name", ["slowburn_school", "slowburn_address"])
def test_a_slow_burning_problem_reaches_medium_as_a_recurring_problem(outcomes: dict[str, TimelineOutcome], name: str) -> None:
    outcome = outcomes[name]
    assert "medium" in outcome.reached
    reasons = [r for a in outcome.report.alerts for r in a.reasons if r.startswith("повторяющаяся проблема: ")]
    assert reasons and all(" жалоб" in r and " от " in r and " автор" in r for r in reasons), reasons


def test_a_bot_flood_is_one_story_one_alert_and_few_updates(outcomes: dict[str, TimelineOutcome]) -> None:
    outcome = outcomes["spam_flood"]
    assert outcome.first_alerts == 1 and outcome.updates <= 3
    assert outcome.main_story_posts >= 1000
    assert "наплыв одинаковых постов: 1000 копий в 1 источнике за 1 мин" in outcome.report.alerts[0].reasons


def test_calibrate_shows_how_a_weight_moves_the_timelines(builtin_settings: Settings, product_analyzer: Analyzer) -> None:
    chosen = [p for p in TIMELINES if p.name in ("wave_shop_shortage.jsonl", "slowburn_school.jsonl")]
    base, variants = sensitivity(builtin_settings, product_analyzer, chosen, timedelta(minutes=5), ["recurrence"], (0.0, 2.0))
    assert [(v.weight, v.factor) for v in variants] == [("recurrence", 0.0), ("recurrence", 2.0)]
    assert all(o.passed for o in base)
    # Without the weight of recurrence the school's slow-burning problem is still found, but only at medium.
    without = variants[0]
    assert ("slowburn_school", "high", "medium") in without.moved and not without.failed


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
