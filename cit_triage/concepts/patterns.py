"""Act patterns: a verb class, a bounded gap, an object class ("took 20 of her sleeping tablets").

Phrase lists cannot enumerate every way an attempt is told ("slit her forearm", "popping her
pills one after another"). A pattern is a sequence of word classes with at most ``max_gap``
tokens between consecutive slots, inside one clause; the classes and patterns are data
(``data/lexicon/act_patterns.toml``), this module is the small engine. A pattern match
becomes a concept finding like a phrase match, so ConText (negation, history ...) and the
explanation treat it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import DataFileError, Errors
from ..datafile import read_toml

DEFAULT_ACT_PATTERNS = Path(__file__).resolve().parent.parent / "data" / "lexicon" / "act_patterns.toml"
_PATTERN_KEYS = frozenset({"concept", "slots", "max_gap", "gap_words", "span_from", "open_end", "whole_clause", "why"})


@dataclass(frozen=True)
class ActPattern:
    concept: str
    slots: tuple[frozenset[str], ...]   # words of each slot, in order
    counts: tuple[int | None, ...]      # per slot: a number token of at least this value also fills it
    max_gap: int
    gap_words: frozenset[str] | None    # when set, only these tokens may stand between the first two slots
    span_from: int = 0                  # the finding starts at this slot: earlier slots are context only
    negated: tuple[bool, ...] = ()      # per slot: filled by any word *not* in its list ("!@time")
    open_end: bool = False              # a last "!" slot also holds at the end of the clause
    whole_clause: bool = False          # the match is all the words of its clause (a complaint line)


@dataclass(frozen=True)
class ActPatterns:
    patterns: tuple[ActPattern, ...]
    version: str
    #: word → the patterns (in file order) whose first slot holds it
    by_first_word: dict[str, tuple[ActPattern, ...]] = field(default_factory=dict, compare=False)
    counted_first: tuple[ActPattern, ...] = ()  # patterns whose first slot also takes a number

    def find(self, words: list[str], clause_of: list[int]) -> list[tuple[str, int, int]]:
        """``(concept, start, end)`` token spans of every pattern match (leftmost start per pattern)."""
        out = []
        n = len(words)
        for i, w in enumerate(words):
            # Only the patterns a token can open are tried (most tokens open none).
            candidates = self.by_first_word.get(w, ())
            if self.counted_first and w.isdigit():
                numbered = [p for p in self.counted_first if _fills(w, p.slots[0], p.counts[0])]
                if numbered:  # in file order, as the patterns are tried everywhere
                    chosen = {id(p) for p in (*candidates, *numbered)}
                    candidates = [p for p in self.patterns if id(p) in chosen]
            for p in candidates:
                found = _match_rest(p, words, clause_of, i, n) if len(p.slots) > 1 else (i, i + 1)
                if found is not None and p.whole_clause and not _alone(words, clause_of, i, found[1]):
                    found = None
                if found is not None:
                    start, end = found
                    out.append((p.concept, start if p.span_from else i, end))
        return out


def adjacent_words(patterns: ActPatterns) -> set[tuple[str, str]]:
    """Word pairs that may stand next to each other inside a pattern match ("took" "#",
    "cut" "wrists", "lacerations" "on"): a line wrapped between them is inside the act.
    "#" stands for a number token."""
    pairs: set[tuple[str, str]] = set()
    for p in patterns.patterns:
        slots = [set() if neg else set(slot) | ({"#"} if count is not None else set())
                 for slot, count, neg in zip(p.slots, p.counts, p.negated)]
        for k in range(len(slots) - 1):
            right = set(slots[k + 1])
            gap = set(p.gap_words or ()) if k == 0 else set()
            pairs.update((a, b) for a in slots[k] for b in right | gap)
            pairs.update((g, b) for g in gap for b in right | gap)
    return pairs


def _alone(words: list[str], clause_of: list[int], start: int, end: int) -> bool:
    """No word of the clause stands outside ``[start, end)`` (punctuation and single letters
    such as a layout's "[P" may)."""
    clause = clause_of[start]
    before = range(start - 1, -1, -1)
    after = range(end, len(words))
    for side in (before, after):
        for j in side:
            if clause_of[j] != clause:
                break
            if len(words[j]) > 1 and any(ch.isalnum() for ch in words[j]):
                return False
    return True


def _fills(word: str, slot: frozenset[str], min_count: int | None, negated: bool = False) -> bool:
    if negated:
        return word.isalpha() and word not in slot
    if word in slot:
        return True
    return min_count is not None and word.isdigit() and len(word) < 5 and int(word) >= min_count


def _match_rest(p: ActPattern, words: list[str], clause_of: list[int], i: int, n: int) -> tuple[int, int] | None:
    """``(start of slot span_from, end)`` when the rest of the pattern follows token ``i``."""
    pos = i
    start = i
    last = len(p.slots) - 2
    for k, (slot, count, negated) in enumerate(zip(p.slots[1:], p.counts[1:], p.negated[1:])):
        # "found her hanging" at the end of a clause: nothing follows that could make it "hanging out"
        at_end = p.open_end and negated and k == last
        if at_end and (pos + 1 >= n or clause_of[pos + 1] != clause_of[i]):
            return start, pos + 1
        for j in range(pos + 1, min(n, pos + 2 + p.max_gap)):
            if clause_of[j] != clause_of[i]:
                return (start, pos + 1) if at_end else None
            if negated and words[j].isalpha() and words[j] in slot:
                return None  # a "!" slot is decided by the first word after the previous slot
            if _fills(words[j], slot, count, negated):
                pos = j
                if k + 1 == p.span_from:
                    start = j
                break
            if k == 0 and p.gap_words is not None and words[j] not in p.gap_words \
                    and not ("#" in p.gap_words and words[j].isdigit()):
                return None
        else:
            return None
    return start, pos + 1


def _slot(spec, classes: dict[str, list[str]], path: Path, n: int) -> tuple[frozenset[str], int | None, bool]:
    words: set[str] = set()
    min_count = None
    negated = bool(spec) and all(isinstance(item, str) and item.startswith("!") for item in spec)
    for item in spec:
        if not isinstance(item, str):
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="slot entries must be strings"))
        if item.startswith("!") != negated:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="a slot is either all '!' entries or none"))
        item = item[1:] if negated else item
        if item.startswith("@"):
            if item[1:] not in classes:
                raise DataFileError(Errors.E031.format(line=n, path=path, detail=f"unknown word class {item!r}"))
            words.update(w for w in classes[item[1:]] if not w.startswith("#>="))
            min_count = next((int(w[3:]) for w in classes[item[1:]] if w.startswith("#>=")), min_count)
        elif item.startswith("#>="):
            min_count = int(item[3:])
        else:
            words.add(item.lower())
    return frozenset(words), min_count, negated


