"""Protocol knowledge, read from ``data/protocol/*.toml`` and validated.

Four files, one rule family each: ``protocols.toml`` (protocol numbers, names, kinds,
suffix letters), ``layouts.toml`` (field labels of ProQA/PowerPhone pages, premise notes,
linkage boilerplate), ``facts.toml`` (description words, key-question answers,
"question? answer" pairs) and ``status.toml`` (unit-status logs, time and user stamps).
Every problem is one line naming the file and the record: ``DataFileError("data file
.../facts.toml: record answer 3: unknown fact 'VIOLENT'; ...")``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import DataFileError, Errors

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "protocol"
KINDS = frozenset({"behavioral", "overdose", "medical", "trauma", "fire", "police"})
SEGMENT_KINDS = frozenset({"protocol_header", "chief_complaint", "determinant", "key_answer",
                           "caller_statement", "premise", "linkage"})
ROLES = frozenset({"header", "complaint", "complaint_code", "code", "description", "suffix",
                   "answer", "answers", "caller", "premise", "linkage"})
ASSERTIONS = ("affirmed", "negated", "uncertain")
# A quantified group ("(ab)+", "(?:a|b)*", "(x){2,}") can backtrack on long input: refused.
_QUANTIFIED_GROUP = re.compile(r"\)[*+{]")
#: The words a label can start with; START_TOKEN finds them in lower-cased notes.
_START_WORD = re.compile(r"[a-z]+|#|---|\[")
START_TOKEN = re.compile(r"[a-z]+|\d+|---|\[")
_MARKS = (":", "?", "[", "{", ">", "---", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
_VALUE = re.compile(r"^(?:line|sentence|answer|none|bracket|words:[1-9])$")


@dataclass(frozen=True)
class Suffix:
    letter: str
    meaning: str
    facts: tuple[tuple[str, str], ...]  # (fact, assertion)


@dataclass(frozen=True)
class Protocol:
    id: str
    number: int | None
    name: str
    kind: str
    aliases: tuple[str, ...]
    suffixes: dict[str, Suffix]


@dataclass(frozen=True)
class Field:
    name: str
    pattern: str
    kind: str
    role: str
    value: str
    needs_protocol: bool
    strong: bool
    starts: tuple[str, ...]
    regex: re.Pattern[str]


@dataclass(frozen=True)
class FactRule:
    fact: str
    assertion: str
    patterns: tuple[re.Pattern[str], ...]
    kinds: frozenset[str] | None = None  # description rules only


@dataclass(frozen=True)
class ProtocolRules:
    """Everything :func:`read_layout` knows, compiled once."""

    protocols: tuple[Protocol, ...]
    by_number: dict[int, Protocol]
    by_id: dict[str, Protocol]
    fields: tuple[Field, ...]
    field_index: dict[str, tuple[Field, ...]]  # a label's first word → fields, in file order
    descriptions: tuple[FactRule, ...]
    answers: tuple[FactRule, ...]
    description_gate: re.Pattern[str]  # any description pattern: most determinant texts match none
    answer_gate: re.Pattern[str]       # any answer pattern: most answers ("He is alert.") match none
    qa_regex: re.Pattern[str] | None   # "question? answer" pairs
    qa_facts: tuple[str, ...]          # group name → fact, by question index
    answer_words: dict[str, str]       # word → assertion
    status_words: frozenset[str]
    filler_words: frozenset[str]
    unit_token: re.Pattern[str]
    timestamp_regex: re.Pattern[str]
    precheck_words: tuple[str, ...]
    status_parts: frozenset[str]      # words of multi-word statuses ("en route")
    label_token: re.Pattern[str]      # the START_TOKEN tokens some label starts with
    source: str = ""

    def may_have_structure(self, notes: str) -> bool:
        """Fast pre-check: every layout needs a colon, "?", "[", "{", ">", "---", a digit or a
        precheck word; a page with none of them is plain narrative. ``in`` on a str is C
        speed, so a 150-character note costs about a microsecond."""
        for mark in _MARKS:
            if mark in notes:
                return True
        lower = notes.lower()
        return any(word in lower for word in self.precheck_words)

    def protocol_for_complaint(self, text: str) -> Protocol | None:
        """The protocol whose alias starts the chief-complaint text ("Overdose / Poisoning (Ingestion)")."""
        key = normalize_name(text)
        best = None
        for proto in self.protocols:
            for alias in proto.aliases:
                if key.startswith(alias) and (best is None or len(alias) > best[0]):
                    best = (len(alias), proto)
        return best[1] if best else None


def normalize_name(text: str) -> str:
    """Lower case, "/" spaced, runs of blanks collapsed: "Psychiatric/Abnormal" → "psychiatric / abnormal"."""
    return " ".join(text.lower().replace("/", " / ").split())


def load_rules(directory: str | Path = DEFAULT_DIR) -> ProtocolRules:
    """Read and validate the protocol data files of ``directory`` (cached per folder)."""
    return _load_rules(Path(directory).resolve())


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(Errors.E030.format(path=path, detail=str(exc))) from None


def _fail(path: Path, record: str, detail: str) -> DataFileError:
    return DataFileError(Errors.E030.format(path=path, detail=f"record {record}: {detail}"))


def _check_keys(path: Path, record: str, rec: dict, required: set[str], optional: set[str] = frozenset()) -> None:
    if not isinstance(rec, dict):
        raise _fail(path, record, "must be a table")
    unknown = set(rec) - required - set(optional)
    if unknown:
        raise _fail(path, record, f"unknown keys {sorted(unknown)}; allowed: {sorted(required | set(optional))}")
    missing = required - set(rec)
    if missing:
        raise _fail(path, record, f"missing {sorted(missing)}")


def _label_token_regex(field_index) -> re.Pattern[str]:
    """The tokens START_TOKEN would find that are some label's first word ("#": any number).

    ``read_layout`` visits only these instead of every word on the page; each alternative
    matches a whole START_TOKEN token, so the tokens visited are the same ones, in order.
    """
    words = sorted((w for w in field_index if w.isalpha()), key=len, reverse=True)
    alternatives = [rf"(?<![a-z])(?:{'|'.join(words)})(?![a-z])"] if words else []
    if "#" in field_index:
        alternatives.append(r"(?<!\d)\d+")
    alternatives += [re.escape(w) for w in ("---", "[") if w in field_index]
    # Each alternative starts on one of these characters; saying so first lets the regex engine
    # leave every other position (spaces, punctuation) after one test.
    return re.compile(rf"(?=[a-z0-9\[-])(?:{'|'.join(alternatives)})" if alternatives else "(?!x)x")


def _compile(path: Path, record: str, pattern, subj: str = "") -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise _fail(path, record, "patterns must be non-empty strings")
    if _QUANTIFIED_GROUP.search(pattern):
        raise _fail(path, record, f"pattern {pattern!r} quantifies a group; write it flat so matching stays linear")
    try:
        return re.compile(pattern.replace("{subj}", subj), re.IGNORECASE)
    except re.error as exc:
        raise _fail(path, record, f"pattern {pattern!r} is not a valid regular expression: {exc}") from None


def _str_list(path: Path, record: str, value, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, record, f"{key!r} must be a list of non-empty strings")
    return value


def _load_protocols(path: Path, facts: frozenset[str]) -> tuple[Protocol, ...]:
    records = _read(path).get("protocol")
    if not isinstance(records, list) or not records:
        raise DataFileError(Errors.E030.format(path=path, detail="no [[protocol]] records"))
    out, ids, numbers = [], set(), set()
    for n, rec in enumerate(records, 1):
        where = f"{n} ({rec.get('id', '?')})" if isinstance(rec, dict) else str(n)
        _check_keys(path, where, rec, {"id", "name", "kind", "aliases"}, {"number", "suffix"})
        if rec["kind"] not in KINDS:
            raise _fail(path, where, f"unknown kind {rec['kind']!r}; allowed: {sorted(KINDS)}")
        if rec["id"] in ids:
            raise _fail(path, where, f"duplicate id {rec['id']!r}")
        number = rec.get("number")
        if number is not None:
            if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 1000:
                raise _fail(path, where, "number must be an integer from 1 to 999")
            if number in numbers:
                raise _fail(path, where, f"duplicate number {number}")
            numbers.add(number)
        ids.add(rec["id"])
        suffixes: dict[str, Suffix] = {}
        for s, srec in enumerate(rec.get("suffix", []), 1):
            swhere = f"{where} suffix {s}"
            _check_keys(path, swhere, srec, {"letter", "meaning"}, {"affirms", "negates", "uncertain"})
            letter = srec["letter"]
            if not (isinstance(letter, str) and len(letter) == 1 and letter.isalpha() and letter.isupper()):
                raise _fail(path, swhere, "letter must be one upper-case letter")
            pairs = []
            for key, assertion in (("affirms", "affirmed"), ("negates", "negated"), ("uncertain", "uncertain")):
                for fact in _str_list(path, swhere, srec.get(key, []), key):
                    if fact not in facts:
                        raise _fail(path, swhere, f"unknown fact {fact!r}; facts.toml declares {sorted(facts)}")
                    pairs.append((fact, assertion))
            if not pairs:
                raise _fail(path, swhere, "a suffix must state at least one fact (affirms, negates or uncertain)")
            suffixes[letter] = Suffix(letter, srec["meaning"], tuple(pairs))
        aliases = tuple(normalize_name(a) for a in _str_list(path, where, rec["aliases"], "aliases"))
        out.append(Protocol(rec["id"], number, rec["name"], rec["kind"], aliases, suffixes))
    return tuple(out)


def _load_fields(path: Path) -> tuple[Field, ...]:
    records = _read(path).get("field")
    if not isinstance(records, list) or not records:
        raise DataFileError(Errors.E030.format(path=path, detail="no [[field]] records"))
    out, names = [], set()
    for n, rec in enumerate(records, 1):
        where = f"{n} ({rec.get('name', '?')})" if isinstance(rec, dict) else str(n)
        _check_keys(path, where, rec, {"name", "pattern", "kind", "role", "value", "starts"}, {"needs_protocol", "strong"})
        if rec["name"] in names:
            raise _fail(path, where, f"duplicate name {rec['name']!r}")
        names.add(rec["name"])
        if rec["kind"] not in SEGMENT_KINDS:
            raise _fail(path, where, f"unknown kind {rec['kind']!r}; allowed: {sorted(SEGMENT_KINDS)}")
        if rec["role"] not in ROLES:
            raise _fail(path, where, f"unknown role {rec['role']!r}; allowed: {sorted(ROLES)}")
        if not isinstance(rec["value"], str) or not _VALUE.match(rec["value"]):
            raise _fail(path, where, "value must be line, sentence, answer, none, bracket or words:N")
        regex = _compile(path, where, rec["pattern"])
        starts = tuple(w.lower() for w in _str_list(path, where, rec["starts"], "starts"))
        bad = [w for w in starts if not _START_WORD.fullmatch(w)]
        if bad:
            raise _fail(path, where, f"starts {bad} must be single lower-case words, '#', '---' or '['")
        out.append(Field(rec["name"], rec["pattern"], rec["kind"], rec["role"], rec["value"],
                         bool(rec.get("needs_protocol", False)), bool(rec.get("strong", False)), starts, regex))
    return tuple(out)


def _fact_rules(path: Path, records, table: str, facts: frozenset[str], subj: str, with_kinds: bool) -> tuple[FactRule, ...]:
    out = []
    required = {"fact", "assertion", "patterns"} | ({"kinds"} if with_kinds else set())
    for n, rec in enumerate(records or [], 1):
        where = f"{table} {n}"
        _check_keys(path, where, rec, required)
        if rec["fact"] not in facts:
            raise _fail(path, where, f"unknown fact {rec['fact']!r}; declared facts: {sorted(facts)}")
        if rec["assertion"] not in ASSERTIONS:
            raise _fail(path, where, f"assertion must be one of {list(ASSERTIONS)}")
        kinds = None
        if with_kinds:
            kinds = frozenset(_str_list(path, where, rec["kinds"], "kinds"))
            if kinds - KINDS:
                raise _fail(path, where, f"unknown kinds {sorted(kinds - KINDS)}; allowed: {sorted(KINDS)}")
        patterns = tuple(_compile(path, where, p, subj) for p in _str_list(path, where, rec["patterns"], "patterns"))
        out.append(FactRule(rec["fact"], rec["assertion"], patterns, kinds))
    return tuple(out)


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=4)
def _load_rules(directory: Path) -> ProtocolRules:
    facts_path = directory / "facts.toml"
    fdata = _read(facts_path)
    facts = frozenset(_str_list(facts_path, "facts", fdata.get("facts"), "facts"))
    subjects = _str_list(facts_path, "subjects", (fdata.get("subjects") or {}).get("words"), "words")
    subj = f"(?:{_alternation(s.lower() for s in subjects)})"
    descriptions = _fact_rules(facts_path, fdata.get("description"), "description", facts, subj, True)
    answers = _fact_rules(facts_path, fdata.get("answer"), "answer", facts, subj, False)

    answer_words: dict[str, str] = {}
    for assertion, words in (fdata.get("answer_words") or {}).items():
        if assertion not in ASSERTIONS:
            raise _fail(facts_path, "answer_words", f"unknown assertion {assertion!r}; allowed: {list(ASSERTIONS)}")
        for w in _str_list(facts_path, "answer_words", words, assertion):
            answer_words[w.lower()] = assertion
    questions, qa_facts = [], []
    for n, rec in enumerate(fdata.get("question") or [], 1):
        where = f"question {n}"
        _check_keys(facts_path, where, rec, {"fact", "patterns"})
        if rec["fact"] not in facts:
            raise _fail(facts_path, where, f"unknown fact {rec['fact']!r}; declared facts: {sorted(facts)}")
        for p in _str_list(facts_path, where, rec["patterns"], "patterns"):
            _compile(facts_path, where, p, subj)
            questions.append(f"(?P<q{len(qa_facts)}>{p.replace('{subj}', subj)})")
            qa_facts.append(rec["fact"])
    qa_regex = None
    if questions and answer_words:
        # "violent? no", "Is he violent?  - unk": question, "?", optional dash or colon, answer word.
        qa_regex = re.compile(rf"(?<![a-z])(?:{'|'.join(questions)})\s{{0,3}}\?\s{{0,3}}[-:=]?\s{{0,3}}"
                              rf"(?P<ans>{_alternation(answer_words)})(?![a-z])", re.IGNORECASE)

    proto_path = directory / "protocols.toml"
    protocols = _load_protocols(proto_path, facts)
    fields = _load_fields(directory / "layouts.toml")
    field_index: dict[str, list[Field]] = {}
    for f in fields:
        for word in f.starts:
            field_index.setdefault(word, []).append(f)

    status_path = directory / "status.toml"
    sdata = _read(status_path)
    ulog = sdata.get("unit_log") or {}
    _check_keys(status_path, "unit_log", ulog, {"status", "filler", "unit_pattern", "time_pattern"})
    status_words = frozenset(w.lower() for w in _str_list(status_path, "unit_log", ulog["status"], "status"))
    filler = frozenset(w.lower() for w in _str_list(status_path, "unit_log", ulog["filler"], "filler"))
    unit = _compile(status_path, "unit_log", ulog["unit_pattern"]).pattern
    time = _compile(status_path, "unit_log", ulog["time_pattern"]).pattern
    unit_token = re.compile(rf"(?:{unit}|{time})", re.IGNORECASE)
    ts = sdata.get("timestamps") or {}
    _check_keys(status_path, "timestamps", ts, {"patterns"})
    ts_patterns = [_compile(status_path, "timestamps", p).pattern for p in _str_list(status_path, "timestamps", ts["patterns"], "patterns")]
    timestamp_regex = re.compile("|".join(f"(?:{p})" for p in ts_patterns), re.IGNORECASE)

    precheck_words = tuple(w.lower() for w in _str_list(directory / "layouts.toml", "precheck_words",
                                                          _read(directory / "layouts.toml").get("precheck_words"), "precheck_words"))
    status_parts = frozenset(part for w in status_words if " " in w for part in w.split())
    by_number = {p.number: p for p in protocols if p.number is not None}
    def gate(rules):
        return re.compile("|".join(f"(?:{p.pattern})" for r in rules for p in r.patterns) or "(?!x)x", re.IGNORECASE)

    return ProtocolRules(protocols, by_number, {p.id: p for p in protocols}, fields, 
                         {k: tuple(v) for k, v in field_index.items()}, descriptions, answers,
                         gate(descriptions), gate(answers), qa_regex,
                         tuple(qa_facts), answer_words, status_words, filler, unit_token,
                         timestamp_regex, precheck_words, status_parts, _label_token_regex(field_index),
                         str(directory))
