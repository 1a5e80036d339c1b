"""scikit-learn classifiers for relevance, main topic, sentiment, needs_response and toxicity.

Trained by `mcu train` from labelled texts; saved with a format version and the scikit-learn version, both
checked on load. Training is deterministic (fixed seeds, sorted input). Load only models you trained: the
file is a pickle.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import sklearn
from scipy.sparse import csr_matrix, hstack, spmatrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from config.errors import MCUError
from nlp.embeddings import MeanVectors
from nlp.features import FeatureText
from nlp.linear_proba import class_probabilities

FORMAT = 3  # 2: word vectors beside TF-IDF, calibrated probabilities, one main topic per text; 3: tie column
SEED = 13
DEFAULT_MODEL = "default.joblib"
CALIBRATION_FOLDS = 3
FEATURE_SETS = ("both", "tfidf", "navec")
log = logging.getLogger(__name__)


class ModelError(MCUError):
    """A saved model cannot be used (missing, damaged, or made by an incompatible version)."""


@dataclass(frozen=True, slots=True)
class Predictions:
    """Calibrated probabilities for one text; ``topics``: the chance that each topic is the text's main one."""

    relevant: float | None
    topics: dict[str, float]
    sentiment: dict[str, float]
    needs_response: float | None
    toxic: float | None


# Sixteen topics from a few hundred texts each need weaker regularisation than the other tasks: main-topic accuracy
# of the classifier alone in 5-fold CV on the train split was 0.844 at C=2, 0.847 at 4, 0.849 at 8, 0.851 at 16,
# 0.849 at 32, 0.851 at 64 (a plateau from 8 on).
TOPIC_STRENGTH = 16.0


def _classifier(multiclass: bool, smallest: int, strength: float = 4.0) -> Any:
    """Logistic regression, its scores turned into honest probabilities by sigmoid calibration on held-back folds.

    ``class_weight="balanced"`` helps the rare classes to be learnt but skews raw probabilities towards them;
    calibration puts them back, so that a threshold of 0.5 in the config means «more likely than not».
    A class too rare to appear in every calibration fold leaves the scores raw."""
    base = LogisticRegression(C=strength, class_weight="balanced", max_iter=3000, random_state=SEED,
                              solver="newton-cg" if multiclass else "liblinear")
    if smallest < CALIBRATION_FOLDS:
        return base
    folds = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=SEED)
    # Temperature scaling keeps a multi-class spread a spread (one-vs-rest sigmoids renormalised came out
    # underconfident on sixteen topics); a binary score gets its own sigmoid.
    return CalibratedClassifierCV(base, method="temperature" if multiclass else "sigmoid", cv=folds, ensemble=False)


def _fit(rows: list[int], labels: list[Any], matrix: spmatrix, multiclass: bool = False, strength: float = 4.0) -> Any:
    counts = Counter(labels)
    if len(counts) < 2:
        return None
    return _classifier(multiclass, min(counts.values()), strength).fit(matrix[rows], labels)