@lru_cache(maxsize=8)
def load_act_patterns(path: str | Path = DEFAULT_ACT_PATTERNS, concept_ids: frozenset[str] | None = None) -> ActPatterns:
    """Read and validate an act-pattern file; ``concept_ids`` are the lexicon's concepts."""
    path = Path(path)
    data = read_toml(path)
    classes = data.get("classes", {})
    if not isinstance(classes, dict) or not all(isinstance(v, list) for v in classes.values()):
        raise DataFileError(Errors.E030.format(path=path, detail="[classes] must map names to lists of words"))
    classes = {k: [str(w).lower() for w in v] for k, v in classes.items()}
    patterns = []
    for n, rec in enumerate(data.get("pattern", []), 1):
        unknown = set(rec) - _PATTERN_KEYS
        if unknown:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail=f"unknown keys {sorted(unknown)}; allowed: {sorted(_PATTERN_KEYS)}"))
        concept = rec.get("concept")
        if concept_ids is not None and concept not in concept_ids:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail=f"concept {concept!r} is not in the lexicon"))
        slots = rec.get("slots")
        whole_clause = rec.get("whole_clause", False)
        if not isinstance(whole_clause, bool):
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="whole_clause must be true or false"))
        if not isinstance(slots, list) or len(slots) < (1 if whole_clause else 2):
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="slots must be a list of at least two word lists (one with whole_clause)"))
        built = [_slot(s if isinstance(s, list) else [s], classes, path, n) for s in slots]
        gap = rec.get("gap_words")
        gap_words = None
        if gap is not None:
            gap_words, _, _ = _slot(gap if isinstance(gap, list) else [gap], classes, path, n)
        max_gap = int(rec.get("max_gap", 3))
        if max_gap < 0:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="max_gap must be >= 0"))
        span_from = rec.get("span_from", 0)
        if not isinstance(span_from, int) or not 0 <= span_from < len(slots):
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="span_from must be the index of a slot"))
        if built[0][2]:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="the first slot cannot be a '!' slot"))
        open_end = rec.get("open_end", False)
        if not isinstance(open_end, bool) or (open_end and not built[-1][2]):
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="open_end needs a last '!' slot"))
        patterns.append(ActPattern(concept, tuple(w for w, _, _ in built), tuple(c for _, c, _ in built), max_gap,
                                   gap_words, span_from, tuple(neg for _, _, neg in built), open_end, whole_clause))
    by_first_word: dict[str, list[ActPattern]] = {}
    for p in patterns:
        for w in p.slots[0]:
            by_first_word.setdefault(w, []).append(p)
    return ActPatterns(tuple(patterns), str(data.get("version", "unversioned")),
                       {w: tuple(ps) for w, ps in by_first_word.items()},
                       tuple(p for p in patterns if p.counts[0] is not None))
