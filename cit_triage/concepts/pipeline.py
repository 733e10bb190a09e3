"""Build the NLP pipeline: ``spacy.blank("en")`` + cit_triage's own components."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

import spacy
from spacy import util
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokenizer import Tokenizer

from . import components  # noqa: F401  (registers the factories)
from .context_rule import ASSERTION_OF
from .lexicon import expand_phrase

#: Strings each of the tokenizer's three affix searches remembers (about 8 MB in all when full).
AFFIX_CACHE_SIZE = 16384


def build_nlp(concepts_path: str | None = None, rules_path: str | None = None, shorthand_path: str | None = None) -> Language:
    """A blank English pipeline with the concept matcher and the ConText asserter."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "cit_triage.Tokenizer.v1"}}})
    # The components read a token's text and its LOWER attribute, nothing else. For every word
    # it has not seen, spaCy computes some 25 lexical attributes (shape, like_num, is_stop...)
    # in Python, which costs more than tokenizing the word, and notes bring new words all the
    # time (names, plates, times). So the vocabulary computes only LOWER.
    nlp.vocab.lex_attr_getters = {LOWER: nlp.vocab.lex_attr_getters[LOWER]}
    nlp.add_pipe("cit_concepts", config={"concepts_path": concepts_path, "shorthand_path": shorthand_path})
    nlp.add_pipe("cit_context", config={"rules_path": rules_path, "shorthand_path": shorthand_path, "concepts_path": concepts_path})
    return nlp


def lexicon_phrases(nlp: Language) -> tuple[list[str], list[str]]:
    """The phrases a built pipeline reads, as written: the concept phrases with the act-pattern
    words (also lexicon words: "oxycodone", "slit"), and the context-cue literals, braces expanded."""
    concepts = nlp.get_pipe("cit_concepts")
    pattern_words = [w for p in concepts.patterns.patterns for slot in p.slots for w in slot]
    rules = nlp.get_pipe("cit_context").rules
    return ([p for c in concepts.lexicon for p in c.phrases] + pattern_words,
            [p for r in rules.rules for p in expand_phrase(r.literal)])


def forward_cues(nlp: Language) -> list[str]:
    """The context-cue literals that set an assertion on what follows them ("denies", "not",
    "hx of"), braces expanded: a line wrapped right after one goes on with its phrase."""
    return [p for r in nlp.get_pipe("cit_context").rules.rules
            if r.direction in ("FORWARD", "BIDIRECTIONAL") and r.category in ASSERTION_OF
            for p in expand_phrase(r.literal)]


@spacy.registry.tokenizers("cit_triage.Tokenizer.v1")
def create_tokenizer(affix_cache_size: int = AFFIX_CACHE_SIZE) -> Callable[[Language], Tokenizer]:
    """spaCy's default tokenizer (as ``spacy.Tokenizer.v1`` builds it) whose prefix, suffix and
    infix searches keep a bounded cache of their results.

    The Analyzer tokenizes inside spaCy memory zones, and inside a zone spaCy caches no
    tokenization (a zone's words are forgotten when it closes). So every chunk of a note the
    lexicon does not hold ("knife,", "pt.", "12:30", "x2") runs through the English affix
    regexes again, in every note: most of the time of a CAD page. A search's result depends on
    the string alone and is a plain ``re.Match``, so remembered results give the same tokens.
    The searches are given at construction: setting one later reloads every special case.
    """

    def remembered(search):
        return lru_cache(maxsize=affix_cache_size)(search) if search is not None else None

    def tokenizer_factory(nlp: Language) -> Tokenizer:
        d = nlp.Defaults
        prefix_search = util.compile_prefix_regex(d.prefixes).search if d.prefixes else None
        suffix_search = util.compile_suffix_regex(d.suffixes).search if d.suffixes else None
        infix_finditer = util.compile_infix_regex(d.infixes).finditer if d.infixes else None

        def infixes(text: str) -> tuple[re.Match, ...]:
            return tuple(infix_finditer(text))  # not an iterator: a remembered result is read again

        return Tokenizer(
            nlp.vocab,
            rules=d.tokenizer_exceptions,
            prefix_search=remembered(prefix_search),
            suffix_search=remembered(suffix_search),
            infix_finditer=remembered(infixes) if infix_finditer is not None else None,
            token_match=d.token_match,
            url_match=d.url_match,
        )

    return tokenizer_factory
