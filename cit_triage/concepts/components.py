"""spaCy pipeline components of cit_triage, registered by name.

``cit_concepts`` finds lexicon concepts with a PhraseMatcher (fast: the token Matcher of
spaCy 3.8.8+ is several times slower), ``cit_context`` applies the ConText rules. Both
read their data files from paths in their config, so a saved pipeline config says exactly
which lexicon it used. Results go to ``doc._.findings`` (a list of ``Finding``).
"""

from __future__ import annotations

import dataclasses

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.attrs import ORTH, SPACY
from spacy.tokens import Doc

from ..text.normalize import load_shorthand
from .context import Clauses, Cue, Finding, apply_context, split_clauses
from .context_rule import DEFAULT_CONTEXT_RULES, load_context_rules
from .lexicon import DEFAULT_CONCEPTS, expand_phrase, load_concepts
from .patterns import DEFAULT_ACT_PATTERNS, load_act_patterns

if not Doc.has_extension("findings"):
    Doc.set_extension("findings", default=None)
if not Doc.has_extension("clauses"):
    Doc.set_extension("clauses", default=None)
if not Doc.has_extension("words"):
    Doc.set_extension("words", default=None)


def token_words(doc: Doc) -> tuple[list[str], list[bool]]:
    """Token texts and trailing-space flags, read from arrays once per doc.

    Creating a Python ``Token`` object per token costs more than everything else the pipeline
    does for a short note; slicing the (already lower-case) text by offsets does not.
    """
    cached = doc._.words
    if cached is not None:
        return cached
    strings = doc.vocab.strings
    arr = doc.to_array([ORTH, SPACY])  # (doc.text would join every token again)
    words = [strings[orth] for orth in arr[:, 0].tolist()]
    spaces = arr[:, 1].astype(bool).tolist()
    doc._.words = (words, spaces)
    return words, spaces

CLAUSE_BOUNDARIES = frozenset({".", "!", "?", ";", "/", "|", "-", "--", "*", "•", ">", "...", "..", "//"})
#: Tokens after which a backward ``at_end`` cue still closes its phrase.
_PHRASE_END = frozenset({",", ".", ";", ":", "!", "?", "/", "-", "--", "|", "and", "or", "but", "at", "per", "\n"})
ANSWER_WORDS = frozenset({"no", "yes", "unknown", "negative", "none", "unsure", "y", "n", "neg"})


def _phrase_docs(nlp: Language, phrases, shorthand):
    # Phrases go through the same shorthand expansion as notes, so the lexicon may be
    # written in either form ("hx of violence" or "history of violence").
    return [nlp.make_doc(shorthand.phrase_text(p).strip()) for p in phrases]


class ConceptMatcher:
    """Finds concepts; where matches overlap, the longest wins ("jumped the fence" beats "jumped")."""

    def __init__(self, nlp: Language, concepts_path: str | None, shorthand_path: str | None,
                 patterns_path: str | None = None):
        self.lexicon = load_concepts(concepts_path or DEFAULT_CONCEPTS)
        self.patterns = load_act_patterns(patterns_path or DEFAULT_ACT_PATTERNS, frozenset(c.id for c in self.lexicon))
        shorthand = load_shorthand(shorthand_path)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.concept_of: dict[int, str] = {}
        for concept in self.lexicon:
            key = nlp.vocab.strings.add(concept.id)
            self.concept_of[key] = concept.id
            self.matcher.add(concept.id, _phrase_docs(nlp, concept.phrases, shorthand))
        self.group_of = {c.id: c.group for c in self.lexicon}
        self.implies = {c.id: c.implies for c in self.lexicon if c.implies}
        self.key_of = {cid: key for key, cid in self.concept_of.items()}

    def __call__(self, doc: Doc) -> Doc:
        matches = [(key, start, end, 1) for key, start, end in self.matcher(doc)]
        if self.patterns.patterns:
            words, spaces = token_words(doc)
            clauses = split_clauses(words, spaces, CLAUSE_BOUNDARIES, ANSWER_WORDS)
            doc._.clauses = clauses
            matches.extend((self.key_of[c], s, e, 0) for c, s, e in self.patterns.find(words, clauses.hard))
        # Longest first, then leftmost, then an act pattern before a phrase of the same span
        # (the pattern reads "took a bunch of pills" as the attempt it is): a greedy cover.
        matches.sort(key=lambda m: (m[1] - m[2], m[1], m[3]))
        taken = bytearray(len(doc))
        findings: list[Finding] = []
        for key, start, end, _ in matches:
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            concept = self.concept_of[key]
            if concept == "NOT_A_SIGN":
                continue
            found = Finding(concept, self.group_of[concept], start, end,
                            doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text))
            findings.append(found)
            for implied, words in self.implies.get(concept, ()):
                if any(t.lower_ in words for t in doc[start:end]):
                    findings.append(dataclasses.replace(found, concept=implied, group=self.group_of[implied], implied=True))
        findings.sort(key=lambda f: f.start)
        doc._.findings = findings
        return doc


