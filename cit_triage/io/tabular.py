"""Past calls from CSV, JSON Lines, a JSON array or Parquet: column mapping, label mapping,
row-level errors.

The format comes from the extension and is checked against the content (a ``.json`` file
may hold an array or JSON Lines; a file with another extension is recognized by its first
bytes, else refused with an error naming it). Every input row is kept: a row that cannot
become a ``Call`` (missing or non-text notes, undecodable text, control characters, an
unknown label) is reported with its row number and the reason, never dropped or cut.
Reading is chunked, so a CSV, JSONL or Parquet file of any size streams with flat memory
(a JSON array is parsed whole: use JSON Lines for big files).
"""

from __future__ import annotations

import glob as _glob
import json
import re
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
#: Extension → format; ``.json`` holds an array of objects or JSON Lines (told apart by content).
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}
#: Columns the reader adds to every chunk. Named so no real export has them; an input that
#: does is refused rather than misread.
ROW_COLUMN = "__cit_triage_row__"
ERROR_COLUMN = "__cit_triage_error__"
READER_COLUMNS = (ROW_COLUMN, ERROR_COLUMN)
# C0 controls and DEL, except tab, newline and carriage return (ordinary in CAD notes).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARQUET_MAGIC = b"PAR1"


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
        raise DataFileError(Errors.E030.format(path=source, detail="no CSV, JSON, JSONL or Parquet files found"))
    for f in files:
        if not f.is_file():
            raise DataFileError(Errors.E030.format(path=f, detail="file not found"))
        file_kind(f)  # refuse an unknown or mismatched format before any work
    return files


