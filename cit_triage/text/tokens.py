"""Robust tokens: glued separators, run-together words, typos and inflections.

spaCy's tokenizer keeps "SUICIDE-", "SUICIDE/", "pills.she", "suicidal;has" and "x//y" as one
token each, and no tokenizer can see "SUICIDALFEMALE" as two words. This stage fixes the text
before spaCy sees it, inside the shorthand table's single regex pass (see
``text/normalize.py``), so the offset map stays exact: an inserted space maps to an empty
span at its position, a rewritten word to the whole original word.

1. **Glued separators** (:data:`SEPARATOR_PATTERN`): a run of punctuation glued between
   letters (``pills.she``, ``x//y``), after a word (``suicide-``, ``knife/``) or before one
   (``-suicidal``) gets a space on its open side(s). Left alone: single ``-`` and ``/``
   between letters (spaCy splits them itself and the ConText stage reads them as part of a
   word, "w/o", "x-ray"), anything with digits on both sides ("12:30", "3.5", "555-1212",
   determinant codes "25-D-1"), dotted abbreviations ("e.d.p", "a.m.") and shorthand keys
   ("w/", "si/hi", "10-96"), which the shorthand alternative of the same regex takes first.
2. **Words the vocabulary lacks** (:class:`WordRepair`, cached per distinct word): a typo of
   six letters or more is corrected to the unique lexicon word one edit away
   (``text/spelling.py``); else a run-together word of eight letters or more is split into
   the unique two (or three) known words, one of them a lexicon word ("suicidalfemale").
3. **Inflections** (``text/inflections.py``) become extra shorthand entries at load time.
4. **A word cut off at the end of the page** (:meth:`WordRepair.complete`): CAD fields have a
   fixed length, so a page can end in "...IN CHAIR WITH GUNSH" or "(Inten". An unknown last
   word of five letters or more that begins exactly one lexicon word (or a family of words
   sharing the shortest, "gunshot"/"gunshots"; else the most frequent English one) is read as it.
5. **A line wrapped inside a phrase** (:attr:`WordRepair.wrap_pairs`): "HAVING A MENTAL" /
   "BREAKDOWN" on two lines is one phrase. A line break between two words that stand next to
   each other in a lexicon phrase or inside an act pattern ("TOOK" / "8 PILLS"), or between a
   context cue and a phrase ("DENIES" / "SI", "NOT" / "VIOLENT", "NO" / "WEAPONS", but not
   after an answer that answers its own line: "ANY WEAPONS? NO", "WEAPONS NO"), reads as a
   space; every other line break still ends a clause.

The vocabulary is the lexicon's words (concept and context-rule phrases after shorthand
normalization, shorthand keys and values), symspellpy's English frequency dictionary and the
guard list of ``data/lexicon/tokens.toml``.
"""

from __future__ import annotations

import re
import bisect
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import DataFileError, Errors
from ..datafile import read_toml
from .inflections import Inflections
from .spelling import MIN_LENGTH, SpellingCorrector
from .wordlist import english_words

DEFAULT_TOKENS = Path(__file__).resolve().parent.parent / "data" / "lexicon" / "tokens.toml"

