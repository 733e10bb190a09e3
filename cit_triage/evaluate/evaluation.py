"""``evaluate``: score a model (with the agency policy) on labeled past calls.

Returns an ``EvaluationResult`` holding the numbers (``metrics``, the content of
metrics.json), every scored call with its suggestion, and every bad row with its reason.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ..schema import RESPONSES, Suggestion
from ..triage import Triager
from ..io.labeled import BadRow, LabeledCall, LabeledData, read_labeled
from ..metrics import slice_table, summarize
from .report import render_report, rule_descriptions

#: Calls sent to ``suggest_many`` at once (also the progress bar's step).
BATCH = 256


@dataclass(frozen=True)
class ScoredCall:
    row: int
    label: str
    suggestion: Suggestion
    notes: str
    call_type: str | None
    slices: dict[str, str]

    @property
    def correct(self) -> bool:
        return self.suggestion.response.value == self.label


@dataclass
class EvaluationResult:
    """What ``evaluate`` found: ``metrics`` (a JSON-ready dict), ``scored`` calls and ``bad_rows``."""

    metrics: dict
    scored: list[ScoredCall]
    bad_rows: list[BadRow]

    def disagreements(self) -> list[ScoredCall]:
        """Calls where the suggestion differs from the label, most confident first."""
        wrong = [s for s in self.scored if not s.correct]
        return sorted(wrong, key=lambda s: (-s.suggestion.confidence, s.row))

    def to_dict(self) -> dict:
        return self.metrics

    def write(self, out: str | Path, *, max_disagreements: int = 300, include_notes: bool = True) -> Path:
        """Write ``metrics.json`` and ``report.html`` into ``out``."""
        from ..io.private import private_dir, write_private_text

        out = private_dir(out)
        # 0600: the report quotes call notes (and metrics name slices of real calls).
        write_private_text(out / "metrics.json", json.dumps(self.metrics, indent=2) + "\n")
        write_private_text(out / "report.html", render_report(self.metrics, self.scored, self.disagreements(),
                                                              max_disagreements=max_disagreements, include_notes=include_notes))
        return out


def load(model: str | Path | Triager | None, policy: str | Path | None) -> Triager:
    return model if isinstance(model, Triager) else Triager.load(model, policy=policy)


def suggest_all(triager: Triager, calls: Sequence[LabeledCall], progress: bool = False,
                desc: str = "scoring") -> list[Suggestion]:
    """Suggestions in input order, with a progress bar on stderr when asked."""
    from tqdm import tqdm

    out: list[Suggestion] = []
    with tqdm(total=len(calls), desc=desc, unit="call", file=sys.stderr, disable=not progress, leave=False) as bar:
        for chunk in _chunks(calls, BATCH):
            out.extend(triager.suggest_many([c.call for c in chunk], batch_size=BATCH))
            bar.update(len(chunk))
    return out


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def evaluate(calls, *, label_column: str = "label", columns=None, label_map=None,
             model: str | Path | Triager | None = None, policy: str | Path | None = None,
             slices: Sequence[str] = (), progress: bool = False, out: str | Path | None = None) -> EvaluationResult:
    """Score a model and policy on labeled calls.

    Parameters
    ----------
    calls : path, folder, glob or pandas.DataFrame
        CSV, JSONL or Parquet with one call per row.
    label_column : str, default="label"
    columns : dict or list of "field=column", optional
        Which input column holds each Call field (``{"notes": "NARRATIVE"}``).
    label_map : dict or path, optional
        Agency label → patrol / cit / co_responder (TOML or JSON file).
    model, policy : optional
        Model folder (or a loaded ``Triager``) and policy file; default the shipped ones.
    slices : list of str
        Extra input columns to break the numbers down by (call type is always sliced).
    progress : bool
        Show a progress bar on stderr.
    out : path, optional
        Also write metrics.json and report.html there.

    Examples
    --------
    >>> result = evaluate("calls.jsonl", slices=["district"])        # doctest: +SKIP
    >>> result.metrics["macro_f1"], result.metrics["nexus"]["recall"]  # doctest: +SKIP
    """
    data = read_labeled(calls, label_column=label_column, columns=columns, label_map=label_map, slice_columns=slices)
    triager = load(model, policy)
    suggestions = suggest_all(triager, data.calls, progress)
    result = score(data, suggestions, triager, slices)
    if out is not None:
        result.write(out)
    return result


def score(data: LabeledData, suggestions: list[Suggestion], triager: Triager, slices: Sequence[str] = ()) -> EvaluationResult:
    scored = [ScoredCall(c.row, c.label, s, c.call.notes, c.call.call_type, c.slices)
              for c, s in zip(data.calls, suggestions)]
    gold = [s.label for s in scored]
    pred = [s.suggestion.response.value for s in scored]
    review = [s.suggestion.needs_review for s in scored]
    metrics = {
        "files": data.files,
        "model_version": triager.model_version,
        "policy_version": triager.policy.policy_version,
        "rule_descriptions": rule_descriptions(triager.policy),
        "rows": {"total": data.n_rows, "scored": len(scored), "bad": len(data.bad_rows)},
        "bad_rows": [{"row": b.row, "error": b.error} for b in data.bad_rows],
        **summarize(gold, pred, [s.suggestion.confidence for s in scored],
                    proba=np.array([[s.suggestion.probabilities[k] for k in RESPONSES] for s in scored]).reshape(-1, len(RESPONSES)),
                    model_pred=[s.suggestion.model_response.value for s in scored], needs_review=review,
                    rule_ids=[[r.id for r in s.suggestion.reasons if r.source == "rule"] for s in scored]),
        "slices": {"call_type": slice_table([(s.call_type or "(none)").strip() or "(none)" for s in scored], gold, pred, review)},
    }
    for column in slices:
        metrics["slices"][column] = slice_table([s.slices.get(column, "(none)") for s in scored], gold, pred, review)
    result = EvaluationResult(metrics, scored, data.bad_rows)
    wrong = result.disagreements()
    metrics["disagreements"] = {"count": len(wrong), "rows": [s.row for s in wrong]}
    return result
