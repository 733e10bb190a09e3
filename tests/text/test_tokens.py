"""Unit tests of the token stage: separators, run-together words, typos, inflections, offsets."""

import pytest
import spacy

from cit_triage.errors import DataFileError
from cit_triage.text.normalize import load_shorthand
from cit_triage.text.tokens import TokenRules

_NLP = spacy.blank("en")


@pytest.fixture(scope="module")
def normalizer(triager):
    return triager.analyzer.shorthand


def tokens(normalizer, text):
    return [t.text for t in _NLP.make_doc(normalizer.normalize(text).text)]


@pytest.mark.parametrize("text,word", [
    ("SUICIDE- pt on bridge", "suicide"), ("SUICIDE--- call back", "suicide"), ("KNIFE/ in hand", "knife"),
    ("took pills.she is sleepy", "pills"), ("suicidal;has a rope", "suicidal"), ("knife//gun", "gun"),
    ("-suicidal male", "suicidal"), ("threats+ yelling", "threats"),
])
def test_glued_separator_becomes_its_own_token(normalizer, text, word):
    assert word in tokens(normalizer, text)


@pytest.mark.parametrize("keep", ["12:30", "3.5", "a.m.", "e.d.p"])
def test_times_decimals_and_dotted_abbreviations_stay_whole(normalizer, keep):
    assert keep in tokens(normalizer, f"seen at {keep} today")


@pytest.mark.parametrize("text,expanded", [
    ("w/o meds", "without"), ("si/hi", "homicidal"), ("10-96 male", "mental"), ("h/o violence", "history"),
    ("r/p says", "caller"), ("25D01V", "violent"), ("w/ knife", "with"),
])
def test_shorthand_keys_with_separators_are_not_split(normalizer, text, expanded):
    assert expanded in tokens(normalizer, text)


def test_phone_numbers_keep_their_digits(normalizer):
    assert normalizer.normalize("call 555-1212").text == "call 555-1212"


@pytest.mark.parametrize("text,parts", [
    ("SUICIDALFEMALE on the roof", ["suicidal", "female"]),
    ("took PILLSEARLIER today", ["pills", "earlier"]),
])
def test_run_together_words_are_split(normalizer, text, parts):
    toks = tokens(normalizer, text)
    assert all(p in toks for p in parts)


@pytest.mark.parametrize("text,parts", [
    ("SHE HASCUT HER WRIST", ["has", "cut"]),
    ("PTTOOK 30 PILLS", ["patient", "took"]),
    ("SAYING HEWANTS TO DIE", ["he", "wants"]),
])
def test_a_short_word_glued_to_a_lexicon_word_is_split(normalizer, text, parts):
    toks = tokens(normalizer, text)
    assert all(p in toks for p in parts)


@pytest.mark.parametrize("text,parts", [
    ("MAKING THREAT TO JUMPOF THE BRIDGE", ["jump", "of"]),
    ("CUT HER ARMWITH A KNIFE", ["arm", "with"]),
    ("88/M PSYCHIATRICBLS COLD", ["psychiatric", "bls"]),
])
def test_a_lexicon_word_with_a_short_word_or_code_glued_after_it_is_split(normalizer, text, parts):
    toks = tokens(normalizer, text)
    assert all(p in toks for p in parts)


@pytest.mark.parametrize("name", ["hashim", "hector", "thedford", "belton"])
def test_a_name_that_begins_with_a_short_word_is_not_split(normalizer, name):
    # "hashim" is "has" + "him", but a pronoun after a joiner is no lexicon word worth a split
    assert name in tokens(normalizer, f"caller {name} on line")


def test_a_known_long_word_is_not_split(normalizer):
    assert "therapist" in tokens(normalizer, "her therapist called")


@pytest.mark.parametrize("typo,word", [
    ("SUCIDALL", "suicidal"), ("THRETENED", "threatened"), ("HALLUCINATNG", "hallucinating"), ("BARRICAIDED", "barricaded"),
])
def test_one_typo_is_corrected(normalizer, typo, word):
    assert word in tokens(normalizer, f"subject {typo} now")


