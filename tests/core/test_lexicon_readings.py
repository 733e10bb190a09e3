"""How lexicon entries and context rules read wordings of real CAD pages, one reading per test.

Every note is written for the test (never taken from a data set). Each test checks the
finding or fact that must carry the reading, so it fails when the lexicon entry is removed
even if the model happens to land on the same label.
"""

import pytest

from cit_triage import Call


def analyze(triager, notes, call_type=None):
    return triager.analyzer.analyze(Call(notes=notes, call_type=call_type))


def concepts(triager, notes, call_type=None):
    return {f.concept: f.assertion for f in analyze(triager, notes, call_type).findings}


def crisis_of(triager, notes, call_type=None):
    return {f.concept for f in analyze(triager, notes, call_type).facts.crisis}


@pytest.mark.parametrize("notes", [
    "pt may have taken anti-psychotics, unknown at this time",
    "FEMALE TOOK HER ANTIPSYCHOTIC THIS MORNING AS PRESCRIBED, NOW DIZZY",
])
def test_a_medicine_class_is_no_psychosis(triager, notes):
    assert "PSYCHOSIS" not in concepts(triager, notes)


def test_a_count_of_a_medicine_class_is_a_quantity(triager):
    found = concepts(triager, "took 30 anti depressants about an hour ago")
    assert found.get("INGESTION_QUANTITY") == "affirmed"


def test_a_bottle_of_a_medicine_class_is_a_quantity(triager):
    assert "INGESTION_QUANTITY" in concepts(triager, "pt took a bottle of her anti-psychotics")


@pytest.mark.parametrize("notes,call_type", [
    ("HE HIT HER IN THE FACE. CALLER WAS HYSTERICAL", "DOMESTIC"),
    ("2 VEH ACCIDENT, DRIVER CRYING AND SCREAMING, NO INJURIES", "MVA"),
])
def test_how_people_react_to_an_incident_is_no_crisis_sign(triager, notes, call_type):
    assert not crisis_of(triager, notes, call_type)
    assert triager.suggest(Call(notes=notes, call_type=call_type)).response.value == "patrol"


def test_uncontrollable_crying_stays_a_crisis_sign(triager):
    assert "EMOTIONAL_DISTRESS" in crisis_of(triager, "daughter crying uncontrollably, says she cannot cope")


def test_a_truncated_psych_medication_still_reads_as_stopped(triager):
    notes = "RP STS STEP SON ISN'T TAKING HIS PSYCH ME.."
    assert "MEDICATION_NONADHERENCE" in crisis_of(triager, notes)


@pytest.mark.parametrize("notes,destroys", [
    ("SON OFF HIS MEDS, BROKE ALL THE WINDOWS IN THE HOUSE", True),
    ("subj hearing voices and smashed her car windshield", True),
    ("suspect broke into the house while family was away", False),
])
def test_damage_told_with_words_between_act_and_thing(triager, notes, destroys):
    assert ("PROPERTY_DESTRUCTION" in concepts(triager, notes)) == destroys


@pytest.mark.parametrize("notes,psychosis", [
    ("MOM ADV HE IS TALKING TO PPL NOT THERE", True),
    ("she sees people that are not really there", True),
    ("feels bugs crawling under his skin, has not slept", True),
    ("the people were not there when officers arrived", False),
])
def test_perceiving_what_is_not_there(triager, notes, psychosis):
    assert ("PSYCHOSIS" in concepts(triager, notes)) == psychosis


@pytest.mark.parametrize("notes,concept", [
    ("UNK AGE FEMALE, OUT OF CONTROL AND COMBATIVE", "VIOLENCE"),
    ("unknown person left a rambling message about the end of the world", "BIZARRE_BEHAVIOR"),
    ("the suspect transported for mental evaluation after the arrest", "CRISIS_REQUEST"),
])
def test_an_unknown_person_or_the_suspect_is_no_hedge(triager, notes, concept):
    assert concepts(triager, notes).get(concept) == "affirmed"


def test_suspect_as_a_verb_still_hedges(triager):
    assert concepts(triager, "SUSPECT OD ON PILLS").get("INGESTION") == "uncertain"


@pytest.mark.parametrize("notes", [
    "heat detector going off in the hallway, elderly male with dementia wandered out the back door",
    "space heater left on, grandmother with alzheimers walked away from the home, last seen on route 9",
])
def test_a_heat_detector_or_heater_is_no_physical_cause(triager, notes):
    # A missing person with dementia is disorientation with risk (guide); "heat" here names a
    # device, not a cause that would make the confusion medical.
    a = analyze(triager, notes)
    assert "MEDICAL_CAUSE" not in {f.concept for f in a.findings}
    assert "DEMENTIA" in {f.concept for f in a.facts.crisis}


@pytest.mark.parametrize("notes", [
    "elderly male confused, has been out in the heat all day",
    "confused female, possibly heat related, sweating",
])
def test_heat_as_a_cause_is_still_a_physical_cause(triager, notes):
    assert concepts(triager, notes).get("MEDICAL_CAUSE") in ("affirmed", "uncertain")


@pytest.mark.parametrize("notes", [
    "caller concerned about her roommate who might attempt suicide",
    "mother afraid he will attempt suicide tonight, no weapons in the home",
    "friend says she is thinking about trying suicide",
])
def test_a_feared_or_announced_attempt_is_ideation(triager, notes):
    # Not an attempt under way (the guide's co_responder sign): a fear or an announcement.
    found = concepts(triager, notes)
    assert "SUICIDE_ATTEMPT" not in found and "SUICIDAL_IDEATION" in found


