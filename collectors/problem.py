"""Why one record was skipped or repaired: what collectors and the JSON Lines reader report instead of failing."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Make text storable anywhere: lone surrogates become U+FFFD, NUL characters (PostgreSQL refuses them) go."""
    return _SURROGATES.sub("\ufffd", value).replace("\x00", "")


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """Why one record was skipped (or repaired and kept); ``line`` is 1-based, 0 when it is not from a file."""

    line: int
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        if not self.line:  # a collector's own wording already says what happened to which record
            return self.message
        verdict = "пропущена" if self.skipped else "исправлена"
        return f"строка {self.line} {verdict}: {self.message}"
