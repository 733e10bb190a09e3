"""Every example in the labeling guide's Cases table gets the guide's label."""

import pytest

from cit_triage import Call

# From ../shared/labeling-guide.md, "Cases" (notes abridged there, copied as written).
GUIDE_CASES = [
    ("RP states her son is hearing voices and hasn't slept in 3 days, no weapons, not violent", "cit"),
    ("son hearing voices, threatened to stab his father, has kitchen knife", "co_responder"),
    ("friend posted goodbye messages on facebook, not answering phone", "cit"),
    ("male on the overpass railing says he is going to jump", "co_responder"),
    ("caller says she has pills and plans to take all of them tonight", "co_responder"),
    ("caller's husband is depressed, hx of SI, no current threats, wants info on resources", "cit"),
    ("shoplifter detained at Walmart, cooperative", "patrol"),
    ("armed robbery just occurred, suspect fled with handgun", "patrol"),
    ("neighbor threatening to beat caller over parking spot", "patrol"),
    ("elderly male w/ dementia wandering in traffic, confused", "cit"),
    ("elderly mother not answering phone for 2 days, no known issues", "patrol"),
    ("subj screaming at cars, throwing rocks at windows, appears to be talking to himself", "co_responder"),
    ("DV in progress, husband hitting wife", "patrol"),
    ("husband off his meds, hearing voices, punched the wall and pushed wife", "co_responder"),
    ("subject barricaded in bedroom, says he wants to die, unk weapons", "co_responder"),
    ("drunk male passed out in doorway", "patrol"),
    ("caller is anxious because someone broke into her car", "patrol"),
    ("son off his meds, pacing and yelling, mom says he may get violent", "co_responder"),
    ("DIABETIC: 70 yom confused, swinging at family, sugar reading 38", "patrol"),
]


@pytest.mark.parametrize("notes,label", GUIDE_CASES)
def test_guide_case_gets_guide_label(triager, notes, label):
    assert triager.suggest(Call(notes=notes)).response.value == label


def test_crisis_call_type_with_empty_notes_is_at_least_cit(triager):
    s = triager.suggest(Call(notes="", call_type="SUICTHRT"))
    assert s.response.value in ("cit", "co_responder")
    assert any(r.id == "crisis_call_type" for r in s.reasons)


def test_attempt_call_type_alone_is_cit_with_review_and_attempt_question(triager):
    s = triager.suggest(Call(notes="female subject, white shirt, driving silver sedan", call_type="SUICIDE ATTEMPT"))
    assert s.response.value == "cit"
    assert s.needs_review
    assert any("attempt" in q.text.lower() for q in s.questions_to_ask)


def test_dementia_with_wandering_on_a_road_is_a_crisis(triager):
    s = triager.suggest("NEIGHBOR: ELDERLY F WANDERING IN HER NIGHTGOWN ON THE HIGHWAY SHOULDER, DOESNT KNOW WHAT YEAR IT IS, HX ALZHEIMERS")
    assert s.response.value == "cit"


def test_dementia_mentioned_in_a_fraud_report_is_not_a_crisis(triager):
    s = triager.suggest("caller's father has dementia, scammers got his bank card number over the phone, report for the bank")
    assert s.response.value == "patrol"
