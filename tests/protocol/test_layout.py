"""read_layout on pages written for these tests in the layouts of real CAD pages."""

import shutil

import pytest
from hypothesis import given, settings, strategies as st

from cit_triage.errors import DataFileError
from cit_triage.protocol import load_rules, premise_spans, protocol_spans, read_layout, skip_spans


def text_of(notes, kind, layout):
    return [notes[s.start:s.end] for s in layout.segments if s.kind == kind]


def facts_of(notes, layout, source=None):
    return [(f.fact, f.assertion, notes[f.start:f.end]) for f in layout.facts if source in (None, f.source)]


INLINE_PSYCH = ("SON SCREAMING AT NEIGHBORS Patient Number: 1 Age: 34 year(s) Gender: Male Conscious: Yes "
                "Breathing: Yes Chief Complaint: Psychiatric / Abnormal Behavior / Suicide Attempt "
                "34-year-old, Male, Conscious, Breathing. Dispatch CAD Code: 25D01V Response Text: Delta "
                "Determinant Level: Not alert Suffix Text: Violent KQ: He is violent. "
                "KQ: It's not known if he has a weapon. KQ: This is not a suicide attempt. "
                "KQ: He is not thinking about committing suicide.")


def test_inline_proqa_page_determinant_and_answers():
    page = read_layout(INLINE_PSYCH)
    assert page.protocol_kind == "behavioral"
    (det,) = page.determinants
    assert (det.code, det.protocol, det.level, det.number, det.suffix) == ("25D01V", 25, "D", 1, "V")
    assert det.protocol_name.startswith("Psychiatric")
    assert INLINE_PSYCH[det.start:det.end] == "Dispatch CAD Code: 25D01V"
    assert text_of(INLINE_PSYCH, "chief_complaint", page) == ["Chief Complaint: Psychiatric / Abnormal Behavior / Suicide Attempt"]
    assert text_of(INLINE_PSYCH, "narrative", page) == ["SON SCREAMING AT NEIGHBORS"]
    assert facts_of(INLINE_PSYCH, page, "answer") == [
        ("VIOLENCE", "affirmed", "KQ: He is violent."),
        ("WEAPON", "uncertain", "KQ: It's not known if he has a weapon."),
        ("SUICIDE_ATTEMPT", "negated", "KQ: This is not a suicide attempt."),
        ("SUICIDAL_IDEATION", "negated", "KQ: He is not thinking about committing suicide."),
    ]
    assert ("VIOLENCE", "affirmed", "V") in facts_of(INLINE_PSYCH, page, "suffix")
    assert ("VIOLENCE", "affirmed", "Violent") in facts_of(INLINE_PSYCH, page, "description")


PARAMOUNT_OD = ("Call had been completed in ProQA Paramount.\n"
                "27-year-old, Female, Conscious, Breathing.\n"
                "CC Text: Overdose / Poisoning (Ingestion)\n"
                "Caller Statement: roommate swallowed pills\n"
                "Det. Text: Not alert\n"
                "Suffix: I  Suffix Text: Intentional\n"
                "Response: 1 Medic\n"
                "\n"
                "ANSWERS:\n"
                "--- This was intentional.\n"
                "--- She is not violent.\n"
                "--- She has taken some medications: sleep aid  ROOMMATE FOUND EMPTY BOTTLE")


def test_paramount_overdose_suffix_and_answers_without_a_code():
    page = read_layout(PARAMOUNT_OD)
    assert page.protocol_kind == "overdose" and page.protocols == ("MPDS-23",)
    assert page.determinants == ()   # Paramount prints no code, the complaint names the protocol
    assert text_of(PARAMOUNT_OD, "caller_statement", page) == ["Caller Statement: roommate swallowed pills"]
    assert facts_of(PARAMOUNT_OD, page) == [
        ("INTENT", "affirmed", "I"),
        ("INTENT", "affirmed", "Intentional"),
        ("INTENT", "affirmed", "--- This was intentional."),
        ("VIOLENCE", "negated", "--- She is not violent."),
    ]
    # narrative glued after two spaces is not part of the answer
    assert "ROOMMATE FOUND EMPTY BOTTLE" in text_of(PARAMOUNT_OD, "narrative", page)


