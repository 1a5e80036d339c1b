"""Calibration of risk thresholds: labelled timelines (how early serious stories rise, how often benign ones
alert) and analysts' verdicts on real stories (which thresholds would have spared the false alarms).

A labelled timeline is ``NAME.jsonl`` with a sidecar ``NAME.expect.json``:
``{"kind": "serious"|"benign", "level": "high", "within": "2h", "description": "..."}``. A serious timeline
must have a story reach ``level`` within ``within`` of its first post; in a benign one no story may exceed it.
Optional keys hold the alerts to it: ``first_alerts`` (exactly so many first alerts), ``max_updates``, and
``refuted`` (an update names the refutation and the level falls below its peak).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from statistics import median

from alerts import Alert
from config import InputError, Settings
from config.duration import parse_duration
from config.schema import LEVELS
from mcu.pipeline import Pipeline
from mcu.timeline import TimelineReport, load_timeline, run_timeline
from nlp import Analyzer
from risk import level_rank
from risk.alarm import REFUTATION
from storage import Database, upgrade

KINDS = ("serious", "benign")


@dataclass(frozen=True, slots=True)
class Expectation:
    kind: str
    level: str
    within: timedelta | None
    description: str = ""
    first_alerts: int | None = None
    max_updates: int | None = None
    min_updates: int | None = None
    refuted: bool = False


@dataclass
class TimelineOutcome:
    """What one labelled timeline gave: when each level was first reached, and how many alerts it took."""

    name: str
    expectation: Expectation
    first_post: datetime | None = None
    reached: dict[str, timedelta] = field(default_factory=dict)  # level → time after the first post
    first_alerts: int = 0
    updates: int = 0
    first_alerts_by_story: dict[int, int] = field(default_factory=dict)
    main_story: int | None = None  # the story that rose highest (first to get there)
    main_story_posts: int = 0
    refuted_level: str | None = None  # the level of the first update that named a refutation
    report: TimelineReport = field(default_factory=TimelineReport)

    @property
    def peak_level(self) -> str:
        return max(self.reached, key=level_rank, default="low")

    @property
    def passed(self) -> bool:
        return self.level_met and not self.alert_problems

    @property
    def alert_problems(self) -> list[str]:
        """What the alerts did that the expectation forbids, in Russian."""
        want = self.expectation
        problems = []
        if want.first_alerts is not None and self.first_alerts != want.first_alerts:
            problems.append(f"оповещений {self.first_alerts} вместо {want.first_alerts}")
        if want.max_updates is not None and self.updates > want.max_updates:
            problems.append(f"обновлений {self.updates}, больше {want.max_updates}")
        if want.min_updates is not None and self.updates < want.min_updates:
            problems.append(f"обновлений {self.updates}, меньше {want.min_updates}")
        if want.refuted and (self.refuted_level is None or level_rank(self.refuted_level) >= level_rank(self.peak_level)):
            problems.append("опровержение не снизило уровень в обновлении")
        return problems

    @property
    def level_met(self) -> bool:
        if self.expectation.kind == "benign":
            return level_rank(self.peak_level) <= level_rank(self.expectation.level)
        took = self.reached.get(self.expectation.level) or next(
            (self.reached[lv] for lv in LEVELS if level_rank(lv) > level_rank(self.expectation.level) and lv in self.reached),
            None,
        )
        return took is not None and (self.expectation.within is None or took <= self.expectation.within)

    @property
    def false_alerts(self) -> int:
        """First alerts beyond the one a serious timeline deserves; every first alert of a benign one."""
        return self.first_alerts if self.expectation.kind == "benign" else max(0, self.first_alerts - 1)


def bundled_timelines() -> list[Path]:
    folder = Path(str(resources.files("mcu").joinpath("data", "timelines")))
    return sorted(p for p in folder.glob("*.jsonl") if expectation_path(p).exists())


def expectation_path(timeline: Path) -> Path:
    return timeline.with_name(timeline.name.removesuffix(".jsonl") + ".expect.json")


def load_expectation(timeline: Path) -> Expectation:
    path = expectation_path(timeline)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"нет файла ожиданий {path.name} рядом с лентой {timeline.name}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path.name}: не читается как JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("kind") not in KINDS or data.get("level") not in LEVELS:
        raise InputError(f"{path.name}: нужны kind (serious или benign) и level (low, medium, high, critical)")
    within = data.get("within")
    try:
        span = timedelta(seconds=parse_duration(within)) if within is not None else None
    except ValueError as exc:
        raise InputError(f"{path.name}: within: {exc}") from None
    counts = {}
    for key in ("first_alerts", "max_updates", "min_updates"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise InputError(f"{path.name}: {key}: нужно целое число не меньше 0")
        counts[key] = value
    return Expectation(data["kind"], data["level"], span, str(data.get("description", "")),
                       refuted=bool(data.get("refuted", False)), **counts)


def run_labelled(settings: Settings, analyzer: Analyzer, timeline: Path, tick: timedelta = timedelta(minutes=5)) -> TimelineOutcome:
    """Replay one labelled timeline on a fresh temporary store and measure it against its expectation."""
    outcome = TimelineOutcome(timeline.name.removesuffix(".jsonl"), load_expectation(timeline))
    events = load_timeline(timeline, outcome.report)
    with tempfile.TemporaryDirectory(prefix="mcu-calibrate-") as scratch:
        db = Database.from_url(f"sqlite:///{Path(scratch) / 'calibrate.db'}")
        try:
            upgrade(db.engine)
            pipeline = Pipeline(settings, db, analyzer=analyzer, deliver=False, telegram=False)
            run_timeline(pipeline, events, outcome.report, tick=tick)
        finally:
            db.dispose()
    posts = [e for e in events if e.observed_at is None]
    outcome.first_post = min((p.published_at for p in posts), default=None)
    _measure(outcome, outcome.report.alerts)
    return outcome


def _measure(outcome: TimelineOutcome, alerts: Sequence[Alert]) -> None:
    top = -1
    for alert in alerts:
        if alert.update:
            outcome.updates += 1
        else:
            outcome.first_alerts += 1
            outcome.first_alerts_by_story[alert.story_id] = outcome.first_alerts_by_story.get(alert.story_id, 0) + 1
        if level_rank(alert.level) > top:
            top, outcome.main_story = level_rank(alert.level), alert.story_id
        if alert.story_id == outcome.main_story:
            outcome.main_story_posts = max(outcome.main_story_posts, alert.post_count)
        if alert.update and outcome.refuted_level is None and any(r.startswith(REFUTATION) for r in alert.reasons):
            outcome.refuted_level = alert.level
        if outcome.first_post is None:
            continue
        for level in LEVELS[1 : level_rank(alert.level) + 1]:
            outcome.reached.setdefault(level, alert.at - outcome.first_post)


# --- analysts' verdicts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThresholdAdvice:
    """What raising the alerting threshold to ``threshold`` would have done to the marked stories."""

    current: float
    threshold: float
    false_alarms: int
    spared: int
    taken: int
    taken_kept: int
    false_peaks: tuple[float, ...]
    taken_peaks: tuple[float, ...]


def advise_threshold(verdicts: Sequence[tuple[int, str, float, str]], current: float) -> ThresholdAdvice:
    """The highest alerting threshold that keeps every story analysts took up, and the false alarms it spares.

    ``verdicts`` are (story, verdict, peak score, peak level) rows; only stories that alerted count.
    """
    alerted = [(verdict, score) for _, verdict, score, _ in verdicts if score >= current]
    false = sorted(score for verdict, score in alerted if verdict == "false_positive")
    taken = sorted(score for verdict, score in alerted if verdict != "false_positive")
    # Just below the weakest story that mattered; with none marked, nothing is known and nothing changes.
    threshold = max(current, taken[0] - 0.1) if taken else current
    threshold = round(threshold, 1)
    spared = sum(1 for score in false if score < threshold)
    return ThresholdAdvice(current, threshold, len(false), spared, len(taken), sum(1 for s in taken if s >= threshold),
                           tuple(false), tuple(taken))


def describe_peaks(peaks: Sequence[float]) -> str:
    if not peaks:
        return "нет"
    return f"{len(peaks)}: от {min(peaks):.0f} до {max(peaks):.0f}, медиана {median(peaks):.0f}"
