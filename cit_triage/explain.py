"""Turn rule firings and model weights into reasons, risk factors and a one-line summary.

Every reason quotes the original characters it rests on (offsets into the call's notes), so
a CAD screen can highlight them. The objects are built with ``schema.trusted``: their
values come from the engine, not from a user, and validating each one again would cost
more than the suggestion itself.
"""

from __future__ import annotations

import heapq
import re
from functools import lru_cache

from .analysis import CallAnalysis
from .concepts.lexicon import ConceptLexicon
from .policy import PolicyOutcome
from .schema import Assertion, Reason, RiskFactor, TextSpan, trusted

_LABELS = {"patrol": "PATROL", "cit": "CIT OFFICER", "co_responder": "CO-RESPONDER"}
_GUIDE_TEXT = {
    "guide=crisis": "a behavioral-health crisis is indicated",
    "guide=crisis_in_notes": "the notes describe a crisis sign",
    "guide=crisis_kinds": "several kinds of crisis sign",
    "guide=risk_sign": "an elevated-risk sign is present",
    "guide=crisis_and_risk": "a crisis sign together with an elevated-risk sign",
    "guide=medically_explained": "a stated medical cause explains the confusion or behavior",
    "guide=uncertain_crisis": "a possible (unconfirmed) crisis sign",
    "guide=weapons_affirmed": "a weapon is reported",
    "guide=weapons_negated": "weapons are denied",
    "guide=weapons_uncertain": "weapons are unknown",
    "guide=weapons_unmentioned": "weapons are not mentioned",
}


def risk_factors(a: CallAnalysis, lexicon: ConceptLexicon, crisis: set[int], risk: set[int]) -> list[RiskFactor]:
    out = []
    for f in a.findings:
        concept = lexicon[f.concept]
        start, end = a.original_span(f)
        cue = None
        if f.cue_chars:
            cs, ce = a.original_span(f.cue_chars)
            cue = trusted(TextSpan, start=cs, end=ce, text=a.notes.original[cs:ce])
        counts = "crisis" if id(f) in crisis else "risk" if id(f) in risk else (
            "context" if f.assertion in ("affirmed", "hypothetical") else "none")
        out.append(trusted(RiskFactor, concept=f.concept, description=concept.description, start=start, end=end,
                                              text=a.notes.original[start:end], assertion=Assertion(f.assertion),
                                              experiencer=f.experiencer, cue=cue, counts_as=counts))
    return out


def _span(a: CallAnalysis, f) -> TextSpan:
    start, end = a.original_span(f)
    return trusted(TextSpan, start=start, end=end, text=a.notes.original[start:end])


def rule_reasons(a: CallAnalysis, outcome: PolicyOutcome) -> list[Reason]:
    reasons = []
    for firing in outcome.firings:
        spans = list({(s.start, s.end): s for s in (_span(a, f) for f in firing.findings)}.values())
        reasons.append(trusted(Reason, source="rule", id=firing.rule_id, message=firing.message, spans=spans,
                                              weight=None, effect=firing.effect))
    return reasons


def model_reasons(a: CallAnalysis, names: list[str], idx: list[int], contributions, lexicon: ConceptLexicon,
                  response: str, top: int = 4) -> list[Reason]:
    """The features that pushed the model most toward ``response``."""
    reasons = []
    for k in heapq.nlargest(top, range(len(idx)), key=contributions.__getitem__):  # = a stable sort's first ``top``
        weight = float(contributions[k])
        if weight <= 0.05:
            break
        name = names[idx[k]]
        message, spans = _describe_feature(a, name, lexicon)
        reasons.append(trusted(Reason, source="model", id=name, message=f"{message} → toward {response}",
                                              spans=spans, weight=round(weight, 3), effect=None))
    return reasons


def _describe_feature(a: CallAnalysis, name: str, lexicon: ConceptLexicon) -> tuple[str, list[TextSpan]]:
    kind, _, value = name.partition("=")
    if kind == "concept":
        concept, _, assertion = value.partition("|")
        spans = [_span(a, f) for f in a.findings if f.concept == concept and f.assertion == assertion]
        quoted = ", ".join(f'"{s.text}"' for s in spans[:3])
        state = "" if assertion == "affirmed" else f" ({assertion})"
        return f"{lexicon[concept].description}{state}: {quoted}", spans
    if kind == "guide":
        findings = a.facts.crisis + a.facts.risk if "crisis" in value or "risk" in value else []
        if value == "medically_explained":
            findings = a.facts.medically_explained
        return _GUIDE_TEXT.get(name, value.replace("_", " ")), [_span(a, f) for f in findings][:6]
    if kind == "fact":
        spans = [_span(a, f) for f in a.facts.evidence.get("@" + value, [])]
        return value.replace("_", " "), spans
    if kind == "w":
        spans = _find_words(a, value)
        return f'the words "{spans[0].text if spans else value}"', spans[:3]
    if kind == "ct":
        return f"call type '{a.call.call_type or 'none'}'", []
    if kind == "field":
        return f"CAD field {value.replace(':', ' = ')}", []
    if kind == "len":
        return f"notes length ({value} words)", []
    return name, []


@lru_cache(maxsize=4096)
def _words_pattern(phrase: str) -> re.Pattern[str]:
    """The words of ``phrase`` as whole words, any non-word characters between them.

    The pattern opens with the first word itself and checks the character before it with a
    lookbehind after it: a pattern that starts with a literal lets the regex engine jump from
    one occurrence of that word to the next instead of trying every position of the notes.
    """
    first, *rest = [re.escape(p) for p in phrase.split()]
    return re.compile(first + rf"(?<![a-z0-9]{first})" + "".join(r"\W+" + p for p in rest) + r"(?![a-z0-9])")


def _find_words(a: CallAnalysis, phrase: str) -> list[TextSpan]:
    out = []
    for m in _words_pattern(phrase).finditer(a.notes.text):
        s, e = a.notes.original_span(*m.span())
        out.append(trusted(TextSpan, start=s, end=e, text=a.notes.original[s:e]))
    return out


_DERIVED_RISK = ("@plan_with_means", "@intentional_ingestion", "@suicidal_self_harm", "@self_injury", "@attempt_at_location",
                 "@attempt_with_injury", "@weapons_reported", "@risk_call_type")


def summary_line(response: str, confidence: float, a: CallAnalysis, needs_review: bool, review_reasons: list[str]) -> str:
    """One line a dispatcher reads in two seconds."""
    parts = [f"{_LABELS[response]} ({confidence:.0%})"]
    # a quote across a wrapped line stays on the one line: its white space reads as one space
    crisis = list(dict.fromkeys(" ".join(a.quote(f).split()) for f in a.facts.crisis))[:2]
    risk = [f'"{q}"' for q in dict.fromkeys(" ".join(a.quote(f).split()) for f in a.facts.risk)][:3]
    if not risk:  # a risk made of several findings: "wants to die" + "pills" is a plan with means
        risk = [fact.lstrip("@").replace("_", " ") for fact in _DERIVED_RISK if fact in a.facts.present]
    if crisis:
        parts.append("crisis: " + ", ".join(f'"{c}"' for c in crisis))
    elif a.facts.crisis_call_type:
        parts.append(f"crisis call type {a.call.call_type}")
    if risk and (crisis or a.facts.crisis_call_type):
        parts.append("risk: " + ", ".join(risk))
    if not crisis and not a.facts.crisis_call_type:
        parts.append("no crisis sign found")
    if needs_review:
        parts.append("REVIEW: " + review_reasons[0])
    return " · ".join(parts)
