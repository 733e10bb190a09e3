"""One-typo correction of long words to the lexicon's vocabulary (symspellpy's SymSpell).

Call-takers type fast: "SUCIDAL", "THRETENED", "SEROQEL", "COMMITING". A word of six letters
or more that is in no vocabulary (lexicon, shorthand, English frequency dictionary, guard
list) is corrected to the one lexicon word within one edit: an insertion, deletion,
substitution or transposition (a doubled or undoubled letter is an insertion or deletion).
Of two or more candidates, the one that only doubles a letter of the word wins, as an
undoubled letter is the commonest typo ("mentaly": mentally, not mental; "stabing": stabbing,
not stating); of candidates that are forms of one word, the one that restores a dropped
letter wins ("threatend": threatened, not threatens); otherwise several candidates leave the
word alone. Real English words are never corrected, which is what keeps "violet" from
becoming "violent"; short words are never corrected (too many neighbours). Lookups are cached per distinct word by the caller.
"""

from __future__ import annotations

import os

from symspellpy import SymSpell, Verbosity

MIN_LENGTH = 6


class SpellingCorrector:
    """Corrects a word to the unique lexicon word one edit away, or returns None."""

    def __init__(self, targets, canonical: dict[str, str] | None = None):
        self._canonical = canonical or {}
        self._symspell = SymSpell(max_dictionary_edit_distance=1, prefix_length=12)
        for word in targets:
            if len(word) >= MIN_LENGTH - 1 and word.isalpha():
                self._symspell.create_dictionary_entry(word, 1)

    def correct(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH:
            return None
        found = self._symspell.lookup(word, Verbosity.ALL, max_edit_distance=1, transfer_casing=False)
        candidates = {self._canonical.get(s.term, s.term) for s in found if s.distance == 1}
        if len(candidates) > 1:
            candidates = {c for c in candidates if _doubles_a_letter(word, c)} or _restores_a_letter(word, candidates)
        return candidates.pop() if len(candidates) == 1 else None


def _doubles_a_letter(word: str, candidate: str) -> bool:
    """``candidate`` is ``word`` with one of its letters doubled ("mentaly" -> "mentally")."""
    return len(candidate) == len(word) + 1 and any(candidate == word[:i + 1] + word[i:] for i in range(len(word)))


def _restores_a_letter(word: str, candidates: set[str]) -> set[str]:
    """Of ``candidates`` that are forms of one word (they differ only in the last two letters
    of the shortest: "threatens", "threatened"), the ones a letter longer than ``word``; else none."""
    stem = os.path.commonprefix(sorted(candidates))
    if len(stem) < max(MIN_LENGTH - 1, min(map(len, candidates)) - 2):
        return set()
    return {c for c in candidates if len(c) == len(word) + 1}
