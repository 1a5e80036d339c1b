"""What one collection run returns: the posts, where to resume, and what went wrong on the way."""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.post import Post
from collectors.records import RecordProblem


@dataclass(frozen=True, slots=True)
class Batch:
    """Posts of one collection step; ``cursor`` is saved only after the posts are stored."""

    posts: tuple[Post, ...]
    cursor: str | None
    more: bool = False
    problems: tuple[RecordProblem, ...] = field(default_factory=tuple)
