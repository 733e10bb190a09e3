"""Issue 14 item 1: every file holding notes is 0600 from creation, and SIGTERM/SIGINT shut
down cleanly (the WAL checkpointed into the database file, the connection closed)."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat

import httpx
import pytest

from cit_triage.audit import AuditStore, export_audit, new_suggestion_id
from cit_triage.schema import Call

from .conftest import CLEAR_CO_RESPONDER, DATA
from .serving import start_subprocess


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """A permissive umask (as many service accounts have): files must still come out 0600."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_audit_db_and_its_journals_are_created_0600(open_umask, tmp_path, tiny_triager):
    store = AuditStore(tmp_path / "audit.db")
    call = Call(notes=CLEAR_CO_RESPONDER)
    store.record_suggestions([(new_suggestion_id(), call, tiny_triager.suggest(call))], "api")
    files = [tmp_path / "audit.db", tmp_path / "audit.db-wal", tmp_path / "audit.db-shm"]
    assert all(f.exists() for f in files)  # WAL mode, connection open: both journals exist now
    assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
    store.close()


def test_a_missing_audit_folder_is_created_0700(open_umask, tmp_path):
    store = AuditStore(tmp_path / "state" / "cit_triage" / "audit.db")
    assert mode(tmp_path / "state" / "cit_triage") == 0o700
    store.close()


def test_an_existing_world_readable_audit_db_is_made_private(open_umask, tmp_path):
    AuditStore(tmp_path / "audit.db").close()
    os.chmod(tmp_path / "audit.db", 0o644)
    AuditStore(tmp_path / "audit.db").close()
    assert mode(tmp_path / "audit.db") == 0o600


@pytest.mark.parametrize("name", ["export.jsonl", "export.csv"])
def test_audit_export_is_0600_even_over_an_old_file(open_umask, tmp_path, tiny_triager, name):
    store = AuditStore(tmp_path / "audit.db")
    call = Call(notes=CLEAR_CO_RESPONDER)
    sid = new_suggestion_id()
    store.record_suggestions([(sid, call, tiny_triager.suggest(call))], "api")
    store.record_decision(sid, "cit", "no clinician")
    store.close()
    (tmp_path / f"{name}.part").write_text("stale")
    os.chmod(tmp_path / f"{name}.part", 0o644)
    export_audit(tmp_path / "audit.db", tmp_path / name)
    assert mode(tmp_path / name) == 0o600


def test_evaluate_report_and_metrics_are_0600(open_umask, tmp_path, tiny_model_dir):
    from cit_triage.evaluate import evaluate

    evaluate(DATA / "tiny_train.jsonl", model=tiny_model_dir, out=tmp_path / "report")
    for name in ("report.html", "metrics.json"):
        assert mode(tmp_path / "report" / name) == 0o600, name
    assert mode(tmp_path / "report") == 0o700


def test_scored_parquet_is_0600(open_umask, tmp_path, tiny_model_dir):
    from cit_triage.scoring import score_to_parquet

    score_to_parquet(DATA / "tiny_train.jsonl", tmp_path / "scored.parquet", model=tiny_model_dir, progress=False)
    assert mode(tmp_path / "scored.parquet") == 0o600


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_checkpoints_the_wal_and_closes(open_umask, tiny_model_dir, tmp_path, sig):
    db = tmp_path / "audit.db"
    proc, base = start_subprocess(tiny_model_dir, db)
    try:
        sid = httpx.post(f"{base}/v1/suggestions", json={"notes": CLEAR_CO_RESPONDER}, timeout=30).json()["suggestion_id"]
        proc.send_signal(sig)
        proc.wait(30)
    finally:
        proc.kill()
    wal = tmp_path / "audit.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0, "notes left in the journal only"
    # immutable=1 reads the database file alone, ignoring any journal: the row must be there.
    con = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    assert con.execute("SELECT count(*) FROM suggestions WHERE id = ?", (sid,)).fetchone()[0] == 1
    con.close()
    assert mode(db) == 0o600
