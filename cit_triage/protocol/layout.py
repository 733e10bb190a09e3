"""Read a CAD page's structure: protocol blocks, unit logs, stamps, premise and linkage notes.

The engine is small and knows no words: labels, protocols, suffix letters, answer phrases
and status words are data (:mod:`cit_triage.protocol.rules`). One pass finds every field
label; each value runs to the next label and is cut by its field's ``value`` rule. Then
bare determinant codes, "question? answer" pairs, unit-log chunks and time stamps are
found, overlaps are resolved (earlier start wins, then the longer span), and what is left
is narrative. Every offset points into the original notes string.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .rules import Field, ProtocolRules, load_rules

#: Longest value an answer, sentence or premise field reads; real ones are under 200 chars.
MAX_VALUE = 400
#: Longest unit-log chunk; real ones are under 60 chars.
MAX_CHUNK = 120
#: protocol_kind when a page holds several protocols: the one that asks most of the reader.
KIND_PRIORITY = ("behavioral", "overdose", "medical", "trauma", "fire", "police")

# "25-D-1", "25-D-1V", "23-C-7-A", "25D01V", "26C1", "09-E-01": number, level, number, suffix.
# The separator after the protocol number is repeated after the level (\2).
_CODE = re.compile(r"(?<![\w-])(\d{1,3})(-?)([A-EOΩ])\2(\d{1,2})(?:-?([A-Z]))?(?![\w-])")
_NUMBERED = re.compile(r"(?<![\w.])(\d{1,2})\.\s?(?=[A-Za-z])")
_USER_BEFORE_TIME = re.compile(r"(?<![\w])([A-Z][A-Z0-9_]{2,15}) (\d{1,2}:\d{2}:\d{2})\b")
_CHUNK = re.compile(r"[^\n/;]+")
_TOKEN = re.compile(r"[^\s:>#,]+")
_WORD = re.compile(r"\s*(\S+)")


@dataclass(frozen=True)
class Segment:
    """A span of the notes and what it is (see docs/protocol.md for the kinds)."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Determinant:
    """A dispatch determinant code as written, e.g. ``25D01V`` → protocol 25, level D, 1, V."""

    code: str
    protocol: int
    level: str
    number: int
    suffix: str | None
    start: int
    end: int
    description: str | None      # the determinant text next to the code, as written
    protocol_name: str | None    # from protocols.toml


@dataclass(frozen=True)
class ProtocolFact:
    """A fact the protocol text states: ``VIOLENCE`` negated from "She is not violent."."""

    fact: str
    assertion: str   # affirmed | negated | uncertain
    start: int
    end: int
    source: str      # suffix | description | answer


@dataclass(frozen=True)
class PageLayout:
    segments: tuple[Segment, ...]
    determinants: tuple[Determinant, ...]
    facts: tuple[ProtocolFact, ...]
    protocol_kind: str | None    # behavioral | overdose | medical | trauma | fire | police | None
    protocols: tuple[str, ...] = ()  # protocol ids found, in page order

    @property
    def has_protocol(self) -> bool:
        """A protocol block is on the page (even one whose protocol is not in the data)."""
        return any(s.kind in _PROTOCOL_KINDS for s in self.segments)


_PROTOCOL_KINDS = frozenset({"protocol_header", "chief_complaint", "determinant", "key_answer", "caller_statement"})
_SKIP_KINDS = frozenset({"unit_log", "timestamp", "linkage"})
_EMPTY = PageLayout((), (), (), None)


def read_layout(notes: str, rules: ProtocolRules | None = None) -> PageLayout:
    """The structure of ``notes``: segments, determinant codes, protocol facts, protocol kind.

    Never raises on any string; anything that is not a string reads as an empty page.
    """
    if not isinstance(notes, str) or not notes or notes.isspace():
        return _EMPTY
    rules = rules or load_rules()
    if not rules.may_have_structure(notes):
        return PageLayout(_narrative(notes, [], ()), (), (), None)
    return _Reader(notes, rules).read()


def skip_spans(layout: PageLayout) -> list[tuple[int, int]]:
    """Original offsets of unit logs, time/user stamps and linkage boilerplate: no concept lives there."""
    return [(s.start, s.end) for s in layout.segments if s.kind in _SKIP_KINDS]


def premise_spans(layout: PageLayout) -> list[tuple[int, int]]:
    """Original offsets of premise/caution notes: about the address, not this call's person."""
    return [(s.start, s.end) for s in layout.segments if s.kind == "premise"]


def protocol_spans(layout: PageLayout) -> list[tuple[int, int]]:
    """Protocol template text already read as facts (header, complaint, determinant, answers).

    The caller statement is not included: it is the caller's words and is read like narrative.
    """
    return [(s.start, s.end) for s in layout.segments
            if s.kind in _PROTOCOL_KINDS and s.kind != "caller_statement"]