def file_kind(path: Path) -> str:
    """``"csv"``, ``"jsonl"``, ``"json_array"`` or ``"parquet"``, from the extension checked
    against the first bytes; a clear error naming ``path`` otherwise."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65_536)
    except OSError as exc:
        raise DataFileError(Errors.E030.format(path=path, detail=f"cannot read: {exc.strerror}")) from None
    ext = FORMATS.get(path.suffix.lower())
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head[:4] == _PARQUET_MAGIC:
        if ext not in (None, "parquet"):
            raise DataFileError(Errors.E030.format(path=path, detail=f"is a Parquet file, not {ext}: rename it .parquet"))
        return "parquet"
    if ext == "parquet":
        raise DataFileError(Errors.E030.format(path=path, detail="is not a Parquet file (no PAR1 header)"))
    if ext in ("json", "jsonl") or (ext is None and first in (b"[", b"{")):
        if first == b"[":
            return "json_array"
        if first in (b"{", b""):
            return "jsonl"
        raise DataFileError(Errors.E030.format(path=path, detail="is not JSON: expected an array of objects "
                                               "([ ... ]) or one object per line (JSON Lines)"))
    if ext == "csv":
        return "csv"
    raise DataFileError(Errors.E030.format(path=path, detail=f"unknown format {path.suffix or '(no extension)'!r}: "
                                           "use .csv, .json, .jsonl or .parquet"))


def check_columns(names, where) -> None:
    """Refuse an input holding a column the reader reserves for itself."""
    clash = [str(n) for n in names if n in READER_COLUMNS]
    if clash:
        raise DataFileError(Errors.E030.format(path=where, detail=f"column {clash[0]!r} is reserved by cit_triage: rename it"))


def iter_frames(source: str | Path | pd.DataFrame, chunk_rows: int = 50_000) -> Iterator[pd.DataFrame]:
    """Chunks of the input with a ``ROW_COLUMN`` (0-based, across files) and, for rows the
    reader could not parse, an ``ERROR_COLUMN``."""
    if isinstance(source, pd.DataFrame):
        check_columns(source.columns, "DataFrame")
        for start in range(0, len(source), chunk_rows):
            chunk = source.iloc[start:start + chunk_rows].copy()
            chunk.insert(0, ROW_COLUMN, range(start, start + len(chunk)))
            yield chunk
        return
    offset = 0
    for path in input_files(source):
        for chunk in _read_file(path, chunk_rows):
            chunk = chunk.reset_index(drop=True)
            chunk.insert(0, ROW_COLUMN, range(offset, offset + len(chunk)))
            offset += len(chunk)
            yield chunk


def _read_file(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    kind = file_kind(path)
    try:
        if kind == "parquet":
            parquet = pq.ParquetFile(path)
            check_columns(parquet.schema_arrow.names, path)
            for batch in parquet.iter_batches(batch_size=chunk_rows):
                yield batch.to_pandas()
        elif kind == "csv":
            # Bytes that are not UTF-8 become U+FFFD here and are flagged per row, not fatal.
            # pandas' C parser ends a field at a NUL byte, silently cutting the note: a file
            # holding one is read by the Python parser, which keeps it (and the row is flagged).
            engine = "python" if _has_nul(path) else "c"
            for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=chunk_rows,
                                     encoding="utf-8", encoding_errors="replace", engine=engine):
                check_columns(chunk.columns, path)
                yield chunk
        elif kind == "json_array":
            yield from _read_json_array(path, chunk_rows)
        else:
            yield from _read_jsonl(path, chunk_rows)
    except pd.errors.EmptyDataError:
        return
    except DataFileError:
        raise
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataFileError(Errors.E030.format(path=path, detail=f"cannot read as {kind}: {exc}")) from None


def _has_nul(path: Path, block: int = 1 << 20) -> bool:
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            if b"\x00" in chunk:
                return True
    return False


def _read_json_array(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    try:
        items = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataFileError(Errors.E030.format(path=path, detail=f"is not valid UTF-8 (byte {exc.start})")) from None
    except ValueError as exc:
        raise DataFileError(Errors.E030.format(path=path, detail=f"is not a valid JSON array ({exc})")) from None
    if not isinstance(items, list):
        raise DataFileError(Errors.E030.format(path=path, detail="holds no JSON array"))
    for start in range(0, len(items), chunk_rows):
        rows = []
        for n, rec in enumerate(items[start:start + chunk_rows], start):
            if isinstance(rec, dict):
                check_columns(rec, path)
                rows.append(rec)
            else:
                rows.append({ERROR_COLUMN: f"item {n}: not a JSON object"})
        yield pd.DataFrame(rows)


def _read_jsonl(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    rows: list[dict] = []
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw.decode("utf-8-sig" if n == 1 else "utf-8"))
                if not isinstance(rec, dict):
                    raise ValueError("not a JSON object")
                check_columns(rec, path)
            except UnicodeDecodeError as exc:
                rec = {ERROR_COLUMN: f"line {n}: not valid UTF-8 (byte {exc.start})"}
            except DataFileError:
                raise
            except ValueError as exc:
                if n == 1 and path.suffix.lower() == ".json" and _is_one_object(path):
                    raise DataFileError(Errors.E030.format(path=path, detail=(
                        "holds a single JSON object: expected an array of call objects or JSON Lines"))) from None
                rec = {ERROR_COLUMN: f"line {n}: not valid JSON ({exc})"}
            rows.append(rec)
            if len(rows) >= chunk_rows:
                yield pd.DataFrame(rows)
                rows = []
    if rows:
        yield pd.DataFrame(rows)


def _is_one_object(path: Path) -> bool:
    try:
        return isinstance(json.loads(path.read_bytes().decode("utf-8-sig")), dict)
    except ValueError:
        return False


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
        raise DataFileError(Errors.E030.format(path="input", detail=f"no notes column {notes_col!r}; columns are "
                                               f"{sorted(map(str, present - set(READER_COLUMNS)))}. Use --map notes=COLUMN"))
    if columns.label and columns.label not in present:
        raise DataFileError(Errors.E030.format(path="input", detail=f"no label column {columns.label!r}"))
    field_cols = {f: columns.column_for(f) for f in CALL_FIELDS if columns.column_for(f) in present}
    records = frame.to_dict("records")
    out: list[RowResult] = []
    for rec in records:
        row = int(rec[ROW_COLUMN])
        error = rec.get(ERROR_COLUMN)
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
        problem = _text_problem(values)
        if problem:
            out.append(RowResult(row, None, label, problem))
            continue
        try:
            out.append(RowResult(row, Call.model_validate(values), label))
        except (TypeError, ValueError) as exc:
            if not isinstance(exc, ValidationError):  # a value pydantic could not even inspect
                out.append(RowResult(row, None, label, f"unusable value ({type(exc).__name__})"))
                continue
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "row"
            out.append(RowResult(row, None, label, f"{where}: {err['msg'].removeprefix('Value error, ')}"))
    return out


def _text_problem(values: dict) -> str | None:
    """Why these values cannot be read as a call's text, or None. Never quotes the text."""
    notes = values.get("notes")
    if not isinstance(notes, str):
        return f"notes must be text, got {_type_name(notes)}"
    if "\ufffd" in notes:
        return "notes are not valid UTF-8"
    for name, value in values.items():
        if isinstance(value, str) and (m := _CONTROL.search(value)):
            return f"{name} contains the control character U+{ord(m.group()):04X} at character {m.start()}"
    return None


def _type_name(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


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
