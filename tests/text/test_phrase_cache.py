"""The cached phrase texts are exactly what normalizing the phrases gives, and a cache built
for another shorthand table or normalizer is never used."""

import gzip
import json

from cit_triage.text import phrase_cache
from cit_triage.text.normalize import DEFAULT_SHORTHAND, Shorthand


def test_the_shipped_cache_is_current_and_holds_every_shipped_phrase():
    key = phrase_cache.cache_key(DEFAULT_SHORTHAND.read_bytes())
    cached = phrase_cache.read_phrase_texts(key)
    assert cached, "stale or missing: run `python -m cit_triage.text.phrase_cache`"
    fresh = Shorthand.from_file(DEFAULT_SHORTHAND, use_cache=False)
    phrases = phrase_cache.shipped_phrases()
    missing = [p for p in phrases if p not in cached]
    assert not missing, f"{len(missing)} phrases not cached, e.g. {missing[:5]}: rebuild the cache"
    wrong = [p for p in phrases if cached[p] != fresh.normalize(p).text]
    assert not wrong, wrong[:5]


def _write(path, payload):
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(payload if isinstance(payload, str) else json.dumps(payload))


def test_a_cache_for_another_table_or_a_damaged_file_is_ignored(tmp_path):
    path = tmp_path / "texts.json.gz"
    _write(path, {"key": "another table", "texts": {"hx": "history"}})
    assert phrase_cache.read_phrase_texts("this table", path) == {}
    assert phrase_cache.read_phrase_texts("another table", path) == {"hx": "history"}
    _write(path, {"key": "k", "texts": {"hx": 3}})
    assert phrase_cache.read_phrase_texts("k", path) == {}
    path.write_bytes(b"not gzip at all")
    assert phrase_cache.read_phrase_texts("k", path) == {}
    assert phrase_cache.read_phrase_texts("k", tmp_path / "absent.json.gz") == {}


def test_an_edited_shorthand_table_does_not_read_the_shipped_cache(tmp_path):
    edited = tmp_path / "shorthand.toml"
    edited.write_text(DEFAULT_SHORTHAND.read_text(encoding="utf-8") + "\n# an agency's edit\n", encoding="utf-8")
    assert Shorthand.from_file(edited)._phrase_texts == {}
    assert Shorthand.from_file(DEFAULT_SHORTHAND)._phrase_texts
