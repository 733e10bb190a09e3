"""The fitted response model as plain arrays: everything ``suggest()`` needs, nothing to fit.

Suggesting never imports scikit-learn (about a second and a hundred megabytes at start-up);
the estimators in ``model.py`` and ``featurizer.py`` are for training only and hand over
their learned state as a ``ResponseWeights`` and a ``FeatureEncoder``.
"""

from __future__ import annotations

import math

import numpy as np

from ..schema import RESPONSES


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class ResponseWeights:
    """``softmax((x @ coef_.T + intercept_) / temperature_)`` over the three responses."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, temperature: float, params: dict | None = None):
        self.coef_ = np.asarray(coef, dtype=np.float64)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)
        self.temperature_ = float(temperature)
        self.classes_ = np.array(RESPONSES)
        self.params = dict(params or {})
        # Feature-major rows as plain tuples: a call has a few dozen active features, and
        # summing them in Python is cheaper than numpy's per-call overhead.
        self._rows = [tuple(r) for r in self.coef_.T.tolist()]
        self._bias = tuple(self.intercept_.tolist())
        # Per class, each feature's weight relative to the mean over classes, as plain lists:
        # an explanation reads a few dozen of them, where numpy's per-call overhead dominates.
        relative = self.coef_ - self.coef_.mean(axis=0, keepdims=True)
        self._relative_by_class = [row.tolist() for row in relative]

    def get_params(self) -> dict:
        """The training parameters the weights were fitted with (for model cards)."""
        return dict(self.params)

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        return softmax(self.decision_function(X) / self.temperature_)

    def proba_one(self, idx: list[int], val: list[float]) -> tuple[float, float, float]:
        """Probabilities for one call given its feature indices and values (the hot path)."""
        rows = self._rows
        s0, s1, s2 = self._bias
        for j, v in zip(idx, val):
            r = rows[j]
            s0 += v * r[0]
            s1 += v * r[1]
            s2 += v * r[2]
        t = self.temperature_
        top = max(s0, s1, s2)
        e0, e1, e2 = math.exp((s0 - top) / t), math.exp((s1 - top) / t), math.exp((s2 - top) / t)
        total = e0 + e1 + e2
        return (e0 / total, e1 / total, e2 / total)

    def contributions(self, idx: list[int], val: list[float], klass: int) -> list[float]:
        """Each feature's push toward class ``klass`` relative to the other classes."""
        relative = self._relative_by_class[klass]
        return [v * relative[j] for j, v in zip(idx, val)]
