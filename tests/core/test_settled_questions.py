"""The guide's settled questions for real CAD pages, one mechanism per test.

Every note here is written for the test (never taken from a data set). Each case names the
label the guide gives and, where it matters, the fact that must carry it, so a test fails
when the mechanism breaks even if the model happens to land on the same label.
"""

import pytest

from cit_triage import Call


def suggest(triager, notes, call_type=None):
    return triager.suggest(Call(notes=notes, call_type=call_type))


def facts_of(triager, notes, call_type=None):
    return triager.analyzer.analyze(Call(notes=notes, call_type=call_type)).facts.present


@pytest.mark.parametrize("notes,call_type", [
    ("24 yof cut her wrist with a razor, bleeding", "MEDICAL"),
    ("SON BURNED HIS ARMS WITH A LIGHTER AGAIN TONIGHT", None),
    ("pt banging her head against the wall, wont stop", None),
])
def test_current_self_injury_is_an_attempt_under_way(triager, notes, call_type):
    assert "@self_injury" in facts_of(triager, notes, call_type)
    assert suggest(triager, notes, call_type).response.value == "co_responder"


@pytest.mark.parametrize("notes", [
    "teen says she is thinking of hurting herself, no plan, no means",
    "caller says he cut himself last week, none since, wants to talk to someone",
])
def test_a_thought_of_self_harm_or_an_old_cut_is_not_self_injury_under_way(triager, notes):
    present = facts_of(triager, notes)
    assert "@self_injury" not in present
    assert suggest(triager, notes).response.value == "cit"


def test_self_injury_in_a_developmental_disability_meltdown_is_not_an_attempt(triager):
    notes = "8 year old with autism screaming and hitting himself in the face, mom cant calm him"
    assert "@self_injury" not in facts_of(triager, notes)
    assert suggest(triager, notes).response.value == "cit"


@pytest.mark.parametrize("notes", [
    "MOM SAYS SON IS A DANGER TO HIMSELF AND OTHERS",
    "pt says she is going to hurt herself or someone else if nobody comes",
])
def test_danger_to_self_and_others_is_a_crisis_with_a_threat(triager, notes):
    assert "DANGER_TO_SELF_AND_OTHERS" in facts_of(triager, notes)
    assert suggest(triager, notes).response.value == "co_responder"


def test_not_a_danger_to_self_or_others_counts_for_nothing(triager):
    assert "DANGER_TO_SELF_AND_OTHERS" not in facts_of(triager, "staff say he is not a danger to himself or others")


def test_homicidal_ideation_is_a_crisis_sign_and_a_threat(triager):
    notes = "therapist reports client has been thinking about killing people at his work"
    assert suggest(triager, notes, "WELFARE CHECK").response.value == "co_responder"


@pytest.mark.parametrize("notes,call_type", [
    ("MALE ON THE TRAIN TRESTLE", "JUMPER"),
    ("16 YOF WANTS TO JUMP OFF THE 4TH FLOOR BALCONY", "SUICIDAL PERSON"),
])
def test_a_height_with_a_suicidal_call_type_is_an_attempt_at_a_location(triager, notes, call_type):
    assert "@attempt_at_location" in facts_of(triager, notes, call_type)
    assert suggest(triager, notes, call_type).response.value == "co_responder"


def test_a_threat_to_jump_keeps_its_suicidal_statement_and_its_height(triager):
    a = triager.analyzer.analyze(Call(notes="RP ADV FRIEND MADE A THREAT TO JUMP OF THE BRIDGE"))
    quotes = {f.concept: a.quote(f) for f in a.findings}
    assert quotes.get("SUICIDAL_IDEATION") == "THREAT TO JUMP"
    assert quotes.get("AT_RISK_LOCATION") == "OF THE BRIDGE"
    assert suggest(triager, "RP ADV FRIEND MADE A THREAT TO JUMP OF THE BRIDGE").response.value == "co_responder"


@pytest.mark.parametrize("notes,label", [
    ("DAD FOUND HIS DAUGHTER HANGING IN THE GARAGE", "co_responder"),
    ("security found a group hanging out behind the store after closing", "patrol"),
])
def test_found_hanging_is_an_attempt_but_hanging_out_is_not(triager, notes, label):
    assert suggest(triager, notes).response.value == label


