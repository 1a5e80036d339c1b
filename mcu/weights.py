"""How each risk weight moves the labelled timelines: every weight switched off and doubled in turn.

Replays reuse the NLP verdicts of the first run (the text and context of a post do not change between runs), so
each variant costs only the risk stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from collectors import Post
from config import Settings
from mcu.calibration import TimelineOutcome, run_labelled
from nlp import Analyzer, Annotation, Lemmatizer
from nlp.analyzer import PostContext
from risk import level_rank

FACTORS = (0.0, 2.0)


class CachedAnalyzer:
    """The analyser, remembering its verdict on each post in its context."""

    def __init__(self, real: Analyzer) -> None:
        self.real = real
        self._seen: dict[tuple[object, ...], Annotation] = {}

    @property
    def lemmatizer(self) -> Lemmatizer:
        return self.real.lemmatizer

    def context_for(self, post: Post, parent_relevance: float | None = None, parent_text: str | None = None) -> PostContext:
        return self.real.context_for(post, parent_relevance, parent_text)

    def analyze_batch(self, items: Sequence[tuple[Post, PostContext | None]]) -> list[Annotation]:
        keys = [(post.platform, post.source, post.id, post.text, post.is_comment, context) for post, context in items]
        missing = [(item, key) for item, key in zip(items, keys, strict=True) if key not in self._seen]
        if missing:
            found = self.real.analyze_batch([item for item, _ in missing])
            self._seen.update({key: annotation for (_, key), annotation in zip(missing, found, strict=True)})
        return [replace(self._seen[key], id=post.id) for (post, _), key in zip(items, keys, strict=True)]


@dataclass(frozen=True, slots=True)
class Variant:
    """All timelines run with one weight multiplied by ``factor``."""

    weight: str
    value: float
    factor: float
    failed: tuple[str, ...]  # timelines whose expectation is no longer met
    false_alerts: int
    moved: tuple[tuple[str, str, str], ...]  # (timeline, peak level before, after) where the peak changed


def with_weight(settings: Settings, name: str, value: float) -> Settings:
    weights = settings.risk.weights.model_copy(update={name: value})
    return settings.model_copy(update={"risk": settings.risk.model_copy(update={"weights": weights})})


def sensitivity(
    settings: Settings, analyzer: Analyzer | CachedAnalyzer, timelines: Sequence[Path], tick: timedelta,
    weights: Sequence[str] | None = None, factors: Sequence[float] = FACTORS,
) -> tuple[list[TimelineOutcome], list[Variant]]:
    """The outcomes with the configured weights, and one variant per weight and factor."""
    cached = analyzer if isinstance(analyzer, CachedAnalyzer) else CachedAnalyzer(analyzer)
    base = [run_labelled(settings, cached, path, tick) for path in timelines]  # type: ignore[arg-type]
    names = list(weights or type(settings.risk.weights).model_fields)
    variants = []
    for name in names:
        value = float(getattr(settings.risk.weights, name))
        for factor in factors:
            changed = with_weight(settings, name, value * factor)
            outcomes = [run_labelled(changed, cached, path, tick) for path in timelines]  # type: ignore[arg-type]
            moved = tuple((o.name, b.peak_level, o.peak_level) for b, o in zip(base, outcomes, strict=True)
                          if level_rank(o.peak_level) != level_rank(b.peak_level))
            variants.append(Variant(name, value, factor, tuple(o.name for o in outcomes if not o.passed),
                                    sum(o.false_alerts for o in outcomes), moved))
    return base, variants
