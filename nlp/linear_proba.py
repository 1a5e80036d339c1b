"""Calibrated probabilities of the fitted classifiers, computed straight from their coefficients.

A daemon tick analyses one or two texts, and scikit-learn's `predict_proba` re-validates its input at every layer
of a calibrated model (about 1 ms per task whatever the batch size: most of a tick's NLP time). The shipped
models are logistic regressions with one sigmoid or temperature calibrator each (``ensemble=False``), so the same
numbers come from one sparse product and one formula. Anything else — a raw regression (a class too rare to
calibrate), another calibration method, a future layout — goes through scikit-learn as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import spmatrix
from scipy.special import expit, softmax
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression

# scikit-learn rounds probabilities that overshoot 1 by float error down to exactly 1; so do we.
_OVERSHOOT = 1e-5


def class_probabilities(model: Any, features: spmatrix) -> np.ndarray:
    """``model.predict_proba(features)``: one row per text, one column per class of ``model.classes_``."""
    direct = _direct(model, features)
    return model.predict_proba(features) if direct is None else direct


def _direct(model: Any, features: spmatrix) -> np.ndarray | None:
    if not isinstance(model, CalibratedClassifierCV) or len(getattr(model, "calibrated_classifiers_", ())) != 1:
        return None
    calibrated = model.calibrated_classifiers_[0]
    regression = calibrated.estimator
    if type(regression) is not LogisticRegression or features.shape[1] != regression.coef_.shape[1]:
        return None
    scores = np.asarray(features @ regression.coef_.T) + regression.intercept_
    classes = len(calibrated.classes)
    if calibrated.method == "sigmoid" and classes == 2 and scores.shape[1] == 1:
        sigmoid = calibrated.calibrators[0]
        positive = expit(-(sigmoid.a_ * scores[:, 0] + sigmoid.b_))
        proba = np.column_stack([1.0 - positive, positive])
    elif calibrated.method == "temperature" and classes > 2 and scores.shape[1] == classes:
        if _look_like_probabilities(scores):
            return None  # scikit-learn would take these scores for probabilities and use their logarithms
        proba = softmax(calibrated.calibrators[0].beta_ * scores, axis=1)
    else:
        return None
    proba[(proba > 1.0) & (proba <= 1.0 + _OVERSHOOT)] = 1.0
    return proba


def _look_like_probabilities(scores: np.ndarray) -> bool:
    return bool(np.all((scores >= 0) & (scores <= 1)) and np.allclose(scores.sum(axis=1), 1.0))