def _narrative(text: str, kept: list[Segment], _unused) -> tuple[Segment, ...]:
    """Kept segments plus narrative for every gap holding a letter or digit."""
    out, pos = [], 0
    for seg in kept + [Segment("", len(text), len(text))]:
        if seg.start > pos:
            a, b = pos, seg.start
            while a < b and (text[a].isspace() or text[a] in "/-;,.|*"):
                a += 1
            while b > a and (text[b - 1].isspace() or text[b - 1] in "/-;,|*"):
                b -= 1
            if any(ch.isalnum() for ch in text[a:b]):
                out.append(Segment("narrative", a, b))
        if seg.kind:
            out.append(seg)
        pos = max(pos, seg.end)
    return tuple(out)


class _Reader:
    """One page being read; the state of one read_layout call."""

    def __init__(self, text: str, rules: ProtocolRules):
        self.text, self.rules = text, rules
        # str.lower() can change a string's length (e.g. "İ"); then offsets would drift,
        # so such a page is matched on a same-length ASCII-folded copy.
        lower = text.lower()
        self.lower = lower if len(lower) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self.candidates: list[Segment] = []
        self.dets: list[dict] = []
        self.facts: list[ProtocolFact] = []
        self.kinds: set[str] = set()
        self.refs: list[tuple[int, str]] = []   # (offset, protocol id): complaints and codes, for kinds
        self.claimed: list[tuple[int, int]] = []  # code fields, so bare-code scan skips them

    # -- helpers -----------------------------------------------------------------------------
    def _ref(self, pos: int, pid: str) -> None:
        self.refs.append((pos, pid))
        self.kinds.add(self.rules.by_id[pid].kind)

    def _add(self, kind: str, start: int, end: int) -> None:
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        if end > start:
            self.candidates.append(Segment(kind, start, end))

    def _end(self, mode: str, a: int, b: int) -> int:
        """Where a value starting at ``a`` ends, given the next label at ``b``."""
        text = self.text
        if mode == "none":
            return a
        if mode.startswith("words:"):
            pos = a
            for _ in range(int(mode[6:])):
                m = _WORD.match(text, pos, b)
                if not m or "\n" in text[pos:m.start(1)]:
                    break
                pos = m.end()
            return pos
        line_end = text.find("\n", a, b)
        stop = b if line_end < 0 else line_end
        if mode == "line":
            return stop
        if mode == "bracket":
            close = text.find("]", a, min(stop, a + MAX_VALUE))
            return close + 1 if close >= 0 else min(stop, a + MAX_VALUE)
        stop = min(stop, a + MAX_VALUE)
        if mode == "answer":
            double = text.find("  ", a + 1, stop)   # Paramount glues narrative after two spaces
            if double >= 0:
                stop = double
        return _sentence_end(text, a, stop)

    def _protocol_at(self, offset: int):
        """The protocol named last before ``offset`` (a complaint or a code), if any.

        Fields are read left to right, so the last reference recorded is the one before.
        """
        for pos, pid in reversed(self.refs):
            if pos <= offset:
                return self.rules.by_id[pid]
        return None

    def _describe(self, a: int, b: int, kind: str | None) -> None:
        """Facts from determinant words in text[a:b] under protocol kind ``kind``."""
        if kind is None or b <= a or not self.rules.description_gate.search(self.text, a, b):
            return
        seen = set()
        for rule in self.rules.descriptions:
            if rule.fact in seen or kind not in rule.kinds:
                continue
            for pat in rule.patterns:
                m = pat.search(self.text, a, b)
                if m:
                    seen.add(rule.fact)
                    self.facts.append(ProtocolFact(rule.fact, rule.assertion, m.start(), m.end(), "description"))
                    break

    def _answer(self, a: int, b: int, seg_start: int) -> None:
        """Facts from one key-question answer in text[a:b]; the fact span is the whole answer."""
        answer = self.text[a:b].strip(" \t-.:")
        if not answer or not self.rules.answer_gate.search(answer):
            return
        seen = set()
        for rule in self.rules.answers:
            if rule.fact in seen:
                continue
            for pat in rule.patterns:
                if pat.search(answer):
                    seen.add(rule.fact)
                    self.facts.append(ProtocolFact(rule.fact, rule.assertion, seg_start, b, "answer"))
                    break

    def _suffix_facts(self, protocol, letter: str, start: int, end: int) -> None:
        rule = protocol.suffixes.get(letter) if protocol else None
        for fact, assertion in (rule.facts if rule else ()):
            self.facts.append(ProtocolFact(fact, assertion, start, end, "suffix"))

    def _det(self, m: re.Match, start: int, end: int, description: str | None) -> dict | None:
        number = int(m.group(1))
        protocol = self.rules.by_number.get(number)
        if protocol is None:
            return None
        det = {"code": m.group(0), "protocol": number, "level": m.group(3), "number": int(m.group(4)),
               "suffix": m.group(5), "start": start, "end": end, "description": description,
               "protocol_name": protocol.name, "suffix_span": m.span(5)}
        self.dets.append(det)
        self._ref(m.start(), protocol.id)
        if m.group(5):
            self._suffix_facts(protocol, m.group(5), *m.span(5))
        return det

    # -- the passes ----------------------------------------------------------------------------
    def read(self) -> PageLayout:
        text, rules = self.text, self.rules
        labels = self._labels()
        codes = list(_CODE.finditer(text))
        protocol_page = any(f.strong for f, _, _ in labels) or any(int(c.group(1)) in rules.by_number for c in codes)
        for i, (field, start, label_end) in enumerate(labels):
            if field.needs_protocol and not protocol_page:
                continue
            next_label = labels[i + 1][1] if i + 1 < len(labels) else len(text)
            self._field(field, start, label_end, next_label)
        for m in codes:
            if not any(a <= m.start() < b for a, b in self.claimed):
                self._bare_code(m)
        if rules.qa_regex is not None and "?" in text:
            for m in rules.qa_regex.finditer(text):
                fact = rules.qa_facts[int(next(k for k, v in m.groupdict().items() if v is not None and k != "ans")[1:])]
                assertion = rules.answer_words[m.group("ans").lower()]
                self._add("key_answer", m.start(), m.end())
                self.facts.append(ProtocolFact(fact, assertion, m.start(), m.end(), "answer"))
        self._unit_logs()
        self._timestamps()
        return self._finish()

    def _labels(self) -> list[tuple[Field, int, int]]:
        """Every field label, left to right, not overlapping: one dict look-up per label word."""
        index, text, out, pos = self.rules.field_index, self.text, [], 0
        for tok in self.rules.label_token.finditer(self.lower):   # most pages hold none
            if tok.start() < pos:
                continue
            word = tok.group(0)
            for field in index.get("#" if word[0].isdigit() else word, ()):
                m = field.regex.match(text, tok.start())
                if m and m.end() > m.start():
                    out.append((field, m.start(), m.end()))
                    pos = m.end()
                    break
        return out

    def _field(self, field: Field, start: int, a: int, b: int) -> None:
        text, rules = self.text, self.rules
        end = self._end(field.value, a, b)
        role = field.role
        if role == "code":
            m = _CODE.match(text, a + len(text[a:b]) - len(text[a:b].lstrip()), b)
            if not m or int(m.group(1)) not in rules.by_number:
                return
            d_start, d_end = _description_span(text, m.end(), end)
            if d_end <= d_start:
                d_start = d_end = m.end()
            seg_end = d_end + 1 if text.startswith(")", d_end) else d_end
            self.claimed.append((start, end))
            self._det(m, start, seg_end, text[d_start:d_end] or None)
            self._add(field.kind, start, seg_end)
            protocol = rules.by_number[int(m.group(1))]
            self._describe(d_start, d_end, protocol.kind)
            return
        if role == "complaint":
            protocol = rules.protocol_for_complaint(text[a:end])
            if protocol:
                self._ref(start, protocol.id)
        elif role == "complaint_code":
            word = text[a:end].strip()
            protocol = rules.by_number.get(int(word)) if word.isdigit() and len(word) <= 3 else None
            if protocol:
                self._ref(start, protocol.id)
        elif role == "description":
            protocol = self._protocol_at(start)
            self._describe(a, end, protocol.kind if protocol else self._page_kind())
        elif role == "suffix":
            letter = text[a:end].strip()
            if not (len(letter) == 1 and letter.isalpha()):
                return
            pos = text.index(letter, a, end)
            last = self.dets[-1] if self.dets else None
            if last is not None and last["suffix"] is None and last["start"] < start:
                last["suffix"], last["suffix_span"] = letter.upper(), (pos, pos + 1)
            self._suffix_facts(self._protocol_at(start), letter.upper(), pos, pos + 1)
        elif role == "answer":
            self._answer(a, end, start)
        elif role == "answers":
            self._numbered(field, start, a, end)
            return
        elif role == "linkage":
            self._add(field.kind, start, a)
            v_start = a + len(text[a:end]) - len(text[a:end].lstrip())
            v_end = end - 1 if end > v_start and text[end - 1] == "." else end
            self._add("linked_call_type", v_start, v_end)
            return
        self._add(field.kind, start, end)

    def _numbered(self, field: Field, start: int, a: int, end: int) -> None:
        """"Responder script: ... 1.This was intentional. 2.She is not violent." → answers."""
        items, expected = [], 1
        for m in _NUMBERED.finditer(self.text, a, end):
            if int(m.group(1)) == expected:
                items.append(m)
                expected += 1
        header_end = items[0].start() if items else end
        self._add(field.kind, start, header_end)
        protocol = self._protocol_at(start)
        if self.dets and self.dets[-1]["start"] < start:   # inline layout: determinant text sits here
            self._describe(a, header_end, protocol.kind if protocol else self._page_kind())
        for i, m in enumerate(items):
            stop = items[i + 1].start() if i + 1 < len(items) else end
            item_end = _sentence_end(self.text, m.end(), min(stop, m.end() + MAX_VALUE))
            self._add("key_answer", m.start(), item_end)
            self._answer(m.end(), item_end, m.start())

    def _bare_code(self, m: re.Match) -> None:
        text = self.text
        start, end = m.start(), m.end()
        if start > 0 and text[start - 1] == "<" and text.startswith(">", end):
            start, end = start - 1, end + 1
        line_end = text.find("\n", end)
        d_start, d_end = _description_span(text, end, len(text) if line_end < 0 else line_end, bare=True)
        if d_end > d_start:
            end = d_end + 1 if text.startswith(")", d_end) else d_end
        det = self._det(m, start, end, text[d_start:d_end] or None)
        if det is None:
            return
        self._add("determinant", start, det["end"])
        self._describe(d_start, d_end, self.rules.by_number[int(m.group(1))].kind)

    def _unit_logs(self) -> None:
        rules = self.rules
        for m in _CHUNK.finditer(self.text):
            if m.end() - m.start() > MAX_CHUNK:
                continue
            tokens = _TOKEN.findall(m.group(0))
            if not tokens:
                continue
            has_status = False
            for i, tok in enumerate(tokens):
                low = tok.lower().strip("'\".()")
                pair = f"{low} {tokens[i + 1].lower()}" if i + 1 < len(tokens) else ""
                if low in rules.status_words or pair in rules.status_words:
                    has_status = True
                elif not (low in rules.filler_words or low in rules.status_parts or rules.unit_token.fullmatch(low)):
                    break
            else:
                if has_status:
                    raw = m.group(0)
                    a = m.start() + len(raw) - len(raw.lstrip())
                    self._add("unit_log", a, m.start() + len(raw.rstrip()))

    def _timestamps(self) -> None:
        if ":" not in self.text and "<<" not in self.text and "[" not in self.text:   # every stamp pattern has one
            return
        for m in self.rules.timestamp_regex.finditer(self.text):
            self._add("timestamp", m.start(), m.end())
        users = list(_USER_BEFORE_TIME.finditer(self.text))
        counts = Counter(m.group(1) for m in users)
        for m in users:
            if counts[m.group(1)] >= 2:   # a word stamped before several times is a user id
                self._add("timestamp", m.start(), m.end())

    def _page_kind(self) -> str | None:
        return next((k for k in KIND_PRIORITY if k in self.kinds), None)

    def _finish(self) -> PageLayout:
        kept: list[Segment] = []
        last_end = 0
        for seg in sorted(self.candidates, key=lambda s: (s.start, -s.end)):
            if seg.start >= last_end:
                kept.append(seg)
                last_end = seg.end
        dets = tuple(Determinant(**{k: v for k, v in d.items() if k != "suffix_span"}) for d in self.dets)
        protocols = tuple(dict.fromkeys(pid for _, pid in sorted(self.refs)))
        facts = tuple(sorted(set(self.facts), key=lambda f: (f.start, f.fact)))
        return PageLayout(_narrative(self.text, kept, ()), dets, facts, self._page_kind(), protocols)


def _sentence_end(text: str, a: int, stop: int) -> int:
    """First sentence end in text[a:stop] outside parentheses ("(less than 30 mins. ago)")."""
    depth = 0
    for i in range(a, stop):
        ch = text[i]
        if ch == "\n":
            return i
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch in ".!" and depth == 0 and (i + 1 == stop or text[i + 1].isspace()) and i > a:
            return i + 1
    return stop


def _description_span(text: str, a: int, stop: int, bare: bool = False) -> tuple[int, int]:
    """The determinant text after a code: "(Intentional)", ": Unconscious (Intentional)", "- text"."""
    stop = min(stop, a + 120)
    i = a
    while i < stop and text[i] in " :-\t>":
        i += 1
    if i < stop and text[i] == "(":
        close = text.find(")", i, stop)
        return (i + 1, close) if close > i else (i, i)
    if bare and (i == a or text[a] != ":"):
        return (i, i)    # a bare code's text counts only in parentheses or after ":"
    for sep in (" / ", "  "):
        j = text.find(sep, i, stop)
        if j >= 0:
            stop = j
    return (i, _sentence_end(text, i, stop)) if i < stop else (i, i)
