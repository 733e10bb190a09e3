"""Train a model folder from labeled calls (the same code the shipped default was made with).

The shipped default model is retrained with ``cit-triage train`` (see training_data/README.md):
the written corpus plus real CAD pages, cross-validated by agency.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import DataFileError, Errors
from ..policy import Policy
from ..schema import RESPONSES, Call
from .crossval import train

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


def train_folder(train_path, out: str | Path, *, eval_paths: dict[str, str | Path] | None = None,
                 model_version: str | None = None, featurizer_params: dict | None = None,
                 classifier_params: dict | None = None, policy: Policy | None = None, folds: int = 0,
                 seed: int = 0, weights: dict[str, float] | None = None) -> dict:
    """Train on ``train_path`` (one file or a list), save the model folder and its card to
    ``out``, and score each of ``eval_paths`` as deployed (findings, model, rules)."""
    return train(train_path, out, seed=seed, folds=folds, model_version=model_version, policy=policy,
                 featurizer_params=featurizer_params, classifier_params=classifier_params, weights=weights,
                 eval_paths=eval_paths)
