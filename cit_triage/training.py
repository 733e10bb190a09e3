"""Train a model folder from labeled calls (the same code the shipped default was made with)."""

from __future__ import annotations

import hashlib
import json
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import sklearn
import spacy

from .analysis import CallAnalysis
from .errors import DataFileError, Errors
from .features import CallFeaturizer
from .model import TriageClassifier
from .model_io import save_model
from .policy import Policy
from .schema import RESPONSES, Call
from .triage import build_analyzer

CALL_FIELDS = tuple(Call.model_fields)


def read_labeled_jsonl(path: str | Path) -> tuple[list[Call], list[str], list[dict]]:
    """Calls, labels and raw records from a JSONL file of labeled calls; bad rows are errors."""
    path = Path(path)
    calls, labels, records = [], [], []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(Errors.E030.format(path=path, detail=str(exc))) from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            label = rec["label"]
            if label not in RESPONSES:
                raise ValueError(f"label {label!r} is not one of {RESPONSES}")
            calls.append(Call(**{k: v for k, v in rec.items() if k in CALL_FIELDS}))
        except (ValueError, KeyError, TypeError) as exc:
            raise DataFileError(Errors.E030.format(path=path, detail=f"line {n}: {exc}")) from None
        labels.append(label)
        records.append(rec)
    return calls, labels, records


def data_hash(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.read_bytes())
    return h.hexdigest()


def macro_f1(gold: list[str], pred: list[str]) -> dict:
    out = {}
    for k in RESPONSES:
        tp = sum(g == k and p == k for g, p in zip(gold, pred))
        npred = sum(p == k for p in pred)
        ngold = sum(g == k for g in gold)
        precision = tp / npred if npred else 0.0
        recall = tp / ngold if ngold else 0.0
        out[k] = {"precision": precision, "recall": recall,
                  "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0, "n": ngold}
    out["macro_f1"] = float(np.mean([out[k]["f1"] for k in RESPONSES]))
    out["accuracy"] = float(np.mean([g == p for g, p in zip(gold, pred)])) if gold else 0.0
    return out


def fit_model(analyses: list[CallAnalysis], labels: list[str], featurizer_params: dict | None = None,
              classifier_params: dict | None = None) -> tuple[CallFeaturizer, TriageClassifier]:
    featurizer = CallFeaturizer(**(featurizer_params or {}))
    X = featurizer.fit_transform(analyses)
    classifier = TriageClassifier(**(classifier_params or {})).fit(X, labels)
    return featurizer, classifier


def train_folder(train_path: str | Path, out: str | Path, *, eval_paths: dict[str, str | Path] | None = None,
                 model_version: str | None = None, featurizer_params: dict | None = None,
                 classifier_params: dict | None = None, policy: Policy | None = None) -> dict:
    """Train on ``train_path``, score each of ``eval_paths`` with model + rules, save to ``out``."""
    from .triage import Triager  # late import: Triager needs a saved folder

    t0 = time.perf_counter()
    policy = policy or Policy.from_file()
    analyzer = build_analyzer(policy)
    calls, labels, _ = read_labeled_jsonl(train_path)
    analyses = analyzer.analyze_many(calls)
    featurizer, classifier = fit_model(analyses, labels, featurizer_params, classifier_params)
    version = model_version or datetime.now(timezone.utc).strftime("%Y.%m.%d")
    paths = [Path(train_path)]
    manifest = {
        "model_version": version,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "training_data": {"path": str(Path(train_path).name), "sha256": data_hash(paths), "n_calls": len(calls),
                          "labels": {k: labels.count(k) for k in RESPONSES}},
        "temperature": classifier.temperature_,
        "libraries": {"python": platform.python_version(), "spacy": spacy.__version__,
                      "scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "lexicon_version": analyzer.lexicon.version,
        "training_seconds": None,
        "metrics": {},
    }
    save_model(out, featurizer, classifier, manifest)
    triager = Triager.load(out, policy=policy)
    for name, path in (eval_paths or {}).items():
        ecalls, elabels, _ = read_labeled_jsonl(path)
        pred = [s.response.value for s in triager.suggest_many(ecalls, explain=False)]
        manifest["metrics"][name] = macro_f1(elabels, pred)
    manifest["training_seconds"] = round(time.perf_counter() - t0, 2)
    save_model(out, featurizer, classifier, manifest)
    return manifest


def main(argv: list[str] | None = None) -> None:
    """Retrain the shipped default model from training_data/ (``python -m cit_triage.training``)."""
    import argparse

    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--data", type=Path, default=root / "training_data", help="folder with train/validation/test.jsonl")
    ap.add_argument("--out", type=Path, default=root / "models" / "default")
    ap.add_argument("--version", default=None, help="model version (default: today's date)")
    args = ap.parse_args(argv)
    manifest = train_folder(args.data / "train.jsonl", args.out, model_version=args.version,
                            eval_paths={"validation": args.data / "validation.jsonl", "test": args.data / "test.jsonl"})
    for split, m in manifest["metrics"].items():
        print(f"{split:10s} macro_f1={m['macro_f1']:.3f} accuracy={m['accuracy']:.3f} " +
              " ".join(f"{k}_f1={m[k]['f1']:.3f}" for k in RESPONSES))
    print(f"wrote {args.out} in {manifest['training_seconds']} s")


if __name__ == "__main__":
    main()
