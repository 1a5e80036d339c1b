"""What one collection step returns: the posts, where to resume, what vanished, and what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.post import Post
from collectors.records import RecordProblem
from collectors.source import SourceInfo


@dataclass(frozen=True, slots=True)
class Batch:
    """Posts of one collection step; ``cursor`` is saved only after the posts are stored.

    ``deleted`` lists ids (posts or comments, as in ``Post.id``) that the platform no longer shows;
    ``info`` carries a fresh title or audience when the collector learnt them on the way;
    ``calls`` counts API requests spent, for budgets and benchmarks.
    """

    posts: tuple[Post, ...]
    cursor: str | None
    more: bool = False
    problems: tuple[RecordProblem, ...] = field(default_factory=tuple)
    deleted: tuple[str, ...] = ()
    info: SourceInfo | None = None
    calls: int = 0
