"""Train a model folder from labeled calls (the same code the shipped default was made with)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import DataFileError, Errors
from ..io.labeled import read_labeled
from ..triage import Triager
from .card import build_card, write_model_card
from .files import update_manifest
from .crossval import train
from ..policy import Policy
from ..schema import RESPONSES, Call

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


def train_folder(train_path: str | Path, out: str | Path, *, eval_paths: dict[str, str | Path] | None = None,
                 model_version: str | None = None, featurizer_params: dict | None = None,
                 classifier_params: dict | None = None, policy: Policy | None = None, folds: int = 0,
                 seed: int = 0) -> dict:
    """Train on ``train_path`` (with ``folds``-fold cross-validation when ≥ 2), save the model
    folder and its model card to ``out``, then score each of ``eval_paths`` as deployed
    (model + rules) and record those held-out metrics in the manifest and card."""
    policy = policy or Policy.from_file()
    manifest = train(train_path, out, seed=seed, folds=folds, model_version=model_version, policy=policy,
                     featurizer_params=featurizer_params, classifier_params=classifier_params)
    if eval_paths:
        triager = Triager.load(out, policy=policy)
        for name, path in eval_paths.items():
            held_out = read_labeled(path)
            pred = [s.response.value for s in triager.suggest_many([c.call for c in held_out.calls], explain=False)]
            manifest["metrics"][name] = macro_f1(held_out.labels, pred)
        update_manifest(out, metrics=manifest["metrics"])  # re-seals the checksum list
        write_model_card(out, build_card(manifest, triager.featurizer.get_params(), triager.classifier.get_params()))
    return manifest


def main(argv: list[str] | None = None) -> None:
    """Retrain the shipped default model from training_data/ (``python -m cit_triage.model.training``)."""
    import argparse

    root = Path(__file__).resolve().parent.parent.parent
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--data", type=Path, default=root / "training_data", help="folder with train/validation/test.jsonl")
    ap.add_argument("--out", type=Path, default=root / "cit_triage" / "data" / "model" / "default")
    ap.add_argument("--version", default=None, help="model version (default: today's date)")
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds (0: none)")
    args = ap.parse_args(argv)
    manifest = train_folder(args.data / "train.jsonl", args.out, model_version=args.version, folds=args.folds,
                            eval_paths={"validation": args.data / "validation.jsonl", "test": args.data / "test.jsonl"})
    cv = manifest["metrics"].pop("cross_validation", None)
    if cv:
        m = cv["mean"]["macro_f1"]
        print(f"cv ({cv['folds']}-fold) macro_f1={m['mean']:.3f} (95% CI {m['low']:.3f}-{m['high']:.3f})")
    for split, m in manifest["metrics"].items():
        print(f"{split:10s} macro_f1={m['macro_f1']:.3f} accuracy={m['accuracy']:.3f} " +
              " ".join(f"{k}_f1={m[k]['f1']:.3f}" for k in RESPONSES))
    print(f"wrote {args.out} in {manifest['training_seconds']} s")


if __name__ == "__main__":
    main()
