"""``train``: agency-grouped cross-validation, the decision thresholds it chooses, a final fit.

Training data comes from one or more *sources* (labeled files), each with a weight: the
written corpus, real CAD pages, an agency's own exported decisions. Rows of a source with a
group column (``agency``) are what the product meets: cross-validation holds them out a whole
agency at a time, so a score is a score on agencies the model has not seen. Rows without a
group (the written corpus) always train.

The out-of-fold suggestions choose what the guide leaves to the model: how sure it must be to
go beyond the findings (cit or co_responder with no counted sign behind it), the calibration of
``confidence`` (the probability that the final suggestion is right), and the confidence below
which a call is flagged for review. Everything that draws random numbers takes ``seed``.
"""

from __future__ import annotations

import math
import platform
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import DataFileError, Errors
from ..io.labeled import read_labeled
from ..metrics import NEXUS, mean_ci, summarize
from ..policy import Decision, Policy, apply_policy
from ..schema import RESPONSES
from ..triage import build_analyzer
from .confidence import ConfidenceModel, confidence_features
from .files import save_model
from .fit import data_hash, fit_model

#: Per-fold numbers that get a mean and confidence interval.
CV_METRICS = ("macro_f1", "model_only_macro_f1", "findings_only_macro_f1", "accuracy", "nexus_recall",
              "nexus_precision", "ece", "needs_review_rate")
#: Thresholds tried for going beyond the findings (1.01: never).
_BEYOND_GRID = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.01)
#: Macro-F1 differences below this on out-of-fold suggestions are noise (a call or two in a few
#: thousand): among cit thresholds that close to the best, the one that misses the fewest crisis
#: calls wins (guide: in doubt between two labels, the one with more resources).
DECISION_TOLERANCE = 0.002
#: Most of the patrol suggestions that may be flagged for review.
MAX_PATROL_REVIEW_RATE = 0.10


@dataclass(frozen=True)
class Source:
    """One labeled file of training data: its weight, and the column naming each row's agency."""

    path: str | Path
    weight: float = 1.0
    group_column: str | None = "agency"


@dataclass
class _Rows:
    analyses: list
    labels: list[str]
    weights: np.ndarray
    groups: list            # agency per row; None for rows that always train
    source_of: list[int]    # index into the sources
    bad_rows: list


def _read_sources(sources: Sequence[Source], analyzer, label_column: str, columns, label_map) -> _Rows:
    analyses, labels, weights, groups, source_of, bad = [], [], [], [], [], []
    for k, src in enumerate(sources):
        slices = (src.group_column,) if src.group_column else ()
        labeled = read_labeled(src.path, label_column=label_column, columns=columns, label_map=label_map,
                               slice_columns=slices, require_slices=False)
        bad.extend((str(src.path), b) for b in labeled.bad_rows)
        analyses.extend(analyzer.analyze_many([c.call for c in labeled.calls]))
        for c in labeled.calls:
            labels.append(c.label)
            weights.append(src.weight)
            g = c.slices.get(src.group_column) if src.group_column else None
            groups.append(None if g in (None, "", "(none)") else f"{k}:{g}")
            source_of.append(k)
    return _Rows(analyses, labels, np.asarray(weights, dtype=float), groups, source_of, bad)


def _lexicon_words(analyzer) -> frozenset[str]:
    return frozenset(w for c in analyzer.lexicon for p in c.phrases for w in p.split())


