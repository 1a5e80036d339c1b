"""Bundled timelines with known answers for the responses component (``NAME.jsonl`` beside ``NAME.responses.json``):
each is replayed on a fresh store with the demo's official accounts, every appeal's verdict is compared with the
expected one, and the main story is scored with and without the official replies — to show a reply that calms a
story and one that inflames it.

``NAME.responses.json``: ``{"description": "...", "effect": "calms"|"inflames"|null, "appeals": {POST_ID: {"body":
..., "bodies": [...], "reply": REPLY_POST_ID|null, "minutes": .., "working_minutes": .., "status": .., "quality":
..|null, "satisfaction": .., "repeated": bool, "requires": ["author_id"]}}}``; any field may be left out;
``requires`` names post-record fields the case depends on (it is reported as not checked where they are missing).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from collectors import Post
from config import InputError, Settings
from mcu.demo import DEMO_OFFICIAL_SOURCES, DEMO_TOWN_SOURCES, with_demo_accounts
from mcu.pipeline import Pipeline
from mcu.timeline import TimelineReport, load_timeline, run_timeline
from nlp import Analyzer
from responses import build_assessor
from responses.records import AppealRecord, ThreadPost
from storage import Database, upgrade
from storage import responses as response_store
from storage.models import StoryRow

FIELDS = ("body", "bodies", "reply", "minutes", "working_minutes", "status", "quality", "satisfaction", "repeated")
EPOCH = datetime.fromisoformat("2000-01-01T00:00:00+00:00")
FAR = datetime.fromisoformat("2100-01-01T00:00:00+00:00")


@dataclass
class AnswerOutcome:
    name: str
    description: str = ""
    records: list[AppealRecord] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # expectations this version cannot check (and why)
    effect: str | None = None
    score_with: float | None = None  # the main story's score with the official replies
    score_without: float | None = None  # ... and on the same timeline with them removed
    level_with: str | None = None
    level_without: str | None = None

    @property
    def passed(self) -> bool:
        return not self.mismatches


def bundled_answer_timelines() -> list[Path]:
    folder = Path(str(resources.files("mcu").joinpath("data", "timelines")))
    return sorted(p for p in folder.glob("*.jsonl") if answers_path(p).exists())


def answers_path(timeline: Path) -> Path:
    return timeline.with_name(timeline.name.removesuffix(".jsonl") + ".responses.json")


def check_settings(settings: Settings) -> Settings:
    """The settings with the sample communities and official accounts the bundled timelines are written for."""
    gazetteer = settings.gazetteer.model_copy(update={
        "town_sources": list(dict.fromkeys([*settings.gazetteer.town_sources, *DEMO_TOWN_SOURCES])),
        "official_sources": list(dict.fromkeys([*settings.gazetteer.official_sources, *DEMO_OFFICIAL_SOURCES])),
    })
    return with_demo_accounts(settings).model_copy(update={"gazetteer": gazetteer})


def _replay(settings: Settings, analyzer: Analyzer, events: list[Post]) -> tuple[list[AppealRecord], list[StoryRow]]:
    with tempfile.TemporaryDirectory(prefix="mcu-answers-") as scratch:
        db = Database.from_url(f"sqlite:///{Path(scratch) / 'answers.db'}")
        try:
            upgrade(db.engine)
            pipeline = Pipeline(settings, db, analyzer=analyzer, deliver=False, telegram=False)
            run_timeline(pipeline, events, TimelineReport())
            with db.transaction() as session:
                records = response_store.appeal_records(session, EPOCH, FAR)
                stories = list(session.query(StoryRow).filter(StoryRow.merged_into.is_(None)))
                session.expunge_all()
        finally:
            db.dispose()
    return records, stories


def _main_story(stories: list[StoryRow], post_story: int | None) -> StoryRow | None:
    chosen = [s for s in stories if s.id == post_story] or sorted(stories, key=lambda s: -s.post_count)
    return chosen[0] if chosen else None


def run_answer_timeline(settings: Settings, analyzer: Analyzer, timeline: Path, officials: set[str] | None = None
                        ) -> AnswerOutcome:
    """Replay one timeline and compare its appeals with the expected answers."""
    try:
        expected: dict[str, Any] = json.loads(answers_path(timeline).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{answers_path(timeline).name}: не читается ({exc})") from exc
    settings = check_settings(settings)
    outcome = AnswerOutcome(timeline.name.removesuffix(".jsonl"), str(expected.get("description", "")),
                            effect=expected.get("effect"))
    report = TimelineReport()
    events = load_timeline(timeline, report)
    outcome.records, stories = _replay(settings, analyzer, events)
    by_post = {r.key.split(":", 2)[2]: r for r in outcome.records}
    for post_id, want in (expected.get("appeals") or {}).items():
        missing = [need for need in want.get("requires", []) if need not in Post.__dataclass_fields__]
        if missing:
            outcome.skipped.append(f"{post_id}: нужна запись поста с полем {', '.join(missing)}")
            continue
        got = by_post.get(post_id)
        if got is None:
            outcome.mismatches.append(f"{post_id}: не стало обращением")
            continue
        actual = {
            "body": got.body, "bodies": list(got.bodies),
            "reply": got.first_reply_key.split(":", 2)[2] if got.first_reply_key else None,
            "minutes": got.minutes_to_reply, "working_minutes": got.working_minutes_to_reply,
            "status": got.sla_status, "quality": got.reply_quality, "satisfaction": got.satisfaction,
            "repeated": got.repeated,
        }
        for name in FIELDS:
            if name in want and want[name] != actual[name]:
                outcome.mismatches.append(f"{post_id}: {name} = {actual[name]!r}, ожидалось {want[name]!r}")
    extra = set(by_post) - set(expected.get("appeals") or {})
    if expected.get("exact", True):
        outcome.mismatches += [f"{post_id}: лишнее обращение" for post_id in sorted(extra)]
    if outcome.effect:
        first = next(iter(expected.get("appeals") or {}), None)
        main = _main_story(stories, by_post[first].story_id if first in by_post else None)
        directory = build_assessor(settings, analyzer.lemmatizer).directory
        quiet = [e for e in events if directory.author_body(_as_thread_post(e)) is None]
        _, without = _replay(settings, analyzer, quiet)
        other = _main_story(without, None)
        if main is not None and other is not None:
            outcome.score_with, outcome.level_with = main.score, main.level
            outcome.score_without, outcome.level_without = other.score, other.level
            if outcome.effect == "calms" and not main.score < other.score:
                outcome.mismatches.append(f"ответ не успокоил историю: {main.score} против {other.score} без ответа")
            if outcome.effect == "inflames" and not main.score > other.score:
                outcome.mismatches.append(f"ответ не обострил историю: {main.score} против {other.score} без ответа")
    return outcome


def _as_thread_post(post: Post) -> ThreadPost:
    return ThreadPost(f"{post.platform}:{post.source}:{post.id}", post.platform, post.source, post.id,
                      post.published_at, post.text, post.parent_id, post.url, post.author,
                      getattr(post, "author_id", None))