@pytest.mark.parametrize("notes,call_type,label", [
    ("TOOK OVER 40 ALEVE ABOUT AN HOUR AGO", "OVERDOSE", "co_responder"),
    ("pt took a bunch of her sleeping pills tonight", None, "co_responder"),
    ("mom found an empty bottle of pills next to her, hard to wake", "OVERDOSE", "co_responder"),
    ("3 YEAR OLD TOOK A BUNCH OF PILLS FROM GRANDMAS PURSE", "OVERDOSE", "patrol"),
    ("took a double dose of her heart meds by mistake, dizzy", "OVERDOSE", "patrol"),
    ("took 20 minutes for the ride to arrive, pt feeling faint", "SICK PERSON", "patrol"),
    ("suspect took 6 shirts from the rack and left", "THEFT", "patrol"),
])
def test_quantity_is_intent_unless_an_accident(triager, notes, call_type, label):
    assert suggest(triager, notes, call_type).response.value == label


def test_unknown_status_of_a_protocol_does_not_hide_its_intent(triager):
    present = facts_of(triager, "UNK STATUS (INTENTIONAL)", "OVERDOSE/POISONING")
    assert "@intentional_ingestion" in present


@pytest.mark.parametrize("notes,call_type,label", [
    ("AUTISTIC MALE HAVING A SEIZURE", "MEDICAL", "patrol"),
    ("caller is autistic, reporting his bike stolen from the porch", "THEFT", "patrol"),
    ("12 yo autistic son missing from the house for an hour", "MISSING PERSON", "cit"),
])
def test_a_developmental_disability_alone_is_no_crisis(triager, notes, call_type, label):
    assert suggest(triager, notes, call_type).response.value == label


def test_a_diabetic_call_type_states_the_physical_cause_of_abnormal_behavior(triager):
    s = suggest(triager, "54 YOM LOW SUGAR, ABNORMAL BEHAVIOR, CONFUSED", "DIABETIC PROBLEMS - ABNORMAL BEHAVIOR")
    assert s.response.value == "patrol"


def test_mental_changes_call_type_is_a_medical_call_type(triager):
    assert "@crisis_call_type" not in facts_of(triager, "AT THE CLINIC", "MALE MENTAL CHANGES")


def test_a_request_for_cit_is_a_crisis_request(triager):
    assert "CRISIS_REQUEST" in facts_of(triager, "RP REQ CIT FOR HER ADULT SON, HE IS ROCKING AND WONT TALK")


def test_an_event_spawned_from_a_crisis_type_is_that_crisis_call(triager):
    notes = "Event spawned from EDP.\nSEND EMS TO CHECK PT, 44 YOM"
    assert "@crisis_call_type" in facts_of(triager, notes, "FIRST RESPONDER WITH EMS")
    assert suggest(triager, notes, "FIRST RESPONDER WITH EMS").response.value == "cit"


def test_a_bare_intentional_determinant_code_in_the_call_type_is_a_category(triager):
    s = suggest(triager, "RESP PLAN 4", "23C01I- OVERDOSE/POISONING")
    assert s.response.value == "cit"
    assert "@crisis_call_type" not in facts_of(triager, "RESP PLAN 4", "23C01- OVERDOSE/POISONING")


@pytest.mark.parametrize("notes", ["TRNS MENTAL F TO HOSP, PD ON SCENE", "transport pt to Riverside Behavioral, calm"])
def test_a_mental_health_transport_is_a_crisis_indicated(triager, notes):
    assert "CRISIS_REQUEST" in facts_of(triager, notes, "EMS")
    assert suggest(triager, notes, "EMS").response.value == "cit"


@pytest.mark.parametrize("notes,call_type", [
    ("72 YOM FELL IN THE DRIVEWAY AND CUT HIS ARM, BLEEDING CONTROLLED", "FALL"),
    ("TWO PTS WITH CUTS ON ARMS FROM THE MVA", "MVA"),
    ("9 month old burned her hand on the stove", "EMS"),
])
def test_a_wound_told_as_an_accident_is_no_self_injury(triager, notes, call_type):
    present = facts_of(triager, notes, call_type)
    assert "SELF_HARM" not in present and "@self_injury" not in present
    assert suggest(triager, notes, call_type).response.value == "patrol"


def test_an_accident_word_does_not_hide_a_suicidal_self_injury(triager):
    notes = "she fell in the bathroom after she cut her wrists, says she wants to die"
    assert suggest(triager, notes).response.value == "co_responder"


@pytest.mark.parametrize("notes", [
    "man at the bus stop says the ghosts told him to burn the house down",
    "subj yelling that the staff are cia and the world is ending",
    "she says the government put a chip in her teeth",
])
def test_psychosis_paraphrases(triager, notes):
    assert "PSYCHOSIS" in facts_of(triager, notes)