_SEP = r"[\-/\\;:.,*+=~()\[\]{}|#^_<>!?]"
# spaCy already splits these single characters off a word's end or start.
_SEP_SPACY_SUFFIX = r"[.,:;!?)\]}*]"
#: Regex alternatives (named groups) for glued separators, used inside the shorthand pattern.
SEPARATOR_PATTERN = (
    # Every alternative starts on a separator character: saying so first lets the regex
    # engine leave every other position (most of a page) after one character test.
    rf"(?={_SEP})(?:"
    # between a letter and a letter or digit: a run, or one character other than - and /
    rf"(?P<infix>(?:(?<=[a-z])(?={_SEP}+[a-z0-9])|(?<=[0-9])(?={_SEP}+[a-z]))(?:{_SEP}{{2,}}|(?![-/]){_SEP}))"
    # after a word, before white space or the end
    rf"|(?<=[a-z])(?P<trailing>(?:{_SEP}{{2,}}|(?!{_SEP_SPACY_SUFFIX}){_SEP})(?=\s|$))"
    # before a word, after white space or the start (".*#~_=+^" are blanked earlier)
    rf"|(?<![a-z0-9])(?P<leading>(?:{_SEP}{{2,}}|[\-/\\|<>]))(?=[a-z]))"
)
#: Dotted abbreviations kept whole: "e.d.p", "a.m.", "u.s".
ABBREVIATION_PATTERN = r"(?P<abbr>(?<![a-z0-9.])(?:[a-z]\.)+[a-z]?(?![a-z0-9]))"
#: A word long enough for :class:`WordRepair` to look at.
LONG_WORD_PATTERN = rf"(?<![a-z0-9'])(?P<long>[a-z]{{{MIN_LENGTH},}})(?![a-z0-9'])"

RESPLIT_MIN_LENGTH = 8
#: A lexicon word this long may have a code of at most GLUED_TAIL_MAX letters glued after it.
GLUED_HEAD_MIN = 6
GLUED_TAIL_MAX = 4
#: The shortest cut-off last word :meth:`WordRepair.complete` reads ("gunsh", "inten").
COMPLETE_MIN_LENGTH = 5
_MAX_WORD = 40
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_VALID_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


@dataclass(frozen=True)
class TokenRules:
    """The validated contents of ``tokens.toml``."""

    guard: frozenset[str]
    irregular: dict[str, str]
    never: frozenset[str]
    version: str
    joiners: frozenset[str] = frozenset()
    trailers: frozenset[str] = frozenset()
    answers: frozenset[str] = frozenset()

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_TOKENS) -> "TokenRules":
        path = Path(path)
        data = read_toml(path)
        unknown = set(data) - {"version", "guard", "inflections", "split", "wrap"}
        if unknown:
            raise DataFileError(Errors.E030.format(path=path, detail=f"unknown sections {sorted(unknown)}; allowed: guard, inflections, split, wrap"))
        guard = _words(path, "[guard] words", data.get("guard", {}).get("words", []))
        inflections = data.get("inflections", {})
        irregular = inflections.get("irregular", {})
        if not isinstance(irregular, dict):
            raise DataFileError(Errors.E030.format(path=path, detail="[inflections] irregular must be a table of form = base"))
        for form, base in irregular.items():
            if not isinstance(base, str) or not _VALID_WORD.fullmatch(form) or not _VALID_WORD.fullmatch(base):
                raise DataFileError(Errors.E030.format(path=path, detail=f"[inflections] irregular {form!r} = {base!r}: both must be lower-case words"))
        never = _words(path, "[inflections] never", inflections.get("never", []))
        joiners = _words(path, "[split] joiners", data.get("split", {}).get("joiners", []))
        trailers = _words(path, "[split] trailers", data.get("split", {}).get("trailers", []))
        answers = _words(path, "[wrap] answers", data.get("wrap", {}).get("answers", []))
        return cls(frozenset(guard), dict(irregular), frozenset(never), str(data.get("version", "unversioned")),
                   frozenset(joiners), frozenset(trailers), frozenset(answers))


def _words(path: Path, where: str, value) -> list[str]:
    if not isinstance(value, list):
        raise DataFileError(Errors.E030.format(path=path, detail=f"{where} must be a list of words"))
    for word in value:
        if not isinstance(word, str) or not _VALID_WORD.fullmatch(word):
            raise DataFileError(Errors.E030.format(path=path, detail=f"{where}: {word!r} is not a lower-case word"))
    return value


@lru_cache(maxsize=8)
def load_token_rules(path: str | None = None) -> TokenRules:
    return TokenRules.from_file(path or DEFAULT_TOKENS)


def phrase_words(texts) -> set[str]:
    """The words of normalized phrase texts."""
    words: set[str] = set()
    for text in texts:
        words.update(_WORD.findall(text))
    return words


