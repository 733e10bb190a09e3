"""Build the frozen train/validation/test split from the hand-written batches in raw/.

    python training_data/build.py

1. validates every record (schema, label, a valid Call);
2. drops exact duplicates (same notes after lower-casing and collapsing punctuation);
3. groups near-duplicates: character 3–5-gram TF-IDF cosine ≥ 0.80 joins two notes into one
   group (union-find), so a note and its near-copy can never land in different splits;
4. splits by group, stratified by label (StratifiedGroupKFold, 10 folds, fixed seed):
   one fold test, one fold validation, eight folds train;
5. writes train.jsonl, validation.jsonl, test.jsonl and stats.json (sizes, label shares,
   variety figures) next to this file.

The split is frozen: re-running on the same raw/ gives the same files.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedGroupKFold

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cit_triage.schema import RESPONSES, Call  # noqa: E402

NEAR_DUPLICATE = 0.80
SEED = 13
KEYS = {"id", "notes", "label", "rationale", *Call.model_fields}


def squash(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def load_raw() -> list[dict]:
    records = []
    for path in sorted((HERE / "raw").glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            unknown = set(rec) - KEYS
            if unknown:
                raise SystemExit(f"{path.name}:{n}: unknown keys {sorted(unknown)}")
            if rec.get("label") not in RESPONSES:
                raise SystemExit(f"{path.name}:{n}: bad label {rec.get('label')!r}")
            Call(**{k: v for k, v in rec.items() if k in Call.model_fields})  # raises on a bad row
            rec["source"] = path.stem
            records.append(rec)
    return records


def near_duplicate_groups(texts: list[str]) -> tuple[np.ndarray, list[float]]:
    """Union-find groups of notes whose char-n-gram cosine ≥ NEAR_DUPLICATE; also each note's nearest-neighbour similarity."""
    X = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=1, sublinear_tf=True).fit_transform(texts)
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    nearest = [0.0] * len(texts)
    for start in range(0, len(texts), 1000):
        block = (X[start:start + 1000] @ X.T).toarray()
        for r, row in enumerate(block):
            i = start + r
            row[i] = 0.0
            nearest[i] = float(row.max()) if len(row) else 0.0
            for j in np.nonzero(row >= NEAR_DUPLICATE)[0]:
                a, b = find(i), find(int(j))
                if a != b:
                    parent[a] = b
    return np.array([find(i) for i in range(len(texts))]), nearest


def variety(texts: list[str]) -> dict:
    tokens = [t.split() for t in texts]
    out = {}
    for n in (1, 2, 3):
        grams = [tuple(ws[i:i + n]) for ws in tokens for i in range(len(ws) - n + 1)]
        out[f"distinct_{n}gram_ratio"] = round(len(set(grams)) / max(1, len(grams)), 3)
    firsts = Counter(" ".join(ws[:3]) for ws in tokens if ws)
    out["distinct_opening_3words_ratio"] = round(len(firsts) / max(1, len(texts)), 3)
    out["most_common_opening"] = firsts.most_common(1)[0] if firsts else None
    return out


def main() -> None:
    records = load_raw()
    seen: dict[str, str] = {}
    kept, exact_dupes = [], 0
    for rec in records:
        key = squash(rec["notes"]) + "|" + (rec.get("call_type") or "").lower()
        if key in seen:
            exact_dupes += 1
            continue
        seen[key] = rec["id"]
        kept.append(rec)
    texts = [squash(r["notes"]) or (r.get("call_type") or "").lower() for r in kept]
    groups, nearest = near_duplicate_groups(texts)
    labels = np.array([r["label"] for r in kept])
    folds = list(StratifiedGroupKFold(n_splits=10, shuffle=True, random_state=SEED).split(texts, labels, groups))
    split_of = np.empty(len(kept), dtype=object)
    split_of[:] = "train"
    split_of[folds[0][1]] = "test"
    split_of[folds[1][1]] = "validation"
    for name in ("train", "validation", "test"):
        with open(HERE / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for i, rec in enumerate(kept):
                if split_of[i] == name:
                    fh.write(json.dumps({**rec, "group": int(groups[i])}, ensure_ascii=False) + "\n")
    words = [len(r["notes"].split()) for r in kept]
    group_sizes = Counter(groups.tolist())
    stats = {
        "raw_records": len(records),
        "exact_duplicates_dropped": exact_dupes,
        "records": len(kept),
        "near_duplicate_threshold": NEAR_DUPLICATE,
        "near_duplicate_groups_with_2plus": sum(1 for c in group_sizes.values() if c > 1),
        "records_in_near_duplicate_groups": sum(c for c in group_sizes.values() if c > 1),
        "nearest_neighbour_similarity": {"mean": round(float(np.mean(nearest)), 3),
                                         "p95": round(float(np.percentile(nearest, 95)), 3),
                                         "max": round(float(np.max(nearest)), 3)},
        "labels": {k: int((labels == k).sum()) for k in RESPONSES},
        "label_share": {k: round(float((labels == k).mean()), 3) for k in RESPONSES},
        "splits": {name: {k: int(((split_of == name) & (labels == k)).sum()) for k in RESPONSES}
                   for name in ("train", "validation", "test")},
        "by_source": {src: dict(Counter(r["label"] for r in kept if r["source"] == src)) for src in sorted({r["source"] for r in kept})},
        "words": {"min": min(words), "median": int(np.median(words)), "mean": round(float(np.mean(words)), 1), "max": max(words),
                  "share_5_to_150": round(float(np.mean([5 <= w <= 150 for w in words])), 3)},
        "with_call_type": round(float(np.mean([bool(r.get("call_type")) for r in kept])), 3),
        "with_structured_fields": round(float(np.mean([any(r.get(k) is not None for k in ("caller_relation", "weapons_reported", "priority", "location_type", "prior_crisis_contacts")) for r in kept])), 3),
        "variety": variety(texts),
    }
    (HERE / "stats.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: stats[k] for k in ("records", "exact_duplicates_dropped", "labels", "splits", "nearest_neighbour_similarity", "variety")}, indent=1))


if __name__ == "__main__":
    main()
