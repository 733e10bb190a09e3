"""The normalized text of every shipped lexicon phrase, cached beside the lexicon.

Loading a lexicon normalizes some 34,000 phrases (concepts, context cues, act-pattern words)
the way notes are normalized, which is most of the start-up time. A phrase's normalized text
depends only on the shorthand table and the normalizer's code, so the cache is keyed by a
hash of exactly those: an edit to either makes the cache stale, and a stale cache is ignored
(the phrases are then normalized as before, only slower). A phrase the cache does not hold
(an agency's own lexicon) is normalized at load too.

The file is plain JSON (gzip): reading it runs no code. Rebuild it after changing the
shorthand table or the normalizer (a test fails until you do)::

    python -m cit_triage.text.phrase_cache
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

CACHE_PATH = Path(__file__).resolve().parent.parent / "data" / "lexicon" / "phrase_texts.json.gz"
#: The code that turns a phrase into its normalized text.
_CODE = (Path(__file__).resolve().parent / "normalize.py", Path(__file__).resolve().parent / "tokens.py")
FORMAT = 1


def cache_key(shorthand_bytes: bytes) -> str:
    """Hash of the shorthand table and the normalizer's source: what a phrase's text depends on."""
    h = hashlib.sha256(f"phrase-texts-v{FORMAT}\0".encode())
    h.update(shorthand_bytes)
    for path in _CODE:
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def read_phrase_texts(key: str, path: Path = CACHE_PATH) -> dict[str, str]:
    """The cached texts if ``path`` holds a cache built for ``key``, else an empty dict."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError, EOFError):
        return {}
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("texts"), dict):
        return {}
    texts = data["texts"]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in texts.items()):
        return {}
    return texts


def shipped_phrases() -> list[str]:
    """Every phrase the shipped lexicon normalizes at load (what ``build_analyzer`` reads)."""
    from ..concepts.pipeline import build_nlp, lexicon_phrases

    concept_phrases, rule_phrases = lexicon_phrases(build_nlp())
    return sorted(set(concept_phrases) | set(rule_phrases))


def build(path: Path = CACHE_PATH) -> int:
    """Write the cache for the shipped shorthand table and lexicon; returns the phrase count."""
    from .normalize import DEFAULT_SHORTHAND, Shorthand

    shorthand = Shorthand.from_file(DEFAULT_SHORTHAND, use_cache=False)
    texts = {p: shorthand.normalize(p).text for p in shipped_phrases()}
    payload = json.dumps({"key": cache_key(DEFAULT_SHORTHAND.read_bytes()), "texts": texts},
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # mtime=0: the same lexicon gives the same bytes, so the file only changes when it must.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(payload.encode("utf-8"))
    return len(texts)


if __name__ == "__main__":
    print(f"{build()} phrase texts written to {CACHE_PATH}")
