"""One call through the NLP: normalized notes, concepts with context, and the guide's facts."""

from __future__ import annotations

import bisect
import dataclasses
import ctypes
import gc
import logging
import re
import threading
from itertools import islice
from dataclasses import dataclass
from typing import Callable

from spacy.language import Language

from .batching import fewer_collections
from .cancel import checkpoint
from .facts.derive import CallFacts, CallTypeMatcher, derive_facts
from .concepts.components import token_words
from .concepts.context import Finding
from .concepts.lexicon import ConceptLexicon
from .protocol.layout import PageLayout, premise_spans, protocol_spans, read_layout, skip_spans
from .protocol.rules import load_rules
from .text.normalize import NormalizedNotes, Shorthand
from .schema import Call

# Function words carry no signal as word features; kept small on purpose (negations stay).
STOP_WORDS = frozenset(
    "a an the and or of to in on at for from by with is are was were be been being it its this that "
    "these those there here he she his her him they them their we our you your i me my as has have "
    "had do does did so if then than about into over up out per via just also".split()
)
_WORD = re.compile(r"^[a-z][a-z'\-]*$")
_CALL_TYPE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+|\d{2}-\d{2}")


@dataclass
class CallAnalysis:
    call: Call
    notes: NormalizedNotes
    findings: list[Finding]
    facts: CallFacts
    words: list[str]
    call_type_words: list[str]
    layout: PageLayout | None = None

    def original_span(self, finding_or_chars) -> tuple[int, int]:
        if isinstance(finding_or_chars, Finding):
            return self.notes.original_span(finding_or_chars.start_char, finding_or_chars.end_char)
        return self.notes.original_span(*finding_or_chars)

    def quote(self, finding: Finding) -> str:
        start, end = self.original_span(finding)
        return self.notes.original[start:end]


_log = logging.getLogger(__name__)


def _return_freed_memory() -> None:
    """Free a dropped pipeline now and give its pages back to the operating system.

    A spaCy pipeline is held in reference cycles, so only the cycle collector frees it; and
    glibc keeps freed heap pages for reuse, so without ``malloc_trim`` RSS would stay at two
    pipelines' worth after every renewal (measured: +45 MB instead of -5 MB). Elsewhere
    (macOS, musl, Windows) there is no ``malloc_trim`` and the allocator decides.
    """
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass


