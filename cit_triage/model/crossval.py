"""``train``: stratified cross-validation, then a final fit saved as a model folder with a card.

Cross-validation scores what a dispatcher would see (model + policy rules) on held-out calls,
fold by fold, and reports the mean with a 95% confidence interval. Everything that draws
random numbers takes ``seed``, so the same data and seed give the same weights.
"""

from __future__ import annotations

import math
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np
import sklearn
import spacy
from sklearn.model_selection import StratifiedKFold

from ..errors import DataFileError, Errors
from ..io.tabular import input_files
from .files import save_model
from ..policy import Policy
from ..schema import RESPONSES
from .fit import data_hash, fit_model
from ..triage import Triager, build_analyzer
from ..io.labeled import LabeledData, read_labeled
from ..metrics import NEXUS, mean_ci, summarize

#: Per-fold numbers that get a mean and confidence interval.
CV_METRICS = ("macro_f1", "model_only_macro_f1", "accuracy", "nexus_recall", "nexus_precision", "ece", "needs_review_rate")


def cross_validate(analyzer, analyses: list, labels: list[str], policy: Policy, *, folds: int = 5, seed: int = 0,
                   featurizer_params: dict | None = None, classifier_params: dict | None = None,
                   progress: bool = False) -> dict:
    """Per-fold and mean scores (with 95% CI) of model + rules on held-out stratified folds."""
    from tqdm import tqdm

    check_folds(labels, folds, (classifier_params or {}).get("calibration_folds", 5))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    per_fold = []
    split = splitter.split(np.zeros(len(labels)), labels)
    for k, (train_idx, test_idx) in enumerate(tqdm(split, total=folds, desc="cross-validation", unit="fold",
                                                    file=sys.stderr, disable=not progress, leave=False), 1):
        featurizer, classifier = fit_model([analyses[i] for i in train_idx], [labels[i] for i in train_idx],
                                           featurizer_params, classifier_params)
        triager = Triager(analyzer, featurizer, classifier, policy, {"model_version": f"cv-fold-{k}"}, analyzer.lexicon)
        held_out = [analyses[i].call for i in test_idx]
        gold = [labels[i] for i in test_idx]
        sugs = triager.suggest_many(held_out, explain=False)
        s = summarize(gold, [x.response.value for x in sugs], [x.confidence for x in sugs],
                      model_pred=[x.model_response.value for x in sugs], needs_review=[x.needs_review for x in sugs])
        per_fold.append({"fold": k, "n_train": len(train_idx), "n_test": len(test_idx), "macro_f1": s["macro_f1"],
                         "model_only_macro_f1": s["model_only"]["macro_f1"], "accuracy": s["accuracy"],
                         "nexus_recall": s["nexus"]["recall"], "nexus_precision": s["nexus"]["precision"],
                         "ece": s["calibration"]["ece"], "needs_review_rate": s["needs_review"]["rate"],
                         "per_class_f1": {c: s["per_class"][c]["f1"] for c in RESPONSES}})
    return {"folds": folds, "seed": seed, "stratified": True, "per_fold": per_fold,
            "mean": {m: mean_ci([f[m] for f in per_fold]) for m in CV_METRICS}}


def check_folds(labels: Sequence[str], folds: int, calibration_folds: int = 5) -> None:
    """Every response needs enough calls for the folds and the calibration inside each fold."""
    counts = {k: sum(x == k for x in labels) for k in RESPONSES}
    # Each training fold holds (folds-1)/folds of a class, and calibration splits it again.
    need = max(folds, math.ceil(calibration_folds * folds / (folds - 1))) if folds >= 2 else calibration_folds
    short = {k: n for k, n in counts.items() if n < need}
    if short:
        raise DataFileError(Errors.E030.format(path="training data", detail=(
            f"too few calls per response for {folds}-fold cross-validation (need at least {need} each); "
            f"have {counts}. Add labeled calls or lower --folds")))