class WordRepair:
    """Rewrites a word the vocabulary lacks: a one-typo correction, or a run-together split.

    ``repair(word)`` returns None (leave it) or a list of ``(offset, length, text)`` pieces:
    ``text`` replaces ``word[offset:offset + length]``; pieces are separated by a space.
    """

    def __init__(self, lexicon: set[str], known: set[str], english: dict[str, int], cache_size: int = 65536,
                 canonical: dict[str, str] | None = None, wrap_pairs: frozenset[tuple[str, str]] = frozenset(),
                 joiners: frozenset[str] = frozenset(), trailers: frozenset[str] = frozenset(),
                 cue_ends: frozenset[str] = frozenset(), phrase_starts: frozenset[str] = frozenset(),
                 phrase_ends: frozenset[str] = frozenset(), answers: frozenset[str] = frozenset()):
        self.lexicon = lexicon
        self.joiners = sorted(joiners, key=len, reverse=True)
        self._joiner_set = frozenset(joiners)
        self.trailers = sorted(trailers, key=len, reverse=True)
        self.known = known
        self.english = english
        self.wrap_pairs = wrap_pairs
        self.cue_ends = cue_ends            # a line ending in one of these ("DENIES", "NOT", "HX OF")...
        self.phrase_starts = phrase_starts  # ...and going on with a phrase's first word is one sentence
        self.phrase_ends = phrase_ends
        self.answers = answers              # "NO" / "WEAPONS": one sentence unless "NO" answers its line
        self._sorted_lexicon = sorted(w for w in lexicon if w.isalpha())
        # A shorthand key that is itself a misspelling ("voises") stands for its word: "voixes"
        # near both "voises" and "voices" is one candidate, not two.
        self.spelling = SpellingCorrector(lexicon, canonical)
        self.repair = lru_cache(maxsize=cache_size)(self._repair)

    def _repair(self, word: str):
        if word in self.known or len(word) > _MAX_WORD:
            return None
        corrected = self.spelling.correct(word)
        if corrected is not None:
            return [(0, len(word), corrected)]
        parts = self.split(word) if len(word) >= RESPLIT_MIN_LENGTH else None
        if parts is None:
            parts = self.split_joiner(word)
        if parts is not None:
            pieces, at = [], 0
            for part in parts:
                pieces.append((at, len(part), part))
                at += len(part)
            return pieces
        return None

    def split_joiner(self, word: str) -> tuple[str, str] | None:
        """A short word glued to the lexicon word after it ("HASCUT", "HETOOK", "PTTOOK") or
        before it ("JUMPOF", "SELFWITH", ``trailers``): a
        joiner of ``tokens.toml`` and a lexicon word of 3+ letters, the longest joiner first."""
        for joiner in self.joiners:
            rest = word[len(joiner):]
            if word.startswith(joiner) and len(rest) >= 3 and rest in self.lexicon and rest not in self._joiner_set \
                    and rest.isalpha():
                return joiner, rest
        # and the mirror: a lexicon word with a short word glued after it ("JUMPOF", "ARMWITH")
        for trailer in self.trailers:
            head = word[:-len(trailer)]
            if word.endswith(trailer) and len(head) >= 3 and head in self.lexicon and head not in self._joiner_set \
                    and head.isalpha():
                return head, trailer
        # a long lexicon word with a short code glued after it ("PSYCHIATRICBLS", "SUICIDALPF")
        for cut in range(len(word) - 1, max(GLUED_HEAD_MIN - 1, len(word) - GLUED_TAIL_MAX - 1), -1):
            head = word[:cut]
            if head in self.lexicon and head.isalpha():
                return head, word[cut:]
        return None

    def complete(self, word: str) -> str | None:
        """The lexicon word a cut-off last word ``word`` begins, or None."""
        if len(word) < COMPLETE_MIN_LENGTH or word in self.known or len(word) > _MAX_WORD:
            return None
        i = bisect.bisect_right(self._sorted_lexicon, word)
        found = []
        while i < len(self._sorted_lexicon) and self._sorted_lexicon[i].startswith(word):
            found.append(self._sorted_lexicon[i])
            i += 1
        if not found:
            return None
        shortest = min(found, key=len)
        if all(w.startswith(shortest) for w in found):
            return shortest
        ranked = [w for w in found if w in self.english]
        return min(ranked, key=self.english.__getitem__) if ranked else None

    def _part(self, part: str) -> bool:
        """A known word that may stand as one part of a split."""
        if part in self.lexicon:
            return len(part) >= 2
        return len(part) >= 3 and self.english.get(part, 1 << 30) < 30000

    def split(self, word: str) -> tuple[str, ...] | None:
        """The unique split of ``word`` into 2 (else 3) known words with a lexicon word of 4+ letters."""
        for parts_of in (self._splits2, self._splits3):
            found = [p for p in parts_of(word) if any(len(x) >= 4 and x in self.lexicon for x in p)]
            if len(found) > 1:  # prefer splits made only of lexicon words
                found = [p for p in found if all(x in self.lexicon for x in p)] or found
            if len(found) == 1:
                return found[0]
            if found:
                return None
        return None

    def _splits2(self, word: str):
        for i in range(2, len(word) - 1):
            a, b = word[:i], word[i:]
            if self._part(a) and self._part(b):
                yield (a, b)

    def _splits3(self, word: str):
        for i in range(3, len(word) - 5):
            a = word[:i]
            if not self._part(a):
                continue
            for j in range(i + 3, len(word) - 2):
                b, c = word[i:j], word[j:]
                if self._part(b) and self._part(c):
                    yield (a, b, c)