NUMBERED = ("ProQA chief complaint code: 23 Responder script: 40 year old, Male, Conscious, Breathing. "
            "ProQA dispatch code: 23C01 Dispatch level suffix: A Response text: Charlie "
            "Responder script: OVERDOSE (Accidental). 1.This was accidental. 2.He is not violent. "
            "3.It is not known if he has weapons.")


def test_numbered_answers_and_separate_suffix_field():
    page = read_layout(NUMBERED)
    (det,) = page.determinants
    assert (det.code, det.suffix) == ("23C01", "A")
    got = facts_of(NUMBERED, page)
    assert ("INTENT", "negated", "A") in got
    assert ("INTENT", "negated", "Accidental") in got
    assert ("INTENT", "negated", "1.This was accidental.") in got
    assert ("VIOLENCE", "negated", "2.He is not violent.") in got
    assert ("WEAPON", "uncertain", "3.It is not known if he has weapons.") in got


@pytest.mark.parametrize("code, protocol, level, number, suffix", [
    ("25-D-1", 25, "D", 1, None), ("25-B-3W", 25, "B", 3, "W"), ("23-C-7-I", 23, "C", 7, "I"),
    ("23C01I", 23, "C", 1, "I"), ("26C1", 26, "C", 1, None), ("<13C02>", 13, "C", 2, None),
])
def test_bare_code_forms(code, protocol, level, number, suffix):
    notes = f"medic req {code} caller on scene"
    (det,) = read_layout(notes).determinants
    assert (det.protocol, det.level, det.number, det.suffix) == (protocol, level, number, suffix)
    assert notes[det.start:det.end] == code


def test_suffix_letters_are_per_protocol():
    both = read_layout("25-D-1B son in yard")
    assert {(f.fact, f.assertion) for f in both.facts} == {("VIOLENCE", "affirmed"), ("WEAPON", "affirmed")}
    # B on traffic (29) and W on falls (17) mean other things: no facts
    assert read_layout("29-B-1B two cars").facts == ()
    assert read_layout("17-A-1G fell in kitchen").facts == ()
    # a protocol number not in the data is no determinant
    assert read_layout("99-D-1V text").determinants == ()


MEDICAL = ("DIABETIC HUSBAND CONFUSED Chief Complaint: Diabetic Problems 70-year-old, Male, Conscious, "
           "Breathing. Dispatch Code: 13C02 (Abnormal behavior) Response: CHARLIE. Determinant Level: "
           "Combative or aggressive KQ: He is not behaving normally.")


def test_medical_protocol_determinant_text_is_not_a_crisis_fact():
    page = read_layout(MEDICAL)
    assert page.protocol_kind == "medical"
    (det,) = page.determinants
    assert det.description == "Abnormal behavior"
    assert text_of(MEDICAL, "determinant", page) == ["Dispatch Code: 13C02 (Abnormal behavior)",
                                                     "Determinant Level: Combative or aggressive"]
    assert page.facts == ()   # "combative" in a medical determinant is medical context


def test_description_words_on_behavioral_code():
    notes = "Code: 23-D-1-I: Unconscious (Intentional)"
    page = read_layout(notes)
    assert ("INTENT", "affirmed", "Intentional") in facts_of(notes, page, "description")
    assert ("INTENT", "affirmed", "I") in facts_of(notes, page, "suffix")


POWERPHONE = "TOTAL RESPONSE CALL: Incident Type: Behavioral / Psychiatric\nIs he violent? No\nWeapons? unk\nRP says brother is yelling at the TV"


def test_powerphone_like_page_question_answer_pairs():
    page = read_layout(POWERPHONE)
    assert page.protocol_kind == "behavioral"
    assert text_of(POWERPHONE, "chief_complaint", page) == ["Incident Type: Behavioral / Psychiatric"]
    assert facts_of(POWERPHONE, page) == [("VIOLENCE", "negated", "Is he violent? No"),
                                          ("WEAPON", "uncertain", "Weapons? unk")]
    assert text_of(POWERPHONE, "narrative", page) == ["RP says brother is yelling at the TV"]


