"""ConText rule records, read from ``data/lexicon/context_rules.toml``.

A rule says how a cue ("denies", "hx of", "if", "unk") changes the concepts in its scope.
Rules are data; ``context.py`` is the small engine that applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import DataFileError, Errors
from ..datafile import read_toml

DEFAULT_CONTEXT_RULES = Path(__file__).resolve().parent.parent / "data" / "lexicon" / "context_rules.toml"

CATEGORIES = ("NEGATED", "HISTORICAL", "HYPOTHETICAL", "UNCERTAIN", "UNKNOWN", "EXPERIENCER_CALLER",
              "EXPERIENCER_OTHER", "TERMINATE", "PSEUDO")
DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL")
_ALLOWED_KEYS = frozenset({"literals", "category", "direction", "max_scope", "crosses_commas", "allowed_groups", "at_end", "answer", "fires_inside"})

#: Category → the assertion it sets (experiencer categories set who, not how).
ASSERTION_OF = {"NEGATED": "negated", "HISTORICAL": "historical", "HYPOTHETICAL": "hypothetical",
                "UNCERTAIN": "uncertain", "UNKNOWN": "unknown"}
#: When several cues reach a concept, the strongest wins in this order. "uncertain" is a
#: hedge ("poss armed", "may have a gun"), "unknown" an open question ("unk weapons").
ASSERTION_PRIORITY = {"negated": 5, "historical": 4, "hypothetical": 3, "unknown": 2, "uncertain": 1, "affirmed": 0}
EXPERIENCER_OF = {"EXPERIENCER_CALLER": "caller", "EXPERIENCER_OTHER": "other"}


@dataclass(frozen=True)
class ContextRule:
    literal: str
    category: str
    direction: str | None
    max_scope: int
    crosses_commas: bool = False
    allowed_groups: frozenset[str] | None = None
    at_end: bool = False  # a backward cue only where it closes its phrase ("weapons unk", not "unk tablets")
    answer: bool = False  # an answer ("WEAPONS: NO") reads backward only when no concept follows it ("PTSD - NO WEAPONS")
    fires_inside: frozenset[str] = frozenset()  # concepts whose words may also be this cue ("accidentally" is an ACCIDENT and a negation)


@dataclass(frozen=True)
class ContextRules:
    rules: tuple[ContextRule, ...]
    version: str


def load_context_rules(path: str | Path = DEFAULT_CONTEXT_RULES) -> ContextRules:
    """Read and validate a ConText rules file; unknown keys and values are errors."""
    path = Path(path)
    data = read_toml(path)
    default_scope = int(data.get("default_max_scope", 6))
    rules: list[ContextRule] = []
    for n, rec in enumerate(data.get("rule", []), 1):
        unknown = set(rec) - _ALLOWED_KEYS
        if unknown:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail=f"unknown keys {sorted(unknown)}; allowed: {sorted(_ALLOWED_KEYS)}"))
        category = str(rec.get("category", "")).upper()
        if category not in CATEGORIES:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail=f"category {category!r} is not one of {CATEGORIES}"))
        direction = rec.get("direction")
        if category in ("TERMINATE", "PSEUDO"):
            direction = None
        elif str(direction).upper() not in DIRECTIONS:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail=f"direction {direction!r} is not one of {DIRECTIONS}"))
        else:
            direction = str(direction).upper()
        scope = int(rec.get("max_scope", default_scope))
        if scope <= 0:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="max_scope must be > 0"))
        literals = rec.get("literals")
        if not isinstance(literals, list) or not all(isinstance(x, str) and x.strip() for x in literals):
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="literals must be a list of non-empty strings"))
        groups = rec.get("allowed_groups")
        inside = rec.get("fires_inside", [])
        if not isinstance(inside, list) or not all(isinstance(x, str) and x for x in inside):
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="fires_inside must be a list of concept ids"))
        for literal in literals:
            rules.append(ContextRule(literal.lower(), category, direction, scope,
                                     bool(rec.get("crosses_commas", False)),
                                     frozenset(groups) if groups else None, bool(rec.get("at_end", False)),
                                     bool(rec.get("answer", False)), frozenset(inside)))
    return ContextRules(tuple(rules), str(data.get("version", "unversioned")))