def test_a_weapon_someone_has_not_seen_is_not_affirmed(triager):
    a = triager.analyzer.analyze(Call(notes="neighbor says he is yelling at the sky, she has not seen any weapons"))
    assert all(f.assertion != "affirmed" for f in a.findings if f.concept == "OTHER_WEAPON")


@pytest.mark.parametrize("notes,label", [
    ("POSS SUICIDE, PT IS IN THE GARAGE", "co_responder"),
    ("caller reports an apparent suicide in the woods behind the school", "co_responder"),
    ("possible suicide threat, friend received texts tonight", "cit"),
])
def test_the_event_told_as_a_suicide_is_an_attempt_but_a_suicide_threat_is_not(triager, notes, label):
    assert suggest(triager, notes).response.value == label


def test_threatening_suicide_with_her_own_medications_is_a_plan_with_means(triager):
    assert "@plan_with_means" in facts_of(triager, "32 YOF THREATENING SUICIDE WITH HER RX MEDICATIONS")


def test_medications_locked_away_are_not_means_at_hand(triager):
    present = facts_of(triager, "thoughts of suicide, no plan, husband keeps her meds locked")
    assert "@plan_with_means" not in present


def test_took_medication_with_suicidal_words_is_an_intentional_ingestion(triager):
    assert "@intentional_ingestion" in facts_of(triager, "THREATENING SUICIDE, SAYS HE TOOK MEDICATION TO DO IT")


@pytest.mark.parametrize("notes,call_type,label", [
    ("ROLLOVER, MALE SUBJECT HANGING OUT THE WINDOW, ENTRAPPED", "TRAFFIC ACCIDENT", "patrol"),
    ("MALE HANGING IN THE BARN, NOT BREATHING", "UNKNOWN PROBLEM", "co_responder"),
    ("ambulance requested to transport a resident to the hospital for evaluation, oxygen needed", "EMS", "patrol"),
    ("32 YOM OVERDOSE ON HEROIN 23-C-1-I", "OVERDOSE", "patrol"),
    ("23-C-1-I", "OVERDOSE", "cit"),
])
def test_look_alikes_of_attempts_evaluations_and_intent_codes(triager, notes, call_type, label):
    assert suggest(triager, notes, call_type).response.value == label


# Written for these tests: real-page shapes of the guide's quantity, method and account rules.
@pytest.mark.parametrize("notes,call_type,fact", [
    ("RP STATES WIFE HAS TAKEN PILLS: XANAX, SOMA, VALIUM / UNK HOW MUCH", "ALS MEDICAL", "@intentional_ingestion"),
    ("GIRLFRIEND TOOK ALL THE DRUGS SHE HAD IN THE HOUSE", "OD", "@intentional_ingestion"),
    ("STUDENT TOOK UNK BOTTLE OF PILLS, CONS, ALERT", "OVERDOSE", "@intentional_ingestion"),
])
def test_several_medicines_or_the_whole_supply_is_quantity(triager, notes, call_type, fact):
    assert fact in facts_of(triager, notes, call_type)
    assert suggest(triager, notes, call_type).response.value == "co_responder"


def test_medicines_named_without_an_ingestion_are_no_attempt(triager):
    notes = "PT ON XANAX, SOMA AND VALIUM FOR YEARS, FELL IN KITCHEN, HIP PAIN"
    assert "@intentional_ingestion" not in facts_of(triager, notes, "FALL")


@pytest.mark.parametrize("notes", [
    "MALE HAS A HOSE IN THE VEHICLE, POSSIBLE SELF HARM",
    "exhaust hose run into the car window in the garage",
    "party is shot/suicide, hsfd enroute",
])
def test_exhaust_hose_and_a_shot_told_as_suicide_are_attempts(triager, notes):
    assert "SUICIDE_ATTEMPT" in facts_of(triager, notes, "MEDICAL ASSIST")
    assert suggest(triager, notes, "MEDICAL ASSIST").response.value == "co_responder"


def test_a_denied_attempt_outweighs_the_protocols_intentional(triager):
    notes = ("ALCOHOL OVERDOSE WITH SLEEPING PILL. NOT A SUICIDE ATTEMPT JUST DRUNK. "
             "Responder script: OVERDOSE (without priority symptoms) (Intentional Overdose). 1.This was intentional.")
    present = facts_of(triager, notes, "OVERDOSE/POISONING")
    assert "@intentional_ingestion" not in present and "SUICIDE_ATTEMPT" not in present
    assert suggest(triager, notes, "OVERDOSE/POISONING").response.value == "patrol"


