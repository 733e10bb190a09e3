"""The concept lexicon: records read from ``data/lexicon/concepts.toml``.

A concept is data: an id, a description a dispatcher can read, its roles under the
labeling guide (crisis indicator, elevated-risk sign, means, medical cause, context) and the
phrases that express it. The engine never hard-codes a word.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import DataFileError, Errors
from ..datafile import read_toml

DEFAULT_CONCEPTS = Path(__file__).resolve().parent.parent / "data" / "lexicon" / "concepts.toml"
ROLES = frozenset({"crisis", "risk", "means", "medical", "context"})
_ALLOWED_KEYS = frozenset({"id", "description", "roles", "group", "phrases", "medical_explains", "history_is_current", "implies"})
_ALTERNATION = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Concept:
    """One concept of the lexicon."""

    id: str
    description: str
    roles: frozenset[str]
    group: str
    phrases: tuple[str, ...]
    medical_explains: bool = False
    history_is_current: bool = False
    #: implied concept -> words: a finding of this concept with one of the words in it also
    #: names that concept ("going to shoot himself" names a firearm).
    implies: tuple[tuple[str, frozenset[str]], ...] = ()

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class ConceptLexicon:
    concepts: dict[str, Concept]
    version: str
    source: str = field(default="")

    def __getitem__(self, concept_id: str) -> Concept:
        return self.concepts[concept_id]

    def __iter__(self):
        return iter(self.concepts.values())

    def __len__(self) -> int:
        return len(self.concepts)


def expand_phrase(phrase: str) -> list[str]:
    """``"{a|b} c"`` → ``["a c", "b c"]``; a phrase without braces is returned as is."""
    parts = _ALTERNATION.split(phrase)
    # split() alternates literal text and brace contents: literal, alts, literal, alts, ...
    choices = [[p] if i % 2 == 0 else p.split("|") for i, p in enumerate(parts)]
    return [re.sub(r"\s+", " ", "".join(combo)).strip() for combo in itertools.product(*choices)]


def load_concepts(path: str | Path = DEFAULT_CONCEPTS) -> ConceptLexicon:
    """Read and validate a concept lexicon file (parsed once per path and process)."""
    return _load_concepts(Path(path).resolve())


@lru_cache(maxsize=8)
def _load_concepts(path: Path) -> ConceptLexicon:
    data = read_toml(path)
    records = data.get("concept")
    if not isinstance(records, list) or not records:
        raise DataFileError(Errors.E030.format(path=path, detail="no [[concept]] records"))
    concepts: dict[str, Concept] = {}
    for n, rec in enumerate(records, 1):
        unknown = set(rec) - _ALLOWED_KEYS
        if unknown:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail=f"unknown keys {sorted(unknown)}; allowed: {sorted(_ALLOWED_KEYS)}"))
        for key in ("id", "description", "group", "phrases"):
            if key not in rec:
                raise DataFileError(Errors.E031.format(line=n, path=path, detail=f"missing {key!r}"))
        roles = frozenset(rec.get("roles", []))
        if roles - ROLES:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail=f"unknown roles {sorted(roles - ROLES)}; allowed: {sorted(ROLES)}"))
        if rec["id"] in concepts:
            raise DataFileError(Errors.E031.format(line=n, path=path, detail=f"duplicate id {rec['id']!r}"))
        phrases: list[str] = []
        for phrase in rec["phrases"]:
            if not isinstance(phrase, str) or not phrase.strip():
                raise DataFileError(Errors.E031.format(line=n, path=path, detail="phrases must be non-empty strings"))
            phrases.extend(expand_phrase(phrase.lower()))
        implies = rec.get("implies", {})
        if not isinstance(implies, dict) or not all(
                isinstance(w, list) and w and all(isinstance(x, str) and x.strip() for x in w) for w in implies.values()):
            raise DataFileError(Errors.E031.format(line=n, path=path, detail="implies must map concept ids to lists of words"))
        concepts[rec["id"]] = Concept(
            id=rec["id"],
            description=rec["description"],
            roles=roles,
            group=rec["group"],
            phrases=tuple(dict.fromkeys(phrases)),
            medical_explains=bool(rec.get("medical_explains", False)),
            history_is_current=bool(rec.get("history_is_current", False)),
            implies=tuple((k, frozenset(x.lower() for x in w)) for k, w in implies.items()),
        )
    for concept in concepts.values():
        for implied, _ in concept.implies:
            if implied not in concepts:
                raise DataFileError(Errors.E030.format(path=path, detail=f"{concept.id} implies unknown concept {implied!r}"))
    owner: dict[str, str] = {}
    for concept in concepts.values():
        for phrase in concept.phrases:
            other = owner.setdefault(" ".join(phrase.split()), concept.id)
            if other != concept.id:
                raise DataFileError(Errors.E030.format(path=path, detail=f"phrase {phrase!r} is in both {other} and {concept.id}: a phrase means one concept"))
    return ConceptLexicon(concepts, str(data.get("version", "unversioned")), str(path))
