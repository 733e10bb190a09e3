"""CAD notes → plain lower-case words, with a map back to the original characters.

Call-takers write "RP ADV SUBJ W/ KNIFE, HX SI". Concept matching works on
"caller advised subject with knife, history suicidal ideation", but every span shown to a
dispatcher must quote the original characters, so ``normalize`` keeps, for each character of
the normalized text, the offset of the original character it came from.

The expansions are data (``data/lexicon/shorthand.toml``), so an agency can add its own codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import DataFileError, Errors
from ..datafile import read_toml
from .phrase_cache import cache_key, read_phrase_texts
from .tokens import ABBREVIATION_PATTERN, LONG_WORD_PATTERN, SEPARATOR_PATTERN

DEFAULT_SHORTHAND = Path(__file__).resolve().parent.parent / "data" / "lexicon" / "shorthand.toml"
_WORD_SECTIONS = ("abbreviations", "contractions", "ten_codes", "misspellings")
# C0 controls and DEL, except tab, line feed and carriage return (ordinary in notes).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_QUOTES = re.compile(r"[\"“”«»]|(?<![a-z])['‘’`]|['‘’`](?![a-z])")
# Punctuation glued to the front of a word (".SUICIDAL", "*KNIFE") hides the word from matching.
_GLUED = re.compile(r"(?<![a-z0-9])[.*#~_=+^](?=[a-z])")
# A line break between two words (text/tokens.py: a wrap inside a phrase joins them).
_WRAP = re.compile(r"(?<![a-z])([a-z]+)[ \t\r]*(\n)[ \t]*([a-z]+|[0-9]+)(?![a-z0-9])")
# A line that is one answer word after a line that ends in a word: "ACCESS TO WEAPONS\nNO".
_ANSWER_LINE = re.compile(r"(?<=[a-z])[ \t]*(\n[ \t\n]*)([a-z]+)[ \t]*(?=\n|\Z)")
# The page's last word, with nothing but white space after it (a field cut off mid-word).
_LAST_WORD = re.compile(r"(?<![a-z0-9'])([a-z]+)\s*\Z")


@dataclass(frozen=True)
class NormalizedNotes:
    """Normalized text plus, for each of its characters, the original characters it came from.

    ``starts[i]:ends[i]`` is the original text behind normalized character ``i``: one
    character where nothing was expanded, the whole original token inside an expansion.
    """

    text: str
    starts: list[int]
    ends: list[int]
    original: str

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` for the normalized characters ``start:end``."""
        if end <= start:
            return self.starts[start], self.starts[start]
        return self.starts[start], self.ends[end - 1]


def _trie_regex(keys) -> str:
    """An alternation of literals written as a trie, longest match first.

    ``a|ab|abc`` makes the regex engine try every key at every position; the trie form
    ``a(?:b(?:c)?)?`` tries one branch per character, several times faster on a long table.
    """
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie) or "(?!x)x"


