"""Replay collector: reads post records from a JSON Lines file, resuming at a byte offset."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from collectors.batch import Batch
from collectors.post import Post
from collectors.records import RecordProblem, parse_line
from collectors.source import KnownPost, SourceRef
from config.errors import InputError

log = logging.getLogger(__name__)


class ReplayCollector:
    """Reads a growing JSON Lines file named by ``options["path"]`` (or ``url``).

    Only complete lines are consumed, so a half-written tail waits for the next run. With ``since`` the file
    is read from the start and older posts are left out (a backfill).
    """

    def __init__(self, batch_size: int = 2000, clock: Callable[[], datetime | None] | None = None) -> None:
        self.batch_size = batch_size
        # "Now" for rejecting records dated in the future; without a clock only absolute bounds are checked.
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    def collect(self, source: SourceRef, cursor: str | None, *, since: datetime | None = None) -> Batch:
        path = Path(str(source.options.get("path") or source.url or "")).expanduser()
        offset, line = _parse_cursor(cursor)
        try:
            handle = path.open("rb")
        except FileNotFoundError as exc:
            raise InputError(f"файл источника не найден: {path}") from exc
        except OSError as exc:
            raise InputError(f"файл источника не читается: {path}: {exc.strerror}") from exc
        posts: list[Post] = []
        problems: list[RecordProblem] = []
        more = False
        now = self.clock()
        with handle:
            if offset > path.stat().st_size:
                log.warning("файл %s стал короче сохранённой позиции, читаю с начала", path)
                offset, line = 0, 0
            handle.seek(offset)
            while True:
                raw = handle.readline()
                if not raw or not raw.endswith(b"\n") and _still_growing(raw):
                    break
                offset += len(raw)
                line += 1
                post, notes = parse_line(raw, line, now)
                problems.extend(notes)
                if post is not None and (since is None or post.published_at >= since):
                    posts.append(post)
                if len(posts) >= self.batch_size:
                    more = bool(handle.read(1))
                    break
        return Batch(posts=tuple(posts), cursor=f"{offset}:{line}", more=more, problems=tuple(problems))

    def refresh(self, source: SourceRef, known: Sequence[KnownPost]) -> Batch:
        """A file has no live posts to re-read."""
        return Batch(posts=(), cursor=None)


def _still_growing(raw: bytes) -> bool:
    """A last line without a newline may still be being written; take it only if it is whole JSON."""
    return not raw.strip().endswith(b"}")


def _parse_cursor(cursor: str | None) -> tuple[int, int]:
    if not cursor:
        return 0, 0
    try:
        offset, line = cursor.split(":", 1)
        return max(int(offset), 0), max(int(line), 0)
    except ValueError:
        log.warning("непонятная позиция %r, читаю файл с начала", cursor)
        return 0, 0
