"""Times of day written in YAML: ``08:00`` and windows like ``22:00-07:00``, range-checked with Russian messages."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
EXAMPLE = "например 08:00 (часы 00–23, минуты 00–59)"


def parse_time(value: object) -> str:
    """``"8:05"`` → ``"08:05"``; raises ValueError (Russian) for anything that is not a time of day."""
    if not isinstance(value, str):
        # YAML reads an unquoted 08:00 as the number 480 (sexagesimal): ask for quotes.
        raise ValueError(f"ожидается время в кавычках, {EXAMPLE}")
    match = _TIME.match(value)
    if not match:
        raise ValueError(f"не понимаю время {value!r}: пишите ЧЧ:ММ, {EXAMPLE}")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"нет такого времени {value!r}: часы 00–23, минуты 00–59")
    return f"{hour:02d}:{minute:02d}"


def parse_window(value: object) -> str | None:
    """``"22:00-07:00"`` (may cross midnight) → normalised; ``None`` stays None (no window)."""
    if value is None:
        return None
    if not isinstance(value, str) or value.count("-") != 1:
        raise ValueError(f"ожидается интервал ЧЧ:ММ-ЧЧ:ММ, например \"22:00-07:00\", а не {value!r}")
    start, end = (parse_time(part) for part in value.split("-"))
    if start == end:
        raise ValueError(f"начало и конец интервала совпадают ({value!r}); чтобы отключить, напишите null")
    return f"{start}-{end}"


ClockTime = Annotated[str, BeforeValidator(parse_time)]
TimeWindow = Annotated[str | None, BeforeValidator(parse_window)]