@pytest.mark.parametrize("answer, fact, assertion", [
    ("KQ: The patient is violent.", "VIOLENCE", "affirmed"),
    ("KQ: He is not violent.", "VIOLENCE", "negated"),
    ("KQ: She does not have a weapon.", "WEAPON", "negated"),
    ("KQ: The pt has a weapon.", "WEAPON", "affirmed"),
    ("KQ: It's not known if he has a weapon.", "WEAPON", "uncertain"),
    ("KQ: This is a suicide attempt.", "SUICIDE_ATTEMPT", "affirmed"),
    ("KQ: This is not a suicide attempt.", "SUICIDE_ATTEMPT", "negated"),
    ("KQ: She is presently threatening suicide.", "SUICIDAL_IDEATION", "affirmed"),
    ("KQ: Intentional.", "INTENT", "affirmed"),
    ("KQ: It's not known if this was accidental or intentional.", "INTENT", "uncertain"),
    ("KQ: unk but poss violent.", "VIOLENCE_POTENTIAL", "affirmed"),
])
def test_answer_polarity(answer, fact, assertion):
    page = read_layout(answer)
    assert [(f.fact, f.assertion, answer[f.start:f.end]) for f in page.facts] == [(fact, assertion, answer)]


UNIT_LOG = "E12 DISP 14:20\nE12 ENRT 14:22\nM7 ONSCN 14:29\nson took a handful of pills, now drowsy\nE12 AVAIL 15:02"


def test_unit_log_lines_around_one_line_of_notes():
    page = read_layout(UNIT_LOG)
    assert text_of(UNIT_LOG, "unit_log", page) == ["E12 DISP 14:20", "E12 ENRT 14:22", "M7 ONSCN 14:29", "E12 AVAIL 15:02"]
    assert text_of(UNIT_LOG, "narrative", page) == ["son took a handful of pills, now drowsy"]
    assert [UNIT_LOG[a:b] for a, b in skip_spans(page)] == text_of(UNIT_LOG, "unit_log", page)
    assert page.protocol_kind is None and not page.has_protocol


def test_unit_line_with_words_is_narrative():
    notes = "E12 ENRT, caller says he will jump"
    assert text_of(notes, "unit_log", read_layout(notes)) == []


def test_timestamps_and_user_stamps():
    notes = "SMITHJ 10:01:12 rp adv brother yelling SMITHJ 10:01:40 now in garage [04/11/19 10:02:05 SMITHJ]"
    page = read_layout(notes)
    assert text_of(notes, "timestamp", page) == ["SMITHJ 10:01:12", "SMITHJ 10:01:40", "[04/11/19 10:02:05 SMITHJ]"]
    assert text_of(notes, "narrative", page) == ["rp adv brother yelling", "now in garage"]


def test_bracketed_times_and_initials_are_stamps():
    notes = "RP ADV SON TOOK PILLS [SJP] / PD EN ROUTE [14:02] [SJP]"
    page = read_layout(notes)
    assert text_of(notes, "timestamp", page) == ["[SJP]", "[14:02]", "[SJP]"]


@pytest.mark.parametrize("notes,concept", [
    ("JSMITH 14:03:20 SAID SON IS HAVING A MENTAL JSMITH 14:03:22 BREAKDOWN", "EMOTIONAL_DISTRESS"),
    ("MOM ADV HE CUT [TJW] HIS WRISTS [TJW]", "SELF_HARM"),
    ("FEMALE TOOK A WHOLE [10:12:44] BOTTLE OF TYLENOL", "INGESTION_QUANTITY"),
])
def test_an_entry_stamp_inside_a_sentence_reads_as_a_wrapped_line(triager, notes, concept):
    a = triager.analyze(notes)
    found = [f for f in a.findings if f.concept == concept]
    assert found
    # the quote is the original characters, stamp included
    assert a.quote(found[0]) in notes


def test_an_entry_stamp_between_unrelated_words_still_ends_the_clause(triager):
    # "no" must not reach across an entry into the next one
    a = triager.analyze("NO WEAPONS JSMITH 14:03:22 HEARING VOICES JSMITH 14:03:40 WANTS EVAL")
    assert {f.concept: f.assertion for f in a.findings}.get("PSYCHOSIS") == "affirmed"