def test_an_attempt_told_as_this_event_stays_an_attempt(triager):
    assert concepts(triager, "pt made a suicide attempt tonight, cut wrist").get("SUICIDE_ATTEMPT") == "affirmed"


@pytest.mark.parametrize("notes", [
    "subject involved in a traffic crash earlier, now hearing voices at the hospital",
    "male cited in traffic court last week, today paranoid and yelling at neighbors",
])
def test_a_traffic_incident_is_no_roadway_risk(triager, notes):
    assert "AT_RISK_LOCATION" not in concepts(triager, notes)


def test_standing_in_traffic_is_still_a_roadway_risk(triager):
    assert concepts(triager, "male standing in traffic on route 9, hearing voices").get("AT_RISK_LOCATION") == "affirmed"


@pytest.mark.parametrize("notes", [
    "14 yof mhl transport / pd on scene and secure",
    "male needing an eval, poss transport to cpep",
    "deputies requesting ems for apoww, male hearing voices",
])
def test_state_names_for_a_psychiatric_removal_are_a_crisis_request(triager, notes):
    assert "CRISIS_REQUEST" in {f.concept for f in analyze(triager, notes).facts.crisis}


def test_an_mhl_call_type_is_a_crisis_call_type(triager):
    assert triager.suggest(Call(notes="", call_type="MHL 9.41")).response == "cit"


def test_an_mhmr_patient_is_a_diagnosis_not_a_current_sign(triager):
    a = analyze(triager, "caller reports a theft from her car, says the neighbor is an mhmr patient")
    assert "MH_DIAGNOSIS" in {f.concept for f in a.findings} and not a.facts.crisis


@pytest.mark.parametrize("notes", [
    "male on his roof since 6am preaching at cars",
    "female in the median shouting at passing cars",
    "subject on the corner ranting at the sky for an hour",
])
def test_addressing_traffic_or_the_sky_is_bizarre_behavior(triager, notes):
    assert "BIZARRE_BEHAVIOR" in {f.concept for f in analyze(triager, notes).facts.crisis}


@pytest.mark.parametrize("notes", [
    "smoke detector sounding, nobody is there at the house",
    "BOAT CAPTAIN BROADCASTING A MAYDAY ON CHANNEL 16",
    "PINE RIDGE MHP LOT 12, ELDERLY FEMALE FELL",
])
def test_ordinary_words_of_fire_and_ems_pages_are_no_crisis(triager, notes):
    assert not crisis_of(triager, notes)


def test_waking_someone_else_is_no_wish_to_die(triager):
    assert "SUICIDAL_IDEATION" not in concepts(triager, "pt doesnt want to wake up her husband, needs lift assist")
    assert concepts(triager, "pt says she doesnt want to wake up anymore").get("SUICIDAL_IDEATION") == "affirmed"


@pytest.mark.parametrize("notes", [
    "FEMALE LOCKED IN THE BATHROOM THREATENING SELF",
    "son is threatening himself again, mom scared",
])
def test_threatening_oneself_is_suicidal_not_a_threat_to_others(triager, notes):
    found = concepts(triager, notes)
    assert found.get("SUICIDAL_IDEATION") == "affirmed"
    assert "THREAT_TO_OTHERS" not in found


def test_a_bus_terminal_is_no_terminal_illness(triager):
    # a stated physical cause would explain the behavior away; a place does not
    assert crisis_of(triager, "found sleeping at the bus terminal, talking to herself, believes she is a famous singer")


def test_psychiatric_medicine_stopped_is_not_explained_by_an_illness_named_in_passing(triager):
    notes = "husband stopped his antidepressants, in bed for a week, says he wishes he had cancer"
    assert "MEDICATION_NONADHERENCE" in crisis_of(triager, notes)


@pytest.mark.parametrize("notes", [
    "on a different kind of medication and it is making him delusional",
    "her pills are making her hallucinate, seeing bugs on the wall",
])
def test_a_medicine_causing_the_symptoms_is_a_physical_cause(triager, notes):
    assert not crisis_of(triager, notes)


@pytest.mark.parametrize("notes", ["54 yom with mntl health issues", "family says he needs a pysch eval"])
def test_short_misspellings_of_mental_and_psych_are_read(triager, notes):
    assert crisis_of(triager, notes)


def test_altered_mental_status_in_shorthand_stays_medical(triager):
    assert not crisis_of(triager, "78 YOF ALT MNTL STATUS, DIABETIC", "ALT MNTL F")


def test_a_single_voice_heard_is_a_hallucination(triager):
    assert "PSYCHOSIS" in crisis_of(triager, "wife says she hears a voice telling her to leave the house")


@pytest.mark.parametrize("notes", ["suicidal male on top of parking garage", "female threatening to jump, on the roof of the hotel"])
def test_the_top_of_a_structure_is_a_height(triager, notes):
    assert "AT_RISK_LOCATION" in concepts(triager, notes)


def test_wanting_to_end_it_is_ideation_but_ending_a_relationship_is_not(triager):
    assert "SUICIDAL_IDEATION" in crisis_of(triager, "son locked in the bathroom, says he wants to end it")
    assert "SUICIDAL_IDEATION" not in concepts(triager, "girlfriend wants to end it with him, he is yelling")
