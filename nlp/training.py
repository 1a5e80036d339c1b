"""Train the classifiers on labelled texts and measure the whole analyser (rules + classifiers) fairly.

Determinism: records are sorted by id, folds and solvers use fixed seeds, so the same corpus gives the same model.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import numpy as np
from sklearn.model_selection import KFold

from collectors.post import Post
from nlp.analyzer import Analyzer, PostContext
from nlp.annotation import Annotation
from nlp.labels import LabelledText
from nlp.models import SEED, TextModels

EVAL_TIME = datetime(2026, 1, 1, tzinfo=timezone.utc)


def context_of(record: LabelledText) -> PostContext:
    """What the analyser would know of a labelled text's source and parent, as for a collected post."""
    return PostContext(town_source=record.town_source, official=record.official, parent_text=record.parent_text)


def train_models(analyzer: Analyzer, records: Sequence[LabelledText]) -> TextModels:
    """Fit every classifier whose labels the records carry."""
    ordered = sorted(records, key=lambda r: r.id)
    features = [
        analyzer.prepare(r.text, platform=r.platform, is_comment=r.parent_text is not None, parent_text=r.parent_text,
                         context=context_of(r)).features
        for r in ordered
    ]
    return TextModels().fit(
        features,
        [r.relevant for r in ordered],
        [r.topics for r in ordered],
        [r.sentiment for r in ordered],
        [r.needs_response for r in ordered],
        [r.toxic for r in ordered],
    )


def annotate(analyzer: Analyzer, records: Sequence[LabelledText]) -> list[Annotation]:
    """What the analyser says about labelled texts, as `mcu analyze` would say it."""
    items = [
        (
            Post(id=r.id, platform=r.platform if r.platform in ("vk", "ok", "telegram", "web") else "vk", source="eval",
                 published_at=EVAL_TIME, text=r.text, parent_id="parent" if r.parent_text else None),
            context_of(r),
        )
        for r in records
    ]
    return analyzer.analyze_batch(items)


def cross_validate(analyzer: Analyzer, records: Sequence[LabelledText], folds: int = 5) -> list[Annotation]:
    """Each record annotated by an analyser whose classifiers never saw it; order follows ``records``."""
    ordered = list(records)
    results: list[Annotation | None] = [None] * len(ordered)
    original = analyzer.models
    try:
        for train_index, test_index in KFold(folds, shuffle=True, random_state=SEED).split(np.arange(len(ordered))):
            analyzer.models = train_models(analyzer, [ordered[i] for i in train_index])
            for i, annotation in zip(test_index, annotate(analyzer, [ordered[i] for i in test_index]), strict=True):
                results[i] = annotation
    finally:
        analyzer.models = original
    return [r for r in results if r is not None]
