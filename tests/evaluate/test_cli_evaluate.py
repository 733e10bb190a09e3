"""``cit-triage evaluate`` through typer's CliRunner, including malformed files."""

import json

from typer.testing import CliRunner

from cit_triage.cli import app

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, ["evaluate", *map(str, args)])


def test_evaluate_csv_with_column_and_label_maps(tmp_path, tiny_model, records):
    import pandas as pd

    calls = tmp_path / "calls.csv"
    agency = {"patrol": "REPORT", "cit": "CIT REFERRAL", "co_responder": "CRT"}
    pd.DataFrame({"NARRATIVE": [r["notes"] for r in records], "TYPE": [r["call_type"] for r in records],
                  "DISPO": [agency[r["label"]] for r in records], "district": [r["district"] for r in records]}).to_csv(calls, index=False)
    labels = tmp_path / "labels.toml"
    labels.write_text('REPORT = "patrol"\n"CIT REFERRAL" = "cit"\nCRT = "co_responder"\n', encoding="utf-8")
    res = _run(calls, "--label-column", "DISPO", "--map", "notes=NARRATIVE", "--map", "call_type=TYPE",
               "--label-map", labels, "--model", tiny_model, "--slice", "district", "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert f"{len(records)} of {len(records)} rows scored" in res.output
    m = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert m["rows"]["bad"] == 0 and "district" in m["slices"]
    assert {r["value"] for r in m["slices"]["call_type"]} == {r["call_type"] for r in records}
    assert (tmp_path / "out" / "report.html").stat().st_size > 10_000


def test_malformed_rows_are_counted_listed_and_warned(tmp_path, tiny_model):
    calls = tmp_path / "calls.jsonl"
    calls.write_bytes(b'{"notes": "shoplifter detained at store, cooperative", "label": "patrol"}\n'
                      b'{"notes": "bad json\n'
                      b'{"notes": "caller \xff hearing voices", "label": "cit"}\n'
                      b'{"notes": "son hearing voices", "label": "EDP"}\n'
                      b'{"caller_relation": "self", "label": "patrol"}\n')
    res = _run(calls, "--model", tiny_model, "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    m = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert m["rows"] == {"total": 5, "scored": 1, "bad": 4}
    errors = {b["row"]: b["error"] for b in m["bad_rows"]}
    assert "JSON" in errors[2] and "UTF-8" in errors[3] and "unknown label 'EDP'" in errors[4]
    assert "nothing to triage" in errors[5]
    assert "4 bad rows not scored (rows 2, 3, 4, 5)" in res.output
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "unknown label" in html


def test_missing_notes_column_fails_with_one_line(tmp_path, tiny_model):
    calls = tmp_path / "calls.csv"
    calls.write_text("narrative,label\nshoplifter detained,patrol\n", encoding="utf-8")
    res = _run(calls, "--model", tiny_model, "--out", tmp_path / "out")
    assert res.exit_code == 2
    assert "no notes column 'notes'" in res.output and "--map notes=COLUMN" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_bad_map_and_missing_file_fail_cleanly(tmp_path, tiny_model, labeled_path):
    res = _run(labeled_path, "--map", "narrative", "--model", tiny_model, "--out", tmp_path / "o")
    assert res.exit_code == 2 and "is not FIELD=COLUMN" in res.output
    res = _run(tmp_path / "nope.csv", "--model", tiny_model, "--out", tmp_path / "o")
    assert res.exit_code == 2 and "file not found" in res.output