@pytest.mark.parametrize("typo,word", [("MENTALY", "mentally"), ("STABING", "stabbing")])
def test_of_several_candidates_the_one_doubling_a_letter_wins(normalizer, typo, word):
    # "mentaly" is one edit from "mental" too; an undoubled letter is the commoner typo
    assert word in tokens(normalizer, f"subject {typo} now")


def test_several_candidates_none_doubling_a_letter_leave_the_word_alone():
    from cit_triage.text.spelling import SpellingCorrector
    assert SpellingCorrector({"cutting", "putting"}).correct("xutting") is None
    assert SpellingCorrector({"mental", "mentally"}).correct("mentaly") == "mentally"


def test_of_two_forms_of_one_word_the_one_restoring_a_dropped_letter_wins():
    from cit_triage.text.spelling import SpellingCorrector
    # "threatend" is one edit from "threaten" and from "threatened"; a dropped letter is the typo
    assert SpellingCorrector({"threaten", "threatened"}).correct("threatend") == "threatened"
    # forms of two different words stay ambiguous ("sashed": slashed or stashed)
    assert SpellingCorrector({"slashed", "stashed"}).correct("sashed") is None


def test_a_dropped_letter_in_an_inflection_is_corrected_not_split(normalizer):
    assert "threatened" in tokens(normalizer, "son threatend his mother")


@pytest.mark.parametrize("word", ["violet", "banging", "cutter", "ranging", "therapist", "jacknifed"])
def test_real_and_guarded_words_are_not_corrected(normalizer, word):
    assert tokens(normalizer, f"the {word} here") == ["the", word, "here"]


@pytest.mark.parametrize("form,lexicon_form", [("razors", "razor"), ("knifed", "knife"), ("overdoses", "overdose"), ("kicks", "kick"), ("barricades", "barricade")])
def test_inflected_form_maps_to_the_lexicon_form(normalizer, form, lexicon_form):
    assert lexicon_form in tokens(normalizer, f"he {form} it")


def test_never_list_keeps_tense_words(normalizer):
    assert "hung" in tokens(normalizer, "caller hung up")


def test_quote_of_a_repaired_concept_is_the_original_text(triager):
    notes = "RP STATES SON SUICIDALFEMALE/ THRETENED TO STAB DAD"
    a = triager.analyze(notes)
    quotes = {a.quote(f) for f in a.findings}
    assert "SUICIDALFEMALE" in quotes  # the phrase "suicidal female", quoted as written
    assert any(q.startswith("THRETENED") for q in quotes)
    for f in a.findings:  # every finding maps back inside the original
        start, end = a.original_span(f)
        assert 0 <= start < end <= len(notes)


def test_inserted_spaces_map_to_empty_spans(normalizer):
    n = normalizer.normalize("SUICIDE-")
    assert n.text == "suicide -"
    assert n.original_span(7, 8) == (7, 7)
    assert n.original[slice(*n.original_span(0, 7))] == "SUICIDE"


def test_phrases_without_word_repair_still_split_separators():
    assert load_shorthand().normalize("knife/").text == "knife /"


@pytest.mark.parametrize("body,problem", [
    ('[guard]\nwords = ["Bad Word"]\n', "not a lower-case word"),
    ('[inflections]\nirregular = { fought = 3 }\n', "must be lower-case words"),
    ('[spelling]\n', "unknown sections"),
])
def test_bad_token_rules_file_names_the_problem(tmp_path, body, problem):
    path = tmp_path / "tokens.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataFileError, match=problem):
        TokenRules.from_file(path)


@pytest.mark.parametrize("notes,completed", [
    ("BOYFRIEND IS IN CHAIR WITH GUNSH", "gunshot"),
    ("pt is having a nervous breakdo", "breakdown"),
    ("Code: 23-D-1-I: Unconscious (Inten", "intentional"),
])
def test_a_word_cut_off_at_the_end_of_the_page_is_completed(normalizer, notes, completed):
    n = normalizer.normalize(notes)
    assert n.text.split()[-1].strip("(").startswith(completed)
    # the completed word quotes the cut-off original
    last = n.text.rstrip().rsplit(" ", 1)[-1]
    start = len(n.text.rstrip()) - len(last)
    assert n.original[slice(*n.original_span(start, len(n.text.rstrip())))].endswith(notes.rsplit(" ", 1)[-1].lstrip("("))


