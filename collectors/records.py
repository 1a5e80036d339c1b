"""Parse post records (the brief's JSON Lines format) into ``Post``; bad lines become problems, not crashes."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError, field_validator

from collectors.bounds import check_post
from collectors.post import METRIC_NAMES, Metrics, Post
from collectors.problem import RecordProblem, clean_text
from config.messages import describe_validation_error

__all__ = ["MAX_LINE_BYTES", "RecordProblem", "clean_text", "event_time", "parse_line", "post_from_dict", "read_posts"]

MAX_LINE_BYTES = 5_000_000


class _PostModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | int
    platform: Literal["vk", "ok", "telegram", "web"]
    source: str
    url: str | None = None
    author: str | None = None
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


def _metrics(raw: dict[str, Any] | None, line: int, notes: list[RecordProblem]) -> Metrics:
    values: dict[str, int | None] = {}
    for name in METRIC_NAMES:
        value = (raw or {}).get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and not math.isfinite(value)):
            notes.append(RecordProblem(line, f"metrics.{name}: ожидается число, значение отброшено", False))
            continue
        values[name] = int(value)  # range (negative, absurd) is checked with the rest of the record
    return Metrics(**values)


def post_from_dict(data: Any, line: int = 0, now: datetime | None = None) -> tuple[Post | None, list[RecordProblem]]:
    """Validate one decoded record; return the post (or None) and the problems found.

    Shapes and types are checked here, ranges by ``check_post`` (with ``now``, dates far in the future too)."""
    if not isinstance(data, dict):
        return None, [RecordProblem(line, "ожидается JSON-объект с полями поста")]
    try:
        model = _PostModel.model_validate(data)
    except ValidationError as exc:
        return None, [RecordProblem(line, "; ".join(describe_validation_error(exc)))]
    notes: list[RecordProblem] = []
    post = Post(
        id=str(model.id),
        platform=model.platform,
        source=model.source,
        url=model.url or None,
        author=model.author or None,
        published_at=model.published_at,
        text=model.text or "",
        parent_id=str(model.parent_id) if model.parent_id not in (None, "") else None,
        metrics=_metrics(model.metrics, line, notes),
        observed_at=model.observed_at,
    )
    checked, repairs, reason = check_post(post, now)
    if checked is None:
        return None, [RecordProblem(line, reason or "запись вне допустимых пределов")]
    return checked, notes + [RecordProblem(line, note, False) for note in repairs]


def parse_line(raw: str | bytes, line: int, now: datetime | None = None) -> tuple[Post | None, list[RecordProblem]]:
    """Decode and validate one JSON Lines line; blank lines give ``(None, [])``."""
    if len(raw) > MAX_LINE_BYTES:
        return None, [RecordProblem(line, f"строка длиннее {MAX_LINE_BYTES} байт")]
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [RecordProblem(line, f"строка не в кодировке UTF-8 (байт {exc.start + 1}): "
                                              "сохраните файл в UTF-8")]
    if not raw.strip():
        return None, []
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, [RecordProblem(line, f"некорректный JSON (позиция {exc.pos + 1})")]
    except RecursionError:
        return None, [RecordProblem(line, "слишком глубокая вложенность JSON")]
    except ValueError:  # an integer of more than 4300 digits
        return None, [RecordProblem(line, "слишком длинное число в JSON")]
    return post_from_dict(data, line, now)


def read_posts(
    lines: Iterable[str | bytes], first_line: int = 1, now: datetime | None = None
) -> Iterator[tuple[Post | None, list[RecordProblem]]]:
    """Parse a stream of lines; yields per line so callers keep going after bad ones."""
    for number, raw in enumerate(lines, start=first_line):
        post, problems = parse_line(raw, number, now)
        if post is not None or problems:
            yield post, problems


def event_time(post: Post) -> datetime:
    """The moment a timeline line happens: a re-observation at ``observed_at``, a post when published."""
    return post.seen_at
