"""CPU-time throughput shared by the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable


def per_second(count: int, work: Callable[[], object], repeat: bool = False) -> float:
    """Items per CPU second of this process; cheap, repeatable steps run again until a third of a second passed."""
    start = time.process_time()
    runs = 0
    while True:
        work()
        runs += 1
        seconds = time.process_time() - start
        if not repeat or seconds >= 0.3:
            return count * runs / max(seconds, 1e-9)
