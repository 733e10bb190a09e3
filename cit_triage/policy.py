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
    medical: list[str] = Field(default_factory=list, description="Call-type words that make a call type medical, whatever crisis word it holds.")
    suicidal: list[str] = Field(default_factory=list, description="Call-type words that give an ingestion in the notes its suicidal context.")
    ingestion: list[str] = Field(default_factory=list, description="Call-type words that name an ingestion (overdose, poisoning).")
    physical_cause: list[str] = Field(default_factory=list, description="Call-type words that state a physical cause of confusion or combativeness (DIABETIC, SEIZURE).")
    not_risk: list[str] = Field(default_factory=list, description="Call-type phrases that contain a risk word but name no risk to others (SUICIDE/THREATS).")
    unambiguous: list[str] = Field(default_factory=list, description="Crisis call-type words that a medical word beside them does not override (SUICIDE, EDP).")


class Rule(_Strict):
    id: str
    minimum: ResponseName
    message: str
    requires_crisis: bool = False
    any_of: list[str] = Field(default_factory=list)
    call_types: list[str] = Field(default_factory=list)
    enabled: bool = True


class Caps(_Strict):
    attempt_type_alone_is_cit: bool = Field(
        True, description="A suicide-attempt call type whose notes show no attempt and no risk sign is cit (guide), however sure the model is.")


class Beyond(_Strict):
    """When the model may suggest more than the guide's rules require (no counted sign behind it).

    The thresholds are chosen on agency-grouped cross-validation and stored with the model;
    set them here only to override the model's own (1.0 or more: never)."""

    cit: float | None = Field(None, ge=0, description="Least model probability of cit or above to go beyond the findings to cit.")
    co_responder: float | None = Field(None, ge=0, description="Least model probability of co_responder to go beyond the findings to it.")


class Review(_Strict):
    min_confidence: float | None = Field(None, ge=0, le=1, description="Review below this confidence; None: the model's own threshold.")
    min_words: int = Field(4, ge=0)
    on_disagreement: bool = True
    on_unknown_weapons: bool = True
    on_uncertain_crisis: bool = True
    on_attempt_type_without_evidence: bool = True
    on_hedged_risk: bool = True


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
    beyond_findings: Beyond = Beyond()
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
                                          self.call_types.not_crisis, self.call_types.medical, self.call_types.suicidal,
                                          self.call_types.ingestion, self.call_types.physical_cause,
                                          self.call_types.not_risk, self.call_types.unambiguous)


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
    floor: str = "patrol"            # what the findings alone require
    confidence: float = 0.0          # calibrated probability that the suggestion is right
    beyond_findings: bool = False    # the model went beyond them


_ATTEMPT_EVIDENCE = frozenset({"SUICIDE_ATTEMPT", "@suicidal_self_harm", "@self_injury", "@intentional_ingestion", "@attempt_at_location",
                               "@attempt_with_injury"})


RESPONSE_WORDS = {"patrol": "a standard patrol", "cit": "a CIT officer", "co_responder": "a CIT officer with a clinician"}


def _rank(name: str) -> int:
    return RESPONSES.index(name)


def _describe(findings: list[Finding], text_of) -> str:
    quoted = list(dict.fromkeys(f'"{text_of(f)}"' for f in findings))
    return ", ".join(quoted[:4]) if quoted else "reported in CAD fields"


@dataclass(frozen=True)
class Decision:
    """What the model folder says about going beyond the findings, learned on agency-grouped CV."""

    beyond_cit: float = 1.01
    beyond_co_responder: float = 1.01
    review_below: float = 0.0

    @classmethod
    def from_manifest(cls, manifest: dict, policy: "Policy") -> "Decision":
        d = manifest.get("decision") or {}
        beyond = d.get("beyond_findings") or {}
        over = policy.beyond_findings
        return cls(
            beyond_cit=float(over.cit if over.cit is not None else beyond.get("cit", 1.01)),
            beyond_co_responder=float(over.co_responder if over.co_responder is not None else beyond.get("co_responder", 1.01)),
            review_below=float(policy.review.min_confidence if policy.review.min_confidence is not None
                               else d.get("review_below_confidence", 0.0)),
        )


