"""Features of an analyzed call: concepts with their context, guide facts, CAD fields, words.

Concepts with context carry the model (they transfer between agencies' writing styles);
words are added on top at a lower scale (``text_weight``), so the model can pick up what the
lexicon misses without learning one agency's phrasing. Every feature name reads back to
its source (``concept=FIREARM|negated``, ``w=hearing voices``), which is what the
explanation shows.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from .analysis import CallAnalysis
from .errors import Errors, NotFittedError

_ASSERTIONS = ("affirmed", "negated", "historical", "hypothetical", "uncertain")


def call_features(a: CallAnalysis, text_weight: float, ngram_max: int) -> dict[str, float]:
    """Named features of one analyzed call (the vocabulary decides which are kept)."""
    f: dict[str, float] = {}
    for finding in a.findings:
        f[f"concept={finding.concept}|{finding.assertion}"] = 1.0
    facts = a.facts
    for fact in facts.present:
        if fact.startswith("@"):
            f[f"fact={fact[1:]}"] = 1.0
    if facts.crisis:
        f["guide=crisis_in_notes"] = 1.0
        f["guide=crisis_kinds"] = min(len({x.concept for x in facts.crisis}), 3) / 3
    if facts.has_crisis:
        f["guide=crisis"] = 1.0
    if facts.risk:
        f["guide=risk_sign"] = 1.0
    if facts.has_crisis and (facts.risk or facts.present & {"@plan_with_means", "@intentional_ingestion", "@weapons_reported"}):
        f["guide=crisis_and_risk"] = 1.0
    if facts.medically_explained:
        f["guide=medically_explained"] = 1.0
    if facts.uncertain_crisis:
        f["guide=uncertain_crisis"] = 1.0
    f[f"guide=weapons_{facts.weapons}"] = 1.0
    call = a.call
    # No feature for a *missing* call type: in the corpus crisis notes lack one more often
    # than patrol notes, a writing artefact that real CAD (always typed) would not share.
    for word in a.call_type_words:
        f[f"ct={word}"] = 0.5
    if call.weapons_reported:
        f[f"field=weapons_reported:{call.weapons_reported}"] = 1.0
    if call.caller_relation:
        f[f"field=caller_relation:{call.caller_relation.strip().lower()}"] = 0.5
    if call.location_type:
        f[f"field=location_type:{call.location_type.strip().lower()}"] = 0.5
    if call.prior_crisis_contacts:
        f["field=prior_crisis_contacts"] = 1.0
    n = len(a.words)
    f["len=" + ("0" if n == 0 else "<5" if n < 5 else "<15" if n < 15 else "<40" if n < 40 else "40+")] = 1.0
    if text_weight > 0:
        words = a.words
        for w in words:
            f["w=" + w] = text_weight
        if ngram_max >= 2:
            for x, y in zip(words, words[1:]):
                f["w=" + x + " " + y] = text_weight
    return f


class CallFeaturizer(TransformerMixin, BaseEstimator):
    """Turns ``CallAnalysis`` objects into a sparse matrix over a learned vocabulary.

    Parameters
    ----------
    text_weight : float, default=0.3
        Value of word features relative to concept features (1.0).
    min_df : int, default=3
        A word feature must appear in at least this many training calls.
    ngram_max : int, default=2
        Longest word n-gram (1 or 2).
    """

    def __init__(self, *, text_weight: float = 0.3, min_df: int = 3, ngram_max: int = 2):
        self.text_weight = text_weight
        self.min_df = min_df
        self.ngram_max = ngram_max

    def fit(self, analyses, y=None):
        df: Counter[str] = Counter()
        for a in analyses:
            df.update(call_features(a, self.text_weight, self.ngram_max).keys())
        names = sorted(n for n, c in df.items() if c >= (self.min_df if n.startswith("w=") else 1))
        self.vocabulary_ = {n: i for i, n in enumerate(names)}
        return self

    def transform(self, analyses):
        self._check_fitted()
        rows, cols, vals = [], [], []
        n_rows = 0
        for i, a in enumerate(analyses):
            idx, val = self.encode(a)
            rows.extend([i] * len(idx))
            cols.extend(idx)
            vals.extend(val)
            n_rows = i + 1
        return sp.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(n_rows, len(self.vocabulary_)))

    def encode(self, a: CallAnalysis) -> tuple[list[int], list[float]]:
        """Column indices and values of one call (the fast path of ``suggest``)."""
        vocab = self.vocabulary_
        idx, val = [], []
        for name, v in call_features(a, self.text_weight, self.ngram_max).items():
            j = vocab.get(name)
            if j is not None:
                idx.append(j)
                val.append(v)
        return idx, val

    def get_feature_names_out(self, input_features=None):
        self._check_fitted()
        return np.asarray(sorted(self.vocabulary_, key=self.vocabulary_.get), dtype=object)

    def _check_fitted(self):
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError(Errors.E040.format(name=type(self).__name__))
