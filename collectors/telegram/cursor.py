"""The collection cursor of both Telegram kinds: a small JSON object, resumable after a crash.

``last_id``: every post up to this id is stored; the next run reads newer ones.
``since``: a backfill (``collect --since``) in progress, as ISO text, so the next call continues it.
``top``: the ``last_id`` before that backfill started, restored when it ends.
``before``, ``horizon``, ``floor``: an unfinished walk down the t.me preview (newest page first): continue with
``?before=<before>`` and stop at ``floor`` (an id) or ``horizon`` (a date).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, replace
from datetime import datetime

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where collection stands for one source; ``Cursor()`` is a first run."""

    last_id: int | None = None
    since: str | None = None
    top: int | None = None
    before: int | None = None
    horizon: str | None = None
    floor: int | None = None

    @classmethod
    def load(cls, raw: str | None) -> "Cursor":
        """Read a saved cursor; an unreadable one counts as a first run (logged), never as an error."""
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return cls(
                last_id=_int(data.get("last_id")),
                top=_int(data.get("top")),
                before=_int(data.get("before")),
                floor=_int(data.get("floor")),
                since=_text(data.get("since")),
                horizon=_text(data.get("horizon")),
            )
        except (ValueError, TypeError):
            log.warning("непонятная позиция сбора Telegram %r, читаю как в первый раз", raw[:100])
            return cls()

    def dump(self) -> str:
        return json.dumps({key: value for key, value in asdict(self).items() if value is not None}, sort_keys=True)

    @property
    def walking(self) -> bool:
        """A t.me walk was cut by the page limit and continues at ``before``."""
        return self.before is not None

    def finished(self, reached: int | None) -> "Cursor":
        """The cursor after a run that read everything up to ``reached``: no walk, no backfill left."""
        return Cursor(last_id=highest(reached, self.last_id, self.top))

    def with_(self, **changes: object) -> "Cursor":
        return replace(self, **changes)  # type: ignore[arg-type]


def highest(*ids: int | None) -> int | None:
    """The largest of the given ids, ignoring ``None``."""
    known = [value for value in ids if value is not None]
    return max(known) if known else None


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _int(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an integer: {value!r}")
    return value


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a string: {value!r}")
    datetime.fromisoformat(value)  # validates
    return value
