"""Confidence: the calibrated probability that the *final* suggestion (after the rules) is right.

The model's probability of a class is not the probability that the suggestion is right once the
findings have set the tier: "CIT OFFICER (3%)" when a counted crisis sign sent a CIT officer is
no help to a dispatcher. A small logistic model, fitted on agency-grouped out-of-fold
suggestions, maps what decided the suggestion to the chance it is right. It is stored as a
handful of numbers in the model manifest and scored in pure Python (no scikit-learn at run time).
"""

from __future__ import annotations

import math

from ..schema import RESPONSES

FEATURES = ("logit_p_final", "rules_overrode_model", "beyond_findings", "rule_set_tier", "co_responder", "cit")


def confidence_features(probabilities, response: str, floor: str, beyond: bool) -> list[float]:
    """What decided the suggestion, as the numbers the calibration reads."""
    p = min(max(float(probabilities[RESPONSES.index(response)]), 1e-4), 1 - 1e-4)
    model = RESPONSES[max(range(3), key=probabilities.__getitem__)]
    return [math.log(p / (1 - p)), float(model != response and not beyond), float(beyond), float(floor != "patrol"),
            float(response == "co_responder"), float(response == "cit")]


class ConfidenceModel:
    """``sigmoid(coef · features + intercept)``; the identity on the model's probability when unfitted."""

    def __init__(self, coef: list[float] | None = None, intercept: float = 0.0):
        self.coef_ = list(coef) if coef is not None else None
        self.intercept_ = float(intercept)

    @classmethod
    def fit(cls, rows: list[list[float]], correct: list[bool]) -> "ConfidenceModel":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1.0, max_iter=1000).fit(rows, [int(c) for c in correct])
        return cls(lr.coef_[0].tolist(), float(lr.intercept_[0]))

    @classmethod
    def from_manifest(cls, manifest: dict) -> "ConfidenceModel":
        d = (manifest.get("decision") or {}).get("confidence")
        if not d or list(d.get("features", [])) != list(FEATURES):
            return cls()
        return cls([float(x) for x in d["coef"]], float(d["intercept"]))

    def to_manifest(self) -> dict:
        return {"features": list(FEATURES), "coef": self.coef_, "intercept": self.intercept_}

    def __call__(self, probabilities, response: str, floor: str, beyond: bool) -> float:
        if self.coef_ is None:
            return float(probabilities[RESPONSES.index(response)])
        z = self.intercept_ + sum(w * x for w, x in zip(self.coef_, confidence_features(probabilities, response, floor, beyond)))
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0
