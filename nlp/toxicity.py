"""Obscenity and insults: roots from ``resources/obscene.txt`` plus masked words («б***ь»)."""

from __future__ import annotations

from collections.abc import Sequence

from nlp.lexicons import weighted_roots
from nlp.normalize import NormalizedText

MASKED_WEIGHT = 0.8


def toxicity(tokens: Sequence[str], normalized: NormalizedText) -> float:
    """0..1: 1.0 for мат, less for insults, ``MASKED_WEIGHT`` for masked obscenity."""
    roots = weighted_roots("obscene.txt")
    worst = MASKED_WEIGHT if normalized.masked_obscenity else 0.0
    for token in tokens:
        for root, weight in roots:
            if weight > worst and root in token:
                worst = weight
    return worst
