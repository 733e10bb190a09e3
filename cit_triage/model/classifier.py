"""TriageClassifier: a calibrated multinomial linear model over call features.

Calibration is temperature scaling fitted on out-of-fold scores, so the whole model stays
one weight matrix: ``softmax((x @ W.T + b) / T)``. That keeps per-call scoring to a sparse
dot product (scikit-learn's ``predict_proba`` validation costs far more than the arithmetic
for one note) and lets the model be stored as plain arrays.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from ..errors import Errors, NotFittedError
from ..schema import RESPONSES
from .weights import ResponseWeights, softmax


class TriageClassifier(ClassifierMixin, BaseEstimator):
    """Multinomial logistic regression with temperature-scaled probabilities.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularization strength.
    class_weight : {"balanced"} or None, default="balanced"
    calibration_folds : int, default=5
        Folds for the out-of-fold scores the temperature is fitted on.
    random_state : int, default=0
    max_iter : int, default=3000
    """

    def __init__(self, *, C: float = 1.0, class_weight: str | None = "balanced", calibration_folds: int = 5,
                 random_state: int | None = 0, max_iter: int = 3000):
        self.C = C
        self.class_weight = class_weight
        self.calibration_folds = calibration_folds
        self.random_state = random_state
        self.max_iter = max_iter

    def _check_params(self) -> None:
        # Plain checks in fit (scikit-learn's declarative constraints are a private API).
        if isinstance(self.C, bool) or not isinstance(self.C, Real) or not self.C > 0:
            raise ValueError(f"C must be a number > 0, got {self.C!r}")
        if self.class_weight not in ("balanced", None):
            raise ValueError(f"class_weight must be 'balanced' or None, got {self.class_weight!r}")
        for name, low in (("calibration_folds", 2), ("max_iter", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")

    def fit(self, X, y, sample_weight=None):
        """Fit the weights, then the temperature on out-of-fold scores; ``sample_weight`` per row."""
        self._check_params()
        y = np.asarray(y)
        missing = set(RESPONSES) - set(y.tolist())
        if missing:
            raise ValueError(f"training labels lack {sorted(missing)}: every response needs examples")
        target = np.array([RESPONSES.index(v) for v in y])
        weight = np.ones(len(target)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        base = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        folds = StratifiedKFold(self.calibration_folds, shuffle=True, random_state=self.random_state)
        oof = np.zeros((X.shape[0], len(RESPONSES)))
        for train_idx, test_idx in folds.split(X, target):
            m = clone(base).fit(X[train_idx], target[train_idx], sample_weight=weight[train_idx])
            oof[test_idx] = m.decision_function(X[test_idx])
        rows = np.arange(len(target))

        def nll(t: float) -> float:
            return float(-(weight * np.log(softmax(oof / t)[rows, target] + 1e-12)).sum() / weight.sum())

        self.temperature_ = float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)
        final = clone(base).fit(X, target, sample_weight=weight)
        self.classes_ = np.array(RESPONSES)
        self.coef_ = final.coef_.astype(np.float64)
        self.intercept_ = final.intercept_.astype(np.float64)
        self.n_features_in_ = X.shape[1]
        self._prepare()
        return self

    def _prepare(self) -> None:
        # The runtime form of the learned state; every scoring method below delegates to it.
        self._weights = ResponseWeights(self.coef_, self.intercept_, self.temperature_, self.get_params())

    def decision_function(self, X):
        self._check_fitted()
        return self._weights.decision_function(X)

    def predict_proba(self, X):
        self._check_fitted()
        return self._weights.predict_proba(X)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def proba_one(self, idx: list[int], val: list[float]) -> tuple[float, float, float]:
        """Probabilities for one call given its feature indices and values."""
        self._check_fitted()
        return self._weights.proba_one(idx, val)

    def contributions(self, idx: list[int], val: list[float], klass: int) -> list[float]:
        """Each feature's push toward class ``klass`` relative to the other classes."""
        return self._weights.contributions(idx, val, klass)

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError(Errors.E040.format(name=type(self).__name__))
