"""``TriageEstimator``: the cit_triage model as a scikit-learn classifier over notes.

``fit`` takes notes strings, ``Call`` objects or dicts of Call fields, runs them through the
same analyzer as ``Triager`` and fits ``CallFeaturizer`` + ``TriageClassifier``; so it drops
into ``cross_val_score``, ``GridSearchCV`` and pipelines for experiments in a notebook.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from .files import save_model
from ..policy import Policy
from ..schema import RESPONSES
from .fit import fit_model
from ..triage import Triager, as_call, build_analyzer


@lru_cache(maxsize=4)
def _analyzer_for(policy_json: str):
    # Building the spaCy pipeline takes about a second; GridSearchCV refits dozens of clones.
    return build_analyzer(Policy.model_validate_json(policy_json))


class TriageEstimator(ClassifierMixin, BaseEstimator):
    """Notes (or Calls) in, patrol / cit / co_responder out.

    Parameters
    ----------
    text_weight : float, default=0.3
        Value of word features relative to concept features.
    min_df : int, default=3
        Minimum training calls a word feature must appear in.
    ngram_max : int, default=2
    C : float, default=1.0
        Inverse regularization strength.
    class_weight : {"balanced"} or None, default="balanced"
    calibration_folds : int, default=5
    random_state : int, default=0
    max_iter : int, default=3000
    policy : str, Path, Policy or None, default=None
        Agency policy (the shipped one when None): its counting rules shape the features.
    apply_rules : bool, default=False
        ``predict`` returns the policy's final response (as ``Triager`` does) instead of the
        model's own argmax.

    Attributes
    ----------
    classes_ : ndarray of str
    featurizer_ : CallFeaturizer
    classifier_ : TriageClassifier
    triager_ : Triager
        The fitted model with the policy, for full explained suggestions.

    Examples
    --------
    >>> from sklearn.model_selection import cross_val_score               # doctest: +SKIP
    >>> cross_val_score(TriageEstimator(), notes, labels, scoring="f1_macro", cv=5)  # doctest: +SKIP
    """

    def __init__(self, *, text_weight: float = 0.3, min_df: int = 3, ngram_max: int = 2, C: float = 1.0,
                 class_weight: str | None = "balanced", calibration_folds: int = 5, random_state: int | None = 0,
                 max_iter: int = 3000, policy: str | Path | Policy | None = None, apply_rules: bool = False):
        self.text_weight = text_weight
        self.min_df = min_df
        self.ngram_max = ngram_max
        self.C = C
        self.class_weight = class_weight
        self.calibration_folds = calibration_folds
        self.random_state = random_state
        self.max_iter = max_iter
        self.policy = policy
        self.apply_rules = apply_rules

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def fit(self, X, y):
        labels = [str(v) for v in np.asarray(y, dtype=object).ravel()]
        unknown = sorted(set(labels) - set(RESPONSES))
        if unknown:
            raise ValueError(f"labels must be one of {RESPONSES}; got {unknown[:5]}")
        calls = [as_call(x) for x in X]
        if len(calls) != len(labels):
            raise ValueError(f"X has {len(calls)} calls but y has {len(labels)} labels")
        policy = self.policy if isinstance(self.policy, Policy) else Policy.from_file(self.policy)
        analyzer = _analyzer_for(policy.model_dump_json())
        featurizer, classifier = fit_model(
            analyzer.analyze_many(calls), labels,
            {"text_weight": self.text_weight, "min_df": self.min_df, "ngram_max": self.ngram_max},
            {"C": self.C, "class_weight": self.class_weight, "calibration_folds": self.calibration_folds,
             "random_state": self.random_state, "max_iter": self.max_iter})
        self.featurizer_ = featurizer
        self.classifier_ = classifier
        self.classes_ = classifier.classes_
        self.triager_ = Triager(analyzer, featurizer, classifier, policy, {"model_version": "estimator"}, analyzer.lexicon)
        return self

    def _features(self, X):
        check_is_fitted(self)
        return self.featurizer_.transform(self.triager_.analyzer.analyze_many([as_call(x) for x in X]))

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated model probabilities, columns in ``classes_`` order."""
        features = self._features(X)  # checks fitted before touching the fitted parts
        return self.classifier_.predict_proba(features)

    def decision_function(self, X) -> np.ndarray:
        features = self._features(X)
        return self.classifier_.decision_function(features)

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self)
        if self.apply_rules:
            return np.array([s.response.value for s in self.suggest(X)], dtype=object)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def suggest(self, X, explain: bool = False):
        """Full ``Suggestion`` objects (model + policy rules) for each call."""
        check_is_fitted(self)
        return self.triager_.suggest_many(X, explain=explain)

    def save(self, folder: str | Path, model_version: str = "estimator") -> Path:
        """Write a model folder ``Triager.load`` (and ``cit-triage --model``) can read."""
        check_is_fitted(self)
        return save_model(folder, self.featurizer_, self.classifier_,
                          {"model_version": model_version, "temperature": self.classifier_.temperature_})
