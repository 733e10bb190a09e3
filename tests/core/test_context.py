"""Negation, history, hypothetical, uncertainty and experiencer change what a concept means."""

import pytest

from cit_triage import Call


def factors(triager, notes):
    return {(f.concept, f.assertion.value) for f in triager.suggest(Call(notes=notes)).risk_factors}


@pytest.mark.parametrize("notes,concept,assertion", [
    ("denies SI, no weapons in the home", "SUICIDAL_IDEATION", "negated"),
    ("denies SI, no weapons in the home", "OTHER_WEAPON", "negated"),
    ("DENIES SI/HI", "HOMICIDAL_IDEATION", "negated"),
    ("no knives, guns", "FIREARM", "negated"),
    ("Any weapons? NO", "OTHER_WEAPON", "negated"),
    ("weapons: none", "OTHER_WEAPON", "negated"),
    ("hx of SI, reporting a stolen bike", "SUICIDAL_IDEATION", "historical"),
    ("attempted suicide last year", "SUICIDE_ATTEMPT", "historical"),
    ("tried to hang himself last year", "SUICIDE_ATTEMPT", "historical"),
    ("says if police come he will get his gun", "FIREARM", "hypothetical"),
    ("unk weapons", "OTHER_WEAPON", "unknown"),
    ("possibly suicidal", "SUICIDAL_IDEATION", "uncertain"),
    ("hearing voices", "PSYCHOSIS", "affirmed"),
])
def test_assertion(triager, notes, concept, assertion):
    assert (concept, assertion) in factors(triager, notes)


def test_comma_ends_negation_scope(triager):
    # "no weapons" must not negate the threat in the next comma clause.
    found = factors(triager, "no weapons, threatened dad")
    assert ("THREAT_TO_OTHERS", "affirmed") in found
    assert ("OTHER_WEAPON", "negated") in found


def test_comma_list_of_other_kind_stays_affirmed(triager):
    assert ("PSYCHOSIS", "affirmed") in factors(triager, "no weapons, hearing voices")


def test_comma_list_item_joined_by_or_carries_the_cue(triager):
    found = factors(triager, "no knives, guns or rifles")
    assert ("FIREARM", "negated") in found and ("FIREARM", "affirmed") not in found


def test_a_long_statement_after_a_comma_is_not_a_list_item(triager):
    # a list item is a short name; "thinking about taking pills" is a new statement, told now
    found = factors(triager, "HX OF SUIC, THINKING ABOUT TAKING PILLS")
    assert ("SUICIDAL_IDEATION", "affirmed") in found


def test_but_terminates_negation(triager):
    assert ("PSYCHOSIS", "affirmed") in factors(triager, "denies SI but is hearing voices")


def test_history_of_violence_is_current_risk_and_negatable(triager):
    assert ("VIOLENCE_HISTORY", "affirmed") in factors(triager, "son hearing voices, hx of violence")
    assert ("VIOLENCE_HISTORY", "negated") in factors(triager, "son hearing voices, no hx of violence")


def test_experiencer_other_person(triager):
    s = triager.suggest("caller states her son is hearing voices")
    voices = [f for f in s.risk_factors if f.concept == "PSYCHOSIS"]
    assert voices and voices[0].experiencer == "other"


def test_experiencer_caller(triager):
    s = triager.suggest("caller is suicidal and alone at home")
    si = [f for f in s.risk_factors if f.concept == "SUICIDAL_IDEATION"]
    assert si and si[0].experiencer == "caller"


@pytest.mark.parametrize("notes", [
    "juveniles jumped the fence into the pool after hours",
    "crazy driver weaving on I-5, swerving across lanes",
    "car break-in at the psych ward visitor parking lot",
    "roofer on the ledge fixing gutters, neighbor complains about noise",
])
def test_crisis_words_in_ordinary_calls_are_not_crisis(triager, notes):
    s = triager.suggest(Call(notes=notes))
    assert not any(f.counts_as == "crisis" for f in s.risk_factors)


def test_negated_weapon_keeps_crisis_call_at_cit(triager):
    s = triager.suggest("caller's brother hearing voices, no weapons, not violent, calm")
    assert s.response.value == "cit"


def test_spans_quote_original_characters(triager):
    notes = "RP ADV SUBJ W/ KNIFE, HEARING VOICES"
    s = triager.suggest(notes)
    for f in s.risk_factors:
        assert notes[f.start:f.end] == f.text
    assert {"KNIFE", "HEARING VOICES"} <= {f.text for f in s.risk_factors}



@pytest.mark.parametrize("notes,expected", [
    # an answer right after a question mark answers that question, not the next one
    ("Is he violent?: No  Access to weapons?: Yes", {"VIOLENCE": "negated", "OTHER_WEAPON": "affirmed"}),
    # one-letter answers
    ("Violent - N / Weapons - N", {"VIOLENCE": "negated", "OTHER_WEAPON": "negated"}),
    ("VIOLENT: N WEAPONS: Y", {"VIOLENCE": "negated", "OTHER_WEAPON": "affirmed"}),
])
def test_protocol_style_answers(triager, notes, expected):
    found = {f.concept: f.assertion for f in triager.analyze(Call(notes=notes, call_type="PSYCHIATRIC")).findings}
    assert {k: found.get(k) for k in expected} == expected



@pytest.mark.parametrize("notes,expected", [
    ("SI/HI: denies", {"SUICIDAL_IDEATION": "negated", "HOMICIDAL_IDEATION": "negated"}),
    ("pt: denies SI, crying", {"SUICIDAL_IDEATION": "negated"}),
    ("pt with S.I. since this morning", {"SUICIDAL_IDEATION": "affirmed"}),
])
def test_denials_as_answers_and_dotted_shorthand(triager, notes, expected):
    found = {f.concept: f.assertion for f in triager.analyze(notes).findings}
    assert {k: found.get(k) for k in expected} == expected
