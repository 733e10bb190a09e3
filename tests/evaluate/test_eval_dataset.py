"""Reading labeled calls: every row is either a call or a bad row with its reason."""

import json

import pandas as pd
import pytest

from cit_triage.errors import DataFileError
from cit_triage.evaluate import read_labeled


def test_bad_json_line_is_a_bad_row_with_its_number(tmp_path):
    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps({"notes": "shoplifter detained, cooperative", "label": "patrol"}) + "\n"
                    + '{"notes": "broken\n'
                    + json.dumps({"notes": "subject hearing voices", "label": "cit"}) + "\n", encoding="utf-8")
    data = read_labeled(path)
    assert [c.row for c in data.calls] == [1, 3]
    assert [b.row for b in data.bad_rows] == [2]
    assert "not valid JSON" in data.bad_rows[0].error


def test_invalid_utf8_in_csv_is_a_bad_row(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_bytes(b"notes,label\nshoplifter detained,patrol\ncaller \xff\xfe hearing voices,cit\n")
    data = read_labeled(path)
    assert len(data.calls) == 1
    assert data.bad_rows[0].row == 2 and "UTF-8" in data.bad_rows[0].error


def test_unknown_label_is_a_bad_row_unless_mapped(tmp_path):
    path = tmp_path / "calls.csv"
    pd.DataFrame({"NARR": ["son hearing voices", "theft report"], "DISPO": ["EDP TRANSPORT", "REPORT TAKEN"]}).to_csv(path, index=False)
    unmapped = read_labeled(path, label_column="DISPO", columns=["notes=NARR"])
    assert len(unmapped.bad_rows) == 2 and "unknown label" in unmapped.bad_rows[0].error
    mapping = tmp_path / "labels.toml"
    mapping.write_text('"EDP TRANSPORT" = "cit"\n"REPORT TAKEN" = "patrol"\n', encoding="utf-8")
    mapped = read_labeled(path, label_column="DISPO", columns=["notes=NARR"], label_map=mapping)
    assert mapped.labels == ["cit", "patrol"] and not mapped.bad_rows


def test_missing_notes_column_is_an_error_naming_the_column(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("text,label\nshoplifter,patrol\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="no notes column 'notes'"):
        read_labeled(path)


def test_empty_notes_without_call_type_is_a_bad_row(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("notes,call_type,label\n,,patrol\n,EDP,cit\n", encoding="utf-8")
    data = read_labeled(path)
    assert [b.row for b in data.bad_rows] == [1]
    assert [c.call.call_type for c in data.calls] == ["EDP"]  # a crisis call type alone is a call


def test_slice_columns_are_carried_and_a_missing_one_is_an_error(tmp_path, labeled_path):
    data = read_labeled(labeled_path, slice_columns=["district"])
    assert {c.slices["district"] for c in data.calls} == {"north", "south"}
    with pytest.raises(DataFileError, match="no slice column 'shift'"):
        read_labeled(labeled_path, slice_columns=["shift"])


def test_parquet_is_read_like_csv(tmp_path, records):
    path = tmp_path / "calls.parquet"
    pd.DataFrame(records).to_parquet(path)
    data = read_labeled(path)
    assert len(data.calls) == len(records) and not data.bad_rows