class Analyzer:
    """Runs normalization, the spaCy pipeline and fact derivation for one call."""

    def __init__(self, nlp: Language, shorthand: Shorthand, lexicon: ConceptLexicon, crisis_assertions, risk_assertions,
                 call_types: CallTypeMatcher, renew_nlp: Callable[[], Language] | None = None):
        self.nlp = nlp
        self.shorthand = shorthand
        self.lexicon = lexicon
        self.crisis_assertions = frozenset(crisis_assertions)
        self.risk_assertions = frozenset(risk_assertions)
        self.call_types = call_types
        # spaCy's memory zone frees the strings and lexemes of the notes analyzed inside it
        # when it closes, so a long-running job's memory stays (nearly) flat. A zone per call would also
        # drop every new word's lexeme after each call, so one zone spans ``calls_per_zone``
        # calls and is then closed and reopened: memory grows by at most one window of notes.
        # (Inside a zone spaCy adds nothing to its tokenizer cache; the tokenizer's affix
        # searches keep a bounded cache of their own, see concepts/pipeline.py.) Zones are process-wide state that must not overlap, hence the lock.
        # Nothing tied to a Doc leaves a zone: a CallAnalysis holds Python strings and offsets.
        self._zone = threading.Lock()
        self._open_zone = None
        self._in_zone = 0
        self.calls_per_zone = 256
        # Zones free the strings, but spaCy's hash tables keep a tombstone for each freed word
        # and grow in steps (about 19 MB after 250,000 distinct notes, 130 MB after a million).
        # A fresh pipeline has fresh tables: after ``renew_after_calls`` calls the Analyzer
        # builds one with ``renew_nlp`` (about a second, outside the lock, so other calls go on
        # meanwhile), swaps it in and returns the old one's memory to the system. Suggestions
        # are the same: it is the same pipeline.
        self._renew_nlp = renew_nlp
        self._renewing = threading.Lock()
        self._calls_on_nlp = 0
        self.renew_after_calls = 100_000
        self.protocol_rules = load_rules()

    def _zone_for(self, n: int) -> None:
        """Make sure a memory zone is open for ``n`` more calls (call with the lock held)."""
        if self._open_zone is not None and self._in_zone + n > self.calls_per_zone:
            self._close_zone()
        if self._open_zone is None:
            self._open_zone = self.nlp.memory_zone()
            self._open_zone.__enter__()
        self._in_zone += n
        self._calls_on_nlp += n

    def _renew_if_due(self) -> None:
        """Swap in a freshly built pipeline once this one has analyzed ``renew_after_calls`` calls."""
        if self._renew_nlp is None or self._calls_on_nlp < self.renew_after_calls:
            return
        if not self._renewing.acquire(blocking=False):
            return  # another thread is building it
        try:
            try:
                fresh = self._renew_nlp()
            except Exception as error:  # housekeeping must not fail the call that triggered it
                _log.warning("pipeline renewal failed (%s); keeping the current pipeline, retrying after "
                             "another %d calls", type(error).__name__, self.renew_after_calls)
                self._calls_on_nlp = 0
                return
            with self._zone:
                self._close_zone()  # no zone of the old pipeline stays open
                self.nlp, self._calls_on_nlp = fresh, 0
            _return_freed_memory()
        finally:
            self._renewing.release()

    def _close_zone(self) -> None:
        if self._open_zone is not None:
            zone, self._open_zone, self._in_zone = self._open_zone, None, 0
            zone.__exit__(None, None, None)

    def release(self) -> None:
        """Free the strings of every note analyzed since the last window closed."""
        with self._zone:
            self._close_zone()

    def analyze(self, call: Call) -> CallAnalysis:
        layout = read_layout(call.notes, self.protocol_rules)
        notes = self._normalize(call.notes, layout)
        checkpoint()
        with self._zone:
            self._zone_for(1)
            doc = self.nlp(notes.text)
            checkpoint()
            analysis = self._finish(call, notes, doc, layout)
        self._renew_if_due()
        return analysis

    def _normalize(self, text: str, layout: PageLayout) -> NormalizedNotes:
        """The notes normalized with their time and user stamps read as line breaks: an entry
        stamp that falls inside a sentence ("HAVING A MENTAL JSMITH 10:07:38 BREAKDOWN") then
        joins like a wrapped line, and otherwise ends the clause. Offsets stay the original's."""
        stamps = [(s.start, s.end) for s in layout.segments if s.kind == "timestamp"]
        if not stamps:
            return self.shorthand.normalize(text)
        chars = list(text)
        for a, b in stamps:
            chars[a:b] = "\n" + " " * (b - a - 1)  # same length: the offset map holds
        return dataclasses.replace(self.shorthand.normalize("".join(chars)), original=text)

    def analyze_many(self, calls: list[Call], batch_size: int = 256) -> list[CallAnalysis]:
        with fewer_collections():
            return list(self.iter_analyze(calls, batch_size))

    def iter_analyze(self, calls, batch_size: int = 256):
        """Analyses one by one, so a long batch never holds more than ``batch_size`` docs."""
        calls = iter(calls)
        while batch := list(islice(calls, batch_size)):
            layouts = [read_layout(c.notes, self.protocol_rules) for c in batch]
            pairs = [(n.text, n) for n in (self._normalize(c.notes, lay) for c, lay in zip(batch, layouts))]
            with self._zone:
                self._zone_for(len(batch))
                done = [self._finish(call, notes, doc, layout)
                        for call, layout, (doc, notes) in zip(batch, layouts, self.nlp.pipe(pairs, as_tuples=True,
                                                                                             batch_size=batch_size))]
            self._renew_if_due()
            yield from done

    def _finish(self, call: Call, notes: NormalizedNotes, doc, layout: PageLayout) -> CallAnalysis:
        findings = doc._.findings or []
        checkpoint()
        if layout.segments and (layout.facts or layout.protocol_kind or len(layout.segments) > 1):
            findings = self._read_layout(findings, notes, layout)
        # "Event spawned from MENTAL HEALTH": the same incident, so its call type names this call too.
        linked = [call.notes[s.start:s.end] for s in layout.segments if s.kind == "linked_call_type"]
        if call.call_type and any(ch.isdigit() for ch in call.call_type):
            # A determinant code in the call type reads as its words: "23B01I" is an intentional overdose.
            linked.append(self.shorthand.normalize(call.call_type).text)
        facts = derive_facts(findings, call, self.lexicon, self.crisis_assertions, self.risk_assertions, self.call_types,
                             linked)
        words = [w for w in token_words(doc)[0] if w not in STOP_WORDS and _WORD.match(w)]
        ct_words = [w.lower() for w in _CALL_TYPE_WORD.findall(call.call_type or "")]
        return CallAnalysis(call, notes, findings, facts, words, ct_words, layout)

    def _read_layout(self, findings: list[Finding], notes: NormalizedNotes, layout: PageLayout) -> list[Finding]:
        """Findings as the page's structure reads them: nothing in unit logs, time stamps or linkage
        boilerplate; premise notes are about the address (history); on a medical protocol page the
        protocol's own text ("abnormal behavior", "combative") is medical context; protocol
        answers in words ("He is not violent") become findings of their own."""
        skip, premise, proto = skip_spans(layout), premise_spans(layout), protocol_spans(layout)
        medical_page = layout.protocol_kind == "medical"
        kept = []
        for f in findings:
            start, end = notes.original_span(f.start_char, f.end_char)
            if _inside(start, end, skip):
                continue
            if medical_page and self.lexicon[f.concept].has("crisis") and _inside(start, end, proto):
                continue
            if _inside(start, end, premise):
                f.assertion = "historical"
            kept.append(f)
        for fact in layout.facts:
            concept = _PROTOCOL_CONCEPT.get(fact.fact, fact.fact)
            if fact.source == "suffix" or concept not in self.lexicon.concepts:
                continue  # suffix letters are already expanded by the shorthand table
            if any(g.concept == concept and _overlaps(notes.original_span(g.start_char, g.end_char), (fact.start, fact.end))
                   for g in kept):
                continue
            a, b = _normalized_span(notes, fact.start, fact.end)
            kept.append(Finding(concept, self.lexicon[concept].group, -1, -1, a, b,
                                assertion="unknown" if fact.assertion == "uncertain" and concept in _ASKED else fact.assertion))
        return kept


#: Protocol facts named differently from the lexicon's concepts.
_PROTOCOL_CONCEPT = {"WEAPON": "OTHER_WEAPON"}
#: Protocol answers "it is not known if ..." about these are open questions, not hedges.
_ASKED = frozenset({"OTHER_WEAPON", "FIREARM", "KNIFE"})


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def _overlaps(x: tuple[int, int], y: tuple[int, int]) -> bool:
    return x[0] < y[1] and y[0] < x[1]


def _normalized_span(notes: NormalizedNotes, start: int, end: int) -> tuple[int, int]:
    """Normalized character offsets of the original ``start:end``."""
    a = bisect.bisect_left(notes.starts, start, 0, len(notes.text))
    b = bisect.bisect_left(notes.starts, end, a, len(notes.text))
    return a, max(a, b)