def test_a_negation_does_not_reach_into_a_parenthesized_determinant_text(triager):
    notes = "NOT ALERT (VIOLENT)"
    assert "VIOLENCE" in facts_of(triager, notes, "PSYCHIATRIC EMERGENCY")
    assert suggest(triager, notes, "PSYCHIATRIC EMERGENCY").response.value == "co_responder"
    assert "VIOLENCE" not in facts_of(triager, "NOT VIOLENT", "PSYCHIATRIC EMERGENCY")


@pytest.mark.parametrize("notes,fact,response", [
    ("CALLER IS NOT SURE WHAT SHE MAY DO TO HERSELF OR HER FAMILY", "DANGER_TO_SELF_AND_OTHERS", "co_responder"),
    ("mom is worried what he might do to himself tonight", "SUICIDAL_IDEATION", "cit"),
    ("FEMALE IS REFUSING TO TAKE MENTAL HEALTH MEDICATION, PACING", "MEDICATION_NONADHERENCE", "cit"),
])
def test_a_feared_danger_or_refused_psychiatric_medication_is_a_crisis_sign(triager, notes, fact, response):
    assert fact in facts_of(triager, notes, "WELFARE CHECK")
    assert suggest(triager, notes, "WELFARE CHECK").response.value == response


def test_an_elderly_patient_refusing_pills_is_no_crisis(triager):
    assert "MEDICATION_NONADHERENCE" not in facts_of(triager, "91 YR OLD FEMALE WONT TAKE HER PILLS", "MEDICAL")


@pytest.mark.parametrize("notes,call_type,label", [
    ("HANGING / STAGE FOR PD", "FIRE ASSIST", "co_responder"),
    ("[P HANGING (NOW) ;52 YEAR OLD, MALE, NOT BREATHING", "CARDIAC ARREST", "co_responder"),
    ("LINE DOWN / HANGING ACROSS THE DRIVEWAY, SPARKING", "WIRES DOWN", "patrol"),
    ("TREE LIMB / HANGING LOW OVER THE ROAD", "ROAD HAZARD", "patrol"),
])
def test_a_complaint_line_that_is_only_hanging_is_an_attempt(triager, notes, call_type, label):
    assert ("SUICIDE_ATTEMPT" in facts_of(triager, notes, call_type)) == (label == "co_responder")
    assert suggest(triager, notes, call_type).response.value == label


@pytest.mark.parametrize("notes", [
    "HUSBAND THINKS SHE TOOK 6-8 FROM THE BOTTLE OF ANTI-DEPRESSANTS",
    "TEEN TOOK TWO DIFF TYPES OF PAIN KILLERS, HOME ALONE",
])
def test_a_count_from_the_bottle_or_several_kinds_of_medicine_is_intent(triager, notes):
    assert "@intentional_ingestion" in facts_of(triager, notes, "MEDICAL")
    assert suggest(triager, notes, "MEDICAL").response.value == "co_responder"


def test_a_count_from_somewhere_else_is_no_ingestion_count(triager):
    assert "INGESTION_COUNT" not in facts_of(triager, "SUSPECT TOOK 6 FROM THE SHELF AND RAN", "THEFT")


def test_weapons_locked_up_does_not_negate_the_combativeness_before_it(triager):
    notes = "PT HEARING VOICES AND NOW BEING COMBATIVE ALL WEAPONS ARE LOCKED UP"
    present = facts_of(triager, notes, "MEDICAL")
    assert "VIOLENCE" in present and "OTHER_WEAPON" not in present
    assert suggest(triager, notes, "MEDICAL").response.value == "co_responder"


def test_an_answer_followed_by_its_own_concept_answers_that_one_only(triager):
    assert "MH_DIAGNOSIS" in facts_of(triager, "SON HAS PTSD - NO WEAPONS, UPSET", "WELFARE")
    assert "MH_DIAGNOSIS" not in facts_of(triager, "HX OF PTSD: NO", "WELFARE")
    assert "SUICIDAL_IDEATION" not in facts_of(triager, "SUICIDAL - NO", "WELFARE")


def test_an_unambiguous_crisis_word_stays_a_crisis_beside_a_medical_word(triager):
    a = triager.analyzer.analyze(Call(notes="HOUSE 2", call_type="HEART CENTER OF HOPE / (Z)SUICIDE"))
    assert a.facts.crisis_call_type == "SUICIDE"
    assert triager.analyzer.analyze(Call(notes="bp 230/140", call_type="HYPERTENSIVE CRISIS")).facts.crisis_call_type is None


