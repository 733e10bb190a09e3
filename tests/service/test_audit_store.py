"""The audit log: append-only, WAL + synchronous=FULL, export in the format train/evaluate read."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from typer.testing import CliRunner

from cit_triage.audit import AuditError, AuditStore, UnknownSuggestion, export_audit, new_suggestion_id
from cit_triage.cli import app as cli_app
from cit_triage.io.tabular import ColumnMap, read_rows
from cit_triage.schema import Call
from cit_triage.model.training import read_labeled_jsonl

from .conftest import CLEAR_CO_RESPONDER, CLEAR_PATROL


@pytest.fixture
def filled(audit, tiny_triager):
    """Three served calls: one confirmed, one overridden twice (corrected), one undecided."""
    calls = [Call(notes=CLEAR_PATROL, call_id="A"), Call(notes=CLEAR_CO_RESPONDER, call_type="EDP", priority=2),
             Call(notes="loud music next door")]
    rows = [(new_suggestion_id(), c, tiny_triager.suggest(c)) for c in calls]
    audit.record_suggestions(rows, "api")
    audit.record_decision(rows[0][0], rows[0][2].response.value)
    audit.record_decision(rows[1][0], "patrol", "first entry, wrong")
    audit.record_decision(rows[1][0], "cit", "no clinician on shift", "disp-4")
    return audit, rows


def test_pragmas_are_wal_and_full(audit):
    db = sqlite3.connect(audit.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # synchronous is per connection: check ours
    assert audit._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


@pytest.mark.parametrize("sql", ["UPDATE suggestions SET response = 'cit'", "DELETE FROM suggestions",
                                 "UPDATE decisions SET sent = 'cit'", "DELETE FROM decisions",
                                 "UPDATE meta SET value = '0'", "DELETE FROM meta"])
def test_rows_cannot_be_updated_or_deleted(filled, sql):
    audit, _ = filled
    db = sqlite3.connect(audit.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute(sql)
    db.close()


def test_decision_checks_label_and_id(filled):
    audit, rows = filled
    with pytest.raises(UnknownSuggestion):
        audit.record_decision(new_suggestion_id(), "cit")
    with pytest.raises(AuditError):
        audit.record_decision(rows[0][0], "swat")


def test_reopening_keeps_everything(filled, tmp_path):
    audit, rows = filled
    audit.close()
    again = AuditStore(audit.path)
    assert again.counts() == {"suggestions": 3, "decided": 2}
    assert again.suggested_response(rows[1][0]) == rows[1][2].response.value
    again.close()


def test_export_jsonl_is_read_by_training_with_the_latest_decision(filled, tmp_path):
    audit, rows = filled
    out = tmp_path / "loop.jsonl"
    summary = export_audit(audit.path, out)
    assert (summary.written, summary.undecided) == (2, 1)
    calls, labels, records = read_labeled_jsonl(out)
    assert [c.notes for c in calls] == [CLEAR_PATROL, CLEAR_CO_RESPONDER]
    assert labels == [rows[0][2].response.value, "cit"]
    assert calls[1].call_type == "EDP" and calls[1].priority == 2
    assert records[1]["override_reason"] == "no clinician on shift" and records[1]["dispatcher"] == "disp-4"
    assert records[1]["suggestion_id"] == rows[1][0]
    assert out.stat().st_mode & 0o077 == 0


def test_export_csv_is_read_by_the_tabular_reader(filled, tmp_path):
    audit, rows = filled
    out = tmp_path / "loop.csv"
    export_audit(audit.path, out)
    read = list(read_rows(out, ColumnMap(label="label")))
    assert [r.error for r in read] == [None, None]
    assert [r.label for r in read] == [rows[0][2].response.value, "cit"]
    assert read[1].call.notes == CLEAR_CO_RESPONDER
    with open(out, newline="", encoding="utf-8") as fh:
        assert "label" in next(csv.reader(fh))


def test_export_refuses_unknown_suffix_and_missing_db(filled, tmp_path):
    audit, _ = filled
    with pytest.raises(AuditError, match="jsonl or .csv"):
        export_audit(audit.path, tmp_path / "x.parquet")
    with pytest.raises(AuditError, match="no audit database"):
        export_audit(tmp_path / "missing.db", tmp_path / "x.jsonl")


def test_audit_export_cli(filled, tmp_path):
    audit, _ = filled
    out = tmp_path / "cli.jsonl"
    res = CliRunner().invoke(cli_app, ["audit", "export", "--db", str(audit.path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "wrote 2 decided calls" in res.output and "1 suggestions have no decision" in res.output
    assert len(out.read_text().splitlines()) == 2
    assert all(json.loads(line)["label"] for line in out.read_text().splitlines())
    bad = CliRunner().invoke(cli_app, ["audit", "export", "--db", str(tmp_path / "nope.db"), "--out", str(out)])
    assert bad.exit_code == 2 and "no audit database" in bad.output