def test_premise_caution_note():
    notes = "CAUTION NOTE: prior EDP at this address, resident known to keep knives.\nRP states a car was broken into overnight"
    page = read_layout(notes)
    assert [notes[a:b] for a, b in premise_spans(page)] == ["CAUTION NOTE: prior EDP at this address, resident known to keep knives."]
    assert text_of(notes, "narrative", page) == ["RP states a car was broken into overnight"]
    bracket = "PREPLN; / [Premise:  12 ELM CT] [ ] caller reports smoke"
    page = read_layout(bracket)
    assert text_of(bracket, "premise", page) == ["[Premise:  12 ELM CT]"]


def test_linkage_boilerplate_only_covers_the_boilerplate():
    notes = "Event spawned from EDP. / mother says he has not slept and is breaking dishes"
    page = read_layout(notes)
    assert text_of(notes, "linkage", page) == ["Event spawned from"]
    assert text_of(notes, "linked_call_type", page) == ["EDP"]
    assert text_of(notes, "narrative", page) == ["mother says he has not slept and is breaking dishes"]
    assert [notes[a:b] for a, b in skip_spans(page)] == ["Event spawned from"]
    dup = "Duplicate of event 2231 caller now says he is on the roof"
    assert text_of(dup, "linkage", read_layout(dup)) == ["Duplicate of"]


def test_protocol_spans_exclude_caller_statement():
    page = read_layout(PARAMOUNT_OD)
    spans = [PARAMOUNT_OD[a:b] for a, b in protocol_spans(page)]
    assert "--- She is not violent." in spans
    assert not any(s.startswith("Caller Statement") for s in spans)


def test_plain_note_is_one_narrative_segment():
    notes = "caller reports her neighbor is yelling at people who are not there"
    page = read_layout(notes)
    assert [(s.kind, s.start, s.end) for s in page.segments] == [("narrative", 0, len(notes))]
    assert read_layout("").segments == () and read_layout(None).segments == ()


def test_generic_labels_need_a_protocol_page():
    notes = "Age: 40 suspect fled Response: none"
    assert text_of(notes, "protocol_header", read_layout(notes)) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab KQ:-—./?\n[]{}>()25DVIW0918 ")) | st.characters(), max_size=300))
def test_never_raises_and_segments_are_in_bounds_and_disjoint(notes):
    page = read_layout(notes)
    last = 0
    for seg in page.segments:
        assert 0 <= seg.start < seg.end <= len(notes)
        assert seg.start >= last
        last = seg.end
    for f in page.facts:
        assert 0 <= f.start < f.end <= len(notes)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([INLINE_PSYCH, PARAMOUNT_OD, NUMBERED, UNIT_LOG, POWERPHONE, MEDICAL, "\n", " / ", "KQ:", "---"]), max_size=6))
def test_mixed_layouts_stay_disjoint(parts):
    notes = "".join(parts)
    segs = read_layout(notes).segments
    assert all(a.end <= b.start for a, b in zip(segs, segs[1:]))


# -- data-file validation ------------------------------------------------------------------------

@pytest.fixture
def data_copy(tmp_path):
    src = load_rules().source
    for name in ("protocols.toml", "layouts.toml", "facts.toml", "status.toml"):
        shutil.copy(f"{src}/{name}", tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("file, old, new, message", [
    ("facts.toml", 'fact = "INTENT"\nassertion = "uncertain"\nkinds', 'fact = "INTENTS"\nassertion = "uncertain"\nkinds', "unknown fact 'INTENTS'"),
    ("facts.toml", "'\\bviolent\\b', '\\bcombative\\b'", "'(?:violent )+'", "quantifies a group"),
    ("protocols.toml", 'letter = "W"', 'letter = "ww"', "one upper-case letter"),
    ("protocols.toml", 'kind = "overdose"', 'kind = "toxic"', "unknown kind 'toxic'"),
    ("layouts.toml", 'role = "complaint"', 'role = "complain"', "unknown role 'complain'"),
    ("layouts.toml", 'value = "line"', 'value = "paragraph"', "value must be"),
    ("status.toml", "\n[timestamps]\npatterns", "\n[timestamps]\nextra = 1\npatterns", "unknown keys ['extra']"),
])
def test_bad_data_file_is_one_line_error_naming_file_and_record(data_copy, file, old, new, message):
    path = data_copy / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(DataFileError) as err:
        load_rules(data_copy)
    msg = str(err.value)
    assert message in msg and file in msg and "\n" not in msg
    assert "record" in msg
