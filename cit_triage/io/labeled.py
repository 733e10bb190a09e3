"""Labeled calls for evaluation, comparison and training, read through ``io.tabular``.

Every input row ends up either as a ``LabeledCall`` or as a ``BadRow`` with its reason:
nothing is dropped silently. Row numbers are 1-based data rows (a CSV header is not a row).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd

from ..errors import DataFileError, Errors
from .tabular import READER_COLUMNS, ROW_COLUMN, ColumnMap, frame_to_rows, iter_frames, read_label_map
from ..schema import Call


@dataclass(frozen=True)
class LabeledCall:
    row: int
    call: Call
    label: str
    slices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BadRow:
    row: int
    error: str


@dataclass
class LabeledData:
    calls: list[LabeledCall]
    bad_rows: list[BadRow]
    files: list[str]

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.calls]

    @property
    def n_rows(self) -> int:
        return len(self.calls) + len(self.bad_rows)


def column_map(columns: ColumnMap | dict[str, str] | Sequence[str] | None, label_column: str) -> ColumnMap:
    """A ``ColumnMap`` from a ColumnMap, a {field: column} dict or ``["field=column", ...]`` pairs."""
    if isinstance(columns, ColumnMap):
        return ColumnMap(columns.columns, label_column or columns.label)
    if isinstance(columns, dict):
        return ColumnMap.from_pairs([f"{k}={v}" for k, v in columns.items()], label_column)
    return ColumnMap.from_pairs(list(columns or []), label_column)


def label_mapping(label_map: dict[str, str] | str | Path | None) -> dict[str, str]:
    if isinstance(label_map, dict):
        return {str(k).strip().lower(): v for k, v in label_map.items()}
    return read_label_map(label_map)


def read_labeled(source: str | Path | pd.DataFrame, *, label_column: str = "label",
                 columns: ColumnMap | dict[str, str] | Sequence[str] | None = None,
                 label_map: dict[str, str] | str | Path | None = None,
                 slice_columns: Sequence[str] = (), require_slices: bool = True) -> LabeledData:
    """Read labeled calls; unusable rows come back as ``BadRow``s with the reason.

    ``slice_columns`` are kept per call (``LabeledCall.slices``); a missing one is an error
    unless ``require_slices`` is False (training reads ``agency`` where a file has it)."""
    cmap = column_map(columns, label_column)
    labels = label_mapping(label_map)
    calls: list[LabeledCall] = []
    bad: list[BadRow] = []
    for frame in iter_frames(source):
        missing = [c for c in slice_columns if c not in frame.columns]
        if missing and require_slices and set(frame.columns) - set(READER_COLUMNS):  # a chunk of only bad JSON lines has no columns
            raise DataFileError(Errors.E030.format(path=_name(source), detail=f"no slice column {missing[0]!r}"))
        slice_values = {c: frame[c].tolist() for c in slice_columns if c in frame.columns}
        positions = {int(r): i for i, r in enumerate(frame[ROW_COLUMN])}
        for result in frame_to_rows(frame, cmap, labels):
            if result.call is None or result.label is None:
                bad.append(BadRow(result.row + 1, result.error or "missing label"))
                continue
            i = positions[result.row]
            slices = {c: _slice_value(v[i]) for c, v in slice_values.items()}
            calls.append(LabeledCall(result.row + 1, result.call, result.label, slices))
    return LabeledData(calls, bad, [_name(source)])


def _slice_value(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return "(none)"
    return str(value).strip()


def _name(source) -> str:
    return "DataFrame" if isinstance(source, pd.DataFrame) else str(source)
