"""Long lists cut for ``IN (…)`` and executemany: SQLite binds a limited number of parameters per statement, and
a big IN list costs PostgreSQL more to plan than several small ones."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

IN_CHUNK = 500

T = TypeVar("T")


def in_chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
