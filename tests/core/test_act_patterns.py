"""The act-pattern engine (concepts/patterns.py): its data checks and its clause rules."""

import pytest

from cit_triage.concepts.patterns import load_act_patterns
from cit_triage.errors import DataFileError

HEAD = 'version = "t"\n[classes]\nhang = ["hanging"]\n'


def patterns(tmp_path, body):
    path = tmp_path / "act_patterns.toml"
    path.write_text(HEAD + body, encoding="utf-8")
    load_act_patterns.cache_clear()
    return load_act_patterns(path, frozenset({"SUICIDE_ATTEMPT"}))


def clauses_of(words, boundaries=("/", ";")):
    out, clause = [], 0
    for w in words:
        out.append(clause)
        if w in boundaries:
            clause += 1
    return out


def test_a_whole_clause_pattern_matches_only_a_clause_of_its_words(tmp_path):
    p = patterns(tmp_path, '[[pattern]]\nconcept = "SUICIDE_ATTEMPT"\nslots = [["@hang"]]\nwhole_clause = true\n')
    for words, found in [
        (["hanging", "/", "stage", "in", "area"], True),
        (["[", "p", "hanging", "(", ")", ";", "39"], True),     # a layout's single letter and brackets
        (["wire", "/", "hanging", "low", "in", "road"], False),
        (["wires", "hanging", "/", "stage"], False),
    ]:
        assert bool(p.find(words, clauses_of(words))) == found, words


def test_a_pattern_of_one_slot_needs_whole_clause(tmp_path):
    with pytest.raises(DataFileError, match="at least two"):
        patterns(tmp_path, '[[pattern]]\nconcept = "SUICIDE_ATTEMPT"\nslots = [["@hang"]]\n')
    with pytest.raises(DataFileError, match="whole_clause must be true or false"):
        patterns(tmp_path, '[[pattern]]\nconcept = "SUICIDE_ATTEMPT"\nslots = [["@hang"]]\nwhole_clause = "yes"\n')
