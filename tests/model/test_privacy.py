"""The shipped model cannot memorize people: every word feature learned from real notes occurs in
the notes of at least three agencies (or in the written corpus or the lexicon)."""

import json
from pathlib import Path

import pytest

from cit_triage.model.features import call_features

ROOT = Path(__file__).resolve().parents[2]
TRAIN_CAD = ROOT.parent / "shared" / "train-cad.jsonl"
CORPUS = ROOT / "training_data" / "train.jsonl"


def _text_features(triager) -> list[str]:
    return [n for n in triager.featurizer.get_feature_names_out() if n.startswith(("w=", "ct="))]


def test_no_text_feature_holds_a_digit(triager):
    names = _text_features(triager)
    assert names, "the shipped model has no word features to check"
    assert not [n for n in names if any(ch.isdigit() for ch in n)]


@pytest.mark.skipif(not TRAIN_CAD.exists() or not CORPUS.exists(), reason="needs train-cad.jsonl beside the project")
def test_every_word_feature_is_seen_in_three_agencies_or_the_corpus_or_lexicon(triager):
    from cit_triage import Call

    encoder = triager.featurizer
    tw, ngram = encoder.text_weight, encoder.ngram_max

    def names_of(notes, call_type):
        a = triager.analyze(Call(notes=notes or ".", call_type=call_type or None))
        return {n for n in call_features(a, tw, ngram) if n.startswith(("w=", "ct="))}

    agencies: dict[str, set] = {}
    for line in TRAIN_CAD.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for n in names_of(row["notes"], row.get("call_type")):
            agencies.setdefault(n, set()).add(row["agency"])
    corpus = set()
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        corpus |= names_of(row["notes"], row.get("call_type"))
    lexicon = {w for c in triager.lexicon for p in c.phrases for w in p.split()}
    leaked = [n for n in _text_features(triager)
              if n not in corpus and len(agencies.get(n, ())) < 3 and not set(n.partition("=")[2].split()) <= lexicon]
    assert not leaked, leaked[:20]
