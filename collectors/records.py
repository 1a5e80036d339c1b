"""Parse post records (the brief's JSON Lines format) into ``Post``; bad lines become problems, not crashes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError, field_validator

from collectors.post import METRIC_NAMES, Metrics, Post
from config.messages import describe_validation_error

MAX_LINE_BYTES = 5_000_000
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Make text storable anywhere: lone surrogates become U+FFFD, NUL characters go."""
    return _SURROGATES.sub("\ufffd", value).replace("\x00", "")


class _PostModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | int
    platform: Literal["vk", "ok", "telegram", "web"]
    source: str
    url: str | None = None
    author: str | None = None
    author_id: str | int | None = None
    published_at: AwareDatetime
    text: str | None = ""
    parent_id: str | int | None = None
    metrics: dict[str, Any] | None = None
    observed_at: AwareDatetime | None = None

    @field_validator("id", "source")
    @classmethod
    def _not_blank(cls, value: str | int) -> str | int:
        if isinstance(value, str) and not value.strip():
            raise ValueError("значение не может быть пустым")
        return value


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """Why one line was skipped or repaired; ``line`` is 1-based."""

    line: int
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        verdict = "пропущена" if self.skipped else "исправлена"
        return f"строка {self.line} {verdict}: {self.message}"


def _metrics(raw: dict[str, Any] | None, line: int, notes: list[RecordProblem]) -> Metrics:
    values: dict[str, int | None] = {}
    for name in METRIC_NAMES:
        value = (raw or {}).get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            notes.append(RecordProblem(line, f"metrics.{name}: ожидается число, значение отброшено", False))
            continue
        if value < 0:
            notes.append(RecordProblem(line, f"metrics.{name}: отрицательное значение отброшено", False))
            continue
        values[name] = int(value)
    return Metrics(**values)


def post_from_dict(data: Any, line: int = 0) -> tuple[Post | None, list[RecordProblem]]:
    """Validate one decoded record; return the post (or None) and the problems found."""
    if not isinstance(data, dict):
        return None, [RecordProblem(line, "ожидается JSON-объект с полями поста")]
    try:
        model = _PostModel.model_validate(data)
    except ValidationError as exc:
        return None, [RecordProblem(line, "; ".join(describe_validation_error(exc)))]
    notes: list[RecordProblem] = []
    observed_at = model.observed_at
    if observed_at is not None and observed_at < model.published_at:
        notes.append(RecordProblem(line, "observed_at раньше published_at, взято время публикации", False))
        observed_at = model.published_at
    post = Post(
        id=clean_text(str(model.id)).strip(),
        platform=model.platform,
        source=clean_text(model.source).strip(),
        url=clean_text(model.url) if model.url else None,
        author=clean_text(model.author) if model.author else None,
        published_at=model.published_at,
        text=clean_text(model.text or ""),
        parent_id=clean_text(str(model.parent_id)) if model.parent_id not in (None, "") else None,
        metrics=_metrics(model.metrics, line, notes),
        observed_at=observed_at,
        author_id=(clean_text(str(model.author_id)).strip() or None) if model.author_id not in (None, "") else None,
    )
    return post, notes


def parse_line(raw: str | bytes, line: int) -> tuple[Post | None, list[RecordProblem]]:
    """Decode and validate one JSON Lines line; blank lines give ``(None, [])``."""
    if len(raw) > MAX_LINE_BYTES:
        return None, [RecordProblem(line, f"строка длиннее {MAX_LINE_BYTES} байт")]
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if not raw.strip():
        return None, []
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, [RecordProblem(line, f"некорректный JSON (позиция {exc.pos + 1})")]
    except RecursionError:
        return None, [RecordProblem(line, "слишком глубокая вложенность JSON")]
    return post_from_dict(data, line)


def read_posts(lines: Iterable[str | bytes], first_line: int = 1) -> Iterator[tuple[Post | None, list[RecordProblem]]]:
    """Parse a stream of lines; yields per line so callers keep going after bad ones."""
    for number, raw in enumerate(lines, start=first_line):
        post, problems = parse_line(raw, number)
        if post is not None or problems:
            yield post, problems


def event_time(post: Post) -> datetime:
    """The moment a timeline line happens: a re-observation at ``observed_at``, a post when published."""
    return post.seen_at