def test_intentional_drug_overdose_is_an_intentional_ingestion(triager):
    # "drug overdose" names the ingestion, not a street drug (getting high is no self-harm)
    notes = "OVERDOSE/POISONING. / DRUG OVERDOSE. / INTENTIONAL"
    assert "@intentional_ingestion" in facts_of(triager, notes, "MEDICAL ASSIST")
    assert "@intentional_ingestion" not in facts_of(triager, "METH OVERDOSE. / INTENTIONAL", "MEDICAL ASSIST")


def test_pills_taken_with_words_between_are_an_ingestion(triager):
    notes = "42 YOA MALE - HAS TAKEN ANTI-ANXIETY PILLS"
    assert "INGESTION" in facts_of(triager, notes, "SUICIDE ATTEMPTED")
    assert suggest(triager, notes, "SUICIDE ATTEMPTED").response.value == "co_responder"
    assert "INGESTION" not in facts_of(triager, "she takes her anxiety pills every day", "WELFARE")


def test_half_a_bottle_is_a_quantity(triager):
    notes = "friend says he took a half bottle of tylenol after the breakup"
    assert "@intentional_ingestion" in facts_of(triager, notes, "WELFARE")


def test_a_feeling_he_might_snap_is_a_warning_of_violence(triager):
    assert "VIOLENCE_POTENTIAL" in facts_of(triager, 'SAYS HE FEELS LIKE HE MIGHT "SNAP", OFF HIS MEDS', "PSYCHIATRIC")
    assert "VIOLENCE_POTENTIAL" not in facts_of(triager, "branch could snap off onto the road", "TREE DOWN")


@pytest.mark.parametrize("notes,call_type,label", [
    ("SON FOUND HER IN THE CAR, CANT FIND A PULSE", "SUICIDE/ATTEMPT", "co_responder"),
    ("BROTHER SAYS HE IS UNRESPONSIVE ON THE BATHROOM FLOOR", "ATTEMPTED SUICIDE", "co_responder"),
    ("CALLER SAYS HE IS NOT BLEEDING, TALKING TO HIM NOW", "ATTEMPTED SUICIDE", "cit"),
    ("FOUND UNRESPONSIVE ON THE COUCH, BREATHING", "UNCONSCIOUS", "patrol"),
])
def test_found_unresponsive_under_an_attempt_call_type_is_the_attempt(triager, notes, call_type, label):
    assert ("@attempt_with_injury" in facts_of(triager, notes, call_type)) == (label == "co_responder")
    assert suggest(triager, notes, call_type).response.value == label


@pytest.mark.parametrize("notes", [
    "caller says her brother is going to shoot himself tonight",
    "SUICIDAL MALE THREATENING TO SHOOT HIMSELF, WIFE LEFT THE HOUSE",
    "says if police show up he will shoot himself",
])
def test_a_firearm_named_in_a_threat_is_weapon_access(triager, notes):
    assert "FIREARM" in facts_of(triager, notes)
    assert suggest(triager, notes).response.value == "co_responder"


@pytest.mark.parametrize("notes", [
    "caller says her brother is going to shoot himself, no guns in the house",
    "threatening to shoot himself, wife states no weapons in the home",
])
def test_a_threat_to_shoot_with_no_gun_is_a_method_without_means(triager, notes):
    assert "FIREARM" not in facts_of(triager, notes)
    assert suggest(triager, notes).response.value == "cit"


def test_a_threat_to_shoot_someone_else_names_no_suicidal_firearm(triager):
    assert "FIREARM" not in facts_of(triager, "neighbor says he will shoot the dog if it gets out again")


@pytest.mark.parametrize("notes", [
    "son accidently shot himself in the hand while cleaning his rifle",
    "HUNTER SHOT HIMSELF ACCIDENTALLY, BLEEDING FROM LEG",
    "toddler swallowed a handful of grandma's pills by accident",
])
def test_an_act_told_as_an_accident_is_no_attempt(triager, notes):
    present = facts_of(triager, notes)
    assert not present & {"SUICIDE_ATTEMPT", "INGESTION_QUANTITY", "@self_injury"}
    assert suggest(triager, notes).response.value == "patrol"


def test_a_self_inflicted_gunshot_in_shorthand_is_an_attempt(triager):
    assert "SUICIDE_ATTEMPT" in facts_of(triager, "MALE SHOT SELF IN THE CHEST, WIFE ON LINE")
