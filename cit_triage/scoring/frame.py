"""The one pandas function every engine runs: a chunk of calls in, the same rows scored out.

``score_frame`` is what the local streamer calls per chunk, what Dask maps over partitions
and what a Spark ``mapInPandas`` recipe wraps. It loads the model through a per-process
cache keyed by the model and policy paths, so a worker loads it once, not once per task.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from ..batching import fewer_collections
from ..errors import CitTriageError
from ..io.tabular import READER_COLUMNS, ROW_COLUMN, ColumnMap, check_columns, frame_to_rows
from ..schema import RESPONSES, Suggestion

#: Columns added to every scored row, in this order, with their pandas dtypes.
SCORE_COLUMNS: dict[str, str] = {
    "response": "object",
    "p_patrol": "float64",
    "p_cit": "float64",
    "p_co_responder": "float64",
    "confidence": "float64",
    "needs_review": "boolean",
    "risk_factors": "object",
    "reasons": "object",
    "model_version": "object",
    "policy_version": "object",
    "error": "object",
}
#: Model features kept in the compact ``reasons`` string (rule ids are all kept).
TOP_MODEL_FEATURES = 3
#: Calls per spaCy batch inside a chunk.
NLP_BATCH = 1_000


def resolve_paths(model: str | Path | None, policy: str | Path | None) -> tuple[str, str | None]:
    """Absolute model and policy paths (the default model when None), as cache keys for workers."""
    from ..triage import default_model_dir

    model_dir = Path(model) if model is not None else default_model_dir()
    return str(model_dir.resolve()), (str(Path(policy).resolve()) if policy is not None else None)


@functools.lru_cache(maxsize=4)
def cached_triager(model: str, policy: str | None):
    """One ``Triager`` per (model path, policy path) per process: Dask workers load it once."""
    from ..triage import Triager

    return Triager.load(model, policy=policy)


def as_column_map(columns: ColumnMap | dict[str, str] | list[str] | None) -> ColumnMap:
    """A ``ColumnMap`` from itself, ``{"notes": "NARRATIVE"}`` or ``["notes=NARRATIVE"]``."""
    if isinstance(columns, ColumnMap):
        return columns
    if isinstance(columns, dict):
        return ColumnMap.from_pairs([f"{k}={v}" for k, v in columns.items()])
    return ColumnMap.from_pairs(list(columns or []))


def output_name(name: str, taken: set[str]) -> str:
    """An input column whose name is a score column is kept as ``input_<name>``."""
    while name in SCORE_COLUMNS or name in taken:
        name = f"input_{name}"
    return name


def input_renames(names) -> dict[str, str]:
    """Input column → output column, for the input columns that are kept."""
    out: dict[str, str] = {}
    for name in names:
        if name in READER_COLUMNS:  # added by io.tabular, not part of the input
            continue
        out[name] = output_name(name, set(out.values())) if name in SCORE_COLUMNS else name
    return out


def output_meta(input_meta: pd.DataFrame) -> pd.DataFrame:
    """The empty frame ``score_frame`` returns for input like ``input_meta`` (Dask's ``meta``)."""
    renames = input_renames(input_meta.columns)
    kept = input_meta[list(renames)].rename(columns=renames)
    extra = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in SCORE_COLUMNS.items()}, index=kept.index)
    return pd.concat([kept, extra], axis=1)


def score_frame(frame: pd.DataFrame, *, model: str | Path | None = None, policy: str | Path | None = None,
                columns: ColumnMap | dict | list | None = None, available: list[str] | None = None) -> pd.DataFrame:
    """Score a pandas chunk: every input row, in order, plus the ``SCORE_COLUMNS``.

    Rows that cannot be scored keep their input values, get an ``error`` and empty scores.
    The index is kept, so this is safe for ``map_partitions`` and ``mapInPandas``.
    """
    columns = as_column_map(columns)
    triager = cached_triager(*resolve_paths(model, policy))
    if ROW_COLUMN in frame.columns:
        work = frame
    else:
        check_columns(frame.columns, "DataFrame")
        work = frame.assign(**{ROW_COLUMN: np.arange(len(frame))})
    rows = frame_to_rows(work.reset_index(drop=True), columns)
    errors: list[str | None] = [r.error for r in rows]
    ok = [i for i, r in enumerate(rows) if r.call is not None]
    n = len(rows)
    resp = [None] * n
    probs = np.full((n, len(RESPONSES)), np.nan)
    conf = np.full(n, np.nan)
    review: list[bool | None] = [None] * n
    risks: list[str | None] = [None] * n
    reasons: list[str | None] = [None] * n
    # Small NLP batches: spaCy docs and Suggestions are reduced to plain columns at once,
    # so memory follows NLP_BATCH, not the chunk size.
    with fewer_collections():
        for start in range(0, len(ok), NLP_BATCH):
            batch = ok[start:start + NLP_BATCH]
            for i, s in zip(batch, _suggest(triager, [rows[i].call for i in batch], available, errors, batch)):
                if s is None:
                    continue
                resp[i] = s.response.value
                probs[i] = [s.probabilities[k] for k in RESPONSES]
                conf[i] = s.confidence
                review[i] = s.needs_review
                risks[i] = counted_concepts(s)
                reasons[i] = compact_reasons(s)
    renames = input_renames(frame.columns)
    out = frame[list(renames)].rename(columns=renames)
    scored = {"response": resp, "p_patrol": probs[:, 0], "p_cit": probs[:, 1], "p_co_responder": probs[:, 2],
              "confidence": conf, "needs_review": review, "risk_factors": risks, "reasons": reasons,
              "model_version": [triager.model_version] * n, "policy_version": [triager.policy.policy_version] * n,
              "error": errors}
    extra = pd.DataFrame({k: pd.Series(v, dtype=SCORE_COLUMNS[k]) for k, v in scored.items()})
    extra.index = out.index
    return pd.concat([out, extra], axis=1)


def _suggest(triager, calls, available, errors: list, positions: list[int]) -> list[Suggestion | None]:
    """Batch first; if the batch fails, score one by one so one bad call costs only its own row."""
    try:
        return triager.suggest_many(calls, available=available)
    except Exception:  # noqa: BLE001 - isolate the failing row below
        pass
    out: list[Suggestion | None] = []
    for pos, call in zip(positions, calls):
        try:
            out.append(triager.suggest(call, available=available))
        except Exception as exc:  # noqa: BLE001 - a batch job keeps the row and says why
            # Only our own messages are quoted: they never contain note text.
            errors[pos] = f"scoring failed: {exc}" if isinstance(exc, CitTriageError) else f"scoring failed: {type(exc).__name__}"
            out.append(None)
    return out


def counted_concepts(s: Suggestion) -> str:
    """Concepts that counted as a crisis or risk sign, in order, ``|``-joined (``PSYCHOSIS|KNIFE``)."""
    return "|".join(dict.fromkeys(f.concept for f in s.risk_factors if f.counts_as in ("crisis", "risk")))


def compact_reasons(s: Suggestion) -> str:
    """Rule ids then the top model features: ``rule:crisis_indicator; model:concept=KNIFE|affirmed``."""
    rules = [f"rule:{r.id}" for r in s.reasons if r.source == "rule"]
    model = [f"model:{r.id}" for r in s.reasons if r.source == "model"][:TOP_MODEL_FEATURES]
    return "; ".join(dict.fromkeys(rules + model))
