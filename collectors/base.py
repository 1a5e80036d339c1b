"""The collector contract. Every platform module provides a collector and a resolver built from settings.

Fetch, parse, persist are three steps: a client fetches raw payloads, pure functions in ``parse.py`` turn them
into ``Post`` records, and storage (not the collector) persists them. Collectors raise the errors of
``config.errors`` (``SourceClosed``, ``RateLimited``, ``QuotaExhausted``, ``AuthFailed``, ``SourceUnavailable``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from collectors.batch import Batch
from collectors.source import KnownPost, SourceInfo, SourceRef

COMMENT_SEPARATOR = "/"


def comment_id(post_id: str, comment: str | int) -> str:
    """A comment's ``Post.id``: ``"<post id>/<comment id>"``, never equal to a post's id in the same source."""
    return f"{post_id}{COMMENT_SEPARATOR}{comment}"


class NotConfigured(Exception):
    """A collector cannot be built: a token or key is missing (the message says which, in Russian)."""


class Collector(Protocol):
    def collect(self, source: SourceRef, cursor: str | None, *, since: datetime | None = None) -> Batch:
        """New posts (and the comments of new posts) after ``cursor``, oldest first.

        ``cursor`` is opaque and owned by the collector (``None`` on the first run). On the first run, or with
        ``since``, it reads back to ``since`` (or to the configured initial horizon). One call reads a bounded
        number of pages; ``Batch.more`` says whether to call again with the returned cursor.
        """
        ...

    def refresh(self, source: SourceRef, known: Sequence[KnownPost]) -> Batch:
        """Re-read posts we store that are still in the watch window.

        ``known`` lists those posts (``parent_id`` None) and then their known comments (``parent_id`` set).
        Returns them with fresh metrics and text (``observed_at`` set), their new comments, and in
        ``Batch.deleted`` the ids the platform no longer shows. The cursor of a refresh batch is ignored.
        """
        ...


class Resolver(Protocol):
    def resolve(self, url: str) -> SourceInfo:
        """Turn a URL or screen name into a ``SourceInfo`` (raises ``SourceClosed`` if it does not exist)."""
        ...
