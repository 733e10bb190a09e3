"""Variant generators for robustness tests: the same call written the messy way real CAD is.

Each generator is deterministic (no randomness), so a failing variant can be reproduced.
Reusable for other wrappers (a ProQA header, a unit-status log): compose them.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+")
_GLUE = ("-", "/", "---", ";", "*", "//", ".")
# A single - or / between two letters is a compound ("w/o", "x-ray") for the ConText stage,
# so those two are glued on the left only; the others on both sides.
_COMPOUND = ("-", "/")


def all_caps(notes: str) -> str:
    return notes.upper()


def glued_separators(notes: str) -> str:
    """Separators glued to the words at the notes' own boundaries, as CAD pages write them:
    each ", " becomes a separator glued on the left ("VOICES- THREATENED") or, except for a
    single - or /, on both sides ("VOICES;THREATENED"); the notes end with one ("KNIFE/")."""
    parts = notes.split(", ")
    out = parts[0]
    for i, part in enumerate(parts[1:]):
        sep = _GLUE[i % len(_GLUE)]
        both = i % 2 == 1 and sep not in _COMPOUND
        out += (sep if both else sep + " ") + part
    return out + _GLUE[len(parts) % len(_GLUE)]


def _typo(word: str, k: int) -> str:
    """One edit inside ``word`` (never its first letter): deletion, transposition, doubling
    or substitution, chosen by ``k``."""
    i = len(word) // 2
    kind = k % 4
    if kind == 0:
        return word[:i] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    sub = "x" if word[i].lower() != "x" else "z"
    return word[:i] + sub + word[i + 1:]


def one_typo(notes: str, k: int = 0) -> str:
    """One typo in each word of six letters or more (edit kind rotating from ``k``)."""
    count = [k]

    def swap(m: re.Match[str]) -> str:
        word = m.group()
        if len(word) < 6:
            return word
        count[0] += 1
        return _typo(word, count[0])

    return _WORD.sub(swap, notes)


VARIANTS = {"all_caps": all_caps, "glued_separators": glued_separators, "one_typo": one_typo}
