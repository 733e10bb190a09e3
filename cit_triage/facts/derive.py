"""From concepts found in the notes to the facts the labeling guide reasons with.

A concept *counts* when its assertion is one the policy counts (affirmed or hypothetical by
default): "denies SI" does not count, "hx of SI" does not count, "says if police come he will
get his gun" does. A crisis-looking concept that a stated medical cause explains ("confused,
sugar reading 38") does not count as a crisis indicator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..concepts.context import Finding
from ..concepts.lexicon import ConceptLexicon
from ..schema import Call


@lru_cache(maxsize=64)
def call_type_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Call-type keywords matched at word starts: "SUIC" matches "SUICIDE ATTEMPT", not "PURSUIT"."""
    alt = "|".join(re.escape(w.upper()) for w in sorted(words, key=len, reverse=True)) or "(?!x)x"
    return re.compile(rf"(?<![A-Z0-9])(?:{alt})")


@dataclass(frozen=True)
class CallTypeMatcher:
    """Matches call-type keywords at word starts ("SUIC" matches "SUICIDE ATTEMPT")."""

    crisis: re.Pattern[str]
    attempt: re.Pattern[str]
    risk: re.Pattern[str]
    not_crisis: re.Pattern[str]
    medical: re.Pattern[str] = call_type_pattern(())
    suicidal: re.Pattern[str] = call_type_pattern(())
    ingestion: re.Pattern[str] = call_type_pattern(())
    physical_cause: re.Pattern[str] = call_type_pattern(())
    not_risk: re.Pattern[str] = call_type_pattern(())
    unambiguous: re.Pattern[str] = call_type_pattern(())

    @classmethod
    def from_lists(cls, crisis: list[str], attempt: list[str], risk: list[str] = (),
                   not_crisis: list[str] = (), medical: list[str] = (), suicidal: list[str] = (),
                   ingestion: list[str] = (), physical_cause: list[str] = (), not_risk: list[str] = (),
                   unambiguous: list[str] = ()) -> "CallTypeMatcher":
        return cls(*(call_type_pattern(tuple(words)) for words in
                     (crisis, attempt, risk, not_crisis, medical, suicidal, ingestion, physical_cause, not_risk,
                      unambiguous)))

    def states_physical_cause(self, call_type: str | None) -> bool:
        """"DIABETIC PROBLEMS - ABNORMAL BEHAVIOR": the call type names the physical cause (guide)."""
        return bool(call_type) and bool(self.physical_cause.search(call_type.upper()))

    def _is_medical(self, upper: str) -> bool:
        # "ALTERED MENTAL STATUS", "DIABETIC - ABNORMAL BEHAVIOR", "HYPERTENSIVE CRISIS" are
        # medical call types, whatever "MENTAL", "BEHAVIOR" or "CRISIS" suggests; "SUICIDE" is
        # a crisis beside any medical word ("HEART FAMILY CA / (Z)SUICIDE").
        return bool(self.medical.search(upper)) and not self.unambiguous.search(upper)

    def crisis_keyword(self, call_type: str | None) -> str | None:
        if not call_type:
            return None
        upper = call_type.upper()
        if self._is_medical(upper):
            return None
        m = self.crisis.search(self.not_crisis.sub(" ", upper))
        return m.group(0) if m else None

    def is_ingestion(self, call_type: str | None) -> bool:
        """An overdose or poisoning call type: the ingestion behind "(INTENTIONAL)" in the notes."""
        return bool(call_type) and bool(self.ingestion.search(call_type.upper()))

    def is_suicidal(self, call_type: str | None) -> bool:
        """A suicide, attempt or psychiatric call type: the suicidal context for an ingestion (guide)."""
        if not call_type:
            return False
        upper = call_type.upper()
        return not self._is_medical(upper) and bool(self.suicidal.search(upper))

    def is_attempt(self, call_type: str | None) -> bool:
        return bool(call_type) and bool(self.attempt.search(call_type.upper()))

    def risk_keyword(self, call_type: str | None) -> str | None:
        if not call_type:
            return None
        # "SUICIDE/THREATS" names threats to the person's own life, not to others.
        m = self.risk.search(self.not_risk.sub(" ", call_type.upper()))
        return m.group(0) if m else None