def train(data, out: str | Path, *, label_column: str = "label", columns=None, label_map=None, seed: int = 0,
          folds: int = 5, model_version: str | None = None, policy: str | Path | Policy | None = None,
          featurizer_params: dict | None = None, classifier_params: dict | None = None,
          allow_bad_rows: bool = False, progress: bool = False) -> dict:
    """Cross-validate, fit on all calls, save the model folder and its model card; return the manifest.

    Bad rows stop training unless ``allow_bad_rows``; then they are skipped and listed in the card.
    ``folds < 2`` skips cross-validation.

    Examples
    --------
    >>> manifest = train("labeled.jsonl", "models/agency-2026", seed=7, folds=5)        # doctest: +SKIP
    >>> manifest["metrics"]["cross_validation"]["mean"]["macro_f1"]                      # doctest: +SKIP
    """
    from .card import build_card, write_model_card

    t0 = time.perf_counter()
    policy = policy if isinstance(policy, Policy) else Policy.from_file(policy)
    labeled = read_labeled(data, label_column=label_column, columns=columns, label_map=label_map)
    if labeled.bad_rows and not allow_bad_rows:
        listed = "; ".join(f"row {b.row}: {b.error}" for b in labeled.bad_rows[:5])
        more = f" (and {len(labeled.bad_rows) - 5} more)" if len(labeled.bad_rows) > 5 else ""
        raise DataFileError(Errors.E030.format(path=labeled.files[0], detail=(
            f"{len(labeled.bad_rows)} bad rows: {listed}{more}. Fix them, or pass --skip-bad-rows to train without them")))
    if not labeled.calls:
        raise DataFileError(Errors.E030.format(path=labeled.files[0], detail="no usable labeled calls"))
    labels = labeled.labels
    analyzer = build_analyzer(policy)
    analyses = analyzer.analyze_many([c.call for c in labeled.calls])
    classifier_params = {"random_state": seed, **(classifier_params or {})}
    cv = None
    if folds >= 2:
        cv = cross_validate(analyzer, analyses, labels, policy, folds=folds, seed=seed, featurizer_params=featurizer_params,
                            classifier_params=classifier_params, progress=progress)
    else:
        check_folds(labels, 0, classifier_params.get("calibration_folds", 5))
    featurizer, classifier = fit_model(analyses, labels, featurizer_params, classifier_params)
    manifest = {
        "model_version": model_version or datetime.now(timezone.utc).strftime("%Y.%m.%d"),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "training_data": training_data_info(data, labeled),
        "seed": seed,
        "temperature": classifier.temperature_,
        "libraries": library_versions(),
        "lexicon_version": analyzer.lexicon.version,
        "policy_version": policy.policy_version,
        "training_seconds": round(time.perf_counter() - t0, 2),
        "metrics": {"cross_validation": cv} if cv else {},
    }
    folder = save_model(out, featurizer, classifier, manifest)
    write_model_card(folder, build_card(manifest, featurizer.get_params(), classifier.get_params()))
    return manifest


def training_data_info(source, labeled: LabeledData) -> dict:
    files = [] if not isinstance(source, (str, Path)) else input_files(source)
    labels = labeled.labels
    return {
        "path": ", ".join(p.name for p in files) or labeled.files[0],
        "sha256": data_hash(files) if files else None,
        "rows": labeled.n_rows,
        "n_calls": len(labeled.calls),
        "labels": {k: labels.count(k) for k in RESPONSES},
        "behavioral_health_share": (sum(x in NEXUS for x in labels) / len(labels)) if labels else 0.0,
        "bad_rows": [{"row": b.row, "error": b.error} for b in labeled.bad_rows],
    }


def library_versions() -> dict:
    import pandas
    import scipy

    from .. import __version__

    return {"cit_triage": __version__, "python": platform.python_version(), "spacy": spacy.__version__,
            "scikit-learn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "pandas": pandas.__version__}
