"""Issue 14 item 6 and issue 13 item 6: batch inputs. Non-text notes, control characters and NUL
bytes are per-row errors (never a crash, never a cut note), reserved reader columns cannot
collide with user columns, and JSON arrays, JSON Lines, CSV and Parquet are read by extension
or content, with a clear error naming the file otherwise. Every row is kept."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cit_triage.cli import app as cli_app
from cit_triage.errors import DataFileError
from cit_triage.io.labeled import read_labeled
from cit_triage.io.tabular import READER_COLUMNS, read_rows
from cit_triage.scoring import score_to_parquet

CALLS = [{"notes": "male on the bridge railing says he will jump", "call_type": "SUICIDE"},
         {"notes": "car alarm going off in the garage"},
         {"notes": "neighbor yelling about a parking spot"}]


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("value,expected", [(911, "a number"), (3.5, "a number"), (True, "a boolean"),
                                            (["a", "b"], "a list"), ({"text": "x"}, "an object")])
def test_non_text_notes_are_a_row_error(tmp_path, value, expected):
    path = _jsonl(tmp_path / "calls.jsonl", [CALLS[0], {"notes": value}, CALLS[1]])
    rows = list(read_rows(path))
    assert [r.row for r in rows] == [0, 1, 2]
    assert rows[1].call is None and rows[1].error == f"notes must be text, got {expected}"
    assert rows[0].call is not None and rows[2].call is not None


def test_numeric_notes_do_not_stop_score_or_evaluate(tmp_path, tiny_model):
    path = _jsonl(tmp_path / "calls.jsonl", [{**CALLS[0], "label": "co_responder"}, {"notes": 911, "label": "patrol"},
                                             {**CALLS[1], "label": "patrol"}])
    out = tmp_path / "scored.parquet"
    summary = score_to_parquet(path, out, model=tiny_model, progress=False)
    assert summary.rows == 3 and summary.errors == 1
    scored = pd.read_parquet(out)
    assert scored["error"].tolist()[1] == "notes must be text, got a number"
    labeled = read_labeled(path)
    assert len(labeled.calls) == 2 and [b.row for b in labeled.bad_rows] == [2]


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f"])
def test_control_characters_are_a_row_error(tmp_path, char):
    path = _jsonl(tmp_path / "calls.jsonl", [CALLS[1], {"notes": f"subject threatening{char} to jump"}])
    rows = list(read_rows(path))
    assert rows[1].call is None and f"U+{ord(char):04X}" in rows[1].error and "character 19" in rows[1].error


def test_tab_newline_and_return_are_ordinary_text(tmp_path):
    path = _jsonl(tmp_path / "calls.jsonl", [{"notes": "line one\tcol\r\nline two"}])
    (row,) = read_rows(path)
    assert row.error is None and row.call.notes == "line one\tcol\r\nline two"


def test_a_nul_byte_in_a_csv_field_flags_the_row_and_never_cuts_it(tmp_path, tiny_model):
    path = tmp_path / "calls.csv"
    path.write_bytes(b'notes,call_type\n"caller says\x00 he has a gun and will shoot",MISC\n'
                     b'car alarm in the garage,ALARM\n')
    rows = list(read_rows(path))
    assert len(rows) == 2
    assert rows[0].call is None and "U+0000" in rows[0].error  # not scored as "caller says"
    assert rows[1].call is not None and rows[1].call.call_type == "ALARM"
    summary = score_to_parquet(path, tmp_path / "out.parquet", model=tiny_model, progress=False)
    assert summary.rows == 2 and summary.errors == 1


@pytest.mark.parametrize("column", ["_row", "_error"])
def test_user_columns_named_like_old_reader_columns_are_plain_columns(tmp_path, tiny_model, column):
    records = [{**c, column: f"value {i}"} for i, c in enumerate(CALLS)]
    path = _jsonl(tmp_path / "calls.jsonl", records)
    rows = list(read_rows(path))
    assert [r.error for r in rows] == [None, None, None]
    out = tmp_path / "scored.parquet"
    score_to_parquet(path, out, model=tiny_model, progress=False)
    scored = pd.read_parquet(out)
    assert scored[column].tolist() == ["value 0", "value 1", "value 2"] and scored["error"].isna().all()
    csv = tmp_path / "calls.csv"
    pd.DataFrame(records).to_csv(csv, index=False)
    assert [r.error for r in read_rows(csv)] == [None, None, None]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "frame"])
def test_the_reader_own_column_names_are_refused_clearly(tmp_path, fmt):
    frame = pd.DataFrame([{**CALLS[0], READER_COLUMNS[0]: 1}])
    source = {"jsonl": lambda p: _jsonl(p.with_suffix(".jsonl"), frame.to_dict("records")),
              "csv": lambda p: (frame.to_csv(p.with_suffix(".csv"), index=False), p.with_suffix(".csv"))[1],
              "parquet": lambda p: (frame.to_parquet(p.with_suffix(".parquet")), p.with_suffix(".parquet"))[1],
              "frame": lambda p: frame}[fmt](tmp_path / "calls")
    with pytest.raises(DataFileError, match="is reserved by cit_triage"):
        list(read_rows(source))


def _write(path, kind):
    if kind == "array":
        path.write_text(json.dumps(CALLS, indent=2), encoding="utf-8")
    elif kind == "lines":
        _jsonl(path, CALLS)
    elif kind == "csv":
        pd.DataFrame(CALLS).to_csv(path, index=False)
    else:
        pq.write_table(pa.Table.from_pylist(CALLS), path)
    return path


@pytest.mark.parametrize("name,kind", [("calls.json", "array"), ("calls.json", "lines"), ("calls.jsonl", "lines"),
                                       ("calls.jsonl", "array"), ("calls.ndjson", "lines"), ("calls.csv", "csv"),
                                       ("calls.parquet", "parquet"), ("calls.pq", "parquet"),
                                       ("calls.txt", "array"), ("calls.export", "lines"), ("calls", "parquet")])
def test_each_format_is_read_by_extension_or_content(tmp_path, tiny_model, name, kind):
    path = _write(tmp_path / name, kind)
    rows = list(read_rows(path))
    assert [r.call.notes for r in rows] == [c["notes"] for c in CALLS]
    assert rows[0].call.call_type == "SUICIDE"
    summary = score_to_parquet(path, tmp_path / "out.parquet", model=tiny_model, progress=False)
    assert summary.rows == 3 and summary.errors == 0


@pytest.mark.parametrize("name,content,message", [
    ("calls.txt", b"notes\nsome words\n", "unknown format '.txt'"),
    ("calls", b"notes\nsome words\n", "unknown format '(no extension)'"),
    ("calls.parquet", b"notes\nsome words\n", "is not a Parquet file"),
    ("calls.csv", b"PAR1\x00\x00", "is a Parquet file, not csv"),
    ("calls.json", b"notes,call_type\nx,y\n", "is not JSON"),
    ("calls.json", b'{\n  "notes": "x"\n}\n', "holds a single JSON object"),
    ("calls.json", b'[{"notes": "x"}, ', "is not a valid JSON array"),
    ("calls.json", b'[{"notes": "\xff"}]', "is not valid UTF-8"),
])
def test_anything_else_is_a_clear_error_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataFileError) as err:
        list(read_rows(path))
    assert str(path) in str(err.value) and message in str(err.value), str(err.value)
    assert "\n" not in str(err.value)


def test_a_json_array_keeps_non_object_items_as_row_errors(tmp_path):
    path = tmp_path / "calls.json"
    path.write_text(json.dumps([CALLS[0], "just a string", CALLS[1]]), encoding="utf-8")
    rows = list(read_rows(path))
    assert len(rows) == 3 and rows[1].call is None and "not a JSON object" in rows[1].error


def test_score_cli_names_the_file_for_an_unknown_format(tmp_path):
    path = tmp_path / "calls.txt"
    path.write_text("notes\nx\n")
    res = CliRunner().invoke(cli_app, ["score", str(path), "--out", str(tmp_path / "o.parquet")])
    assert res.exit_code != 0 and str(path) in res.output and "unknown format" in res.output


@pytest.mark.parametrize("address,warns", [("tcp://10.0.0.5:8786", True), ("dask-sched:8786", True),
                                           ("tls://10.0.0.5:8786", False), ("tcp://127.0.0.1:8786", False)])
def test_plain_tcp_dask_scheduler_off_loopback_warns(address, warns):
    import warnings

    from cit_triage.scoring.dask import _warn_if_plain

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _warn_if_plain(address)
    assert bool([w for w in caught if "unencrypted" in str(w.message)]) == warns