@dataclass
class CallFacts:
    """What the notes and fields establish, in the guide's terms."""

    crisis: list[Finding] = field(default_factory=list)        # counted crisis indicators
    risk: list[Finding] = field(default_factory=list)          # counted elevated-risk signs
    uncertain_crisis: list[Finding] = field(default_factory=list)
    medically_explained: list[Finding] = field(default_factory=list)
    hedged_risk: list[Finding] = field(default_factory=list)  # risk signs stated as possible ("poss armed")
    present: set[str] = field(default_factory=set)             # counted concept ids and @facts
    evidence: dict[str, list[Finding]] = field(default_factory=dict)  # fact → findings behind it
    crisis_call_type: str | None = None
    attempt_call_type: bool = False
    weapons: str = "unmentioned"  # affirmed | negated | uncertain | unmentioned

    @property
    def has_crisis(self) -> bool:
        return bool(self.crisis) or self.crisis_call_type is not None


_WEAPON_CONCEPTS = ("FIREARM", "KNIFE", "OTHER_WEAPON")
_WANDERING_CRISIS = frozenset({"DEMENTIA", "DISORIENTATION", "DEVELOPMENTAL_DISABILITY"})
#: Behavior that makes a named diagnosis a current crisis sign ("schizophrenic, violent").
_CURRENT_BEHAVIOR = frozenset({"VIOLENCE", "THREAT_TO_OTHERS", "PROPERTY_DESTRUCTION", "AGITATION", "VIOLENCE_POTENTIAL", "UPSET",
                               "BARRICADE", "REFUSING_CONTACT", "WANDERING", "AT_RISK_LOCATION", "MEDICATION_NONADHERENCE"})


def _is_self_directed_threat(f: Finding, findings: list[Finding]) -> bool:
    """A bare "threatening" whose object is the person themself ("threatening to run away and
    kill himself") is a suicidal statement, not a threat to others."""
    if f.concept != "THREAT_TO_OTHERS" or f.end - f.start != 1:
        return False
    nxt = next((g for g in findings if g.start >= f.end), None)
    return (nxt is not None and nxt.clause == f.clause and nxt.concept in _SELF_DIRECTED
            and nxt.start - f.end <= 6)


_SELF_DIRECTED = frozenset({"SUICIDAL_IDEATION", "SUICIDE_PLAN", "SELF_HARM"})
_SUICIDAL_WORDS = frozenset({"SUICIDAL_IDEATION", "SUICIDE_PLAN", "SUICIDE_ATTEMPT", "INTENT"})


