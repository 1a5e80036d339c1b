"""Run a JSON Lines timeline through the whole pipeline on a simulated clock (``replay`` and ``demo``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from alerts import Alert
from collectors import Post, RecordProblem, event_time, read_posts
from config import InputError
from mcu.clock import SimulatedClock
from mcu.pipeline import Pipeline

log = logging.getLogger(__name__)
JUMP = timedelta(days=2)  # a longer silence in a timeline is worth telling the user about (a typo in a year?)


@dataclass
class TimelineReport:
    """What the replay met on the way, so a user sees what was repaired or skipped."""

    events: int = 0
    posts: int = 0
    reobservations: int = 0
    problems: list[RecordProblem] = field(default_factory=list)
    out_of_order: int = 0
    unknown_reobservations: int = 0
    clock_jumps: list[tuple[datetime, datetime]] = field(default_factory=list)  # quiet gaps longer than JUMP
    alerts: list[Alert] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.skipped)


def load_timeline(path: Path, report: TimelineReport) -> list[Post]:
    """Parse every line; sort by event time (stable), counting lines that were out of order."""
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise InputError(f"файл не найден: {path}") from exc
    except OSError as exc:
        raise InputError(f"файл не читается: {path}: {exc.strerror}") from exc
    events: list[Post] = []
    with handle:
        for post, problems in read_posts(handle):
            report.problems.extend(problems)
            if post is not None:
                events.append(post)
    latest: datetime | None = None
    for post in events:
        moment = event_time(post)
        if latest is not None and moment < latest:
            report.out_of_order += 1
        latest = moment if latest is None else max(latest, moment)
    events.sort(key=event_time)
    for before, after in zip(events, events[1:]):
        if event_time(after) - event_time(before) > JUMP:
            report.clock_jumps.append((event_time(before), event_time(after)))
    return events


def ticks(events: list[Post], tick: timedelta) -> Iterator[tuple[datetime, list[Post]]]:
    """Group events into clock ticks; empty stretches (a night without posts) are jumped over."""
    epoch = datetime(2000, 1, 1, tzinfo=timezone.utc)
    group: list[Post] = []
    group_end: datetime | None = None
    for post in events:
        moment = event_time(post)
        end = epoch + ((moment - epoch) // tick + 1) * tick
        if group_end is not None and end != group_end:
            yield group_end, group
            group = []
        group_end = end
        group.append(post)
    if group_end is not None:
        yield group_end, group


def run_timeline(
    pipeline: Pipeline,
    events: list[Post],
    report: TimelineReport,
    tick: timedelta = timedelta(minutes=5),
    on_alert: Callable[[Alert], None] | None = None,
) -> TimelineReport:
    """Feed events tick by tick: store, analyse, score, decide, deliver, with ``now`` = the tick's end."""
    if not events:
        return report
    clock = SimulatedClock(event_time(events[0]))
    report.start = event_time(events[0])
    seen: set[tuple[str, str, str]] = set()
    for now, group in ticks(events, tick):
        clock.advance(now)
        for post in group:
            key = (post.platform, post.source, post.id)
            if post.observed_at is not None:
                report.reobservations += 1
                if key not in seen:
                    report.unknown_reobservations += 1
                    log.warning("повторное наблюдение поста %s/%s/%s, которого не было раньше: сохраняю как новый", *key)
            else:
                report.posts += 1
            seen.add(key)
        report.events += len(group)
        pipeline.ingest(group, clock.now())
        stats = pipeline.process(clock.now())
        for alert in stats.alerts:
            report.alerts.append(alert)
            if on_alert is not None:
                on_alert(alert)
        if pipeline.deliver:
            pipeline.dispatch(clock.now())
    report.end = clock.now()
    return report
