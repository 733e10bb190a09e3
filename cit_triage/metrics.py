"""Scores of suggestions against labels, computed with scikit-learn and scipy.

Per-class and macro-F1, the behavioral-health nexus (CIT or co-responder as one positive
class), confusion matrix, calibration (reliability bins, expected calibration error, Brier),
review rate, rule firings, slices, confidence intervals and the paired bootstrap. The same
functions serve ``train``, ``evaluate`` and ``compare``, so one number means one thing.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Sequence

import numpy as np
from scipy import stats
from sklearn.calibration import calibration_curve
from sklearn.metrics import accuracy_score, brier_score_loss, confusion_matrix, precision_recall_fscore_support

from .schema import RESPONSES

#: Responses that send a CIT-trained officer: the behavioral-health nexus.
NEXUS = ("cit", "co_responder")
_INDEX = {name: i for i, name in enumerate(RESPONSES)}
_CLASSES = np.arange(len(RESPONSES))


def encode(labels: Sequence[str]) -> np.ndarray:
    """Labels as class indices in ``RESPONSES`` order."""
    return np.fromiter((_INDEX[x] for x in labels), dtype=np.int64, count=len(labels))


def confusion(gold: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """3 x 3 counts: rows are the actual label, columns the suggestion."""
    return confusion_matrix(gold, pred, labels=_CLASSES)


def scores(gold: np.ndarray, pred: np.ndarray, present_only: bool = False) -> dict:
    """Per-class precision/recall/F1, macro-F1, accuracy and nexus recall/precision.

    ``gold`` and ``pred`` are class indices (see ``encode``). ``present_only`` averages the F1
    over the classes that occur as label or suggestion (for slices, where a class may be absent).
    """
    gold, pred = np.asarray(gold, dtype=np.int64), np.asarray(pred, dtype=np.int64)
    precision, recall, f1, support = precision_recall_fscore_support(gold, pred, labels=_CLASSES, zero_division=0)
    n_pred = np.bincount(pred, minlength=len(RESPONSES))
    present = (support + n_pred) > 0
    nexus = np.array([_INDEX[x] for x in NEXUS])
    is_gold, is_pred = np.isin(gold, nexus), np.isin(pred, nexus)
    n = len(gold)
    if n == 0:
        macro = 0.0
    else:
        macro = float(f1[present].mean()) if present_only else float(f1.mean())
    nexus_p, nexus_r, _, _ = (precision_recall_fscore_support(is_gold, is_pred, average="binary", zero_division=0)
                              if n else (0.0, 0.0, None, None))
    return {
        "per_class": {name: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                             "support": int(support[i]), "predicted": int(n_pred[i])} for i, name in enumerate(RESPONSES)},
        "macro_f1": macro,
        "accuracy": float(accuracy_score(gold, pred)) if n else 0.0,
        "nexus": {"recall": float(nexus_r), "precision": float(nexus_p),
                  "support": int(is_gold.sum()), "predicted": int(is_pred.sum())},
    }


def scores_from_confusion(cm: np.ndarray, present_only: bool = False) -> dict:
    """``scores`` of the calls a confusion matrix counts."""
    cm = np.asarray(cm, dtype=np.int64)
    rows, cols = np.indices(cm.shape)
    return scores(np.repeat(rows.ravel(), cm.ravel()), np.repeat(cols.ravel(), cm.ravel()), present_only)


def calibration_bins(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 10) -> list[dict]:
    """Equal-width confidence bins with their mean confidence and accuracy (the reliability plot).

    Means come from ``sklearn.calibration.calibration_curve``; the counts use its binning.
    """
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], confidence), minlength=n_bins)
    accuracy = np.full(n_bins, np.nan)
    mean_conf = np.full(n_bins, np.nan)
    if len(confidence) and np.unique(correct).size > 1:
        accuracy[counts > 0], mean_conf[counts > 0] = calibration_curve(correct, confidence, n_bins=n_bins,
                                                                        strategy="uniform")
    else:  # calibration_curve needs both outcomes; with one, every bin's accuracy is that outcome
        for b in np.flatnonzero(counts):
            in_bin = np.searchsorted(edges[1:-1], confidence) == b
            accuracy[b], mean_conf[b] = correct[in_bin].mean(), confidence[in_bin].mean()
    return [{"low": float(edges[b]), "high": float(edges[b + 1]), "n": int(counts[b]),
             "confidence": float(mean_conf[b]) if counts[b] else None,
             "accuracy": float(accuracy[b]) if counts[b] else None} for b in range(n_bins)]


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 10) -> float:
    """Bin-size-weighted mean gap between confidence and accuracy."""
    n = len(confidence)
    if n == 0:
        return 0.0
    return float(sum(b["n"] / n * abs(b["confidence"] - b["accuracy"])
                     for b in calibration_bins(confidence, correct, n_bins) if b["n"]))


def brier(proba: np.ndarray, gold: np.ndarray) -> float:
    """Multiclass Brier score of the model probabilities: 0 is perfect, 2 is certain and always wrong."""
    if len(gold) == 0:
        return 0.0
    proba = np.asarray(proba, dtype=float)
    # Suggestions carry rounded probabilities; renormalize so each row sums to one again.
    proba = proba / proba.sum(axis=1, keepdims=True)
    return float(brier_score_loss(np.asarray(gold), proba, labels=_CLASSES))


def summarize(gold: Sequence[str], pred: Sequence[str], confidence: Sequence[float], *,
              proba: np.ndarray | None = None, model_pred: Sequence[str] | None = None,
              needs_review: Sequence[bool] | None = None, rule_ids: Sequence[Sequence[str]] | None = None,
              n_bins: int = 10) -> dict:
    """Every headline number for one set of suggestions."""
    g, p = encode(gold), encode(pred)
    conf = np.asarray(confidence, dtype=float)
    correct = (g == p).astype(float)
    out = {"n": int(len(g)), **scores(g, p),
           "confusion_matrix": {"labels": list(RESPONSES), "rows": "actual", "columns": "suggested",
                                "counts": confusion(g, p).tolist()},
           "calibration": {"ece": expected_calibration_error(conf, correct, n_bins), "bins": calibration_bins(conf, correct, n_bins)}}
    if proba is not None:
        out["calibration"]["brier"] = brier(np.asarray(proba, dtype=float), g)
    if model_pred is not None:
        model_scores = scores(g, encode(model_pred))
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
        s = scores(encode(g), encode(p), present_only=True)
        rows.append({"value": key, "n": len(idx), "accuracy": s["accuracy"], "macro_f1": s["macro_f1"],
                     "actual_escalation": sum(x in NEXUS for x in g) / len(idx),
                     "suggested_escalation": sum(x in NEXUS for x in p) / len(idx),
                     "co_responder_suggested": sum(x == "co_responder" for x in p) / len(idx),
                     "nexus_recall": s["nexus"]["recall"] if s["nexus"]["support"] else None,
                     "needs_review": sum(bool(needs_review[i]) for i in idx) / len(idx)})
    rows.sort(key=lambda r: (r["value"] == "(other)", -r["n"], r["value"]))
    return rows


def mean_ci(values: Sequence[float], level: float = 0.95, bounds: tuple[float, float] = (0.0, 1.0)) -> dict:
    """Mean with a Student-t confidence interval (for per-fold scores), kept inside ``bounds``.

    Every cross-validated number is a rate in [0, 1]; a t interval around a mean near 1 can
    reach past it, which no fold could score, so the interval is cut at the bounds.
    """
    x = np.asarray(values, dtype=float)
    mean = float(x.mean()) if len(x) else 0.0
    if len(x) < 2 or np.ptp(x) == 0:
        return {"mean": mean, "low": mean, "high": mean, "level": level}
    low, high = stats.t.interval(level, len(x) - 1, loc=mean, scale=stats.sem(x))
    return {"mean": mean, "low": float(max(low, bounds[0])), "high": float(min(high, bounds[1])), "level": level}


def paired_bootstrap(statistic: Callable[[np.ndarray], dict[str, float]], n: int, *, n_resamples: int = 1000,
                     seed: int = 0, level: float = 0.95) -> dict[str, dict]:
    """Percentile intervals of each value of ``statistic(indices)`` over seeded resamples of ``n`` paired items.

    ``scipy.stats.bootstrap`` resamples the item indices, so every statistic sees the same
    calls for both models (paired). Percentile intervals stay inside the range the statistic
    can take: a rate's interval never leaves [0, 1].
    """
    if n == 0:
        return {}
    keys = list(statistic(np.arange(n)))

    def vector(idx: np.ndarray) -> np.ndarray:
        values = statistic(np.asarray(idx, dtype=np.int64))
        return np.array([values[k] for k in keys], dtype=float)

    res = stats.bootstrap((np.arange(n),), vector, n_resamples=n_resamples, confidence_level=level,
                          method="percentile", vectorized=False, rng=np.random.default_rng(seed))
    low, high = np.atleast_1d(res.confidence_interval.low), np.atleast_1d(res.confidence_interval.high)
    return {k: {"low": float(low[i]), "high": float(high[i])} for i, k in enumerate(keys)}


def mcnemar(a_correct: Sequence[bool], b_correct: Sequence[bool], exact_below: int = 25) -> dict:
    """McNemar test on paired correctness: exact binomial when discordant pairs are few,
    else chi-square with continuity correction."""
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