def _folds(rows: _Rows, folds: int, seed: int):
    """(train, test) index arrays: grouped rows held out an agency at a time, the rest always train."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    grouped = np.array([i for i, g in enumerate(rows.groups) if g is not None])
    always = np.array([i for i, g in enumerate(rows.groups) if g is None], dtype=int)
    if len(grouped) and len({rows.groups[i] for i in grouped}) >= folds:
        y = [rows.labels[i] for i in grouped]
        g = [rows.groups[i] for i in grouped]
        for tr, te in StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(grouped, y, g):
            yield np.r_[grouped[tr], always], grouped[te]
    else:  # no agencies to group by: stratified folds over every row
        for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(rows.labels)), rows.labels):
            yield tr, te


def check_folds(labels: Sequence[str], folds: int, calibration_folds: int = 5) -> None:
    """Every response needs enough calls for the folds and the calibration inside each fold."""
    counts = {k: sum(x == k for x in labels) for k in RESPONSES}
    need = max(folds, math.ceil(calibration_folds * folds / (folds - 1))) if folds >= 2 else calibration_folds
    short = {k: n for k, n in counts.items() if n < need}
    if short:
        raise DataFileError(Errors.E030.format(path="training data", detail=(
            f"too few calls per response for {folds}-fold cross-validation (need at least {need} each); "
            f"have {counts}. Add labeled calls or lower --folds")))


def out_of_fold(rows: _Rows, folds: int, seed: int, featurizer_params, classifier_params, trusted_words,
                progress: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
    """Model probabilities of every held-out row (NaN for rows never held out) and the test indices per fold."""
    from tqdm import tqdm

    proba = np.full((len(rows.labels), 3), np.nan)
    tests = []
    for tr, te in tqdm(list(_folds(rows, folds, seed)), desc="cross-validation", unit="fold", file=sys.stderr,
                       disable=not progress, leave=False):
        featurizer, classifier = fit_model([rows.analyses[i] for i in tr], [rows.labels[i] for i in tr],
                                           featurizer_params, classifier_params, groups=[rows.groups[i] for i in tr],
                                           sample_weight=rows.weights[tr], trusted_words=trusted_words)
        proba[te] = classifier.predict_proba(featurizer.transform([rows.analyses[i] for i in te]))
        tests.append(te)
    return proba, tests


def _macro_f1(gold, pred) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=list(RESPONSES), average="macro", zero_division=0))


def choose_decision(policy: Policy, analyses: list, labels: list[str], proba: np.ndarray) -> dict:
    """Thresholds, confidence calibration and review threshold chosen on out-of-fold suggestions."""
    def finals(decision: Decision):
        return [apply_policy(policy, a.facts, tuple(p), len(a.words), a.call.call_type, a.quote, None, decision)
                for a, p in zip(analyses, proba)]

    crisis = np.array([g != "patrol" for g in labels])

    def scored(t_cit: float, t_co: float) -> tuple[float, float]:
        responses = np.array([o.response for o in finals(Decision(beyond_cit=t_cit, beyond_co_responder=t_co))])
        recall = float((responses[crisis] != "patrol").mean()) if crisis.any() else 0.0
        return _macro_f1(labels, list(responses)), recall

    # The cit threshold first (the model never sending a co_responder on its own): the best
    # macro-F1, and within the tolerance the one that misses the fewest crisis calls.
    # Strictest first, so exact ties keep the stricter threshold.
    tried = [(*scored(t, 1.01), t) for t in reversed(_BEYOND_GRID)]
    top = max(score for score, *_ in tried)
    t_cit = max((t for t in tried if t[0] >= top - DECISION_TOLERANCE), key=lambda t: t[1])[2]
    # Then the co_responder threshold on macro-F1 alone: without a cited elevated-risk sign a
    # co_responder sends a clinician on the model's word, and a call it would catch is not a
    # missed crisis call (cit already goes), so "in doubt, more resources" does not apply.
    t_co = max(((scored(t_cit, t)[0], t) for t in reversed(_BEYOND_GRID)), key=lambda t: t[0])[1]
    decision = Decision(beyond_cit=t_cit, beyond_co_responder=t_co)
    outs = finals(decision)
    rows = [confidence_features(tuple(p), o.response, o.floor, o.beyond_findings) for p, o in zip(proba, outs)]
    correct = [o.response == g for o, g in zip(outs, labels)]
    confidence = ConfidenceModel.fit(rows, correct)
    conf = np.array([confidence(tuple(p), o.response, o.floor, o.beyond_findings) for p, o in zip(proba, outs)])
    # Review below the confidence that best separates wrong from right while flagging at most
    # MAX_PATROL_REVIEW_RATE of the patrol suggestions (the traffic a dispatcher handles most).
    patrol = np.array([o.response == "patrol" for o in outs])
    wrong = ~np.array(correct)
    base_flags = np.array([bool(o.review_reasons) for o in outs])
    review_below, best_ratio = 0.0, -1.0
    for k in np.unique(np.round(conf, 3)):
        flags = base_flags | (conf < k)
        if patrol.any() and flags[patrol].mean() > MAX_PATROL_REVIEW_RATE:
            break
        if flags.all() or not flags.any():
            continue
        ratio = wrong[flags].mean() / max(wrong[~flags].mean(), 1e-3)
        if ratio > best_ratio:
            review_below, best_ratio = float(k), ratio
    return {
        "beyond_findings": {"cit": decision.beyond_cit, "co_responder": decision.beyond_co_responder},
        "confidence": confidence.to_manifest(),
        "review_below_confidence": review_below,
        "chosen_on": ("out-of-fold suggestions of agency-grouped cross-validation (cit: the best macro-F1, within "
                      f"{DECISION_TOLERANCE} of it the threshold that misses the fewest crisis calls; co_responder: "
                      "the best macro-F1)"),
    }


def train(data, out: str | Path, *, label_column: str = "label", columns=None, label_map=None, seed: int = 0,
          folds: int = 5, model_version: str | None = None, policy: str | Path | Policy | None = None,
          featurizer_params: dict | None = None, classifier_params: dict | None = None,
          allow_bad_rows: bool = False, progress: bool = False, weights: dict[str, float] | None = None,
          group_column: str = "agency", eval_paths: dict[str, str | Path] | None = None) -> dict:
    """Cross-validate (grouped by agency), choose the decision thresholds, fit on every row, save
    the model folder and its model card; return the manifest.

    ``data`` is a labeled file, or a list of them (or of :class:`Source`); ``weights`` maps a
    file name to its row weight. Bad rows stop training unless ``allow_bad_rows``. ``folds < 2``
    skips cross-validation (and the model then never goes beyond the findings). ``eval_paths``
    (name → labeled file) are scored as deployed and recorded in the manifest and card.

    Examples
    --------
    >>> manifest = train(["training_data/train.jsonl", "train-cad.jsonl"], "models/agency-2026",
    ...                  weights={"train-cad.jsonl": 3.0})                                  # doctest: +SKIP
    >>> manifest["metrics"]["cross_validation"]["pooled"]["macro_f1"]                      # doctest: +SKIP
    """
    from .card import build_card, write_model_card

    t0 = time.perf_counter()
    policy = policy if isinstance(policy, Policy) else Policy.from_file(policy)
    sources = as_sources(data, weights or {}, group_column)
    analyzer = build_analyzer(policy)
    rows = _read_sources(sources, analyzer, label_column, columns, label_map)
    if rows.bad_rows and not allow_bad_rows:
        listed = "; ".join(f"{p} row {b.row}: {b.error}" for p, b in rows.bad_rows[:5])
        more = f" (and {len(rows.bad_rows) - 5} more)" if len(rows.bad_rows) > 5 else ""
        raise DataFileError(Errors.E030.format(path=rows.bad_rows[0][0], detail=(
            f"{len(rows.bad_rows)} bad rows: {listed}{more}. Fix them, or pass --skip-bad-rows to train without them")))
    if not rows.labels:
        raise DataFileError(Errors.E030.format(path=sources[0].path, detail="no usable labeled calls"))
    classifier_params = {"random_state": seed, **(classifier_params or {})}
    trusted = _lexicon_words(analyzer)
    check_folds(rows.labels, folds if folds >= 2 else 0, classifier_params.get("calibration_folds", 5))
    cv, decision = None, {}
    if folds >= 2:
        proba, tests = out_of_fold(rows, folds, seed, featurizer_params, classifier_params, trusted, progress)
        order = np.concatenate(tests)
        decision = choose_decision(policy, [rows.analyses[i] for i in order], [rows.labels[i] for i in order], proba[order])
        cv = _score(policy, rows, proba, decision, tests, sources)
    featurizer, classifier = fit_model(rows.analyses, rows.labels, featurizer_params, classifier_params,
                                       groups=rows.groups, sample_weight=rows.weights, trusted_words=trusted)
    manifest = {
        "model_version": model_version or datetime.now(timezone.utc).strftime("%Y.%m.%d"),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "training_data": training_data_info(sources, rows),
        "seed": seed,
        "temperature": classifier.temperature_,
        "decision": decision,
        "libraries": library_versions(),
        "lexicon_version": analyzer.lexicon.version,
        "policy_version": policy.policy_version,
        "training_seconds": round(time.perf_counter() - t0, 2),
        "metrics": {"cross_validation": cv} if cv else {},
    }
    if eval_paths:
        from ..triage import Triager

        triager = Triager(analyzer, featurizer, classifier, policy, manifest, analyzer.lexicon)
        for name, path in eval_paths.items():
            held_out = read_labeled(path)
            sugs = triager.suggest_many([c.call for c in held_out.calls], explain=False)
            s = summarize(held_out.labels, [x.response.value for x in sugs], [x.confidence for x in sugs],
                          model_pred=[x.model_response.value for x in sugs], needs_review=[bool(x.needs_review) for x in sugs])
            manifest["metrics"][name] = {"n": s["n"], "macro_f1": s["macro_f1"], "accuracy": s["accuracy"],
                                         "model_only_macro_f1": s["model_only"]["macro_f1"],
                                         "nexus_recall": s["nexus"]["recall"], "ece": s["calibration"]["ece"],
                                         **{k: {"f1": s["per_class"][k]["f1"]} for k in RESPONSES}}
    folder = save_model(out, featurizer, classifier, manifest)
    write_model_card(folder, build_card(manifest, featurizer.get_params(), classifier.get_params()))
    return manifest


def _score(policy, rows: _Rows, proba, decision: dict, tests, sources) -> dict:
    """Per-fold, pooled and per-source scores of the held-out suggestions, as deployed."""
    order = np.concatenate(tests)
    dec = Decision.from_manifest({"decision": decision}, policy)
    confidence = ConfidenceModel.from_manifest({"decision": decision})
    outs = {int(i): apply_policy(policy, rows.analyses[i].facts, tuple(proba[i]), len(rows.analyses[i].words),
                                 rows.analyses[i].call.call_type, rows.analyses[i].quote, None, dec, confidence)
            for i in order}

    def block(idx) -> dict:
        idx = [int(i) for i in idx]
        gold = [rows.labels[i] for i in idx]
        pred = [outs[i].response for i in idx]
        s = summarize(gold, pred, [outs[i].confidence for i in idx],
                      model_pred=[RESPONSES[int(np.argmax(proba[i]))] for i in idx],
                      needs_review=[bool(outs[i].review_reasons) for i in idx])
        review = np.array([bool(outs[i].review_reasons) for i in idx])
        wrong = np.array([p != g for p, g in zip(pred, gold)])
        patrol = np.array([p == "patrol" for p in pred])
        beyond = [i for i in idx if outs[i].beyond_findings]
        return {"n": len(idx), "macro_f1": s["macro_f1"], "model_only_macro_f1": s["model_only"]["macro_f1"],
                "findings_only_macro_f1": _macro_f1(gold, [outs[i].floor for i in idx]), "accuracy": s["accuracy"],
                "nexus_recall": s["nexus"]["recall"], "nexus_precision": s["nexus"]["precision"],
                "ece": s["calibration"]["ece"], "needs_review_rate": float(review.mean()),
                "error_rate_flagged": float(wrong[review].mean()) if review.any() else None,
                "error_rate_not_flagged": float(wrong[~review].mean()) if (~review).any() else None,
                "patrol_flagged_rate": float(review[patrol].mean()) if patrol.any() else None,
                "co_responder_as_patrol": int(sum(g == "co_responder" and p == "patrol" for g, p in zip(gold, pred))),
                "beyond_findings": {"count": len(beyond), "right": int(sum(outs[i].response == rows.labels[i] for i in beyond))},
                "per_class_f1": {c: s["per_class"][c]["f1"] for c in RESPONSES}}

    per_fold = [{"fold": k, **block(te)} for k, te in enumerate(tests, 1)]
    by_source = {}
    for k, src in enumerate(sources):
        idx = [i for i in order if rows.source_of[int(i)] == k]
        if idx:
            by_source[Path(src.path).name] = block(idx)
    grouped = any(g is not None for g in rows.groups)
    return {"folds": len(tests), "grouped_by": "agency" if grouped else None, "per_fold": per_fold,
            "pooled": block(order), "by_source": by_source,
            "mean": {m: mean_ci([f[m] for f in per_fold]) for m in CV_METRICS}}


def as_sources(data, weights: dict[str, float], group_column: str | None) -> list[Source]:
    """``data`` (a path, a list of paths or of Sources) as Sources with their weights."""
    items = data if isinstance(data, (list, tuple)) else [data]
    out = []
    for item in items:
        if isinstance(item, Source):
            out.append(item)
            continue
        name = Path(item).name if isinstance(item, (str, Path)) else str(item)
        out.append(Source(item, float(weights.get(name, weights.get(str(item), 1.0))), group_column))
    unknown = set(weights) - {Path(s.path).name for s in out} - {str(s.path) for s in out}
    if unknown:
        raise DataFileError(Errors.E030.format(path=sorted(unknown)[0], detail="a weight names no training file"))
    return out


def training_data_info(sources: Sequence[Source], rows: _Rows) -> dict:
    files = [Path(s.path) for s in sources if isinstance(s.path, (str, Path)) and Path(s.path).is_file()]
    labels = rows.labels
    per_source = []
    for k, src in enumerate(sources):
        lab = [l for l, s in zip(labels, rows.source_of) if s == k]
        per_source.append({"path": Path(src.path).name if isinstance(src.path, (str, Path)) else "data frame",
                           "weight": src.weight, "n_calls": len(lab),
                           "agencies": len({g for g, s in zip(rows.groups, rows.source_of) if s == k and g is not None}),
                           "labels": {r: lab.count(r) for r in RESPONSES}})
    return {
        "path": ", ".join(p.name for p in files) or "data frame",
        "sha256": data_hash(files) if files else None,
        "rows": len(labels) + len(rows.bad_rows),
        "n_calls": len(labels),
        "labels": {k: labels.count(k) for k in RESPONSES},
        "behavioral_health_share": (sum(x in NEXUS for x in labels) / len(labels)) if labels else 0.0,
        "sources": per_source,
        "bad_rows": [{"file": p, "row": b.row, "error": b.error} for p, b in rows.bad_rows],
    }


def library_versions() -> dict:
    import pandas
    import scipy
    import sklearn
    import spacy

    from .. import __version__

    return {"cit_triage": __version__, "python": platform.python_version(), "spacy": spacy.__version__,
            "scikit-learn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "pandas": pandas.__version__}
