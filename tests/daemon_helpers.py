"""The daemon as a separate process, the way an operator runs it: start, watch its database, kill it or stop it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from storage import Database, outbox, upgrade
from storage.models import AlertMessageRow, AlertRow, AnnotationRow, PostRow, StoryRow
from tests.cli_helpers import guarded_environment

TIMELINES = Path(__file__).resolve().parent.parent / "mcu" / "data" / "timelines"


def happening_now(target: Path, *names: str) -> Path:
    """Bundled timelines (the heating outage by default) moved to the last hours, as the daemon would meet them
    live; each ends a minute ago."""
    out = []
    for name in names or ("heating",):
        records = [json.loads(line) for line in (TIMELINES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        latest = max(datetime.fromisoformat(r.get("observed_at") or r["published_at"]) for r in records)
        shift = datetime.now(timezone.utc) - timedelta(minutes=1) - latest
        for record in records:
            for key in ("published_at", "observed_at"):
                if record.get(key):
                    record[key] = (datetime.fromisoformat(record[key]) + shift).isoformat()
        out += records
    target.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in out) + "\n", encoding="utf-8")
    return target


def unique_records(feed: Path) -> int:
    lines = feed.read_text(encoding="utf-8").splitlines()
    return len({(r["platform"], r["source"], r["id"]) for r in map(json.loads, lines)})


class Daemon:
    """``mcu run`` in a child process; its output goes to files (a full pipe would stall it)."""

    def __init__(self, config: Path, cwd: Path, env: dict[str, str] | None = None, name: str = "run") -> None:
        self.out = cwd / f"{name}.out"
        self.err = cwd / f"{name}.err"
        environment = {**guarded_environment(), **(env or {})}
        with self.out.open("w") as stdout, self.err.open("w") as stderr:
            self.process = subprocess.Popen([sys.executable, "-m", "mcu", "--config", str(config), "run"], cwd=cwd,
                                            stdout=stdout, stderr=stderr, env=environment)

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, f"демон завершился раньше времени: {self.stderr()}"
            assert time.monotonic() < deadline, f"не дождался: {what}\n{self.stderr()}"
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no cleanup, whatever was in flight stays in flight."""
        self.process.kill()
        self.process.wait(timeout=30)

    def terminate(self, timeout: float = 30) -> tuple[int, float]:
        """SIGTERM; returns the exit code and how long the stop took."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        return code, time.monotonic() - started

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")


class Store:
    """What a user checks in the database after a fault: posts, verdicts, stories, alerts, the outbox."""

    def __init__(self, url: str) -> None:
        self.url = url

    @classmethod
    def created(cls, url: str) -> "Store":
        """A new database with the current schema (what `mcu init` makes)."""
        db = Database.from_url(url)
        try:
            upgrade(db.engine)
        finally:
            db.dispose()
        return cls(url)

    def _read(self, read: Callable[[Any], Any]) -> Any:
        db = Database.from_url(self.url)
        try:
            with db.transaction() as session:
                return read(session)
        finally:
            db.dispose()

    def count(self, model: Any) -> int:
        return int(self._read(lambda s: s.scalar(select(func.count()).select_from(model))) or 0)

    def posts(self) -> int:
        return self.count(PostRow)

    def annotations(self) -> int:
        return self.count(AnnotationRow)

    def outbox(self) -> dict[str, int]:
        return dict(self._read(outbox.outbox_counts))

    def count_stale(self) -> int:
        """Stories waiting to be scored."""
        query = select(func.count()).select_from(StoryRow).where(StoryRow.rescore.is_(True))
        return int(self._read(lambda s: s.scalar(query)) or 0)

    def empty_stories(self) -> int:
        """Stories that hold no post (and were not merged away): what two processes racing used to leave."""
        def read(session: Any) -> int:
            used = select(PostRow.story_id).where(PostRow.story_id.is_not(None))
            query = select(func.count()).select_from(StoryRow).where(StoryRow.merged_into.is_(None),
                                                                   StoryRow.id.not_in(used))
            return int(session.scalar(query) or 0)
        return int(self._read(read))

    def first_alerts_per_story(self) -> dict[int, int]:
        """Story → how many first (not update) alerts it got: one each when nothing was decided twice."""
        query = select(AlertRow.story_id, func.count()).where(AlertRow.is_update.is_(False)).group_by(AlertRow.story_id)
        return dict(self._read(lambda s: [(int(a), int(b)) for a, b in s.execute(query)]))

    def messages_per_chat(self) -> dict[str, int]:
        """Chat → messages that should stand there (one per story and chat)."""
        query = (select(AlertMessageRow.target, func.count()).where(AlertMessageRow.channel == "telegram")
                 .group_by(AlertMessageRow.target))
        return dict(self._read(lambda s: [(str(a), int(b)) for a, b in s.execute(query)]))
