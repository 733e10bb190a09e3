"""Build the NLP pipeline: ``spacy.blank("en")`` + cit_triage's own components."""

from __future__ import annotations

import spacy
from spacy.attrs import LOWER
from spacy.language import Language

from . import components  # noqa: F401  (registers the factories)


def build_nlp(concepts_path: str | None = None, rules_path: str | None = None, shorthand_path: str | None = None) -> Language:
    """A blank English pipeline with the concept matcher and the ConText asserter."""
    nlp = spacy.blank("en")
    # The components read a token's text and its LOWER attribute, nothing else. For every word
    # it has not seen, spaCy computes some 25 lexical attributes (shape, like_num, is_stop...)
    # in Python, which costs more than tokenizing the word, and notes bring new words all the
    # time (names, plates, times). So the vocabulary computes only LOWER.
    nlp.vocab.lex_attr_getters = {LOWER: nlp.vocab.lex_attr_getters[LOWER]}
    nlp.add_pipe("cit_concepts", config={"concepts_path": concepts_path, "shorthand_path": shorthand_path})
    nlp.add_pipe("cit_context", config={"rules_path": rules_path, "shorthand_path": shorthand_path, "concepts_path": concepts_path})
    return nlp