def derive_facts(findings: list[Finding], call: Call, lexicon: ConceptLexicon, crisis_assertions: frozenset[str],
                 risk_assertions: frozenset[str], call_types: CallTypeMatcher,
                 linked_call_types: list[str] = ()) -> CallFacts:
    """The guide's facts; ``linked_call_types`` are the types of events this one was spawned
    from or duplicates ("Event spawned from EDP"), which are the same incident."""
    facts = CallFacts()
    # A means named by a threat's words ("going to shoot himself": a firearm) counts as at hand
    # unless the notes deny its kind ("no gun in the house", "no weapons"): the guide's settled questions.
    denied = {f.group for f in findings if f.assertion == "negated" and not f.implied}
    if denied:
        findings = [f for f in findings if not (f.implied and f.group in denied)]
    # A wound told as an accident ("fell and cut his arm", "cuts on arms from MVA", a baby
    # burned on hot water) is no self-injury, unless suicidal words or a crisis call type say so.
    if any(f.concept == "ACCIDENT" and f.assertion == "affirmed" for f in findings) and not any(
            f.concept in _SUICIDAL_WORDS and f.assertion in crisis_assertions for f in findings) \
            and not call_types.crisis_keyword(call.call_type):
        findings = [f for f in findings if f.concept != "SELF_HARM"]
    # A bare "intentional" determinant with alcohol or a street drug named is getting high, not a
    # crisis category (settled questions: "intentional" unless the substance is alcohol or a street drug).
    if any(f.concept == "SUBSTANCE_USE" and f.assertion == "affirmed" for f in findings) and not any(
            f.concept in ("SUICIDE_MEANS", *_SUICIDAL_WORDS) and f.assertion in crisis_assertions for f in findings):
        findings = [f for f in findings if f.concept != "INTENT_CODE"]
    # "This is not a suicide attempt" (a caller's word, a key-question answer) outweighs an
    # "intentional" that only names the protocol's category; a quantity still tells intent.
    if any(f.concept == "SUICIDE_ATTEMPT" and f.assertion == "negated" for f in findings) and not any(
            f.concept in ("SUICIDAL_IDEATION", "SUICIDE_PLAN", "SELF_HARM") and f.assertion in crisis_assertions
            for f in findings):
        findings = [f for f in findings if f.concept not in ("SUICIDE_ATTEMPT", "INTENT", "INTENT_CODE")]
    medical = (any(f.concept == "MEDICAL_CAUSE" and f.assertion == "affirmed" for f in findings)
               or call_types.states_physical_cause(call.call_type))
    for f in findings:
        concept = lexicon[f.concept]
        if _is_self_directed_threat(f, findings):
            continue
        # A concept counts under the assertions of its role: a *possible* crisis sign counts,
        # a possible weapon does not (it is asked about instead).
        # An act told as a wish or a threat ("wants to hang herself", "by cutting her wrists") is
        # a method named: a crisis sign, not the risk of an act under way (guide: method = plan).
        is_crisis = concept.has("crisis") and (not concept.has("risk") or (f.group == "attempt" and f.assertion == "hypothetical"))
        counts = f.assertion in (crisis_assertions if is_crisis else risk_assertions)
        if concept.has("crisis"):
            if f.assertion in crisis_assertions and medical and concept.medical_explains:
                facts.medically_explained.append(f)
                continue
            if f.assertion in crisis_assertions:
                facts.crisis.append(f)
            if f.assertion == "uncertain":
                facts.uncertain_crisis.append(f)
        if concept.has("risk") and f.assertion in risk_assertions and not is_crisis:
            facts.risk.append(f)
            if f.assertion == "uncertain":
                facts.hedged_risk.append(f)
        if counts:
            fact = "SUICIDE_PLAN" if is_crisis and concept.has("risk") else f.concept  # a method named is a plan
            facts.present.add(fact)
            facts.evidence.setdefault(fact, []).append(f)

    weapon_states = [f.assertion for f in findings if f.concept in _WEAPON_CONCEPTS]
    if any(a in risk_assertions for a in weapon_states) or call.weapons_reported == "yes":
        facts.weapons = "affirmed"
    elif "uncertain" in weapon_states or "unknown" in weapon_states or call.weapons_reported == "unknown":
        facts.weapons = "uncertain"
    elif weapon_states or call.weapons_reported == "no":
        facts.weapons = "negated"

    def add(fact: str, evidence: list[Finding]) -> None:
        facts.present.add(fact)
        facts.evidence[fact] = evidence

    # Violence or threats stated as history ("hx of stabbing his brother") are a history of
    # violence, which the guide counts as an elevated-risk sign with a current crisis.
    past_violence = [f for f in findings if f.concept in ("VIOLENCE", "THREAT_TO_OTHERS") and f.assertion == "historical"]
    if past_violence:
        facts.present.add("VIOLENCE_HISTORY")
        facts.evidence.setdefault("VIOLENCE_HISTORY", []).extend(past_violence)
        facts.risk.extend(past_violence)

    # "Intending: plan + method" (IAED Protocol 41): a suicide plan, or a suicidal statement,
    # together with the means at hand.
    means = [f for f in findings if lexicon[f.concept].has("means") and f.assertion in risk_assertions]
    plans = facts.evidence.get("SUICIDE_PLAN", [])
    suicidal_statements = plans + facts.evidence.get("SUICIDAL_IDEATION", [])
    if suicidal_statements and means:
        add("@plan_with_means", suicidal_statements + means)
    ingestion = facts.evidence.get("INGESTION", [])
    intent = facts.evidence.get("INTENT", [])
    # Quantity is intent (settled questions): pills in a quantity past a dose, or a count or an
    # emptied bottle of something ingested (an ingestion in the notes, or an overdose or a
    # suicidal call type: with the latter, an ingestion in the notes is an attempt),
    # unless the notes tell an accident (a small child, a wrong or double dose).
    quantity = facts.evidence.get("INGESTION_QUANTITY", [])
    counted = facts.evidence.get("INGESTION_COUNT", [])
    if counted and (ingestion or quantity or facts.evidence.get("SUICIDE_MEANS") or call_types.is_ingestion(call.call_type)
                    or call_types.is_suicidal(call.call_type)):
        quantity = quantity + counted
    accident = bool(facts.evidence.get("ACCIDENT")) or any(
        f.concept == "INTENT" and f.assertion == "negated" for f in findings)
    if intent and not ingestion and call_types.is_ingestion(call.call_type):
        ingestion = intent  # "OVERDOSE/POISONING" + "(INTENTIONAL)": the call type names the ingestion
    # "Intentional" means self-harm unless the substance is alcohol or a street drug (guide):
    # "intentional" heroin use is getting high, not an attempt.
    if intent and facts.evidence.get("SUBSTANCE_USE") and not facts.evidence.get("SUICIDE_MEANS") and not suicidal_statements:
        intent = []
    if quantity and not accident:
        ingestion = ingestion + quantity
        intent = intent + quantity
    suicidal = intent + facts.evidence.get("SUICIDAL_IDEATION", []) + plans
    # A suicide, attempt or psychiatric call type is the suicidal context of an ingestion (guide).
    if ingestion and (suicidal or call_types.is_suicidal(call.call_type)):
        add("@intentional_ingestion", ingestion + suicidal)
        # An overdose taken on purpose is itself a crisis (a suicide attempt), stated or not.
        facts.crisis.extend(f for f in intent + ingestion if f not in facts.crisis)
    # Dementia or confusion alone is context, but "disorientation (dementia, confusion) with
    # risk" is a crisis sign (guide): wandering, missing, or out on a road, bridge or water.
    # A missing person with autism or a developmental disability is disorientation with risk too.
    dementia = (facts.evidence.get("DEMENTIA", []) + facts.evidence.get("DISORIENTATION", [])
                + facts.evidence.get("DEVELOPMENTAL_DISABILITY", []))
    at_large = facts.evidence.get("WANDERING", []) + facts.evidence.get("AT_RISK_LOCATION", [])
    if dementia and at_large and not medical:
        add("@dementia_with_risk", dementia + at_large)
        facts.crisis.extend(dementia)
    # "Dementia or developmental disability in distress" is a crisis sign (guide).
    distress = [f for c in ("UPSET", "AGITATION", "EMOTIONAL_DISTRESS") for f in facts.evidence.get(c, [])
                if f.experiencer != "caller"]
    impaired = facts.evidence.get("DEMENTIA", []) + facts.evidence.get("DEVELOPMENTAL_DISABILITY", [])
    # ... and so is one armed or violent: a weapon or violence in the hands of a confused person.
    distress += [f for c in ("VIOLENCE", "THREAT_TO_OTHERS", "PROPERTY_DESTRUCTION", "FIREARM", "KNIFE", "OTHER_WEAPON")
                 for f in facts.evidence.get(c, []) if f.assertion == "affirmed"]
    if impaired and distress and not medical:
        add("@impaired_in_distress", impaired + distress)
        facts.crisis.extend(f for f in impaired if f not in facts.crisis)
    # A named diagnosis with current behavior is a current crisis sign, not history.
    diagnosis = facts.evidence.get("MH_DIAGNOSIS", [])
    behavior = [f for c in _CURRENT_BEHAVIOR for f in facts.evidence.get(c, [])]
    if diagnosis and behavior and not medical:
        add("@diagnosis_with_behavior", diagnosis + behavior)
        facts.crisis.extend(diagnosis)
    # Self-harm is a crisis sign; with suicidal words it is an attempt under way.
    self_harm = facts.evidence.get("SELF_HARM", [])
    if self_harm and suicidal:
        add("@suicidal_self_harm", self_harm + suicidal)
    # Any current self-injury counts like cutting: an attempt under way (settled questions),
    # except the self-injurious behavior of a developmental-disability meltdown, which is the
    # guide's crisis sign for a CIT officer.
    injuring_now = [f for f in self_harm if f.assertion == "affirmed"]
    disabled = any(f.concept == "DEVELOPMENTAL_DISABILITY" and f.assertion != "negated" for f in findings)
    if injuring_now and not disabled:
        add("@self_injury", injuring_now)
    # A height, traffic or water is an elevated risk for a person who is suicidal, psychotic or
    # acting bizarrely, but not for a confused or disabled person wandering: the guide's
    # "elderly male w/ dementia wandering in traffic, confused" is a cit call.
    at_risk = facts.evidence.get("AT_RISK_LOCATION", [])
    driving_crisis = [f for f in facts.crisis if f.concept not in _WANDERING_CRISIS]
    # A suicide, jumper or psychiatric call type is the crisis behind a height or a roadway in
    # the notes, as it is the suicidal context of an ingestion.
    if at_risk and (driving_crisis or call_types.is_suicidal(call.call_type)):
        add("@attempt_at_location", at_risk + driving_crisis)
    if call.weapons_reported == "yes":
        add("@weapons_reported", [])
    keyword = call_types.crisis_keyword(call.call_type) or next(
        (k for k in map(call_types.crisis_keyword, linked_call_types) if k), None)
    if keyword:
        facts.crisis_call_type = keyword
        add("@crisis_call_type", [])
    if call_types.is_attempt(call.call_type):
        facts.attempt_call_type = True
        add("@attempt_call_type", [])
        # The person found unresponsive or bleeding is the attempt the call type names.
        found = [f for f in facts.evidence.get("UNRESPONSIVE", []) if f.experiencer != "caller"]
        if found:
            add("@attempt_with_injury", found)
            facts.risk.extend(f for f in found if f not in facts.risk)
    # "Call types name a category" (guide): BATTERY or VANDALISM names violence or damage
    # that the notes of a crisis call may not repeat.
    if call_types.risk_keyword(call.call_type):
        add("@risk_call_type", [])
    return facts
