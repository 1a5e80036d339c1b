"""Bundled timelines with known answers (`mcu responses check`): every appeal gets the expected body, reply,
minutes, deadline status, quality and satisfaction; a substantive reply calms its story, a conflicting one
inflames it (the same timeline without the official replies is the comparison)."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Settings
from mcu.answer_check import AnswerOutcome, bundled_answer_timelines, check_settings, run_answer_timeline
from nlp import Analyzer, Lemmatizer, NerTagger

TIMELINES = bundled_answer_timelines()


@pytest.fixture(scope="module")
def checker(builtin_settings: Settings, lemmatizer: Lemmatizer, ner: NerTagger) -> Analyzer:
    from nlp.models import load_for

    return Analyzer(check_settings(builtin_settings), lemmatizer=lemmatizer, ner=ner, models=load_for(True, None))


@pytest.fixture(scope="module")
def outcomes(builtin_settings: Settings, checker: Analyzer) -> dict[str, AnswerOutcome]:
    return {p.name: run_answer_timeline(builtin_settings, checker, p) for p in TIMELINES}


def test_the_bundled_set_covers_calm_inflame_and_the_cases() -> None:
    assert {p.name for p in TIMELINES} >= {"reply_calms.jsonl", "reply_inflames.jsonl", "responses_cases.jsonl"}


@pytest.mark.parametrize("path", TIMELINES, ids=lambda p: p.name)
def test_timeline_gets_the_known_answers(outcomes: dict[str, AnswerOutcome], path: Path) -> None:
    outcome = outcomes[path.name]
    assert outcome.passed, outcome.mismatches
    if outcome.effect == "calms":
        assert outcome.score_with is not None and outcome.score_without is not None
        assert outcome.score_with < outcome.score_without
    if outcome.effect == "inflames":
        assert outcome.score_with is not None and outcome.score_without is not None
        assert outcome.score_with > outcome.score_without


def test_every_verdict_appears_in_the_bundled_answers(outcomes: dict[str, AnswerOutcome]) -> None:
    seen: dict[str, set[str]] = {"quality": set(), "satisfaction": set(), "status": set()}
    for outcome in outcomes.values():
        for record in outcome.records:
            seen["quality"].add(record.reply_quality or "—")
            seen["satisfaction"].add(record.satisfaction)
            seen["status"].add(record.sla_status)
    assert seen["quality"] >= {"substantive", "formulaic", "request", "conflict"}
    assert seen["satisfaction"] >= {"satisfied", "dissatisfied", "unknown"}
    assert seen["status"] >= {"open", "met", "breached", "overdue"}
