"""Numbers the README states about the shipped data files match the files."""

import re
from pathlib import Path

import pytest

from cit_triage.concepts.lexicon import load_concepts

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.skipif(not README.exists(), reason="README.md is not installed with the package")
def test_readme_phrase_and_concept_counts_match_the_lexicon():
    text = README.read_text(encoding="utf-8")
    found = re.search(r"(\d+) concepts with their roles and phrases \(about ([\d,]+) after expansion\)", text)
    assert found, "README lost its lexicon line"
    concepts = load_concepts().concepts
    n_phrases = sum(len(c.phrases) for c in concepts.values())
    assert int(found.group(1)) == len(concepts)
    claimed = int(found.group(2).replace(",", ""))
    assert abs(claimed - n_phrases) / n_phrases < 0.10, (claimed, n_phrases)
