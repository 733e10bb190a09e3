"""The policy's safety rules can't be bypassed by the model; resources fall back with a reason."""

import dataclasses

import numpy as np
import pytest

from cit_triage import Call, Policy, PolicyError, Triager
from cit_triage.policy import DEFAULT_POLICY


class AlwaysPatrol:
    """A model stand-in that is sure every call is patrol."""

    def proba_one(self, idx, val):
        return np.array([0.98, 0.01, 0.01])

    def contributions(self, idx, val, klass):
        return np.zeros(len(idx))


class UnsureCoResponder(AlwaysPatrol):
    def proba_one(self, idx, val):
        return np.array([0.10, 0.25, 0.65])


class SureCoResponder(AlwaysPatrol):
    def proba_one(self, idx, val):
        return np.array([0.01, 0.01, 0.98])


def with_model(triager, model, beyond=None):
    """The shipped triager with a stand-in model; ``beyond`` sets the model's go-beyond thresholds."""
    manifest = dict(triager.manifest)
    if beyond is not None:
        manifest["decision"] = {**manifest.get("decision", {}), "beyond_findings": beyond}
    return Triager(triager.analyzer, triager.featurizer, model, triager.policy, manifest, triager.lexicon)


@pytest.mark.parametrize("notes,minimum", [
    ("son hearing voices, threatened to stab his father, has kitchen knife", "co_responder"),
    ("subject barricaded in bedroom, says he wants to die", "co_responder"),
    ("caller says she has pills and plans to take all of them tonight", "co_responder"),
    ("took a bottle of pills on purpose, wants to die", "co_responder"),
    ("male on the bridge says he is going to jump", "co_responder"),
    ("friend posted goodbye messages on facebook", "cit"),
])
def test_rules_raise_a_model_that_says_patrol(triager, notes, minimum):
    s = with_model(triager, AlwaysPatrol()).suggest(notes)
    assert s.response.value == minimum
    assert s.model_response.value == "patrol"
    assert any(r.source == "rule" and r.effect == f"patrol -> {minimum}" for r in s.reasons)


def test_crisis_call_type_raises_patrol_model(triager):
    s = with_model(triager, AlwaysPatrol()).suggest(Call(notes="subject at the bus stop", call_type="EDP"))
    assert s.response.value == "cit"


@pytest.mark.parametrize("call_type", ["EMOTIONAL DISORDER - BLS", "Emotionally Disturbed Person", "EMOTIONAL DISTRESS"])
def test_an_emotional_call_type_is_a_crisis_call_type_in_every_form(triager, call_type):
    # call types match at word starts: "EMOTIONALLY" alone missed "EMOTIONAL DISORDER"
    s = with_model(triager, AlwaysPatrol()).suggest(Call(notes="48 yof, rp on scene", call_type=call_type))
    assert s.response.value == "cit"


def test_model_below_its_threshold_does_not_go_beyond_the_findings(triager):
    s = with_model(triager, UnsureCoResponder(), beyond={"cit": 0.8, "co_responder": 0.8}).suggest(
        "friend posted goodbye messages on facebook")
    assert s.response.value == "cit"  # the counted crisis sign, not the unsure model's co_responder
    assert not any(r.id == "model_beyond_findings" for r in s.reasons)


def test_sure_model_goes_beyond_the_findings_with_a_reason_and_review(triager):
    s = with_model(triager, SureCoResponder(), beyond={"cit": 0.8, "co_responder": 0.8}).suggest(
        "friend posted goodbye messages on facebook")
    assert s.response.value == "co_responder"
    assert s.needs_review
    assert any(r.id == "model_beyond_findings" and r.effect == "cit -> co_responder" for r in s.reasons)


def test_model_never_goes_beyond_the_findings_without_a_threshold(triager):
    s = with_model(triager, SureCoResponder(), beyond={"cit": 1.01, "co_responder": 1.01}).suggest(
        "friend posted goodbye messages on facebook")
    assert s.response.value == "cit"


def test_attempt_call_type_alone_stays_cit_even_for_a_sure_model(triager):
    s = with_model(triager, SureCoResponder(), beyond={"cit": 0.5, "co_responder": 0.5}).suggest(
        Call(notes="white female, blue shirt, silver sedan", call_type="SUICIDE ATTEMPT"))
    assert s.response.value == "cit"
    assert any("suicide attempt" in r for r in s.review_reasons)


