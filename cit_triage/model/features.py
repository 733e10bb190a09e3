"""Features of an analyzed call: concepts with their context, guide facts, CAD fields, words.

Concepts with context carry the model (they transfer between agencies' writing styles);
words are added on top at a lower scale (``text_weight``), so the model can pick up what the
lexicon misses without learning one agency's phrasing. Every feature name reads back to
its source (``concept=FIREARM|negated``, ``w=hearing voices``), which is what the
explanation shows.
"""

from __future__ import annotations

from ..analysis import CallAnalysis

_ASSERTIONS = ("affirmed", "negated", "historical", "hypothetical", "uncertain", "unknown")


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


class FeatureEncoder:
    """A fitted vocabulary: turns one analyzed call into column indices and values."""

    def __init__(self, vocabulary: dict[str, int], *, text_weight: float = 0.3, ngram_max: int = 2, params: dict | None = None):
        self.vocabulary_ = vocabulary
        self.text_weight = text_weight
        self.ngram_max = ngram_max
        self.params = dict(params or {"text_weight": text_weight, "ngram_max": ngram_max})

    def get_params(self) -> dict:
        return dict(self.params)

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

    def get_feature_names_out(self) -> list[str]:
        return sorted(self.vocabulary_, key=self.vocabulary_.get)