class ContextAsserter:
    """Applies ConText rules to ``doc._.findings``."""

    def __init__(self, nlp: Language, rules_path: str | None, shorthand_path: str | None, concepts_path: str | None):
        self.rules = load_context_rules(rules_path or DEFAULT_CONTEXT_RULES)
        shorthand = load_shorthand(shorthand_path)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.rule_of: dict[int, object] = {}
        for i, rule in enumerate(self.rules.rules):
            name = f"ctx{i}"
            self.rule_of[nlp.vocab.strings.add(name)] = rule
            self.matcher.add(name, _phrase_docs(nlp, expand_phrase(rule.literal), shorthand))
        lexicon = load_concepts(concepts_path or DEFAULT_CONCEPTS)
        self.history_is_current = frozenset(c.id for c in lexicon if c.history_is_current)

    def __call__(self, doc: Doc) -> Doc:
        findings: list[Finding] = doc._.findings or []
        if not findings:
            return doc
        clauses: Clauses = doc._.clauses
        if clauses is None:
            words, spaces = token_words(doc)
            clauses = doc._.clauses = split_clauses(words, spaces, CLAUSE_BOUNDARIES, ANSWER_WORDS)
        for f in findings:
            f.clause = clauses.hard[f.start]
        concept_at: list[str | None] = [None] * len(doc)
        for f in findings:
            concept_at[f.start:f.end] = [f.concept] * (f.end - f.start)
        words = token_words(doc)[0]
        matches = self.matcher(doc)
        matches.sort(key=lambda m: (m[1] - m[2], m[1]))
        taken = bytearray(len(doc))
        accepted: set[tuple[int, int]] = set()
        cues: list[Cue] = []
        for key, start, end in matches:
            rule = self.rule_of[key]
            # A cue inside a concept is part of that concept ("not taking his meds"), unless its
            # rule says the concept's words are also the cue; one literal may belong to several
            # rules ("unknown" looks both ways).
            inside = [c for c in concept_at[start:end] if c is not None]
            if (start, end) not in accepted and (any(taken[start:end]) or (
                    inside and not (len(inside) == end - start and rule.fires_inside.issuperset(inside)))):
                continue
            if rule.at_end and end < len(words) and clauses.hard[end] == clauses.hard[start] and words[end] not in _PHRASE_END:
                continue
            accepted.add((start, end))
            taken[start:end] = b"\x01" * (end - start)
            cues.append(Cue(self.rule_of[key], start, end, doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)))
        apply_context(findings, cues, clauses, self.history_is_current)
        return doc


@Language.factory("cit_concepts", default_config={"concepts_path": None, "shorthand_path": None, "patterns_path": None})
def make_concept_matcher(nlp: Language, name: str, concepts_path: str | None, shorthand_path: str | None,
                         patterns_path: str | None):
    return ConceptMatcher(nlp, concepts_path, shorthand_path, patterns_path)


@Language.factory("cit_context", default_config={"rules_path": None, "shorthand_path": None, "concepts_path": None})
def make_context_asserter(nlp: Language, name: str, rules_path: str | None, shorthand_path: str | None, concepts_path: str | None):
    return ContextAsserter(nlp, rules_path, shorthand_path, concepts_path)
