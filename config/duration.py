"""Durations written as people write them in YAML: ``30s``, ``10m``, ``2h``, ``1d`` or plain seconds."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


def parse_duration(value: object) -> float:
    """Seconds from ``"10m"``-style text or a number; raises ValueError with a Russian message."""
    if isinstance(value, bool):
        raise ValueError("ожидается длительность вроде 30s, 10m, 2h, 1d")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _PATTERN.match(str(value))
        if not match:
            raise ValueError(f"не понимаю длительность {value!r}: пишите 30s, 10m, 2h или 1d")
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds < 0:
        raise ValueError("длительность не может быть отрицательной")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
