"""Scores of suggestions against labels: per-class and macro-F1, behavioral-health nexus,
confusion, calibration, review rate, rule firings, slices and paired bootstrap.

Pure functions over plain lists and arrays, so the same numbers come out of the CLI, the
notebook API and the champion/challenger comparison.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Sequence

import numpy as np

from .schema import RESPONSES

#: Responses that send a CIT-trained officer: the behavioral-health nexus.
NEXUS = ("cit", "co_responder")
_INDEX = {name: i for i, name in enumerate(RESPONSES)}


def encode(labels: Sequence[str]) -> np.ndarray:
    """Labels as class indices in ``RESPONSES`` order."""
    return np.fromiter((_INDEX[x] for x in labels), dtype=np.int64, count=len(labels))


def confusion(gold: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """3 x 3 counts: rows are the actual label, columns the suggestion."""
    k = len(RESPONSES)
    return np.bincount(gold * k + pred, minlength=k * k).reshape(k, k)


def scores_from_confusion(cm: np.ndarray, present_only: bool = False) -> dict:
    """Per-class precision/recall/F1, macro-F1, accuracy and nexus recall/precision of one matrix.

    ``present_only`` averages the F1 over the classes that occur as label or suggestion (for
    slices, where a class may be absent).
    """
    tp = np.diag(cm).astype(float)
    n_pred, n_gold = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(tp, n_pred, out=np.zeros_like(tp), where=n_pred > 0)
    recall = np.divide(tp, n_gold, out=np.zeros_like(tp), where=n_gold > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    total = cm.sum()
    nexus = [_INDEX[x] for x in NEXUS]
    nexus_tp = cm[np.ix_(nexus, nexus)].sum()
    nexus_gold, nexus_pred = cm[nexus, :].sum(), cm[:, nexus].sum()
    return {
        "per_class": {name: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                             "support": int(n_gold[i]), "predicted": int(n_pred[i])} for i, name in enumerate(RESPONSES)},
        "macro_f1": float(f1[(n_gold + n_pred) > 0].mean()) if present_only and total else float(f1.mean()),
        "accuracy": float(tp.sum() / total) if total else 0.0,
        "nexus": {"recall": float(nexus_tp / nexus_gold) if nexus_gold else 0.0,
                  "precision": float(nexus_tp / nexus_pred) if nexus_pred else 0.0,
                  "support": int(nexus_gold), "predicted": int(nexus_pred)},
    }


def calibration_bins(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 10) -> list[dict]:
    """Equal-width confidence bins with their mean confidence and accuracy (the reliability plot)."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, n_bins - 1)
    bins = []
    for b in range(n_bins):
        mask = which == b
        n = int(mask.sum())
        bins.append({"low": float(edges[b]), "high": float(edges[b + 1]), "n": n,
                     "confidence": float(confidence[mask].mean()) if n else None,
                     "accuracy": float(correct[mask].mean()) if n else None})
    return bins


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 10) -> float:
    """Bin-size-weighted mean gap between confidence and accuracy."""
    n = len(confidence)
    if n == 0:
        return 0.0
    return float(sum(b["n"] / n * abs(b["confidence"] - b["accuracy"])
                     for b in calibration_bins(confidence, correct, n_bins) if b["n"]))


def brier(proba: np.ndarray, gold: np.ndarray) -> float:
    """Multiclass Brier score of the model probabilities (lower is better)."""
    if len(gold) == 0:
        return 0.0
    onehot = np.eye(len(RESPONSES))[gold]
    return float(((proba - onehot) ** 2).sum(axis=1).mean())


def summarize(gold: Sequence[str], pred: Sequence[str], confidence: Sequence[float], *,
              proba: np.ndarray | None = None, model_pred: Sequence[str] | None = None,
              needs_review: Sequence[bool] | None = None, rule_ids: Sequence[Sequence[str]] | None = None,
              n_bins: int = 10) -> dict:
    """Every headline number for one set of suggestions."""
    g, p = encode(gold), encode(pred)
    conf = np.asarray(confidence, dtype=float)
    correct = (g == p).astype(float)
    cm = confusion(g, p)
    out = {"n": int(len(g)), **scores_from_confusion(cm),
           "confusion_matrix": {"labels": list(RESPONSES), "rows": "actual", "columns": "suggested",
                                "counts": cm.tolist()},
           "calibration": {"ece": expected_calibration_error(conf, correct, n_bins), "bins": calibration_bins(conf, correct, n_bins)}}
    if proba is not None:
        out["calibration"]["brier"] = brier(np.asarray(proba, dtype=float), g)
    if model_pred is not None:
        model_scores = scores_from_confusion(confusion(g, encode(model_pred)))
        out["model_only"] = {"macro_f1": model_scores["macro_f1"], "accuracy": model_scores["accuracy"],
                             "nexus": model_scores["nexus"]}
    if needs_review is not None:
        review = np.asarray(needs_review, dtype=bool)
        out["needs_review"] = {"count": int(review.sum()), "rate": float(review.mean()) if len(review) else 0.0,
                               "accuracy_when_flagged": float(correct[review].mean()) if review.any() else None,
                               "accuracy_when_not_flagged": float(correct[~review].mean()) if (~review).any() else None}
    if rule_ids is not None:
        out["rule_firings"] = dict(Counter(r for ids in rule_ids for r in ids).most_common())
    return out


