"""The ConText engine: which cue reaches which concept, and what it makes of it.

A small, generic implementation of ConText (Harkema et al. 2009) for call notes:
cues are found by phrase match, each cue reaches the concepts within ``max_scope`` tokens in
its direction, never across a clause boundary or a TERMINATE cue, and across a comma only
along a list of the same kind of concept ("denies SI, HI"). The rules themselves are data
(``context_rule.py``).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .context_rule import ASSERTION_OF, ASSERTION_PRIORITY, EXPERIENCER_OF, ContextRule

#: Tokens that only join list items and may sit in a comma list without breaking it.
_LIST_JOINERS = frozenset({"and", "or", "nor", "&", "any", "a"})


@dataclass
class Finding:
    """A concept found in the normalized notes, with its ConText attributes."""

    concept: str
    group: str
    start: int  # token offsets
    end: int
    start_char: int  # normalized-text character offsets
    end_char: int
    assertion: str = "affirmed"
    experiencer: str = "unknown"
    cue_chars: tuple[int, int] | None = None
    clause: int = 0
    implied: bool = False  # named by another finding's words (lexicon ``implies``), not said itself


@dataclass(frozen=True)
class Cue:
    rule: ContextRule
    start: int
    end: int
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Clauses:
    """Per token: its clause (hard boundary) and its comma segment (soft boundary)."""

    hard: list[int]
    soft: list[int]
    content: dict[int, int]  # comma segment → number of tokens in it other than list joiners


def split_clauses(words: list[str], spaces: list[bool], boundaries: frozenset[str], answers: frozenset[str]) -> Clauses:
    """Clause and comma-segment ids for lower-case tokens ``words``.

    A boundary token closes its clause. "/" and "-" count only with white space next to them
    ("w/o", "x-ray" are words), and "?" not when an answer follows ("weapons? no").
    """
    hard, soft, content = [], [], {}
    clause = segment = 0
    n = len(words)
    for i, word in enumerate(words):
        hard.append(clause)
        soft.append(segment)
        if word == ",":
            segment += 1
            continue
        if word not in _LIST_JOINERS and not word.isspace():
            content[segment] = content.get(segment, 0) + 1
        closes = False
        if word in boundaries or (word.isspace() and "\n" in word):
            closes = True
            if word in ("/", "-") and not (spaces[i] or (i > 0 and spaces[i - 1])):
                closes = False
            elif word == "?" and i + 1 < n and words[i + 1] in answers:
                closes = False
        if closes:
            clause += 1
            segment += 1
    return Clauses(hard, soft, content)


def apply_context(findings: list[Finding], cues: list[Cue], clauses: Clauses, history_is_current: frozenset[str]) -> None:
    """Set ``assertion``, ``experiencer`` and ``cue_chars`` on each finding in place."""
    if not findings or not cues:
        return
    terminators = sorted(c.start for c in cues if c.rule.category == "TERMINATE")
    covers = _segment_cover(findings, clauses)
    # A cue reaches at most its max_scope tokens: look only at cues that close to each finding,
    # so a long page costs time in proportion to its length, not findings x cues.
    cues = sorted(cues, key=lambda c: c.start)
    starts = [c.start for c in cues]
    reach = max((c.rule.max_scope + (c.end - c.start) for c in cues), default=0)
    # An answer cue followed by its own concept ("HAS PTSD - NO WEAPONS") answers forward only.
    answers = [c for c in cues if c.rule.answer]
    finding_starts = {f.start for f in findings} if answers else set()
    forward_only = {id(c) for c in answers
                    if any(j in finding_starts and clauses.hard[j] == clauses.hard[c.end - 1]
                           for j in (c.end, c.end + 1) if j < len(clauses.hard))}
    for finding in findings:
        best_priority, best_experience_dist = -1, None
        lo = bisect.bisect_left(starts, finding.start - reach)
        hi = bisect.bisect_right(starts, finding.end + reach)
        for cue in cues[lo:hi]:
            rule = cue.rule
            if rule.category in ("TERMINATE", "PSEUDO"):
                continue
            if rule.allowed_groups is not None and finding.group not in rule.allowed_groups:
                continue
            if finding.end <= cue.start and id(cue) in forward_only:
                continue
            distance = _reach(cue, finding, clauses, terminators, covers)
            if distance is None:
                continue
            if rule.category in EXPERIENCER_OF:
                if best_experience_dist is None or distance < best_experience_dist:
                    best_experience_dist = distance
                    finding.experiencer = EXPERIENCER_OF[rule.category]
                continue
            assertion = ASSERTION_OF[rule.category]
            if assertion == "historical" and finding.concept in history_is_current:
                continue
            priority = ASSERTION_PRIORITY[assertion]
            if priority > best_priority:
                best_priority = priority
                finding.assertion = assertion
                finding.cue_chars = (cue.start_char, cue.end_char)


#: The longest concept a comma list carries a cue on to.
_LIST_ITEM_TOKENS = 3


def _reach(cue: Cue, finding: Finding, clauses: Clauses, terminators: list[int], covers: dict[int, str]) -> int | None:
    """Token distance from ``cue`` to ``finding`` if the cue's scope reaches it, else None."""
    rule = cue.rule
    if finding.start >= cue.end and rule.direction in ("FORWARD", "BIDIRECTIONAL"):
        first, last = cue.end - 1, finding.start
        distance = finding.start - cue.end
    elif finding.end <= cue.start and rule.direction in ("BACKWARD", "BIDIRECTIONAL"):
        first, last = finding.end - 1, cue.start
        distance = cue.start - finding.end
    else:
        return None
    if distance >= rule.max_scope:
        return None
    if clauses.hard[first] != clauses.hard[last]:
        return None
    i = bisect.bisect_right(terminators, first)
    if i < len(terminators) and terminators[i] < last:
        return None
    if not rule.crosses_commas and clauses.soft[first] != clauses.soft[last]:
        # A comma list of the same kind of concept carries the cue on ("no knives, guns"):
        # the cue's own segment holds one of that kind, each later one nothing else. A list
        # item is a short name; a longer phrase after the comma is a statement of its own
        # ("hx of suic, thinking about taking pills").
        if finding.end - finding.start > _LIST_ITEM_TOKENS:
            return None
        lo, hi = sorted((clauses.soft[first], clauses.soft[last]))
        near = clauses.soft[cue.end - 1] if finding.start >= cue.end else clauses.soft[cue.start]
        if finding.group not in covers.get(("any", near), ()):
            return None
        for seg in range(lo, hi + 1):
            if seg != near and covers.get(seg) != finding.group:
                return None
    return distance


def _segment_cover(findings: list[Finding], clauses: Clauses) -> dict:
    """``seg → group`` for comma segments holding nothing but concepts of one group (and list
    joiners: "guns or rifles"), and ``("any", seg) → groups`` of every concept in a segment."""
    covers: dict = {}
    tokens: dict = {}
    for f in findings:
        seg = clauses.soft[f.start]
        covers.setdefault(("any", seg), set()).add(f.group)
        if clauses.soft[f.end - 1] == seg:
            group, n = tokens.get(seg, (f.group, 0))
            tokens[seg] = (group if group == f.group else None, n + f.end - f.start)
    for seg, (group, n) in tokens.items():
        if group is not None and clauses.content.get(seg) == n:
            covers[seg] = group
    return covers