def with_token_repair(shorthand, concept_phrases, rule_phrases, rules: TokenRules | None = None,
                      adjacent: set[tuple[str, str]] = frozenset(), forward_cues=()):
    """``shorthand`` extended for a loaded lexicon: its inflections and a :class:`WordRepair`.

    ``concept_phrases`` and ``rule_phrases``: the lexicon's concept phrases and context-rule
    literals as written (braces expanded); they are normalized here the way the matchers
    normalize them. ``adjacent``: more word pairs a line wrap between them joins (the act
    patterns'; "#" is a number); ``forward_cues``: the cue literals that reach forward, after
    which a wrapped line goes on. Build it once per lexicon (``build_analyzer`` does).
    """
    rules = rules or load_token_rules()
    english = english_words()
    concept_texts = [shorthand.phrase_text(p).split() for p in concept_phrases]
    concept_words = phrase_words(" ".join(words) for words in concept_texts)
    lexicon = (concept_words | phrase_words(shorthand.phrase_text(p) for p in rule_phrases)
               | phrase_words(list(shorthand.words) + list(shorthand.words.values())))
    protected = set(shorthand.words) | rules.guard
    inflections = Inflections(rules.irregular, rules.never)
    extra = inflections.lexicon_forms(concept_words, lexicon | rules.guard, english, protected)
    known = lexicon | set(english) | rules.guard | set(extra)
    misspelt = {k: v for k, v in shorthand.words.items() if k != v and " " not in k and " " not in v}
    concept_texts = [words for words in concept_texts if words]
    wrap_pairs = frozenset({pair for words in concept_texts for pair in _adjacent_words(words)} | set(adjacent))
    phrase_starts = frozenset(words[0] for words in concept_texts)
    phrase_ends = frozenset(words[-1] for words in concept_texts)
    cue_ends = frozenset(words[-1] for words in (shorthand.phrase_text(p).split() for p in forward_cues)
                         if words and words[-1].isalpha()) - rules.answers
    return shorthand.extended(extra, WordRepair(lexicon, known, english, canonical=misspelt, wrap_pairs=wrap_pairs,
                                                joiners=rules.joiners, trailers=rules.trailers,
                                                cue_ends=cue_ends, phrase_starts=phrase_starts,
                                                phrase_ends=phrase_ends, answers=rules.answers))


def _adjacent_words(words: list[str]):
    return [(a, b) for a, b in zip(words, words[1:]) if a.isalpha() and b.isalpha()]
