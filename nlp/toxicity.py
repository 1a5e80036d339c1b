"""Obscenity and insults: roots from ``resources/obscene.txt`` plus masked words («б***ь»)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from nlp.lexicons import weighted_roots
from nlp.normalize import NormalizedText

MASKED_WEIGHT = 0.8


@lru_cache(maxsize=None)
def _patterns(name: str) -> tuple[tuple[float, re.Pattern[str]], ...]:
    """One alternation per weight, heaviest first: a text is searched once per weight, not once per root."""
    by_weight: dict[float, list[str]] = {}
    for root, weight in weighted_roots(name):
        by_weight.setdefault(weight, []).append(re.escape(root))
    return tuple((w, re.compile("|".join(roots))) for w, roots in sorted(by_weight.items(), reverse=True))


def toxicity(tokens: Sequence[str], normalized: NormalizedText) -> float:
    """0..1: 1.0 for мат, less for insults, ``MASKED_WEIGHT`` for masked obscenity."""
    worst = MASKED_WEIGHT if normalized.masked_obscenity else 0.0
    text = " ".join(tokens)  # roots hold no spaces, so a root found here lies inside one token
    for weight, pattern in _patterns("obscene.txt"):
        if weight <= worst:
            break
        if pattern.search(text):
            return weight
    return worst
