"""The English word-frequency list the token stage trusts: symspellpy's bundled dictionary.

symspellpy (MIT licence) ships ``frequency_dictionary_en_82_765.txt``: 82,765 English words
with their counts, made by SymSpell's author from Google Books n-gram counts intersected with
the SCOWL word lists. It is read from the installed package (nothing is copied into
cit_triage) once per process. A word in it is "real English": the token stage never corrects
it, and uses it as a known part when re-splitting run-together words.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

DICTIONARY_FILE = "frequency_dictionary_en_82_765.txt"


@lru_cache(maxsize=1)
def english_words() -> dict[str, int]:
    """Word -> frequency rank (0 = most frequent), lower-case."""
    text = resources.files("symspellpy").joinpath(DICTIONARY_FILE).read_text(encoding="utf-8")
    ranks: dict[str, int] = {}
    for line in text.splitlines():
        word = line.split(" ", 1)[0]
        if word and word not in ranks:
            ranks[word] = len(ranks)
    return ranks
