"""The ``Triager``: one object that turns a call into an explained suggestion."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Iterable

from .batching import fewer_collections
from .cancel import checkpoint
from .analysis import Analyzer, CallAnalysis
from .errors import Errors, InputError, ModelFileError
from .explain import model_reasons, risk_factors, rule_reasons, summary_line
from .model.files import load_model
from .concepts.patterns import adjacent_words
from .concepts.pipeline import build_nlp, forward_cues, lexicon_phrases
from .text.normalize import load_shorthand
from .text.tokens import with_token_repair
from .model.confidence import ConfidenceModel
from .policy import Decision, Policy, apply_policy
from .schema import RESPONSES, Call, Response, Suggestion, trusted

#: The shipped default model: package data, so a wheel install carries it.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "data" / "model" / "default"


def default_model_dir() -> Path:
    """``$CIT_TRIAGE_MODEL`` if set, else the shipped default model."""
    return Path(os.environ.get("CIT_TRIAGE_MODEL") or DEFAULT_MODEL_DIR)


def as_call(call: Call | str | dict) -> Call:
    """Accept a ``Call``, a plain string of notes, or a dict of Call fields."""
    if isinstance(call, Call):
        return call
    if isinstance(call, (str, bytes)):
        return Call(notes=call)
    if isinstance(call, dict):
        return Call.model_validate(call)
    raise InputError(Errors.E004.format(type=type(call).__name__))


class Triager:
    """Suggests patrol, CIT officer or co-responder for calls, with the reasons why.

    Build one with :meth:`load` and keep it: loading takes about a second, a suggestion a
    fraction of a millisecond. Thread-safe for concurrent ``suggest`` calls.

    Examples
    --------
    >>> from cit_triage import Triager
    >>> triager = Triager.load()
    >>> triager.suggest("caller's son hearing voices, has a knife, threatened dad").response.value
    'co_responder'
    """

    def __init__(self, analyzer: Analyzer, featurizer, classifier, policy: Policy, manifest: dict, lexicon):
        self.analyzer = analyzer
        self.featurizer = featurizer
        self.classifier = classifier
        self.policy = policy
        self.manifest = manifest
        self.lexicon = lexicon
        self._names = list(featurizer.get_feature_names_out())
        self.decision = Decision.from_manifest(manifest, policy)
        self.confidence = ConfidenceModel.from_manifest(manifest)

    @classmethod
    def load(cls, path: str | Path | None = None, policy: str | Path | Policy | None = None) -> "Triager":
        """Load a model folder (the shipped default when ``path`` is None) and a policy file."""
        folder = Path(path) if path is not None else default_model_dir()
        if not folder.exists():
            raise ModelFileError(Errors.E011.format(path=folder))
        policy = policy if isinstance(policy, Policy) else Policy.from_file(policy)
        featurizer, classifier, manifest = load_model(folder, allowed_sha256=policy.model.allowed_sha256)
        analyzer = build_analyzer(policy)
        return cls(analyzer, featurizer, classifier, policy, manifest, analyzer.lexicon)

    @property
    def model_version(self) -> str:
        return str(self.manifest.get("model_version", "unknown"))

    def suggest(self, call: Call | str | dict, *, available: list[str] | None = None, explain: bool = True) -> Suggestion:
        """The explained suggestion for one call.

        ``available`` lists the responses on duty now (default: the policy's); ``explain=False``
        leaves out the model's feature reasons (rule reasons are always kept).
        """
        call = as_call(call)
        return self._suggest(self.analyzer.analyze(call), available, explain)

    def suggest_many(self, calls: Iterable[Call | str | dict], *, available: list[str] | None = None,
                     explain: bool = True, batch_size: int = 256) -> list[Suggestion]:
        """Suggestions for many calls, in order (spaCy batches the NLP)."""
        calls = [as_call(c) for c in calls]
        with fewer_collections():
            return [self._suggest(a, available, explain) for a in self.analyzer.iter_analyze(calls, batch_size=batch_size)]

    def analyze(self, call: Call | str | dict) -> CallAnalysis:
        return self.analyzer.analyze(as_call(call))

    def _suggest(self, a: CallAnalysis, available: list[str] | None, explain: bool) -> Suggestion:
        idx, val = self.featurizer.encode(a)
        proba = self.classifier.proba_one(idx, val)
        best = max(range(len(RESPONSES)), key=proba.__getitem__)
        model_response = RESPONSES[best]
        outcome = apply_policy(self.policy, a.facts, proba, len(a.words), a.call.call_type, a.quote, available,
                               self.decision, self.confidence)
        response = outcome.response
        k = RESPONSES.index(response)
        reasons = rule_reasons(a, outcome)
        checkpoint()
        if explain:
            contributions = self.classifier.contributions(idx, val, k) if idx else []
            reasons += model_reasons(a, self._names, idx, contributions, self.lexicon, response)
        crisis_ids = {id(f) for f in a.facts.crisis}
        risk_ids = {id(f) for f in a.facts.risk}
        needs_review = bool(outcome.review_reasons)
        confidence = outcome.confidence
        # Trusted engine output: construct without re-validating (tests check the schema).
        return trusted(
            Suggestion,
            response=Response(response),
            probabilities={name: round(float(p), 4) for name, p in zip(RESPONSES, proba)},
            confidence=round(confidence, 4),
            model_response=Response(model_response),
            needs_review=needs_review,
            review_reasons=outcome.review_reasons,
            questions_to_ask=outcome.questions,
            risk_factors=risk_factors(a, self.lexicon, crisis_ids, risk_ids),
            reasons=reasons,
            advisories=outcome.advisories,
            model_version=self.model_version,
            policy_version=self.policy.policy_version,
            summary=summary_line(response, confidence, a, needs_review, outcome.review_reasons),
            call_id=a.call.call_id,
        )


def build_analyzer(policy: Policy) -> Analyzer:
    """The NLP front half (normalize → concepts → context → facts), shared by training and
    suggesting; the policy's ``[lexicon]`` section names agency data files."""
    lex = policy.lexicon
    renew_nlp = partial(build_nlp, lex.concepts, lex.context_rules, lex.shorthand)  # the same pipeline, anew
    nlp = renew_nlp()
    # Notes get the token stage's word repair, built from this lexicon's own words.
    concept_phrases, rule_phrases = lexicon_phrases(nlp)
    normalizer = with_token_repair(load_shorthand(lex.shorthand), concept_phrases, rule_phrases,
                                   adjacent=adjacent_words(nlp.get_pipe("cit_concepts").patterns),
                                   forward_cues=forward_cues(nlp))
    concepts = nlp.get_pipe("cit_concepts").lexicon
    return Analyzer(nlp, normalizer, concepts,
                    policy.counting.crisis_assertions, policy.counting.risk_assertions, policy.call_type_matcher(),
                    renew_nlp=renew_nlp)