class Shorthand:
    """The expansion table, compiled into one regular expression.

    One pass of a compiled pattern over the note is much cheaper than a token loop in
    Python, which matters on the per-keystroke path.
    """

    def __init__(self, words: dict[str, str], protocols: dict[str, str], suffixes: dict[str, str], version: str,
                 repair=None):
        self.words = words
        self.protocols = protocols
        self.suffixes = suffixes
        self.version = version
        self.repair = repair  # a tokens.WordRepair, or None: long words are left as they are
        self._phrase_texts: dict[str, str] = {}
        keys = sorted(words, key=len, reverse=True)
        word_alt = _trie_regex(keys)
        proto_alt = _trie_regex(protocols)
        # Determinant code: protocol, level letter, number, optional suffix: 25-D-1, 25D01V.
        # Then, in the same pass, the token stage's alternatives (text/tokens.py): dotted
        # abbreviations kept whole, glued separators, and long words for WordRepair.
        self._pattern = re.compile(
            rf"(?<![a-z0-9])(?:(?P<proto>{proto_alt})-?(?P<level>[a-eo])-?(?P<num>\d{{1,2}})(?:-?(?P<suffix>[a-z]))?"
            rf"|(?P<word>{word_alt}))(?![a-z0-9])"
            rf"|{ABBREVIATION_PATTERN}|{SEPARATOR_PATTERN}|{LONG_WORD_PATTERN}"
        )

    def extended(self, words: dict[str, str], repair) -> "Shorthand":
        """This table plus generated ``words`` (the file's own entries win) and a word repair."""
        return Shorthand({**words, **self.words}, self.protocols, self.suffixes, self.version, repair)

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_SHORTHAND, use_cache: bool = True) -> "Shorthand":
        """The table in ``path``; ``use_cache``: start from the cached phrase texts when they
        were built for this very table and normalizer (text/phrase_cache.py)."""
        path = Path(path)
        data = read_toml(path)
        words: dict[str, str] = {}
        for section in _WORD_SECTIONS:
            table = data.get(section, {})
            if not isinstance(table, dict):
                raise DataFileError(Errors.E030.format(path=path, detail=f"[{section}] must be a table"))
            for key, value in table.items():
                if not isinstance(value, str) or not key.strip():
                    raise DataFileError(Errors.E030.format(path=path, detail=f"[{section}] {key!r} must map to a string"))
                words[key.lower()] = value.lower()
        table = cls(
            words,
            {k.lower(): str(v).lower() for k, v in data.get("protocols", {}).items()},
            {k.lower(): str(v).lower() for k, v in data.get("protocol_suffixes", {}).items()},
            str(data.get("version", "unversioned")),
        )
        if use_cache:
            table._phrase_texts = read_phrase_texts(cache_key(path.read_bytes()))
        return table

    def phrase_text(self, phrase: str) -> str:
        """The normalized text of a lexicon phrase, remembered: loading a lexicon reads each
        phrase several times (two matchers and the word repair), and notes are never kept here."""
        text = self._phrase_texts.get(phrase)
        if text is None:
            text = self._phrase_texts[phrase] = self.normalize(phrase).text
        return text

    def normalize(self, notes: str) -> NormalizedNotes:
        """Lower-case ``notes`` and expand shorthand, keeping the offset map."""
        lowered = notes.lower()
        if len(lowered) != len(notes):  # a few Unicode letters change length when lowered
            lowered = "".join(c.lower()[0] for c in notes)
        # Quotation marks around a caller's words ("took 'a whole bottle'") would split
        # phrases; apostrophes inside words ("he's") stay. Same length, so offsets hold.
        # Control characters a CAD interface leaves in (STX, ETX, form feed) read as spaces, or
        # "voices\x02" hides "voices". Same length too.
        lowered = _GLUED.sub(" ", _QUOTES.sub(" ", _CONTROL.sub(" ", lowered)))
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for m in self._pattern.finditer(lowered):
            kind = m.lastgroup
            if kind == "abbr":
                continue
            start, end = m.span()
            if kind == "long":
                fix = self.repair.repair(m.group()) if self.repair is not None else None
                if fix is None:
                    continue
            if start > pos:
                pieces.append(lowered[pos:start])
                starts.extend(range(pos, start))
                ends.extend(range(pos + 1, start + 1))
            pos = end
            if kind == "long":
                self._emit_repair(fix, start, lowered, pieces, starts, ends)
            elif kind in ("infix", "trailing", "leading"):
                # A glued separator becomes its own token: spaces on its open side(s), each
                # an empty span at its position; the separator keeps its own characters.
                if kind != "leading":
                    pieces.append(" ")
                    starts.append(start)
                    ends.append(start)
                pieces.append(m.group())
                starts.extend(range(start, end))
                ends.extend(range(start + 1, end + 1))
                if kind != "trailing":
                    pieces.append(" ")
                    starts.append(end)
                    ends.append(end)
            else:
                replacement = self._replacement(m)
                pieces.append(replacement)
                # Every character of an expansion stands for the whole original token, so a
                # span over part of "suicidal ideation or homicidal ideation" quotes "SI/HI".
                starts.extend([start] * len(replacement))
                ends.extend([end] * len(replacement))
        if pos < len(lowered):
            pieces.append(lowered[pos:])
            starts.extend(range(pos, len(lowered)))
            ends.extend(range(pos + 1, len(lowered) + 1))
        text = "".join(pieces)
        if "  " in text or "\t" in text:
            text, starts, ends = _collapse_blanks(text, starts, ends)
        if self.repair is not None:
            text, starts, ends = self._read_cuts(text, starts, ends)
        starts.append(len(notes))  # sentinel: an empty span at the very end maps too
        return NormalizedNotes(text, starts, ends, notes)

    def _read_cuts(self, text: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
        """Lines wrapped inside a lexicon phrase joined; a word cut off at the page's end completed."""
        pairs = self.repair.wrap_pairs
        if pairs and "\n" in text:
            chars = None
            for m in _WRAP.finditer(text):
                left, right = m.group(1), m.group(3)
                if right[0].isdigit() and (left in self.repair.answers or text[m.end(3):m.end(3) + 1] in (".", ")")):
                    continue  # "VIOLENT? UNK" / "4. ANY WEAPONS": an answer, then the next numbered question
                if (left, "#" if right[0].isdigit() else right) in pairs or (
                        right in self.repair.phrase_starts and (left in self.repair.cue_ends or (
                            left in self.repair.answers and not self._answers_its_line(text, m.start(1))))):
                    chars = chars or list(text)
                    chars[m.start(2)] = " "  # same length: the offset map holds
            if chars is not None:
                # "MENTAL \n BREAKDOWN" joined is three blanks: one, or spaCy makes a token of the rest
                text, starts, ends = _collapse_blanks("".join(chars), starts, ends)
            text, starts, ends = self._answer_lines(text, starts, ends)
        m = _LAST_WORD.search(text)
        if m is not None:
            completed = self.repair.complete(m.group(1))
            if completed is not None:
                a, b = m.span(1)
                origin, end = starts[a], ends[b - 1]
                text = text[:a] + completed + text[b:]
                starts = starts[:a] + [origin] * len(completed) + starts[b:]
                ends = ends[:a] + [end] * len(completed) + ends[b:]
        return text, starts, ends

    def _answer_lines(self, text: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
        """A line that is only an answer ("NO", "UNK") answers the line before it when that one
        asks without a question mark ("ACCESS TO WEAPONS" / "NO"): the break reads as " : ",
        so the answer cues of the context rules apply ("WEAPONS: NO")."""
        found = [m for m in _ANSWER_LINE.finditer(text) if m.group(2) in self.repair.answers]
        for m in reversed(found):  # right to left: earlier offsets stay valid
            i, j = m.span(1)  # the break, with any blank lines (a stamp read as one) after it
            text = text[:i] + " : " + text[j:]
            starts = starts[:i] + [starts[i]] * 3 + starts[j:]
            ends = ends[:i] + [ends[i]] * 3 + ends[j:]
        return text, starts, ends

    def _answers_its_line(self, text: str, at: int) -> bool:
        """The answer word at ``at`` (last on its line) answers that line: it follows a question
        mark, a colon, a list number, or a phrase's last word ("ANY WEAPONS? NO", "WEAPONS NO")."""
        j = at
        while j > 0 and text[j - 1] in " \t":
            j -= 1
        if j == 0 or text[j - 1] in "?:=.-)":
            return j > 0
        k = j
        while k > 0 and "a" <= text[k - 1] <= "z":
            k -= 1
        return k < j and text[k:j] in self.repair.phrase_ends

    def _emit_repair(self, fix, start: int, lowered: str, pieces, starts, ends) -> None:
        """Write a WordRepair result: parts joined by spaces (empty spans), each part mapped to
        its own original characters, or to the whole part when it was rewritten."""
        for i, (offset, length, text) in enumerate(fix):
            at = start + offset
            if i:
                pieces.append(" ")
                starts.append(at)
                ends.append(at)
            text = self.words.get(text, text)  # a split part may be shorthand: "hxsuicidal"
            pieces.append(text)
            if text == lowered[at:at + length]:
                starts.extend(range(at, at + length))
                ends.extend(range(at + 1, at + length + 1))
            else:
                starts.extend([at] * len(text))
                ends.extend([at + length] * len(text))

    def _replacement(self, m: re.Match[str]) -> str:
        word = m.group("word")
        if word is not None:
            return self.words[word]
        expansion = self.protocols[m.group("proto")]
        suffix = m.group("suffix")
        if suffix and suffix in self.suffixes:
            expansion = f"{expansion} {self.suffixes[suffix]}"
        return f" {expansion} "


_BLANKS = re.compile(r"[ \t]{2,}|\t")


def _collapse_blanks(text: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    """One space for every run of spaces and tabs: CAD pages pad fields with them, and a
    doubled space is a token of its own to spaCy, so "WANTS TO  HURT HIMSELF" would match nothing."""
    out, s2, e2, pos = [], [], [], 0
    for m in _BLANKS.finditer(text):
        a, b = m.span()
        out.append(text[pos:a] + " ")
        s2.extend(starts[pos:a + 1])
        e2.extend(ends[pos:a])
        e2.append(ends[b - 1])
        pos = b
    out.append(text[pos:])
    s2.extend(starts[pos:len(text)])
    e2.extend(ends[pos:len(text)])
    return "".join(out), s2, e2


@lru_cache(maxsize=8)
def load_shorthand(path: str | None = None) -> Shorthand:
    """The shorthand table at ``path`` (the shipped one by default), parsed once."""
    return Shorthand.from_file(path or DEFAULT_SHORTHAND)


def normalize(notes: str, shorthand: Shorthand | None = None) -> NormalizedNotes:
    """Normalize ``notes`` with the shipped shorthand table (or ``shorthand``)."""
    return (shorthand or load_shorthand()).normalize(notes)