def slice_table(keys: Sequence[str], gold: Sequence[str], pred: Sequence[str], needs_review: Sequence[bool],
                top: int = 20) -> list[dict]:
    """Per-value counts, accuracy and escalation rates; values beyond ``top`` go into "(other)"."""
    counts = Counter(keys)
    kept = {k for k, _ in counts.most_common(top)}
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key if key in kept else "(other)", []).append(i)
    rows = []
    for key, idx in groups.items():
        g = [gold[i] for i in idx]
        p = [pred[i] for i in idx]
        s = scores_from_confusion(confusion(encode(g), encode(p)), present_only=True)
        rows.append({"value": key, "n": len(idx), "accuracy": s["accuracy"], "macro_f1": s["macro_f1"],
                     "actual_escalation": sum(x in NEXUS for x in g) / len(idx),
                     "suggested_escalation": sum(x in NEXUS for x in p) / len(idx),
                     "co_responder_suggested": sum(x == "co_responder" for x in p) / len(idx),
                     "nexus_recall": s["nexus"]["recall"] if s["nexus"]["support"] else None,
                     "needs_review": sum(bool(needs_review[i]) for i in idx) / len(idx)})
    rows.sort(key=lambda r: (r["value"] == "(other)", -r["n"], r["value"]))
    return rows


def mean_ci(values: Sequence[float], level: float = 0.95) -> dict:
    """Mean with a Student-t confidence interval (for per-fold scores)."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    mean = float(x.mean()) if len(x) else 0.0
    if len(x) < 2:
        return {"mean": mean, "low": mean, "high": mean, "level": level}
    half = float(stats.t.ppf((1 + level) / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return {"mean": mean, "low": mean - half, "high": mean + half, "level": level}


def paired_bootstrap(statistic: Callable[[np.ndarray], dict[str, float]], n: int, *, n_resamples: int = 1000,
                     seed: int = 0, level: float = 0.95) -> dict[str, dict]:
    """Percentile intervals of each value of ``statistic(indices)`` over seeded resamples of ``n`` paired items."""
    rng = np.random.default_rng(seed)
    draws = [statistic(rng.integers(0, n, n)) for _ in range(n_resamples)] if n else []
    alpha = (1 - level) / 2
    out = {}
    for key in (draws[0] if draws else {}):
        values = np.array([d[key] for d in draws], dtype=float)
        out[key] = {"low": float(np.quantile(values, alpha)), "high": float(np.quantile(values, 1 - alpha))}
    return out


def mcnemar(a_correct: Sequence[bool], b_correct: Sequence[bool], exact_below: int = 25) -> dict:
    """McNemar test on paired correctness: exact binomial when discordant pairs are few,
    else chi-square with continuity correction."""
    from scipy import stats

    a = np.asarray(a_correct, dtype=bool)
    b = np.asarray(b_correct, dtype=bool)
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    discordant = only_a + only_b
    if discordant == 0:
        return {"only_a_correct": 0, "only_b_correct": 0, "method": "none (no discordant pairs)",
                "statistic": None, "p_value": 1.0}
    if discordant < exact_below:
        p = float(stats.binomtest(min(only_a, only_b), discordant, 0.5).pvalue)
        return {"only_a_correct": only_a, "only_b_correct": only_b, "method": "exact binomial",
                "statistic": None, "p_value": min(p, 1.0)}
    stat = (abs(only_a - only_b) - 1) ** 2 / discordant
    return {"only_a_correct": only_a, "only_b_correct": only_b, "method": "chi-square with continuity correction",
            "statistic": float(stat), "p_value": float(stats.chi2.sf(stat, 1))}
