"""The training corpus: schema, labels, balance, and no near-duplicates across the frozen splits."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from cit_triage.schema import RESPONSES, Call

DATA = Path(__file__).resolve().parents[2] / "training_data"
SPLITS = ("train", "validation", "test")
KEYS = {"id", "notes", "label", "rationale", "source", "group", *Call.model_fields}


def load(split):
    return [json.loads(line) for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def corpus():
    return {split: load(split) for split in SPLITS}


def test_every_record_is_a_valid_labeled_call(corpus):
    for split, rows in corpus.items():
        for row in rows:
            assert set(row) <= KEYS, (split, row["id"], set(row) - KEYS)
            assert row["label"] in RESPONSES, row["id"]
            assert row.get("rationale"), row["id"]
            Call(**{k: v for k, v in row.items() if k in Call.model_fields})


def test_ids_are_unique_across_splits(corpus):
    ids = [r["id"] for rows in corpus.values() for r in rows]
    assert len(ids) == len(set(ids))


def test_size_and_class_balance(corpus):
    labels = Counter(r["label"] for rows in corpus.values() for r in rows)
    total = sum(labels.values())
    assert total >= 4000
    assert labels["co_responder"] / total >= 0.25
    assert labels["cit"] / total >= 0.30
    assert labels["patrol"] / total >= 0.30
    for split, rows in corpus.items():
        assert set(Counter(r["label"] for r in rows)) == set(RESPONSES), split


def squash(text):
    return re.sub(r"\W+", " ", text.lower()).strip()


def test_no_exact_duplicates_anywhere(corpus):
    texts = [squash(r["notes"]) + "|" + (r.get("call_type") or "").lower() for rows in corpus.values() for r in rows]
    assert len(texts) == len(set(texts))


def test_near_duplicate_groups_never_cross_splits(corpus):
    group_split = {}
    for split, rows in corpus.items():
        for r in rows:
            assert group_split.setdefault(r["group"], split) == split, r["id"]


def test_no_near_duplicates_between_train_and_held_out(corpus):
    train = [squash(r["notes"]) for r in corpus["train"]]
    held = [squash(r["notes"]) for r in corpus["validation"] + corpus["test"]]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit(train + held)
    sims = (vec.transform(held) @ vec.transform(train).T).max(axis=1).toarray().ravel()
    # build.py joins notes at cosine >= 0.80 into one group; nothing held out may be that close.
    assert sims.max() < 0.80


def test_patrol_covers_the_range_of_police_work(corpus):
    patrol = " ".join(squash(r["notes"]) for rows in corpus.values() for r in rows if r["label"] == "patrol")
    for word in ("theft", "alarm", "noise", "burglary", "fight", "domestic", "suspicious", "robbery", "welfare", "crash"):
        assert word in patrol, word


def test_hard_cases_are_present(corpus):
    notes = [squash(r["notes"]) for rows in corpus.values() for r in rows]
    def count(pattern):
        return sum(bool(re.search(pattern, n)) for n in notes)
    assert count(r"\bno weapons?\b|\bdenies\b|\bweapons none\b") >= 100      # negations
    assert count(r"\bhx\b|\bhistory of\b") >= 100                              # history mentions
    assert count(r"\bif (police|cops|officers|they)\b") >= 20                   # conditional threats
    assert count(r"\bjumped the fence\b|\bcrazy driver\b|\bledge\b") >= 10    # crisis words, no crisis
    assert count(r"chief complaint|determinant|\b\d{2}[a-e]\d{2}") >= 100      # ProQA protocol output
