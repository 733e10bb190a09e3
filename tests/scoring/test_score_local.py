"""Local scoring: every row kept in order, errors kept, the compact columns, streaming in chunks."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from cit_triage.errors import DataFileError
from cit_triage.scoring import SCORE_COLUMNS, score, score_to_parquet
from cit_triage.scoring import local as local_scoring

from scoring_data import calls_frame

KNIFE = "son hearing voices, threatened to stab his father, has kitchen knife"
SHOPLIFTER = "shoplifter detained at Walmart, cooperative"


def test_score_keeps_every_row_in_order_with_the_score_columns(tiny_model):
    frame = calls_frame(300)
    out = score(frame, model=tiny_model)
    assert list(out.columns) == ["call_id", "notes", *SCORE_COLUMNS]
    assert out["call_id"].tolist() == frame["call_id"].tolist()
    assert out["error"].isna().all()
    assert set(out["response"]) <= {"patrol", "cit", "co_responder"}
    probs = out[["p_patrol", "p_cit", "p_co_responder"]].sum(axis=1)
    assert ((probs - 1).abs() < 0.01).all()
    assert (out["model_version"] == "test-tiny").all()


def test_guide_cases_get_their_response_risk_factors_and_reasons(tiny_model):
    out = score(pd.DataFrame({"notes": [KNIFE, SHOPLIFTER]}), model=tiny_model)
    assert out["response"].tolist() == ["co_responder", "patrol"]
    assert "KNIFE" in out.loc[0, "risk_factors"].split("|")
    assert out.loc[1, "risk_factors"] == ""
    assert out.loc[0, "reasons"].startswith("rule:")
    assert all(part.split(":", 1)[0] in ("rule", "model") for part in out.loc[0, "reasons"].split("; "))


def test_malformed_rows_are_kept_with_an_error(tiny_model, tmp_path):
    path = tmp_path / "calls.jsonl"
    lines = [json.dumps({"notes": KNIFE, "priority": 1}), "{not json", json.dumps({"notes": "   "}),
             json.dumps({"notes": "x" * 70_000}), json.dumps({"notes": SHOPLIFTER, "priority": "high"}),
             json.dumps({"notes": SHOPLIFTER})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = score_to_parquet(path, tmp_path / "out.parquet", model=tiny_model, chunk_rows=2)
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert len(out) == 6 and summary.rows == 6 and summary.errors == 4
    errors = out["error"].tolist()
    assert pd.isna(errors[0]) and pd.isna(errors[5])  # a null: None with pandas 2, NaN with pandas 3
    assert "not valid JSON" in errors[1]
    assert "empty" in errors[2] and "too long" in errors[3] and errors[4].startswith("priority")
    assert out["response"].isna().tolist() == [False, True, True, True, True, False]
    assert out["needs_review"].isna().tolist() == [False, True, True, True, True, False]


def test_invalid_utf8_csv_row_is_an_error_not_a_crash(tiny_model, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_bytes(b"call_id,notes\n1,loud music next door\n2,caller says \xff\xfe voices\n3,bike stolen\n")
    summary = score_to_parquet(path, tmp_path / "out.parquet", model=tiny_model)
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["call_id"].tolist() == ["1", "2", "3"]
    assert out["error"].notna().tolist() == [False, True, False] and summary.errors == 1


def test_input_larger_than_one_chunk_streams_in_bounded_chunks(tiny_model, tmp_path, monkeypatch):
    frame = calls_frame(1_050)
    src = tmp_path / "calls.csv"
    frame.to_csv(src, index=False)
    seen: list[int] = []
    real = local_scoring.score_frame

    def spy(chunk, **kwargs):
        seen.append(len(chunk))
        return real(chunk, **kwargs)

    monkeypatch.setattr(local_scoring, "score_frame", spy)
    summary = score_to_parquet(src, tmp_path / "out.parquet", model=tiny_model, chunk_rows=100)
    assert max(seen) == 100 and len(seen) == 11
    meta = pq.ParquetFile(tmp_path / "out.parquet").metadata
    assert meta.num_rows == 1_050 and meta.num_row_groups == 11  # appended chunk by chunk
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["call_id"].tolist() == frame["call_id"].tolist()
    expected = score(frame, model=tiny_model)
    pd.testing.assert_series_equal(out["response"], expected["response"], check_dtype=False)
    assert summary.rows == 1_050 and sum(summary.responses.values()) == 1_050


def test_folder_of_part_files_keeps_file_order_and_later_json_keys(tiny_model, tmp_path):
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "part-0.jsonl").write_text(json.dumps({"notes": SHOPLIFTER}) + "\n", encoding="utf-8")
    (parts / "part-1.jsonl").write_text(json.dumps({"notes": KNIFE, "unit": 12}) + "\n", encoding="utf-8")
    score_to_parquet(parts, tmp_path / "out.parquet", model=tiny_model, chunk_rows=1)
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["notes"].tolist() == [SHOPLIFTER, KNIFE]
    assert out["unit"].isna().tolist() == [True, False] and out["unit"].iloc[1] == 12


def test_column_map_and_clashing_input_names(tiny_model, tmp_path):
    src = tmp_path / "calls.parquet"
    pd.DataFrame({"NARRATIVE": [KNIFE], "response": ["old"], "error": ["x"]}).to_parquet(src)
    score_to_parquet(src, tmp_path / "out.parquet", model=tiny_model, columns=["notes=NARRATIVE"])
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out.loc[0, "input_response"] == "old" and out.loc[0, "input_error"] == "x"
    assert out.loc[0, "response"] == "co_responder" and pd.isna(out.loc[0, "error"])


def test_missing_notes_column_fails_once_with_a_clear_error(tiny_model, tmp_path):
    src = tmp_path / "calls.csv"
    src.write_text("NARRATIVE\nloud music\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="no notes column 'notes'.*--map notes=COLUMN"):
        score_to_parquet(src, tmp_path / "out.parquet", model=tiny_model)
    assert not (tmp_path / "out.parquet").exists()


def test_progress_bar_only_on_a_terminal(tiny_model, tmp_path, monkeypatch, capsys):
    src = tmp_path / "calls.csv"
    calls_frame(30).to_csv(src, index=False)
    score_to_parquet(src, tmp_path / "a.parquet", model=tiny_model)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    score_to_parquet(src, tmp_path / "b.parquet", model=tiny_model)
    assert "30 notes" in capsys.readouterr().err


def test_failed_run_leaves_no_output_file(tiny_model, tmp_path, monkeypatch):
    src = tmp_path / "calls.csv"
    calls_frame(30).to_csv(src, index=False)

    def boom(chunk, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(local_scoring, "score_frame", boom)
    with pytest.raises(RuntimeError):
        score_to_parquet(src, tmp_path / "out.parquet", model=tiny_model)
    assert list(tmp_path.iterdir()) == [src]
