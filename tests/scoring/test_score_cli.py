"""``cit-triage score``: the command wiring, its summary and its one-line errors."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from cit_triage.cli import app
from scoring_data import calls_frame

runner = CliRunner()


@pytest.fixture()
def narrative_csv(tmp_path):
    frame = calls_frame(240).rename(columns={"notes": "NARRATIVE"})
    frame.loc[5, "NARRATIVE"] = ""  # one row that cannot be scored
    path = tmp_path / "calls.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_score_writes_every_row_and_prints_a_summary(tiny_model, narrative_csv, tmp_path):
    src, frame = narrative_csv
    out = tmp_path / "scored.parquet"
    result = runner.invoke(app, ["score", str(src), "--out", str(out), "--map", "notes=NARRATIVE",
                                 "--chunk-rows", "50", "--model", tiny_model])
    assert result.exit_code == 0, result.output
    scored = pd.read_parquet(out)
    assert scored["call_id"].tolist() == frame["call_id"].tolist()
    assert scored["error"].notna().sum() == 1 and scored.loc[5, "error"] is not None
    assert "scored 240 rows" in result.stdout and "errors: 1 row" in result.stdout
    for name in ("patrol", "cit", "co_responder"):
        n = int((scored["response"] == name).sum())
        assert f"{n:,}" in next(line for line in result.stdout.splitlines() if line.startswith(name))
    assert "it/s" not in result.stderr and "notes/s]" not in result.stderr  # no bar when stderr is not a terminal


def test_dask_engine_starts_its_own_cluster_and_matches_local(tiny_model, narrative_csv, tmp_path):
    src, _ = narrative_csv
    args = ["score", str(src), "--map", "notes=NARRATIVE", "--chunk-rows", "60", "--model", tiny_model]
    local = runner.invoke(app, [*args, "--out", str(tmp_path / "local.parquet")])
    remote = runner.invoke(app, [*args, "--out", str(tmp_path / "dask.parquet"), "--engine", "dask", "--workers", "2"])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert "(dask, 2 workers)" in remote.stdout
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask.parquet"), pd.read_parquet(tmp_path / "local.parquet"))


@pytest.mark.parametrize("extra, message", [
    (["--out", "x.parquet", "--map", "notes"], "'notes' is not FIELD=COLUMN"),
    (["--out", "x.csv"], "--out must be a .parquet file"),
    (["--out", "x.parquet", "--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --engine dask"),
])
def test_bad_options_fail_with_one_line(tiny_model, narrative_csv, tmp_path, extra, message):
    src, _ = narrative_csv
    result = runner.invoke(app, ["score", str(src), "--model", tiny_model, *extra])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_input_fails_with_one_line(tiny_model, tmp_path):
    result = runner.invoke(app, ["score", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.parquet")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: data file {tmp_path / 'nope.csv'}: file not found"
