"""The page's score 0..100 from the check weights (config ``gospublics.weights``), and ranking within a kind.

A passed check brings its whole weight; a failed one the share it reached (``CheckResult.credit``: 2 posts a
week of the 3 required bring 2/3 of the cadence weight, 4 of 6 design elements 4/6 of the design weight,
a yes/no check nothing). Checks without data (``ok`` None) are left out and the other weights scaled up to 100.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from gospublics.records import CheckResult


def score(checks: Sequence[CheckResult], weights: Mapping[str, float]) -> float | None:
    counted = [(weights.get(check.code, 0.0), check) for check in checks if check.ok is not None]
    total = sum(weight for weight, _ in counted)
    if total <= 0:
        return None
    earned = sum(weight * (1.0 if check.ok else max(0.0, min(1.0, check.credit))) for weight, check in counted)
    return round(100 * earned / total, 1)


def rank_within(kinds: Mapping[str, str], scores: Mapping[str, float | None], tiebreak: Mapping[str, float]
                ) -> dict[str, tuple[int, int]]:
    """(rank, pages ranked) per page key, within its kind: higher score first, then the larger audience."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key, kind in kinds.items():
        if scores.get(key) is not None:
            groups[kind].append(key)
    ranks: dict[str, tuple[int, int]] = {}
    for members in groups.values():
        members.sort(key=lambda key: (-(scores[key] or 0.0), -tiebreak.get(key, 0.0), key))
        for position, key in enumerate(members, 1):
            ranks[key] = (position, len(members))
    return ranks
