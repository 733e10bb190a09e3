"""Inflected forms of lexicon words, mapped to a form the lexicon has.

The lexicon is written with particular forms ("threatened to stab", "hanging"), call-takers
write others ("threatens to stab", "fought with staff", "guns in the house"). Design: at load
time, for every word of a concept phrase, build its *family* (base, -s, -ed, -ing and the
irregular forms of ``tokens.toml``), keep the forms that are real English words (checked
against the frequency dictionary), and map each form the lexicon lacks to a family member it
has. The map is handed to the shorthand table as extra entries, so notes are rewritten in the
same single regex pass as the CAD shorthand: no per-token Python work, and the offset map
quotes the original word ("FOUGHT") for the rewritten one.

Only forms absent from the vocabulary are rewritten, so a phrase that matched before still
matches; the target is the member of the same kind (past for past, plural for plural) when
the lexicon has one, else the base form (a singular may also become the lexicon's plural).
A form with two possible lemmas ("scared": scare or scar) is left alone, and so is every
form in ``never``.
The lead developer's lemma-based patterns can use :meth:`Inflections.base_forms` too.
"""

from __future__ import annotations

_VOWELS = frozenset("aeiou")
# Kinds of form, and which kind a form of each kind is mapped to, best first.
# A form of another kind is never a target: "scars" is no "scared", "dyed" no "dying".
_TARGET_ORDER = {
    "base": ("base", "s"),
    "s": ("s", "base"),
    "ed": ("ed", "base"),
    "ing": ("ing", "base"),
}
# Bases among the most frequent English words are function words ("her", "has").
FUNCTION_WORD_RANK = 300


def regular_forms(base: str) -> dict[str, str]:
    """Candidate regular forms of ``base`` -> their kind; some are not words (checked later)."""
    forms = {base: "base"}
    if base.endswith(("s", "x", "z", "ch", "sh")):
        forms[base + "es"] = "s"
    elif base.endswith("y") and len(base) > 2 and base[-2] not in _VOWELS:
        forms[base[:-1] + "ies"] = "s"
        forms[base[:-1] + "ied"] = "ed"
    else:
        forms[base + "s"] = "s"
    if base.endswith("e"):
        forms[base + "d"] = "ed"
        if base.endswith("ie"):
            forms[base[:-2] + "ying"] = "ing"
        elif not base.endswith("ee"):
            forms[base[:-1] + "ing"] = "ing"
    else:
        forms.setdefault(base + "ed", "ed")
    forms.setdefault(base + "ing", "ing")
    # Doubled final consonant after one short vowel: stab -> stabbed, cut -> cutting.
    if (len(base) >= 3 and base[-1] not in _VOWELS and base[-1] not in "wxy"
            and base[-2] in _VOWELS and base[-3] not in _VOWELS):
        forms[base + base[-1] + "ed"] = "ed"
        forms[base + base[-1] + "ing"] = "ing"
    return forms


class Inflections:
    """Regular suffix rules plus the irregular forms and exclusions of ``tokens.toml``."""

    def __init__(self, irregular: dict[str, str], never: frozenset[str]):
        self.irregular = irregular
        self.never = never
        self._irregular_of: dict[str, set[str]] = {}
        for form, base in irregular.items():
            self._irregular_of.setdefault(base, set()).add(form)

    def base_forms(self, word: str, english: dict[str, int]) -> set[str]:
        """Possible base forms of ``word`` (itself included), by undoing a suffix."""
        bases = {word}
        if word in self.irregular:
            bases.add(self.irregular[word])
        for suffix, repl in (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
                             ("d", ""), ("ing", ""), ("ing", "e"), ("ying", "ie")):
            if word.endswith(suffix):
                stem = word[: -len(suffix)] + repl
                if len(stem) >= 3 and stem in english:
                    bases.add(stem)
                # Undo a doubled consonant: stabbed -> stab, cutting -> cut.
                if suffix in ("ed", "ing") and not repl and len(stem) >= 4 and stem[-1] == stem[-2] and stem[:-1] in english:
                    bases.add(stem[:-1])
        # A base must give the word back, or "used" would be a form of "us".
        return {b for b in bases if b == word or word in self.family(b)}

    def family(self, base: str) -> dict[str, str]:
        """Every form of ``base`` -> its kind (irregular forms count as past, plural or base)."""
        forms = regular_forms(base)
        for form in self._irregular_of.get(base, ()):
            forms.setdefault(form, "s" if form.endswith("s") else "ed")
        return forms

    def lemma(self, word: str, english: dict[str, int]) -> str | None:
        """The one base form of ``word`` (itself if it has no suffix), or None when several
        are possible ("scared": scare or scar; "dying": die or dye)."""
        bases = self.base_forms(word, english) - {word}
        if not bases:
            return word
        return bases.pop() if len(bases) == 1 else None

    def lexicon_forms(self, lexicon_words, known: set[str], english: dict[str, int],
                      protected: set[str]) -> dict[str, str]:
        """Form the lexicon lacks -> the lexicon's form of the same word.

        ``lexicon_words``: words of concept phrases (the families are built from these);
        ``known``: every vocabulary word (never rewritten); ``protected``: shorthand keys and
        guard words (never rewritten either). Only unambiguous lemmas take part, and no
        function word ("herring" is no form of "her").
        """
        lexicon_words = set(lexicon_words)
        members: dict[str, dict[str, str]] = {}  # lemma -> {lexicon form: kind}
        for word in lexicon_words:
            if not word.isalpha() or len(word) < 3:
                continue
            base = self.lemma(word, english)
            if base is None or len(base) < 3 or english.get(base, 1 << 30) < FUNCTION_WORD_RANK:
                continue
            kind = self.family(base).get(word)
            if kind is not None:
                members.setdefault(base, {})[word] = kind
        claims: dict[str, set[str]] = {}
        for base, have in members.items():
            for form, kind in self.family(base).items():
                if form in known or form in protected or form in self.never:
                    continue
                if (form not in english and form not in self.irregular) or self.lemma(form, english) != base:
                    continue
                target = next((f for want in _TARGET_ORDER[kind] for f in sorted(have) if have[f] == want), None)
                if target is not None:
                    claims.setdefault(form, set()).add(target)
        return {form: targets.pop() for form, targets in claims.items() if len(targets) == 1}