@dataclass
class TextModels:
    """Two TF-IDF vectorizers (lemma words with markers, surface characters) and the mean word vectors of the
    text and of its parent feed one classifier per task. The vectors are natasha's (nlp.embeddings): they are
    not stored in the model file but looked up when the model is used."""

    words: TfidfVectorizer = field(default_factory=lambda: TfidfVectorizer(
        token_pattern=r"\S+", ngram_range=(1, 2), min_df=2, max_features=20000, sublinear_tf=True, lowercase=False))
    chars: TfidfVectorizer = field(default_factory=lambda: TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), min_df=2, max_features=15000, sublinear_tf=True))
    feature_set: str = "both"
    relevant: Any = None
    topics: Any = None
    topic_codes: list[str] = field(default_factory=list)
    sentiment: Any = None
    needs_response: Any = None
    toxic: Any = None
    meta: dict[str, Any] = field(default_factory=dict)
    _vectors: MeanVectors | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_vectors"] = None  # 25 MB that natasha already ships: looked up again on load
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def _matrix(self, texts: Sequence[FeatureText]) -> spmatrix:
        blocks: list[spmatrix] = []
        if self.feature_set in ("both", "tfidf"):
            blocks += [self.words.transform([t.words for t in texts]), self.chars.transform([t.surface for t in texts])]
        if self.feature_set in ("both", "navec"):
            if self._vectors is None:
                self._vectors = MeanVectors()
            blocks += [csr_matrix(self._vectors.transform([t.tokens for t in texts])),
                       csr_matrix(self._vectors.transform([t.parent_tokens for t in texts]))]
        return hstack(blocks).tocsr()

    @staticmethod
    def _with_tie(matrix: spmatrix, texts: Sequence[FeatureText]) -> spmatrix:
        """The relevance classifier alone sees whether the text is tied to the town: an untied text is capped
        below the threshold anyway, so it learns what decides among the tied ones. The other tasks must not learn
        that a complaint or a question posted far from the town's pages is no complaint («третьи сутки без горячей
        воды» needs an answer wherever it is written)."""
        return hstack([matrix, csr_matrix([[float(t.tied)] for t in texts])]).tocsr()

    def fit(
        self,
        texts: Sequence[FeatureText],
        relevant: Sequence[bool | None],
        topics: Sequence[tuple[str, ...] | None],
        sentiment: Sequence[str | None],
        needs_response: Sequence[bool | None],
        toxic: Sequence[bool | None],
    ) -> "TextModels":
        # One BLAS thread per fit: the solvers' many small products only spin extra threads (several times the
        # CPU time on a busy machine); parallelism comes from fitting cross-validation folds side by side.
        with threadpool_limits(1):
            return self._fit_all(texts, relevant, topics, sentiment, needs_response, toxic)

    def _fit_all(
        self,
        texts: Sequence[FeatureText],
        relevant: Sequence[bool | None],
        topics: Sequence[tuple[str, ...] | None],
        sentiment: Sequence[str | None],
        needs_response: Sequence[bool | None],
        toxic: Sequence[bool | None],
    ) -> "TextModels":
        if self.feature_set not in FEATURE_SETS:
            raise ValueError(f"неизвестный набор признаков: {self.feature_set}")
        if self.feature_set != "navec":
            self.words.fit([t.words for t in texts])
            self.chars.fit([t.surface for t in texts])
            # The terms cut by max_features are kept only for inspection and would bloat the file.
            self.words.stop_words_ = self.chars.stop_words_ = None
        matrix = self._matrix(texts)

        def labelled(labels: Sequence[Any]) -> tuple[list[int], list[Any]]:
            keep = [i for i, label in enumerate(labels) if label is not None]
            return keep, [labels[i] for i in keep]

        self.relevant = _fit(*labelled([None if v is None else bool(v) for v in relevant]), self._with_tie(matrix, texts))
        self.needs_response = _fit(*labelled([None if v is None else bool(v) for v in needs_response]), matrix)
        self.toxic = _fit(*labelled([None if v is None else bool(v) for v in toxic]), matrix)
        self.sentiment = _fit(*labelled(sentiment), matrix, multiclass=True)
        # Topics are listed by importance: the first is what the text is about, and the one an operator routes by.
        main = [found[0] if found else None for found in topics]
        counts = Counter(code for code in main if code is not None)
        rare = {code for code, count in counts.items() if count < CALIBRATION_FOLDS}
        if rare:
            log.info("темы с меньше чем %d записями не учатся: %s", CALIBRATION_FOLDS, ", ".join(sorted(rare)))
        self.topics = _fit(*labelled([None if code in rare else code for code in main]), matrix, multiclass=True,
                           strength=TOPIC_STRENGTH)
        self.topic_codes = [str(code) for code in self.topics.classes_] if self.topics is not None else []
        return self

    def predict(self, texts: Sequence[FeatureText]) -> list[Predictions]:
        if not texts:
            return []
        matrix = self._matrix(texts)

        def positive(model: Any, features: spmatrix = matrix) -> list[float | None]:
            if model is None:
                return [None] * len(texts)
            return [float(p) for p in class_probabilities(model, features)[:, list(model.classes_).index(True)]]

        def spread(model: Any) -> list[dict[str, float]]:
            if model is None:
                return [{} for _ in texts]
            labels = [str(label) for label in model.classes_]
            return [dict(zip(labels, map(float, row), strict=True)) for row in class_probabilities(model, matrix)]

        relevant = positive(self.relevant, self._with_tie(matrix, texts))
        needs, toxic = positive(self.needs_response), positive(self.toxic)
        sentiments, topics = spread(self.sentiment), spread(self.topics)
        return [
            Predictions(relevant=relevant[i], topics=topics[i], sentiment=sentiments[i], needs_response=needs[i], toxic=toxic[i])
            for i in range(len(texts))
        ]


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
