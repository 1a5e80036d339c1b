"""The one error our pure parsers raise: an item that cannot become a ``Post`` (the collector skips it)."""

from __future__ import annotations

from collectors.records import RecordProblem


class MalformedItem(ValueError):
    """A message or a preview block lacks what a post needs (id, date); ``str()`` is a Russian reason."""


def skipped(what: str, reason: str) -> RecordProblem:
    """The problem recorded in ``Batch.problems`` for one skipped item (``what`` names it)."""
    return RecordProblem(line=0, message=f"{what} пропущено: {reason}")