@pytest.mark.parametrize("notes,kept", [
    ("caller on scene with gunsh now", "gunsh"),  # not the last word: left alone
    ("SUBJ WENT TO WALMA", "walma"),               # no lexicon word begins so
    ("pt took his pills", "pills"),                # a known word
])
def test_only_an_unknown_last_word_is_completed(normalizer, notes, kept):
    assert kept in normalizer.normalize(notes).text.split()


@pytest.mark.parametrize("notes,concept", [
    ("MOTHER ADV SHE WAS TAKING\n8 PILLS AND NOT SURE WHAT THEY ARE", "INGESTION_QUANTITY"),
    ("21 YOM CUT\nWRISTS, STAGE IN THE AREA", "SELF_HARM"),
    ("FEMALE TOOK\nA WHOLE BOTTLE OF TYLENOL", "INGESTION_QUANTITY"),
])
def test_a_line_wrapped_inside_an_act_pattern_is_one_act(triager, notes, concept):
    assert concept in {f.concept for f in triager.analyze(notes).findings}


@pytest.mark.parametrize("notes,concept,assertion", [
    ("hearing voices, denies\nsi or hi", "SUICIDAL_IDEATION", "negated"),
    ("depressed female, not\nviolent", "VIOLENCE", "negated"),
    ("son hearing voices, no\nweapons in the home", "OTHER_WEAPON", "negated"),
    ("PARANOID, HX OF\nSUICIDE ATTEMPTS", "SUICIDAL_IDEATION", "historical"),
])
def test_a_line_wrapped_between_a_cue_and_its_phrase_keeps_the_cue(triager, notes, concept, assertion):
    assert {f.concept: f.assertion for f in triager.analyze(notes).findings}.get(concept) == assertion


@pytest.mark.parametrize("notes", ["ANY WEAPONS? NO\nHEARING VOICES", "1. No\nhearing voices", "Psych hx: No\nhearing voices"])
def test_an_answer_at_a_line_end_does_not_reach_the_next_line(triager, notes):
    assert {f.concept: f.assertion for f in triager.analyze(notes).findings}.get("PSYCHOSIS") == "affirmed"


@pytest.mark.parametrize("notes,concept,assertion", [
    ("SUICIDAL. ANY ACCESS TO WEAPONS\nNO", "OTHER_WEAPON", "negated"),
    ("DOES HE HAVE ACCESS TO WEAPONS\nNO\nIS HE VIOLENT\nNO", "VIOLENCE", "negated"),
    ("HEARING VOICES\nWEAPONS\nUNK", "OTHER_WEAPON", "unknown"),
    ("SUICIDAL\nACCESS TO WEAPONS\nYES", "OTHER_WEAPON", "affirmed"),
    ("SON IS SUICIDAL [TJW] ACCESS TO WEAPONS [TJW]\nNO", "OTHER_WEAPON", "negated"),
])
def test_an_answer_alone_on_its_line_answers_the_line_before(triager, notes, concept, assertion):
    a = triager.analyze(notes)
    found = {f.concept: f for f in a.findings}
    assert found[concept].assertion == assertion
    assert a.quote(found[concept]) in notes  # offsets still the original's


def test_an_answer_then_a_numbered_question_stays_two_lines(triager):
    notes = "3. Is he/she violent? UNK\n4. Any weapons? NO\n5. Is he alert? YES"
    found = {f.concept: f.assertion for f in triager.analyze(notes).findings}
    assert found.get("VIOLENCE") == "unknown" and found.get("OTHER_WEAPON") == "negated"


def test_a_line_wrapped_inside_a_lexicon_phrase_is_one_phrase(triager):
    notes = "COMP ADV THAT SHE BELIEVES HER SON IS HAVING A MENTAL\nBREAKDOWN. WALKING DOWN PARR"
    concepts = {f.concept for f in triager.analyze(notes).findings}
    assert "EMOTIONAL_DISTRESS" in concepts
    # a line break between words that form no lexicon phrase still ends the clause
    n = triager.analyzer.shorthand.normalize("NO WEAPONS SEEN BY CALLER AT THIS TIME\nMALE HAS A KNIFE")
    assert "\n" in n.text
