"""The audit log: every suggestion served and what the dispatcher then sent, in SQLite.

Append-only by construction: triggers abort any UPDATE or DELETE, so a correction is a new
decision row (the latest decision for a suggestion wins on export). The database holds the
call notes — it is sensitive data, to be stored and backed up like the CAD itself. Nothing in
this module logs or raises with note text.

Durability: WAL journal with ``synchronous=FULL``. In WAL mode NORMAL already survives a killed
process (the WAL is written before COMMIT returns), but may lose the last transactions on a
power cut or OS crash; FULL fsyncs the WAL on every commit, so an acknowledged suggestion id is
on disk even then. A commit costs one fsync (well under a millisecond on SSDs), and a batch
request is one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from ..errors import CitTriageError
from ..schema import RESPONSES, Call, Suggestion

SCHEMA_VERSION = "1"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');
CREATE TABLE IF NOT EXISTS suggestions (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  source TEXT NOT NULL,
  call_json TEXT NOT NULL,
  response TEXT NOT NULL,
  needs_review INTEGER NOT NULL,
  model_version TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  suggestion_json TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS decisions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  suggestion_id TEXT NOT NULL REFERENCES suggestions(id),
  decided_at TEXT NOT NULL,
  sent TEXT NOT NULL CHECK (sent IN ({", ".join(repr(r) for r in RESPONSES)})),
  override_reason TEXT,
  dispatcher TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS decisions_by_suggestion ON decisions (suggestion_id, seq);
""" + "".join(
    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: {op} on {table} refused'); END;\n"
    for table in ("meta", "suggestions", "decisions") for op in ("UPDATE", "DELETE")
)


class AuditError(CitTriageError):
    """The audit database cannot be opened or written."""


class UnknownSuggestion(AuditError, KeyError):
    """A decision names a suggestion id the audit log has never served."""


@dataclass(frozen=True)
class Decision:
    """One recorded dispatcher decision."""

    seq: int
    suggestion_id: str
    decided_at: str
    sent: str
    suggested: str
    override_reason: str | None
    dispatcher: str | None


def new_suggestion_id() -> str:
    return str(uuid.uuid4())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class AuditStore:
    """A SQLite audit log shared by the service's worker threads (one connection, one lock)."""

    def __init__(self, path: str | Path, *, synchronous: str = "FULL"):
        if synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
            raise AuditError(f"synchronous must be FULL, NORMAL or EXTRA, got {synchronous!r}")
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per request.
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous.upper()}")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise AuditError(f"audit database {self.path}: {exc}") from None

    # -- writing -------------------------------------------------------------------------
    def record_suggestions(self, rows: list[tuple[str, Call, Suggestion]], source: str) -> None:
        """Store (id, call, suggestion) rows in one transaction; returns once it is durable."""
        now = _now()
        values = [(sid, now, source, call.model_dump_json(), s.response.value, int(s.needs_review),
                   s.model_version, s.policy_version, s.model_dump_json()) for sid, call, s in rows]
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany("INSERT INTO suggestions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise AuditError(f"audit database {self.path}: {exc}") from None

    def record_decision(self, suggestion_id: str, sent: str, override_reason: str | None = None,
                        dispatcher: str | None = None) -> Decision:
        """Append what the dispatcher sent for a served suggestion."""
        now = _now()
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                row = self._db.execute("SELECT response FROM suggestions WHERE id = ?", (suggestion_id,)).fetchone()
                if row is None:
                    self._db.execute("ROLLBACK")
                    raise UnknownSuggestion(f"no suggestion with id {suggestion_id} in the audit log")
                cur = self._db.execute(
                    "INSERT INTO decisions (suggestion_id, decided_at, sent, override_reason, dispatcher) VALUES (?, ?, ?, ?, ?)",
                    (suggestion_id, now, sent, override_reason, dispatcher))
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise AuditError(f"audit database {self.path}: {exc}") from None
        return Decision(cur.lastrowid, suggestion_id, now, sent, row[0], override_reason, dispatcher)

    # -- reading -------------------------------------------------------------------------
    def suggested_response(self, suggestion_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT response FROM suggestions WHERE id = ?", (suggestion_id,)).fetchone()
        return row[0] if row else None

    def counts(self) -> dict[str, int]:
        with self._lock:
            n = self._db.execute("SELECT count(*) FROM suggestions").fetchone()[0]
            decided = self._db.execute("SELECT count(DISTINCT suggestion_id) FROM decisions").fetchone()[0]
        return {"suggestions": n, "decided": decided}

    def ping(self) -> bool:
        """True when the database answers (used by /readyz)."""
        try:
            with self._lock:
                self._db.execute("SELECT 1 FROM meta LIMIT 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _rollback(self) -> None:
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def closed_loop_rows(path: str | Path) -> Iterator[dict]:
    """Every decided suggestion as ``{"call": dict, "decision": dict, "suggestion": dict}``, oldest first.

    Read-only; the latest decision for each suggestion wins (earlier ones were corrected).
    """
    path = Path(path)
    if not path.is_file():
        raise AuditError(f"no audit database at {path}")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise AuditError(f"audit database {path}: {exc}") from None
    query = """
      SELECT s.id, s.created_at, s.call_json, s.response, s.needs_review, s.model_version, s.policy_version,
             d.sent, d.override_reason, d.decided_at, d.dispatcher
      FROM suggestions s
      JOIN decisions d ON d.seq = (SELECT max(seq) FROM decisions WHERE suggestion_id = s.id)
      ORDER BY s.rowid"""
    try:
        for (sid, created, call_json, suggested, review, mv, pv, sent, reason, decided, who) in db.execute(query):
            yield {
                "call": json.loads(call_json),
                "suggestion": {"suggestion_id": sid, "created_at": created, "suggested": suggested,
                               "needs_review": bool(review), "model_version": mv, "policy_version": pv},
                "decision": {"label": sent, "override_reason": reason, "decided_at": decided, "dispatcher": who},
            }
    except sqlite3.Error as exc:
        raise AuditError(f"audit database {path}: {exc}") from None
    finally:
        db.close()


def count_undecided(path: str | Path) -> int:
    """Suggestions with no decision yet (reported by export, never silently skipped)."""
    db = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    try:
        return db.execute("SELECT count(*) FROM suggestions s WHERE NOT EXISTS "
                          "(SELECT 1 FROM decisions d WHERE d.suggestion_id = s.id)").fetchone()[0]
    finally:
        db.close()
