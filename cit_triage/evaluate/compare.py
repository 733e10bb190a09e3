"""``compare``: champion against challenger on the same labeled calls.

Both models see exactly the same rows; differences are reported as B - A with paired,
seeded bootstrap intervals, and McNemar's test says whether the calls one gets right and
the other wrong are more lopsided than chance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..schema import RESPONSES
from ..io.labeled import read_labeled
from .evaluation import load, suggest_all
from ..metrics import NEXUS, encode, expected_calibration_error, mcnemar, paired_bootstrap, scores

#: Numbers compared, in table order; ``higher`` says which direction is better.
METRICS = {"macro_f1": True, "accuracy": True, "nexus_recall": True, "nexus_precision": True,
           "f1_patrol": True, "f1_cit": True, "f1_co_responder": True, "ece": False, "needs_review_rate": False}


@dataclass
class ComparisonResult:
    """``summary`` is the content of compare.json; ``disagreements`` the calls the models answer differently."""

    summary: dict
    disagreements: list[dict]

    def to_dict(self) -> dict:
        return {**self.summary, "disagreements": self.disagreements}

    def write(self, out: str | Path) -> Path:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "compare.json").write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return out


def _stats(gold: np.ndarray, pred: np.ndarray, conf: np.ndarray, review: np.ndarray) -> dict[str, float]:
    s = scores(gold, pred)
    return {"macro_f1": s["macro_f1"], "accuracy": s["accuracy"], "nexus_recall": s["nexus"]["recall"],
            "nexus_precision": s["nexus"]["precision"],
            **{f"f1_{k}": s["per_class"][k]["f1"] for k in RESPONSES},
            "ece": expected_calibration_error(conf, (gold == pred).astype(float)),
            "needs_review_rate": float(review.mean()) if len(review) else 0.0}


def compare(model_a, model_b, calls, *, label_column: str = "label", columns=None, label_map=None,
            policy: str | Path | None = None, n_resamples: int = 1000, seed: int = 0, progress: bool = False,
            include_notes: bool = False, out: str | Path | None = None) -> ComparisonResult:
    """Compare model A (champion) and model B (challenger) on the same labeled calls.

    Deltas are B - A. ``include_notes`` adds each disagreeing call's notes to the result.

    Examples
    --------
    >>> result = compare("models/default", "models/candidate", "calls.csv")   # doctest: +SKIP
    >>> result.summary["deltas"]["macro_f1"]                                    # doctest: +SKIP
    """
    data = read_labeled(calls, label_column=label_column, columns=columns, label_map=label_map)
    gold = encode(data.labels)
    runs = []
    for name, model in (("a", model_a), ("b", model_b)):
        triager = load(model, policy)
        sugs = suggest_all(triager, data.calls, progress, desc=f"model {name.upper()}")
        runs.append({"triager": triager, "suggestions": sugs, "path": "default" if model is None else str(model) if isinstance(model, (str, Path)) else "(Triager)",
                     "pred": encode([s.response.value for s in sugs]),
                     "conf": np.array([s.confidence for s in sugs], dtype=float),
                     "review": np.array([s.needs_review for s in sugs], dtype=bool)})
    a, b = runs

    def deltas(idx: np.ndarray) -> dict[str, float]:
        sa = _stats(gold[idx], a["pred"][idx], a["conf"][idx], a["review"][idx])
        sb = _stats(gold[idx], b["pred"][idx], b["conf"][idx], b["review"][idx])
        return {k: sb[k] - sa[k] for k in METRICS}

    everything = np.arange(len(gold))
    stats_a = _stats(gold, a["pred"], a["conf"], a["review"])
    stats_b = _stats(gold, b["pred"], b["conf"], b["review"])
    intervals = paired_bootstrap(deltas, len(gold), n_resamples=n_resamples, seed=seed)
    point = deltas(everything) if len(gold) else {k: 0.0 for k in METRICS}
    summary = {
        "files": data.files,
        "model_a": {"path": a["path"], "model_version": a["triager"].model_version},
        "model_b": {"path": b["path"], "model_version": b["triager"].model_version},
        "policy_version": a["triager"].policy.policy_version,
        "rows": {"total": data.n_rows, "scored": len(data.calls), "bad": len(data.bad_rows)},
        "bad_rows": [{"row": r.row, "error": r.error} for r in data.bad_rows],
        "metrics": {k: {"a": stats_a[k], "b": stats_b[k], "delta": point[k],
                        "ci_low": intervals.get(k, {}).get("low"), "ci_high": intervals.get(k, {}).get("high"),
                        "higher_is_better": better} for k, better in METRICS.items()},
        "bootstrap": {"resamples": n_resamples, "seed": seed, "level": 0.95, "paired": True},
        "mcnemar": mcnemar(a["pred"] == gold, b["pred"] == gold),
        "n_disagreements": int((a["pred"] != b["pred"]).sum()),
    }
    disagreements = []
    for i in np.flatnonzero(a["pred"] != b["pred"]):
        call, sa, sb = data.calls[i], a["suggestions"][i], b["suggestions"][i]
        item = {"row": call.row, "call_id": call.call.call_id, "label": call.label,
                "a": sa.response.value, "a_confidence": sa.confidence, "b": sb.response.value, "b_confidence": sb.confidence,
                "correct": "a" if sa.response.value == call.label else "b" if sb.response.value == call.label else "neither",
                "escalation_changed": (sa.response.value in NEXUS) != (sb.response.value in NEXUS)}
        if include_notes:
            item["notes"] = call.call.notes
        disagreements.append(item)
    result = ComparisonResult(summary, disagreements)
    if out is not None:
        result.write(out)
    return result


def format_delta(value: float, low: float | None, high: float | None) -> str:
    ci = f" [{low:+.3f}, {high:+.3f}]" if low is not None and high is not None else ""
    return f"{value:+.3f}{ci}"


def significant(metric: dict) -> bool:
    """True when the bootstrap interval of the delta excludes zero."""
    low, high = metric.get("ci_low"), metric.get("ci_high")
    return low is not None and high is not None and (low > 0 or high < 0)
