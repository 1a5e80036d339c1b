"""Train the classifiers on labelled texts and measure the whole analyser (rules + classifiers) fairly.

Determinism: records are sorted by id, folds and solvers use fixed seeds, so the same corpus gives the same model.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import numpy as np
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

from collectors.post import Post
from nlp.analyzer import Analyzer, PostContext
from nlp.annotation import Annotation
from nlp.features import FeatureText
from nlp.labels import LabelledText
from nlp.models import SEED, Predictions, TextModels

EVAL_TIME = datetime(2026, 1, 1, tzinfo=timezone.utc)
CV_THREADS = 2  # folds are fitted side by side: the solvers release the GIL, and the machine has two cores


def context_of(record: LabelledText) -> PostContext:
    """What the analyser would know of a labelled text's source and parent, as for a collected post."""
    return PostContext(town_source=record.town_source, official=record.official, parent_text=record.parent_text)


def features_of(analyzer: Analyzer, records: Sequence[LabelledText]) -> list[FeatureText]:
    return [
        analyzer.prepare(r.text, platform=r.platform, is_comment=r.parent_text is not None, parent_text=r.parent_text,
                         context=context_of(r)).features
        for r in records
    ]


def fit_on_features(features: Sequence[FeatureText], records: Sequence[LabelledText], feature_set: str = "both") -> TextModels:
    """Classifiers fitted on features already prepared (cross-validation prepares each text once)."""
    return TextModels(feature_set=feature_set).fit(
        features,
        [r.relevant for r in records],
        [r.topics for r in records],
        [r.sentiment for r in records],
        [r.needs_response for r in records],
        [r.toxic for r in records],
    )


def train_models(analyzer: Analyzer, records: Sequence[LabelledText], feature_set: str = "both") -> TextModels:
    """Fit every classifier whose labels the records carry."""
    ordered = sorted(records, key=lambda r: r.id)
    return fit_on_features(features_of(analyzer, ordered), ordered, feature_set)


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


def probabilities(analyzer: Analyzer, records: Sequence[LabelledText]) -> list[Predictions | None]:
    """The classifiers' own probabilities (before blending with the rules), for the reliability report."""
    if analyzer.models is None:
        return [None] * len(records)
    return list(analyzer.models.predict(features_of(analyzer, records)))


def cross_validate(
    analyzer: Analyzer, records: Sequence[LabelledText], folds: int = 5, feature_set: str = "both"
) -> tuple[list[Annotation], list[Predictions | None]]:
    """Each record annotated by an analyser whose classifiers never saw it, and those classifiers' probabilities;
    order follows ``records``."""
    ordered = list(records)
    features = features_of(analyzer, ordered)
    splits = list(KFold(folds, shuffle=True, random_state=SEED).split(np.arange(len(ordered))))

    def fit(train_index: np.ndarray) -> TextModels:
        chosen = sorted(train_index, key=lambda i: ordered[i].id)  # the order train_models would use
        return fit_on_features([features[i] for i in chosen], [ordered[i] for i in chosen], feature_set)

    # Limited around the pool too: each fit's own limit then restores 1, never the default, whatever the order.
    with threadpool_limits(1), ThreadPoolExecutor(CV_THREADS) as pool:
        fitted = list(pool.map(fit, [train for train, _ in splits]))
    annotations: list[Annotation | None] = [None] * len(ordered)
    predictions: list[Predictions | None] = [None] * len(ordered)
    original = analyzer.models
    try:
        for (_, test_index), models in zip(splits, fitted, strict=True):
            analyzer.models = models
            subset = [ordered[i] for i in test_index]
            for i, annotation, prediction in zip(
                test_index, annotate(analyzer, subset), models.predict([features[i] for i in test_index]), strict=True
            ):
                annotations[i], predictions[i] = annotation, prediction
    finally:
        analyzer.models = original
    return [a for a in annotations if a is not None], predictions
