"""Shipped data files validate, and malformed ones are refused with the reason."""

import pytest

from cit_triage import DataFileError, Policy
from cit_triage.concepts.context_rule import DEFAULT_CONTEXT_RULES, load_context_rules
from cit_triage.concepts.lexicon import DEFAULT_CONCEPTS, expand_phrase, load_concepts
from cit_triage.text.normalize import DEFAULT_SHORTHAND, Shorthand, normalize


def test_shipped_files_validate():
    lexicon = load_concepts()
    assert len([c for c in lexicon if c.roles - {"context"}]) >= 15
    assert load_context_rules().rules
    assert Policy.from_file().rule
    assert Shorthand.from_file().words


def test_policy_names_only_known_concepts():
    known = {c.id for c in load_concepts()}
    policy = Policy.from_file()
    for item in [*policy.rule, *policy.advisory]:
        for fact in item.any_of:
            assert fact.startswith("@") or fact in known, fact


def test_phrase_alternation_expands():
    assert expand_phrase("{a|b} to {x|y}") == ["a to x", "a to y", "b to x", "b to y"]
    assert expand_phrase("on {the|} bridge") == ["on the bridge", "on bridge"]


def test_unknown_concept_key_is_refused(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text('[[concept]]\nid="X"\ndescription="x"\ngroup="g"\nphrases=["x"]\ncolour="red"\n')
    with pytest.raises(DataFileError, match="colour"):
        load_concepts(bad)


def test_phrase_in_two_concepts_is_refused(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text('[[concept]]\nid="A"\ndescription="a"\ngroup="g"\nphrases=["knife"]\n'
                   '[[concept]]\nid="B"\ndescription="b"\ngroup="g"\nphrases=["knife"]\n')
    with pytest.raises(DataFileError, match="both A and B"):
        load_concepts(bad)


def test_an_implied_concept_must_exist(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text('[[concept]]\nid="A"\ndescription="a"\ngroup="g"\nphrases=["shoot"]\nimplies={ GUNN = ["shoot"] }\n')
    with pytest.raises(DataFileError, match="GUNN"):
        load_concepts(bad)


def test_a_context_rule_firing_inside_must_name_concepts(tmp_path):
    bad = tmp_path / "r.toml"
    bad.write_text('[[rule]]\nliterals=["oops"]\ncategory="NEGATED"\ndirection="FORWARD"\nfires_inside="ACCIDENT"\n')
    with pytest.raises(DataFileError, match="fires_inside"):
        load_context_rules(bad)


def test_context_rule_with_bad_direction_is_refused(tmp_path):
    bad = tmp_path / "r.toml"
    bad.write_text('[[rule]]\nliterals=["no"]\ncategory="NEGATED"\ndirection="SIDEWAYS"\n')
    with pytest.raises(DataFileError, match="direction"):
        load_context_rules(bad)


def test_context_rule_with_unknown_category_is_refused(tmp_path):
    bad = tmp_path / "r.toml"
    bad.write_text('[[rule]]\nliterals=["no"]\ncategory="MAYBE"\ndirection="FORWARD"\n')
    with pytest.raises(DataFileError, match="category"):
        load_context_rules(bad)


def test_shorthand_expands_and_keeps_offsets():
    notes = "RP ADV SUBJ W/ KNIFE, DENIES SI/HI, 25D01V"
    n = normalize(notes)
    assert "caller advised subject with knife" in n.text
    assert "suicidal ideation or homicidal ideation" in n.text
    assert "psychiatric protocol" in n.text and "protocol violent" in n.text
    i = n.text.index("homicidal")
    s, e = n.original_span(i, i + len("homicidal ideation"))
    assert notes[s:e] == "SI/HI"
    i = n.text.index("knife")
    assert notes[slice(*n.original_span(i, i + 5))] == "KNIFE"


def test_agency_shorthand_file_is_used(tmp_path):
    custom = tmp_path / "sh.toml"
    custom.write_text(DEFAULT_SHORTHAND.read_text() + '\n[agency]\n')  # unknown sections are ignored
    table = Shorthand.from_file(custom)
    assert table.normalize("10-96 at the park").text.startswith("mental subject")


def test_malformed_shorthand_is_refused(tmp_path):
    bad = tmp_path / "sh.toml"
    bad.write_text('[abbreviations]\n"rp" = 3\n')
    with pytest.raises(DataFileError, match="rp"):
        Shorthand.from_file(bad)
