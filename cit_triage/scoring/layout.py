"""The Parquet layout of a scored file, fixed before the first row is written.

A streamed file is written chunk by chunk, so its schema must be known up front: Parquet
inputs give theirs in the footers, CSV headers give the columns (all text), and JSONL is
scanned once for its keys and value types. Every chunk is then cast to that one schema,
so a column missing from a chunk (or a JSON key seen only later) never breaks the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import DataFileError, Errors
from ..io.tabular import READER_COLUMNS, check_columns, file_kind
from .frame import SCORE_COLUMNS, input_renames

_SCORE_TYPES = {"object": pa.string(), "float64": pa.float64(), "boolean": pa.bool_()}


def input_schema(files: list[Path]) -> pa.Schema:
    """The input columns (in first-seen order) and their Arrow types, across all files."""
    kinds = {file_kind(f) for f in files}
    if kinds == {"parquet"}:
        try:
            return pa.unify_schemas([pq.read_schema(f) for f in files])
        except (pa.ArrowInvalid, OSError) as exc:
            raise DataFileError(Errors.E030.format(path=files[0].parent, detail=f"part files disagree on columns: {exc}")) from None
    fields: dict[str, pa.DataType] = {}
    for f in files:
        kind = file_kind(f)
        if kind == "csv":
            for name in _csv_header(f):
                fields[name] = _merge(fields.get(name), pa.string())
        elif kind in ("jsonl", "json_array"):
            for name, typ in _json_types(f, kind).items():
                fields[name] = _merge(fields.get(name), typ)
        else:
            for field in pq.read_schema(f):
                fields[field.name] = _merge(fields.get(field.name), field.type)
    check_columns(fields, files[0] if len(files) == 1 else files[0].parent)
    return pa.schema([(name, typ) for name, typ in fields.items() if name not in READER_COLUMNS])


def check_notes_column(in_schema: pa.Schema, notes_column: str) -> None:
    """Fail once, up front, when no file has the notes column (rather than chunk by chunk)."""
    if notes_column not in in_schema.names:
        raise DataFileError(Errors.E030.format(path="input", detail=f"no notes column {notes_column!r}; columns are "
                                               f"{sorted(in_schema.names)}. Use --map notes=COLUMN"))


def complete_columns(chunk: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Add the input columns a chunk lacks (a JSON key absent from these lines) as empty."""
    missing = [n for n in names if n not in chunk.columns]
    return chunk.assign(**{n: None for n in missing}) if missing else chunk


def output_schema(in_schema: pa.Schema) -> pa.Schema:
    """``in_schema`` (with clashing names renamed) followed by the score columns."""
    renames = input_renames(in_schema.names)
    fields = [pa.field(renames[f.name], f.type) for f in in_schema if f.name in renames]
    return pa.schema(fields + [pa.field(name, _SCORE_TYPES[dtype]) for name, dtype in SCORE_COLUMNS.items()])


def to_table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """A scored chunk as an Arrow table of exactly ``schema`` (missing columns are null)."""
    arrays = [_column(frame[f.name] if f.name in frame.columns else None, f.type, len(frame)) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _column(values: pd.Series | None, typ: pa.DataType, n: int) -> pa.Array:
    if values is None:
        return pa.nulls(n, typ)
    try:
        return pa.array(values, type=typ, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        pass
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return pa.array([_text(v) for v in values], type=typ)
    try:
        return pa.array(values, from_pandas=True).cast(typ)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.array([_text(v) for v in values], type=pa.string()).cast(typ, safe=False)


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (dict, list)) else str(value)


def _merge(old: pa.DataType | None, new: pa.DataType) -> pa.DataType:
    if old is None or old == new or pa.types.is_null(new):
        return old or new
    if pa.types.is_null(old):
        return new
    if {old, new} == {pa.int64(), pa.float64()}:
        return pa.float64()
    return pa.string()


def _csv_header(path: Path) -> list[str]:
    try:
        return list(pd.read_csv(path, nrows=0, dtype=str, encoding="utf-8", encoding_errors="replace").columns)
    except pd.errors.EmptyDataError:
        return []
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataFileError(Errors.E030.format(path=path, detail=f"cannot read the CSV header: {exc}")) from None


_JSON_TYPES = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string(), type(None): pa.null()}


def _records(path: Path, kind: str):
    if kind == "json_array":
        try:
            items = json.loads(path.read_bytes().decode("utf-8-sig"))
        except ValueError:
            return  # the reader reports it with the path
        yield from (items if isinstance(items, list) else [])
        return
    with open(path, "rb") as fh:
        for raw in fh:
            try:
                yield json.loads(raw)
            except ValueError:
                continue  # the reader reports this line as a row error


def _json_types(path: Path, kind: str = "jsonl") -> dict[str, pa.DataType]:
    """Keys of a JSON Lines or JSON array file with one Arrow type each (mixed or nested values become text)."""
    types: dict[str, pa.DataType] = {}
    try:
        for rec in _records(path, kind):
            if not isinstance(rec, dict):
                continue
            for key, value in rec.items():
                typ = _JSON_TYPES.get(type(value), pa.string())
                old = types.get(key)
                if old is None or old != typ:
                    types[key] = _merge(old, typ)
    except OSError as exc:
        raise DataFileError(Errors.E030.format(path=path, detail=f"cannot read: {exc.strerror}")) from None
    return {k: (pa.string() if pa.types.is_null(v) else v) for k, v in types.items()}
