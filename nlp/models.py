"""scikit-learn classifiers for relevance, topics, sentiment, needs_response and toxicity.

Trained by `mcu train` from labelled texts; saved with a format version and the scikit-learn version, both
checked on load. Training is deterministic (fixed seeds, sorted input). Load only models you trained: the
file is a pickle.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import sklearn
from scipy.sparse import hstack, spmatrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

from config.errors import MCUError
from nlp.features import FeatureText

FORMAT = 1
SEED = 13
DEFAULT_MODEL = "default.joblib"
log = logging.getLogger(__name__)


class ModelError(MCUError):
    """A saved model cannot be used (missing, damaged, or made by an incompatible version)."""


@dataclass(frozen=True, slots=True)
class Predictions:
    """Probabilities for one text."""

    relevant: float | None
    topics: dict[str, float]
    sentiment: dict[str, float]
    needs_response: float | None
    toxic: float | None


def _logistic(multiclass: bool = False) -> LogisticRegression:
    if multiclass:
        return LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000, random_state=SEED)
    return LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000, solver="liblinear", random_state=SEED)


@dataclass
class TextModels:
    """Two vectorizers (lemma words with markers, surface characters) feeding one classifier per task."""

    words: TfidfVectorizer = field(default_factory=lambda: TfidfVectorizer(
        token_pattern=r"\S+", ngram_range=(1, 2), min_df=2, max_features=20000, sublinear_tf=True, lowercase=False))
    chars: TfidfVectorizer = field(default_factory=lambda: TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), min_df=2, max_features=15000, sublinear_tf=True))
    relevant: LogisticRegression | None = None
    topics: OneVsRestClassifier | None = None
    topic_codes: list[str] = field(default_factory=list)
    sentiment: LogisticRegression | None = None
    needs_response: LogisticRegression | None = None
    toxic: LogisticRegression | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def _matrix(self, texts: Sequence[FeatureText]) -> spmatrix:
        return hstack([self.words.transform([t.words for t in texts]), self.chars.transform([t.surface for t in texts])]).tocsr()

    def fit(
        self,
        texts: Sequence[FeatureText],
        relevant: Sequence[bool | None],
        topics: Sequence[tuple[str, ...] | None],
        sentiment: Sequence[str | None],
        needs_response: Sequence[bool | None],
        toxic: Sequence[bool | None],
    ) -> "TextModels":
        self.words.fit([t.words for t in texts])
        self.chars.fit([t.surface for t in texts])
        matrix = self._matrix(texts)

        def rows(labels: Sequence[Any]) -> list[int]:
            return [i for i, label in enumerate(labels) if label is not None]

        def binary(labels: Sequence[bool | None]) -> LogisticRegression | None:
            keep = rows(labels)
            values = [bool(labels[i]) for i in keep]
            if len(set(values)) < 2:
                return None
            return _logistic().fit(matrix[keep], values)

        self.relevant = binary(relevant)
        self.needs_response = binary(needs_response)
        self.toxic = binary(toxic)
        keep = rows(sentiment)
        if len({sentiment[i] for i in keep}) >= 2:
            self.sentiment = _logistic(multiclass=True).fit(matrix[keep], [sentiment[i] for i in keep])
        keep = rows(topics)
        if keep:
            binarizer = MultiLabelBinarizer()
            target = binarizer.fit_transform([topics[i] for i in keep])
            usable = [j for j in range(target.shape[1]) if 0 < target[:, j].sum() < len(keep)]
            self.topic_codes = [str(binarizer.classes_[j]) for j in usable]
            if usable:
                self.topics = OneVsRestClassifier(_logistic()).fit(matrix[keep], target[:, usable])
        return self

    def predict(self, texts: Sequence[FeatureText]) -> list[Predictions]:
        if not texts:
            return []
        matrix = self._matrix(texts)

        def positive(model: LogisticRegression | None) -> list[float | None]:
            if model is None:
                return [None] * len(texts)
            return [float(p) for p in model.predict_proba(matrix)[:, list(model.classes_).index(True)]]

        relevant, needs, toxic = positive(self.relevant), positive(self.needs_response), positive(self.toxic)
        sentiments = self.sentiment.predict_proba(matrix) if self.sentiment is not None else None
        topics = self.topics.predict_proba(matrix) if self.topics is not None else None
        result = []
        for i in range(len(texts)):
            result.append(Predictions(
                relevant=relevant[i],
                topics={code: float(topics[i][j]) for j, code in enumerate(self.topic_codes)} if topics is not None else {},
                sentiment=(
                    {str(label): float(p) for label, p in zip(self.sentiment.classes_, sentiments[i], strict=True)}
                    if sentiments is not None and self.sentiment is not None else {}
                ),
                needs_response=needs[i],
                toxic=toxic[i],
            ))
        return result


def default_model_path() -> Path:
    return Path(str(resources.files("nlp").joinpath("models", DEFAULT_MODEL)))


def save_models(models: TextModels, path: Path, trained_on: int) -> Path:
    models.meta = {
        "format": FORMAT,
        "sklearn": sklearn.__version__,
        "trained_on": trained_on,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"format": FORMAT, "sklearn": sklearn.__version__, "models": models}, path, compress=3)
    return path


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def load_models(path: Path | None = None) -> TextModels:
    """Load and check a saved model; the shipped default when ``path`` is None."""
    target = path or default_model_path()
    try:
        payload = joblib.load(target)
    except FileNotFoundError as exc:
        raise ModelError(f"модель не найдена: {target}") from exc
    except Exception as exc:  # a damaged or foreign file: unpickling can fail in many ways
        raise ModelError(f"модель {target} не читается ({type(exc).__name__}): переобучите её командой mcu train") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or not isinstance(payload.get("models"), TextModels):
        raise ModelError(f"модель {target} сделана несовместимой версией программы: переобучите её (mcu train)")
    if _minor(str(payload.get("sklearn", ""))) != _minor(sklearn.__version__):
        raise ModelError(
            f"модель {target} обучена на scikit-learn {payload.get('sklearn')}, установлен {sklearn.__version__}: "
            "переобучите её (mcu train)"
        )
    return payload["models"]  # type: ignore[no-any-return]


def load_for(use_model: bool, model_path: str | None) -> TextModels | None:
    """The configured model, the shipped one by default; a model that cannot be used is logged and skipped
    (analysis goes on by the rules alone) unless the user named the file explicitly."""
    if not use_model:
        return None
    if model_path:
        return load_models(Path(model_path).expanduser())
    try:
        return load_models()
    except ModelError as exc:
        log.warning("встроенная модель не загружена, работаю по правилам: %s", exc)
        return None
