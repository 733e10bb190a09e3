"""Concepts and their context: the lexicon, the PhraseMatcher and the ConText engine (spaCy components)."""
