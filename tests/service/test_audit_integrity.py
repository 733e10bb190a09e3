"""Issue 14 items 2 and 8: the audit log refuses overwrites, its hash chain finds edits and
deletions made with another tool, one suggestion stores a bounded size, the default location
is the state folder, and /readyz fails when the log cannot be written."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest
from typer.testing import CliRunner

from cit_triage.audit import AuditStore, default_audit_path, new_suggestion_id, verify_chain
from cit_triage.audit.store import MAX_RECORD_BYTES
from cit_triage.cli import app as cli_app
from cit_triage.schema import Call

from .conftest import CLEAR_CO_RESPONDER, CLEAR_PATROL


@pytest.fixture
def filled(tmp_path, tiny_triager):
    store = AuditStore(tmp_path / "audit.db")
    calls = [Call(notes=CLEAR_PATROL), Call(notes=CLEAR_CO_RESPONDER), Call(notes="loud music next door")]
    rows = [(new_suggestion_id(), c, tiny_triager.suggest(c)) for c in calls]
    store.record_suggestions(rows[:2], "api")
    store.record_decision(rows[0][0], "patrol")
    store.record_suggestions(rows[2:], "batch")
    store.record_decision(rows[1][0], "cit", "no clinician on shift")
    store.close()
    return tmp_path / "audit.db", rows


OVERWRITES = [
    "INSERT OR REPLACE INTO suggestions SELECT id, created_at, source, call_json, 'cit', needs_review, model_version, "
    "policy_version, suggestion_json, chain_seq, row_hash FROM suggestions LIMIT 1",
    "REPLACE INTO suggestions SELECT id, created_at, source, '{}', response, needs_review, model_version, "
    "policy_version, suggestion_json, chain_seq, row_hash FROM suggestions LIMIT 1",
    "INSERT INTO suggestions SELECT id, created_at, source, call_json, response, needs_review, model_version, "
    "policy_version, suggestion_json, chain_seq, row_hash FROM suggestions LIMIT 1 "
    "ON CONFLICT (id) DO UPDATE SET response = 'cit'",
    "INSERT OR REPLACE INTO decisions (seq, suggestion_id, decided_at, sent, chain_seq, row_hash) "
    "SELECT seq, suggestion_id, decided_at, 'co_responder', chain_seq, row_hash FROM decisions LIMIT 1",
    "INSERT INTO decisions (seq, suggestion_id, decided_at, sent, chain_seq, row_hash) SELECT seq, suggestion_id, "
    "decided_at, sent, chain_seq, row_hash FROM decisions LIMIT 1 ON CONFLICT (seq) DO UPDATE SET sent = 'patrol'",
    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '0')",
]


@pytest.mark.parametrize("sql", OVERWRITES)
def test_replace_and_upsert_are_refused(filled, sql):
    db, _ = filled
    before = _dump(db)
    con = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute(sql)
    con.commit()
    con.close()
    assert _dump(db) == before
    assert verify_chain(db).ok


def _dump(db):
    con = sqlite3.connect(db)
    try:
        return [con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("meta", "suggestions", "decisions")]
    finally:
        con.close()


def _tamper(db, *sql):
    """What someone with another tool can do: drop the triggers, then edit."""
    con = sqlite3.connect(db)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f"DROP TRIGGER {name}")
    for statement in sql:
        con.execute(statement)
    con.commit()
    con.close()


TAMPERINGS = {
    "edit a response": ["UPDATE suggestions SET response = 'patrol' WHERE chain_seq = 2"],
    "edit the notes": ["UPDATE suggestions SET call_json = '{\"notes\": \"x\"}' WHERE chain_seq = 1"],
    "edit a decision": ["UPDATE decisions SET sent = 'patrol' WHERE chain_seq = 5"],
    "delete a suggestion": ["DELETE FROM decisions WHERE chain_seq = 3", "DELETE FROM suggestions WHERE chain_seq = 1"],
    "delete a decision": ["DELETE FROM decisions WHERE chain_seq = 3"],
    "delete and renumber": ["DELETE FROM decisions WHERE chain_seq = 3",
                            "UPDATE suggestions SET chain_seq = chain_seq - 1 WHERE chain_seq > 3",
                            "UPDATE decisions SET chain_seq = chain_seq - 1 WHERE chain_seq > 3"],
    "swap two rows": ["UPDATE suggestions SET chain_seq = 100 WHERE chain_seq = 1",
                      "UPDATE suggestions SET chain_seq = 1 WHERE chain_seq = 2",
                      "UPDATE suggestions SET chain_seq = 2 WHERE chain_seq = 100"],
}


@pytest.mark.parametrize("what", list(TAMPERINGS))
def test_audit_verify_finds_edits_and_deletions(filled, what):
    db, _ = filled
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["audit", "verify", "--db", str(db)])
    assert ok.exit_code == 0 and "5 rows" in ok.output
    _tamper(db, *TAMPERINGS[what])
    assert not verify_chain(db).ok
    res = runner.invoke(cli_app, ["audit", "verify", "--db", str(db)])
    assert res.exit_code != 0 and "chain broken" in res.output


def test_a_cut_tail_is_found_against_the_logged_head(filled):
    db, _ = filled
    head = verify_chain(db).head
    _tamper(db, "DELETE FROM decisions WHERE chain_seq = 5")
    assert verify_chain(db).ok  # a shorter chain is still a chain ...
    res = CliRunner().invoke(cli_app, ["audit", "verify", "--db", str(db), "--expect-head", head])
    assert res.exit_code != 0 and "not in the chain" in res.output  # ... but not the one the log recorded


def test_reopening_continues_the_chain(filled, tiny_triager):
    db, _ = filled
    store = AuditStore(db)
    call = Call(notes=CLEAR_PATROL)
    store.record_suggestions([(new_suggestion_id(), call, tiny_triager.suggest(call))], "api")
    store.close()
    report = verify_chain(db)
    assert report.ok and report.rows == 6


def test_one_suggestion_stores_a_bounded_size(tmp_path, tiny_triager):
    store = AuditStore(tmp_path / "audit.db", max_record_bytes=4096)
    call = Call(notes=" ".join([CLEAR_CO_RESPONDER] * 40))
    s = tiny_triager.suggest(call)
    assert len(s.model_dump_json()) + len(call.model_dump_json()) > 4096
    store.record_suggestions([(new_suggestion_id(), call, s)], "api")
    store.close()
    con = sqlite3.connect(tmp_path / "audit.db")
    call_json, suggestion_json = con.execute("SELECT call_json, suggestion_json FROM suggestions").fetchone()
    con.close()
    assert len(call_json.encode()) + len(suggestion_json.encode()) <= 4096 + len(call_json.encode())
    stored = json.loads(suggestion_json)
    assert stored["response"] == s.response.value and stored["stored"].startswith("compact")
    assert len(suggestion_json.encode()) < 4096
    assert MAX_RECORD_BYTES <= 1 << 20


def test_default_audit_db_is_in_the_state_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_audit_path() == tmp_path / "state" / "cit_triage" / "audit.db"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_audit_path() == tmp_path / "home" / ".local" / "state" / "cit_triage" / "audit.db"


def test_serve_without_audit_db_writes_nothing_in_the_current_folder(tmp_path, monkeypatch, tiny_model_dir):
    import uvicorn

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CIT_TRIAGE_AUDIT_DB", raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)  # start-up only
    res = CliRunner().invoke(cli_app, ["serve", "--model", str(tiny_model_dir)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]
    folder = tmp_path / "state" / "cit_triage"
    assert (folder / "audit.db").is_file() and stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_readyz_fails_when_the_audit_log_cannot_be_written(make_client, tmp_path):
    store = AuditStore(tmp_path / "audit.db")
    # What a database SQLite could only open read-only looks like: reads answer, writes fail.
    store._db.close()
    store._db = sqlite3.connect(f"file:{tmp_path / 'audit.db'}?mode=ro", uri=True, check_same_thread=False,
                                isolation_level=None)
    assert store._db.execute("SELECT count(*) FROM suggestions").fetchone() == (0,)
    res = make_client(store=store).get("/readyz")
    assert res.status_code == 503 and res.json()["error"]["code"] == "not_ready"
    store.close()


def test_readyz_is_ready_when_writable(client):
    assert client.get("/readyz").status_code == 200
