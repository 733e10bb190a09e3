"""The agency policy: safety rules, review triggers, questions, advisories, resources.

The policy is a TOML file (``data/policy/default.toml`` ships the labeling guide's rules),
validated by pydantic so a typo is an error naming the field. Rules only raise a
suggestion, never lower it, and every firing is recorded as a reason with its effect.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import Errors, PolicyError
from .facts.derive import CallFacts, CallTypeMatcher, call_type_pattern
from .concepts.context import Finding
from .schema import RESPONSES, Advisory, Question

DEFAULT_POLICY = Path(__file__).resolve().parent / "data" / "policy" / "default.toml"
ResponseName = Literal["patrol", "cit", "co_responder"]
_QUESTION_ORDER = ("behavior", "danger", "weapons", "history", "violence")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Counting(_Strict):
    crisis_assertions: list[Literal["affirmed", "hypothetical", "uncertain", "historical", "negated"]] = ["affirmed", "hypothetical"]
    risk_assertions: list[Literal["affirmed", "hypothetical", "uncertain", "historical", "negated"]] = ["affirmed", "hypothetical"]


class CallTypes(_Strict):
    crisis: list[str] = Field(default_factory=list, description="Call-type words that mean a crisis call.")
    attempt: list[str] = Field(default_factory=list, description="Call-type words that name a suicide attempt.")
    risk: list[str] = Field(default_factory=list, description="Call-type words that name violence, weapons or damage.")
    not_crisis: list[str] = Field(default_factory=list, description="Call-type phrases that contain a crisis word but are not crisis calls.")


class Rule(_Strict):
    id: str
    minimum: ResponseName
    message: str
    requires_crisis: bool = False
    any_of: list[str] = Field(default_factory=list)
    call_types: list[str] = Field(default_factory=list)
    enabled: bool = True


class Caps(_Strict):
    co_responder_requires_risk_of: str | None = Field(
        None, description="Rule id whose any_of lists the risk signs a model co_responder must be able to cite.")
    unless_model_above: float = Field(
        1.0, ge=0, le=1, description="Keep the model's co_responder without a cited risk sign when its probability is at least this.")
    attempt_type_alone_is_cit: bool = Field(
        True, description="A suicide-attempt call type whose notes show no attempt and no risk sign is cit (guide), however sure the model is.")


class Review(_Strict):
    min_confidence: float = Field(0.55, ge=0, le=1)
    min_words: int = Field(4, ge=0)
    on_disagreement: bool = True
    on_unknown_weapons: bool = True
    on_uncertain_crisis: bool = True
    on_attempt_type_without_evidence: bool = True


class Questions(_Strict):
    behavior: str
    danger: str
    weapons: str
    history: str
    violence: str
    attempt: str


class AdvisoryRule(_Strict):
    code: str
    message: str
    enabled: bool = True
    any_of: list[str] = Field(default_factory=list)
    requires_crisis: bool = False
    none_of_risk: bool = False


class Fallback(_Strict):
    to: ResponseName
    message: str


class Resources(_Strict):
    available: list[ResponseName] = list(RESPONSES)
    fallback: dict[ResponseName, Fallback] = Field(default_factory=dict)


class Lexicon(_Strict):
    """Agency data files; paths are relative to the policy file. None: the shipped file."""

    shorthand: str | None = None
    concepts: str | None = None
    context_rules: str | None = None


class ModelTrust(_Strict):
    """Which model folders this agency runs: ``None`` any that verifies, else these digests
    (``sha256sum checksums.sha256`` of a model folder)."""

    allowed_sha256: Optional[list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]]] = None


class Policy(_Strict):
    """A validated agency policy."""

    policy_version: str
    lexicon: Lexicon = Lexicon()
    counting: Counting = Counting()
    call_types: CallTypes = CallTypes()
    rule: list[Rule] = Field(default_factory=list)
    caps: Caps = Caps()
    review: Review = Review()
    questions: Questions
    advisory: list[AdvisoryRule] = Field(default_factory=list)
    resources: Resources = Resources()
    model: ModelTrust = ModelTrust()

    @field_validator("rule")
    @classmethod
    def _unique_ids(cls, rules: list[Rule]) -> list[Rule]:
        ids = [r.id for r in rules]
        if len(ids) != len(set(ids)):
            raise ValueError(f"rule ids must be unique, got {ids}")
        return rules

    @model_validator(mode="after")
    def _caps_name_rules(self) -> "Policy":
        ref = self.caps.co_responder_requires_risk_of
        if ref is not None and ref not in {r.id for r in self.rule}:
            raise ValueError(f"caps.co_responder_requires_risk_of names no rule: {ref!r}")
        return self

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> "Policy":
        path = Path(path or DEFAULT_POLICY)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise PolicyError(Errors.E020.format(path=path, detail=str(exc))) from None
        # Lexicon paths in the file are relative to the file itself.
        lex = data.get("lexicon")
        if isinstance(lex, dict):
            data["lexicon"] = {k: str((path.parent / v).resolve()) if isinstance(v, str) else v for k, v in lex.items()}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise PolicyError(Errors.E020.format(path=path, detail=f"{where}: {first['msg']}")) from None

    def call_type_matcher(self) -> CallTypeMatcher:
        return CallTypeMatcher.from_lists(self.call_types.crisis, self.call_types.attempt, self.call_types.risk,
                                          self.call_types.not_crisis)


@dataclass
class Firing:
    """One rule that fired: what it required, what it did, and the findings it rests on."""

    rule_id: str
    message: str
    effect: str | None
    findings: list[Finding]


@dataclass
class PolicyOutcome:
    response: str
    firings: list[Firing] = field(default_factory=list)
    advisories: list[Advisory] = field(default_factory=list)
    review_reasons: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


_ATTEMPT_EVIDENCE = frozenset({"SUICIDE_ATTEMPT", "@suicidal_self_harm", "@intentional_ingestion", "@attempt_at_location"})


def _rank(name: str) -> int:
    return RESPONSES.index(name)


def _describe(findings: list[Finding], text_of) -> str:
    quoted = list(dict.fromkeys(f'"{text_of(f)}"' for f in findings))
    return ", ".join(quoted[:4]) if quoted else "reported in CAD fields"


def apply_policy(policy: Policy, facts: CallFacts, model_response: str, confidence: float, n_words: int,
                 call_type: str | None, text_of, available: list[str] | None = None,
                 probabilities: tuple[float, ...] | None = None) -> PolicyOutcome:
    """Raise ``model_response`` to what the rules require, then apply review, advice and resources.

    ``text_of(finding)`` quotes a finding's original characters (for messages);
    ``probabilities`` (patrol, cit, co_responder) choose where a capped co_responder goes.
    """
    response = model_response
    out = PolicyOutcome(response)
    cap_rule = next((r for r in policy.rule if r.id == policy.caps.co_responder_requires_risk_of), None)
    no_risk_sign = cap_rule is None or not any(f in facts.present for f in cap_rule.any_of)
    attempt_type_alone = policy.caps.attempt_type_alone_is_cit and facts.attempt_call_type and not (
        facts.present & _ATTEMPT_EVIDENCE)
    if response == "co_responder" and no_risk_sign and attempt_type_alone:
        out.firings.append(Firing("cap_attempt_call_type", "The call type names a suicide attempt but the notes show none under way: CIT officer",
                                  "co_responder -> cit", []))
        response = "cit"
    if (cap_rule is not None and response == "co_responder" and confidence < policy.caps.unless_model_above
            and no_risk_sign):
        # With a crisis sign the cap is a CIT officer; with none, the likelier of patrol and cit.
        to = "cit" if facts.has_crisis or probabilities is None or probabilities[1] >= probabilities[0] else "patrol"
        out.firings.append(Firing("cap_co_responder", f"No elevated-risk sign found to justify a clinician team: {to}",
                                  f"co_responder -> {to}", []))
        out.review_reasons.append("model suggested co_responder but no elevated-risk sign was found")
        response = to
    raised_from = None
    for rule in policy.rule:
        if not rule.enabled:
            continue
        if rule.requires_crisis and not facts.has_crisis:
            continue
        hits = [fact for fact in rule.any_of if fact in facts.present]
        if rule.any_of and not hits:
            continue
        if rule.call_types and not (call_type and call_type_pattern(tuple(rule.call_types)).search(call_type.upper())):
            continue
        risk_findings = [f for fact in hits for f in facts.evidence.get(fact, [])]
        crisis_text = _describe(facts.crisis, text_of) if facts.crisis else f"call type '{call_type}'"
        message = rule.message.format(
            crisis=crisis_text,
            risk=_describe(risk_findings, text_of) if risk_findings else ", ".join(h.lstrip("@").replace("_", " ") for h in hits),
            call_type=call_type or "",
        )
        if _rank(rule.minimum) > _rank(response):
            effect = f"{response} -> {rule.minimum}"
            raised_from = raised_from or response
            response = rule.minimum
        else:
            effect = None
        out.firings.append(Firing(rule.id, message, effect, facts.crisis + risk_findings if rule.requires_crisis else risk_findings))

    review = policy.review
    if review.on_disagreement and raised_from is not None:
        out.review_reasons.append(f"rules raised the model's {raised_from} to {response}")
    if confidence < review.min_confidence:
        out.review_reasons.append(f"low model confidence ({confidence:.0%})")
    if n_words < review.min_words and not facts.crisis_call_type:
        out.review_reasons.append("notes too short to judge")
    if review.on_unknown_weapons and facts.has_crisis and facts.weapons in ("uncertain", "unmentioned") and response != "co_responder":
        out.review_reasons.append("crisis call: weapons unknown")
    if review.on_uncertain_crisis and facts.uncertain_crisis and len(facts.uncertain_crisis) == len(facts.crisis):
        out.review_reasons.append("the crisis sign is only possible, not confirmed")
    if review.on_attempt_type_without_evidence and facts.attempt_call_type and not facts.present & _ATTEMPT_EVIDENCE:
        out.review_reasons.append("call type names a suicide attempt but the notes do not say one is under way")

    # Resources on duty: fall back, with the policy's reason, when a response is not available.
    on_duty = available if available is not None else policy.resources.available
    seen = set()
    while response not in on_duty and response not in seen:
        seen.add(response)
        fallback = policy.resources.fallback.get(response)
        if fallback is None:
            break
        out.firings.append(Firing("resource_fallback", fallback.message, f"{response} -> {fallback.to}", []))
        out.advisories.append(Advisory(code="RESOURCE_FALLBACK", message=fallback.message))
        response = fallback.to
    out.response = response

    for adv in policy.advisory:
        if not adv.enabled:
            continue
        if adv.requires_crisis and not facts.has_crisis:
            continue
        if adv.none_of_risk and (facts.risk or response == "co_responder"):
            continue
        hits = [fact for fact in adv.any_of if fact in facts.present]
        if adv.any_of and not hits:
            continue
        findings = [f for fact in hits for f in facts.evidence.get(fact, [])]
        facts_text = _describe(findings, text_of) if findings else ", ".join(h.lstrip("@").replace("_", " ") for h in hits)
        out.advisories.append(Advisory(code=adv.code, message=adv.message.format(facts=facts_text)))

    if out.review_reasons:
        out.questions = _questions(policy.questions, facts)
    return out


def _questions(questions: Questions, facts: CallFacts) -> list[Question]:
    """BJA questions the notes leave open, in the order a call-taker asks them."""
    known = facts.present
    open_topics = []
    if not facts.crisis and not facts.uncertain_crisis:
        open_topics.append("behavior")
    if not known & {"SUICIDAL_IDEATION", "THREAT_TO_OTHERS", "HOMICIDAL_IDEATION", "SUICIDE_PLAN"}:
        open_topics.append("danger")
    if facts.weapons in ("uncertain", "unmentioned"):
        open_topics.append("weapons")
    if not known & {"MH_DIAGNOSIS", "SUBSTANCE_USE", "MEDICATION_NONADHERENCE"}:
        open_topics.append("history")
    if not known & {"VIOLENCE", "VIOLENCE_HISTORY", "VIOLENCE_POTENTIAL"}:
        open_topics.append("violence")
    out = [Question(topic=t, text=getattr(questions, t)) for t in _QUESTION_ORDER if t in open_topics]
    if facts.attempt_call_type and not known & {"SUICIDE_ATTEMPT", "SELF_HARM", "@intentional_ingestion"}:
        out.insert(0, Question(topic="danger", text=questions.attempt))
    return out