def test_no_clinician_on_duty_falls_back_to_cit_with_reason(triager):
    s = triager.suggest("son hearing voices, threatened to stab his father, has kitchen knife", available=["patrol", "cit"])
    assert s.response.value == "cit"
    assert any(r.id == "resource_fallback" and r.effect == "co_responder -> cit" for r in s.reasons)
    assert any(a.code == "RESOURCE_FALLBACK" for a in s.advisories)


def test_every_rule_firing_is_a_reason_with_spans(triager):
    s = triager.suggest("husband off his meds, hearing voices, punched the wall and pushed wife")
    fired = [r for r in s.reasons if r.source == "rule"]
    assert {"crisis_with_elevated_risk", "crisis_indicator"} <= {r.id for r in fired}
    assert all(r.spans for r in fired)


def test_attempt_advises_ems(triager):
    s = triager.suggest("caller's daughter cut her wrists, bleeding, says she wants to die")
    assert any(a.code == "EMS" for a in s.advisories)


def test_crisis_without_risk_is_crisis_line_eligible(triager):
    s = triager.suggest("RP states her son is hearing voices and hasn't slept in 3 days, no weapons, not violent")
    assert any(a.code == "CRISIS_LINE_ELIGIBLE" for a in s.advisories)


def test_unknown_weapons_in_crisis_call_asks_about_weapons(triager):
    s = triager.suggest("brother is hearing voices and pacing, unk weapons")
    assert s.needs_review
    assert "weapons" in {q.topic for q in s.questions_to_ask}


def test_policy_file_with_unknown_key_is_refused(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text(DEFAULT_POLICY.read_text() + "\n[surprise]\nx = 1\n")
    with pytest.raises(PolicyError, match="surprise"):
        Policy.from_file(bad)


def test_policy_rule_with_bad_minimum_is_refused(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text(DEFAULT_POLICY.read_text().replace('minimum = "cit"', 'minimum = "swat"', 1))
    with pytest.raises(PolicyError, match="minimum"):
        Policy.from_file(bad)


def test_agency_policy_can_disable_crisis_line_advisory(tmp_path, triager):
    text = DEFAULT_POLICY.read_text().replace('code = "CRISIS_LINE_ELIGIBLE"', 'code = "CRISIS_LINE_ELIGIBLE"\nenabled = false', 1)
    path = tmp_path / "agency.toml"
    path.write_text(text)
    t = Triager.load(policy=path)
    s = t.suggest("RP states her son is hearing voices, no weapons, not violent")
    assert not any(a.code == "CRISIS_LINE_ELIGIBLE" for a in s.advisories)


def test_agency_shorthand_file_named_in_policy_is_used(tmp_path):
    from cit_triage.text.normalize import DEFAULT_SHORTHAND

    (tmp_path / "shorthand.toml").write_text(DEFAULT_SHORTHAND.read_text().replace('[ten_codes]', '[ten_codes]\n"10-43" = "mental subject"'))
    policy = tmp_path / "agency.toml"
    policy.write_text(DEFAULT_POLICY.read_text().replace('[lexicon]', '[lexicon]\nshorthand = "shorthand.toml"'))
    plain = Triager.load().analyze("10-43 at the bus stop")
    agency = Triager.load(policy=policy).analyze("10-43 at the bus stop")
    assert "CRISIS_REQUEST" not in {f.concept for f in plain.findings}
    assert "CRISIS_REQUEST" in {f.concept for f in agency.findings}


def test_violent_call_type_with_crisis_notes_is_co_responder(triager):
    s = triager.suggest(Call(notes="psychiatric patient on the unit, hearing voices, staff requesting help", call_type="BATTERY"))
    assert s.response.value == "co_responder"
    assert any(r.id == "crisis_with_elevated_risk" for r in s.reasons)


def test_violent_call_type_without_crisis_stays_patrol(triager):
    assert triager.suggest(Call(notes="two men fighting outside the bar, one bleeding", call_type="BATTERY")).response.value == "patrol"


def test_a_call_below_the_review_threshold_says_it_is_less_sure_than_usual(triager):
    from cit_triage.policy import Decision, apply_policy

    a = triager.analyze(Call(notes="son is hearing voices again, no weapons, not violent"))
    outcome = apply_policy(triager.policy, a.facts, (0.05, 0.93, 0.02), len(a.words), None, a.quote, None,
                           Decision(review_below=0.96))
    assert "less sure than usual (93%, review below 96%)" in outcome.review_reasons
    calm = apply_policy(triager.policy, a.facts, (0.01, 0.98, 0.01), len(a.words), None, a.quote, None,
                        Decision(review_below=0.96))
    assert not any(r.startswith("less sure") for r in calm.review_reasons)