def findings_floor(policy: Policy, facts: CallFacts, call_type: str | None, text_of) -> tuple[str, list[Firing]]:
    """The least response the guide's rules require, with a firing for each rule that holds."""
    response = "patrol"
    firings: list[Firing] = []
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
        effect = None
        if _rank(rule.minimum) > _rank(response):
            effect = f"{response} -> {rule.minimum}"
            response = rule.minimum
        firings.append(Firing(rule.id, message, effect, facts.crisis + risk_findings if rule.requires_crisis else risk_findings))
    return response, firings


def beyond_findings(floor: str, probabilities, decision: Decision, co_responder_allowed: bool = True) -> str:
    """The model's response where it clears its threshold above the findings, else ``floor``."""
    p_cit_or_more = probabilities[1] + probabilities[2]
    if _rank(floor) < 2 and co_responder_allowed and probabilities[2] >= decision.beyond_co_responder \
            and probabilities[2] >= probabilities[1]:
        return "co_responder"
    if _rank(floor) < 1 and p_cit_or_more >= decision.beyond_cit:
        return "cit"
    return floor


def apply_policy(policy: Policy, facts: CallFacts, probabilities, n_words: int, call_type: str | None, text_of,
                 available: list[str] | None = None, decision: Decision | None = None,
                 confidence_of=None) -> PolicyOutcome:
    """The findings decide where the guide is explicit; the model may go beyond them only above
    its threshold (and the call is then reviewed); then review, advice and resources.

    ``probabilities`` are the model's (patrol, cit, co_responder); ``text_of(finding)`` quotes a
    finding's original characters (for messages); ``confidence_of(probabilities, response, floor, beyond)`` is
    the calibrated probability that the final suggestion is right (the model's own when None).
    """
    decision = decision or Decision()
    floor, firings = findings_floor(policy, facts, call_type, text_of)
    out = PolicyOutcome(floor, firings=firings)
    attempt_type_alone = policy.caps.attempt_type_alone_is_cit and facts.attempt_call_type and not (
        facts.present & _ATTEMPT_EVIDENCE)
    response = beyond_findings(floor, probabilities, decision, co_responder_allowed=not attempt_type_alone)
    if response != floor:
        p = probabilities[2] if response == "co_responder" else probabilities[1] + probabilities[2]
        why = "no elevated-risk sign" if response == "co_responder" and floor == "cit" else "no counted crisis sign"
        out.firings.append(Firing("model_beyond_findings",
                                  f"The model suggests {RESPONSE_WORDS[response]} ({p:.0%}) though the notes show {why} the rules count: "
                                  "review, and teach the lexicon the words that carried it",
                                  f"{floor} -> {response}", []))
        out.review_reasons.append(f"the model went beyond the findings ({floor} -> {response})")
    out.beyond_findings = response != floor
    out.floor = floor
    model_response = RESPONSES[max(range(3), key=probabilities.__getitem__)]
    raised_from = model_response if _rank(model_response) < _rank(response) else None

    review = policy.review
    out.confidence = (confidence_of(probabilities, response, floor, out.beyond_findings) if confidence_of is not None
                      else float(probabilities[RESPONSES.index(response)]))
    if out.confidence < decision.review_below:
        # The threshold is high (chosen so flagged calls are the likely errors), so a 93% call can be
        # flagged: say it is less sure than this model usually is, not "low".
        out.review_reasons.append(f"less sure than usual ({out.confidence:.0%}, review below {decision.review_below:.0%})")
    if review.on_disagreement and raised_from is not None:
        out.review_reasons.append(f"rules raised the model's {raised_from} to {response}")
    if review.on_hedged_risk and facts.hedged_risk and response == "co_responder" and all(f.assertion == "uncertain" for f in facts.risk):
        out.review_reasons.append("the elevated-risk sign is only possible, not confirmed")
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
    if facts.attempt_call_type and not known & {"SUICIDE_ATTEMPT", "SELF_HARM", "@intentional_ingestion", "@attempt_with_injury"}:
        out.insert(0, Question(topic="danger", text=questions.attempt))
    return out
