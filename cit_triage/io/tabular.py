"""Past calls from CSV, JSONL or Parquet: column mapping, label mapping, row-level errors.

Every input row is kept: a row that cannot become a ``Call`` (missing notes, undecodable
text, an unknown label) is reported with its row number and the reason, never dropped.
Reading is chunked, so a file of any size streams with flat memory.
"""

from __future__ import annotations

import glob as _glob
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow.parquet as pq
from pydantic import ValidationError

from ..errors import DataFileError, Errors
from ..schema import RESPONSES, Call

CALL_FIELDS = tuple(Call.model_fields)
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class ColumnMap:
    """Which input column holds each Call field (and the label). Unmapped fields use their own name."""

    columns: dict[str, str] = field(default_factory=dict)  # Call field or "label" → input column
    label: str | None = None

    @classmethod
    def from_pairs(cls, pairs: list[str] | None, label: str | None = None) -> "ColumnMap":
        """Parse ``["notes=NARRATIVE", "call_type=TYPE"]`` (the CLI's ``--map``)."""
        columns: dict[str, str] = {}
        for pair in pairs or []:
            key, sep, column = pair.partition("=")
            key, column = key.strip(), column.strip()
            if not sep or not key or not column:
                raise DataFileError(Errors.E030.format(path="--map", detail=f"{pair!r} is not FIELD=COLUMN"))
            if key not in CALL_FIELDS:
                raise DataFileError(Errors.E030.format(path="--map", detail=f"{key!r} is not a Call field ({', '.join(CALL_FIELDS)})"))
            columns[key] = column
        return cls(columns, label)

    def column_for(self, call_field: str) -> str:
        return self.columns.get(call_field, call_field)


@dataclass
class RowResult:
    """One input row: its 0-based number, the Call (or None), its label (or None), and the error."""

    row: int
    call: Call | None
    label: str | None = None
    error: str | None = None


def input_files(source: str | Path) -> list[Path]:
    """A file, a folder of part files, or a glob → the files, sorted."""
    text = str(source)
    path = Path(text)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in FORMATS and p.is_file())
    elif any(ch in text for ch in "*?["):
        files = sorted(Path(p) for p in _glob.glob(text))
    else:
        files = [path]
    if not files:
        raise DataFileError(Errors.E030.format(path=source, detail="no CSV, JSONL or Parquet files found"))
    for f in files:
        if not f.is_file():
            raise DataFileError(Errors.E030.format(path=f, detail="file not found"))
        if f.suffix.lower() not in FORMATS:
            raise DataFileError(Errors.E030.format(path=f, detail=f"unknown format {f.suffix!r}: use .csv, .jsonl or .parquet"))
    return files


def iter_frames(source: str | Path | pd.DataFrame, chunk_rows: int = 50_000) -> Iterator[pd.DataFrame]:
    """Chunks of the input as string-typed DataFrames with a ``_row`` column (0-based, across files)."""
    if isinstance(source, pd.DataFrame):
        for start in range(0, len(source), chunk_rows):
            chunk = source.iloc[start:start + chunk_rows].copy()
            chunk.insert(0, "_row", range(start, start + len(chunk)))
            yield chunk
        return
    offset = 0
    for path in input_files(source):
        for chunk in _read_file(path, chunk_rows):
            chunk = chunk.reset_index(drop=True)
            chunk.insert(0, "_row", range(offset, offset + len(chunk)))
            offset += len(chunk)
            yield chunk


def _read_file(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    kind = FORMATS[path.suffix.lower()]
    try:
        if kind == "parquet":
            for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
                yield batch.to_pandas()
        elif kind == "csv":
            # Bytes that are not UTF-8 become U+FFFD here and are flagged per row, not fatal.
            yield from pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=chunk_rows,
                                   encoding="utf-8", encoding_errors="replace")
        else:
            yield from _read_jsonl(path, chunk_rows)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataFileError(Errors.E030.format(path=path, detail=f"cannot read as {kind}: {exc}")) from None


def _read_jsonl(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    rows: list[dict] = []
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw.decode("utf-8"))
                if not isinstance(rec, dict):
                    raise ValueError("not a JSON object")
            except UnicodeDecodeError as exc:
                rec = {"_error": f"line {n}: not valid UTF-8 (byte {exc.start})"}
            except ValueError as exc:
                rec = {"_error": f"line {n}: not valid JSON ({exc})"}
            rows.append(rec)
            if len(rows) >= chunk_rows:
                yield pd.DataFrame(rows)
                rows = []
    if rows:
        yield pd.DataFrame(rows)


def read_label_map(path: str | Path | None) -> dict[str, str]:
    """An agency label → response mapping from TOML (``"EDP TRANSPORT" = "cit"``) or JSON."""
    if path is None:
        return {}
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataFileError(Errors.E030.format(path=path, detail=str(exc))) from None
    data = data.get("labels", data)
    bad = {k: v for k, v in data.items() if v not in RESPONSES}
    if bad:
        raise DataFileError(Errors.E030.format(path=path, detail=f"labels must map to {RESPONSES}; bad: {bad}"))
    return {str(k).strip().lower(): v for k, v in data.items()}


def frame_to_rows(frame: pd.DataFrame, columns: ColumnMap, label_map: dict[str, str] | None = None) -> list[RowResult]:
    """Turn a chunk into ``RowResult``s; rows that cannot be used carry an error and no Call."""
    label_map = label_map or {}
    present = set(frame.columns)
    notes_col = columns.column_for("notes")
    if notes_col not in present:
        raise DataFileError(Errors.E030.format(path="input", detail=f"no notes column {notes_col!r}; columns are {sorted(present - {'_row'})}. Use --map notes=COLUMN"))
    if columns.label and columns.label not in present:
        raise DataFileError(Errors.E030.format(path="input", detail=f"no label column {columns.label!r}"))
    field_cols = {f: columns.column_for(f) for f in CALL_FIELDS if columns.column_for(f) in present}
    records = frame.to_dict("records")
    out: list[RowResult] = []
    for rec in records:
        row = int(rec["_row"])
        error = rec.get("_error")
        if isinstance(error, str) and error:
            out.append(RowResult(row, None, None, error))
            continue
        label = None
        if columns.label:
            raw_label = _clean(rec.get(columns.label))
            label = _map_label(raw_label, label_map)
            if label is None:
                out.append(RowResult(row, None, None, f"unknown label {raw_label!r}" if raw_label else "missing label"))
                continue
        values = {f: _clean(rec.get(c)) for f, c in field_cols.items()}
        values = {k: v for k, v in values.items() if v is not None}
        notes = values.get("notes")
        if notes is None:
            values["notes"] = ""
        elif "\ufffd" in notes:
            out.append(RowResult(row, None, label, "notes are not valid UTF-8"))
            continue
        try:
            out.append(RowResult(row, Call.model_validate(values), label))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "row"
            out.append(RowResult(row, None, label, f"{where}: {err['msg'].removeprefix('Value error, ')}"))
    return out


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    return value


def _map_label(raw, label_map: dict[str, str]) -> str | None:
    if raw is None:
        return None
    key = str(raw).strip().lower()
    if key in label_map:
        return label_map[key]
    return key if key in RESPONSES else None


def read_rows(source: str | Path | pd.DataFrame, columns: ColumnMap | None = None, label_map: dict[str, str] | None = None,
              chunk_rows: int = 50_000) -> Iterator[RowResult]:
    """Every row of ``source`` as a ``RowResult``, streaming."""
    columns = columns or ColumnMap()
    for frame in iter_frames(source, chunk_rows):
        yield from frame_to_rows(frame, columns, label_map)
