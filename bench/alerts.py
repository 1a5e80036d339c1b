"""Alert delivery: decision → message accepted by a (fake) Bot API, and how many messages each story costs.

Run: ``.venv/bin/python -m bench.alerts``. Every bundled labelled timeline is replayed on its simulated clock
with delivery on, to the loopback fake Bot API of the tests (real response shapes, HTTP on 127.0.0.1). After
each tick's decisions, dispatch runs until the outbox is empty; latency is the wall time from the end of the
decision pass to the API accepting each message (pacing included: one message a second per chat).
Group wait and quiet hours are off here: they are deliberate delays, not cost. In the daemon add up to
``scheduler.dispatch_interval`` (30 s) for the dispatch job to come round.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from statistics import quantiles
from typing import Any

from sqlalchemy import func, select
from threadpoolctl import threadpool_limits

from alerts import TelegramSink
from config import Settings, load_config
from mcu.calibration import bundled_timelines
from mcu.pipeline import Pipeline, build_analyzer
from mcu.timeline import TimelineReport, load_timeline, ticks
from storage import Database, upgrade
from storage.models import AlertRow, OutboxRow
from tests.fakes.telegram import FakeBotApi

CHATS = {"deputy": [111], "pos": [-1002], "incidents": [-1002], "glava": [333], "curator": [-1001]}


def bench_settings(base: Settings, fake: FakeBotApi) -> Settings:
    os.environ["MCU_BENCH_BOT_TOKEN"] = fake.token
    bot = base.api.telegram_bot.model_validate({"base_url": fake.base_url, "token": {"env": "MCU_BENCH_BOT_TOKEN"}})
    roles = {name: role.model_copy(update={"telegram_chats": CHATS.get(name, [])}) for name, role in base.roles.items()}
    alerts = base.alerts.model_copy(update={"group_wait": {}, "quiet_hours": None})
    return base.model_copy(update={"api": base.api.model_copy(update={"telegram_bot": bot}), "roles": roles, "alerts": alerts})


def timed_sink(sink: TelegramSink, stamps: list[float]) -> None:
    """Record the wall time at which the API accepted each send or edit."""
    send, edit = sink.send, sink.edit

    def timed_send(*args: Any, **kwargs: Any) -> int | None:
        result = send(*args, **kwargs)
        stamps.append(time.perf_counter())
        return result

    def timed_edit(*args: Any, **kwargs: Any) -> None:
        edit(*args, **kwargs)
        stamps.append(time.perf_counter())

    sink.send, sink.edit = timed_send, timed_edit  # type: ignore[method-assign]


def replay(path: Path, settings: Settings, analyzer: Any, workdir: Path) -> tuple[list[float], Counter[tuple[int, str]]]:
    db = Database.from_url(f"sqlite:///{workdir / (path.stem + '.db')}")
    upgrade(db.engine)
    pipeline = Pipeline(settings, db, analyzer=analyzer)
    sink = pipeline.sinks["telegram"]
    assert isinstance(sink, TelegramSink)
    stamps: list[float] = []
    timed_sink(sink, stamps)
    latencies: list[float] = []
    events = load_timeline(path, TimelineReport())
    for tick_end, group in ticks(events, timedelta(minutes=5)):
        pipeline.ingest(group, tick_end)
        pipeline.process(tick_end)
        decided = time.perf_counter()
        stamps.clear()
        # Dispatch on the wall clock: every queued message is due, and pacing waits in real seconds.
        while True:
            pipeline.dispatch(datetime.now(timezone.utc))
            with db.transaction() as session:
                waiting = session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending"))
            if not waiting:
                break
            time.sleep(0.05)
        latencies += [stamp - decided for stamp in stamps]
    with db.transaction() as session:
        rows = session.execute(
            select(OutboxRow.story_id, OutboxRow.kind, AlertRow.is_update)
            .join(AlertRow, AlertRow.id == OutboxRow.alert_id, isouter=True)
            .where(OutboxRow.status == "sent", OutboxRow.channel == "telegram"))
        # first messages; later new messages (reminders, escalation, a level reaching new roles); edits in place
        kinds = Counter((int(story), "edit" if kind == "edit" else "later" if update else "first")
                        for story, kind, update in rows)
    pipeline.close()
    db.dispose()
    return latencies, kinds


def main() -> None:
    logging.disable(logging.WARNING)
    base, _ = load_config(None)
    with FakeBotApi() as fake, tempfile.TemporaryDirectory() as scratch:
        settings = bench_settings(base, fake)
        analyzer = build_analyzer(settings)
        threadpool_limits(1)
        everything: list[float] = []
        print(f"{'лента':24} {'историй':>8} {'первых':>7} {'ещё новых':>10} {'правок':>7} {'на историю':>11}")
        for path in bundled_timelines():
            latencies, kinds = replay(path, settings, analyzer, Path(scratch))
            everything += latencies
            story_ids = {story for story, _ in kinds}
            count = {k: sum(n for (_, kind), n in kinds.items() if kind == k) for k in ("first", "later", "edit")}
            per_story = sum(count.values()) / len(story_ids) if story_ids else 0.0
            print(f"{path.stem:24} {len(story_ids):8} {count['first']:7} {count['later']:10} {count['edit']:7} "
                  f"{per_story:11.1f}")
        if len(everything) >= 2:
            cuts = quantiles(everything, n=20)
            print(f"\nРешение → сообщение принято API: сообщений {len(everything)}, "
                  f"p50 {cuts[9] * 1000:.0f} мс, p95 {cuts[18] * 1000:.0f} мс")


if __name__ == "__main__":
    main()
