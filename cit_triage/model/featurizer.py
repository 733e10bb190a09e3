"""CallFeaturizer: the scikit-learn transformer that learns the feature vocabulary (training only)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from ..errors import Errors, NotFittedError
from .features import FeatureEncoder, call_features


class CallFeaturizer(TransformerMixin, BaseEstimator):
    """Turns ``CallAnalysis`` objects into a sparse matrix over a learned vocabulary.

    Parameters
    ----------
    text_weight : float, default=1.0
        Value of word features relative to concept features (1.0).
    min_df : int, default=3
        A word feature must appear in at least this many training calls.
    ngram_max : int, default=2
        Longest word n-gram (1 or 2).
    min_groups : int, default=3
        A word or call-type feature learned from real notes must occur in the notes of at least
        this many groups (agencies), so no one agency's people, places or case numbers become
        features. Rows without a group (the written corpus) and ``trusted_words`` are exempt.
    """

    def __init__(self, *, text_weight: float = 1.0, min_df: int = 3, ngram_max: int = 2, min_groups: int = 3):
        self.text_weight = text_weight
        self.min_df = min_df
        self.ngram_max = ngram_max
        self.min_groups = min_groups

    def fit(self, analyses, y=None, *, groups=None, trusted_words=frozenset()):
        """Learn the vocabulary; ``groups[i]`` is row i's agency (None: a row of the written corpus)."""
        df: Counter[str] = Counter()
        seen_in: dict[str, set] = {}
        trusted: set[str] = set()
        for i, a in enumerate(analyses):
            names = call_features(a, self.text_weight, self.ngram_max).keys()
            df.update(names)
            group = None if groups is None else groups[i]
            if group is None:
                trusted.update(n for n in names if _is_text(n))
            else:
                for n in names:
                    if _is_text(n):
                        seen_in.setdefault(n, set()).add(group)

        def keep(name: str, count: int) -> bool:
            if not _is_text(name):
                return True
            if any(ch.isdigit() for ch in name):  # case numbers, addresses, phone fragments
                return False
            if name.startswith("w=") and count < self.min_df:
                return False
            if name in trusted or _words_of(name) <= trusted_words:
                return True
            return len(seen_in.get(name, ())) >= self.min_groups

        names = sorted(n for n, c in df.items() if keep(n, c))
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

    def encode(self, a) -> tuple[list[int], list[float]]:
        """Column indices and values of one call."""
        return self.to_encoder().encode(a)

    def to_encoder(self) -> FeatureEncoder:
        """The learned vocabulary as the runtime encoder ``suggest()`` uses."""
        self._check_fitted()
        encoder = getattr(self, "_encoder", None)
        if encoder is None or encoder.vocabulary_ is not self.vocabulary_:
            encoder = self._encoder = FeatureEncoder(self.vocabulary_, text_weight=self.text_weight,
                                                     ngram_max=self.ngram_max, params=self.get_params())
        return encoder

    def get_feature_names_out(self, input_features=None):
        self._check_fitted()
        return np.asarray(sorted(self.vocabulary_, key=self.vocabulary_.get), dtype=object)

    def fit_transform(self, analyses, y=None, **fit_params):
        return self.fit(analyses, y, **fit_params).transform(analyses)

    def _check_fitted(self):
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError(Errors.E040.format(name=type(self).__name__))


def _is_text(name: str) -> bool:
    """Features learned from the words of the notes or the call type (not from the lexicon)."""
    return name.startswith("w=") or name.startswith("ct=")


def _words_of(name: str) -> set[str]:
    return set(name.partition("=")[2].split())
