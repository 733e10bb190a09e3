"""Fit a featurizer and a classifier on analyzed calls (shared by training, cross-validation and the estimator)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..analysis import CallAnalysis
from .classifier import TriageClassifier
from .featurizer import CallFeaturizer


def data_hash(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.read_bytes())
    return h.hexdigest()


def fit_model(analyses: list[CallAnalysis], labels: list[str], featurizer_params: dict | None = None,
              classifier_params: dict | None = None, *, groups=None, sample_weight=None,
              trusted_words=frozenset()) -> tuple[CallFeaturizer, TriageClassifier]:
    """Featurizer and classifier fitted on analyzed calls; ``groups`` (agency per row, None for
    the written corpus) gate which words may become features, ``sample_weight`` weights rows."""
    featurizer = CallFeaturizer(**(featurizer_params or {}))
    X = featurizer.fit_transform(analyses, groups=groups, trusted_words=trusted_words)
    classifier = TriageClassifier(**(classifier_params or {})).fit(X, labels, sample_weight=sample_weight)
    return featurizer, classifier
