"""Which features the classifiers should read: cross-validation on the train split, one row per feature set.

Run: ``.venv/bin/python -m bench.nlp_features [--folds 5] [--sets both,tfidf,navec]``. Scores are the classifiers'
own (before blending with the rules), so the table shows what the features add; the held-out split is not read.
Relevance and main topic: share of right answers; sentiment: macro-F1; needs_response and toxic: F1 of «yes».
"""

from __future__ import annotations

import argparse
import time
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import KFold

from config import load_config
from nlp import Analyzer, Lemmatizer
from nlp.labels import read_labelled
from nlp.models import SEED, Predictions
from nlp.training import features_of, fit_on_features


def _best(spread: dict[str, float]) -> str:
    return max(spread, key=lambda label: spread[label])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--sets", default="tfidf,navec,both")
    args = parser.parse_args()
    settings, _ = load_config(None)
    corpus = Path(str(resources.files("nlp").joinpath("corpus")))
    records, _ = read_labelled(sorted(corpus.glob("train_*.jsonl")), {t.code for t in settings.topics})
    records.sort(key=lambda r: r.id)
    features = features_of(Analyzer(settings, Lemmatizer()), records)
    splits = list(KFold(args.folds, shuffle=True, random_state=SEED).split(np.arange(len(records))))
    print(f"Записей: {len(records)}, частей: {args.folds}")
    print(f"{'признаки':10} {'о городе':>9} {'тональн.':>9} {'ответ':>7} {'токсичн.':>9} {'гл. тема':>9} {'ЦП, с':>7}")
    for feature_set in args.sets.split(","):
        started = time.process_time()
        found: list[Predictions | None] = [None] * len(records)
        for train, test in splits:
            models = fit_on_features([features[i] for i in train], [records[i] for i in train], feature_set)
            for i, prediction in zip(test, models.predict([features[i] for i in test]), strict=True):
                found[i] = prediction
        done = [p for p in found if p is not None]
        relevant = accuracy_score([r.relevant for r in records], [(p.relevant or 0) >= 0.5 for p in done])
        sentiment = f1_score([r.sentiment for r in records], [_best(p.sentiment) for p in done], average="macro")
        needs = f1_score([r.needs_response for r in records], [(p.needs_response or 0) >= 0.5 for p in done])
        toxic = f1_score([r.toxic for r in records], [(p.toxic or 0) >= 0.5 for p in done])
        main_topic = accuracy_score([(r.topics or ("other",))[0] for r in records], [_best(p.topics) for p in done])
        print(f"{feature_set:10} {relevant:9.3f} {sentiment:9.3f} {needs:7.3f} {toxic:9.3f} {main_topic:9.3f} "
              f"{time.process_time() - started:7.0f}", flush=True)


if __name__ == "__main__":
    main()
