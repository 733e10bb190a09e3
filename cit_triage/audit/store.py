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

import hashlib
import json
import os
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from ..errors import CitTriageError
from ..io.private import private_dir, private_umask
from ..schema import RESPONSES, Call, Suggestion

SCHEMA_VERSION = "2"

#: Most bytes one suggestion may store (call + suggestion JSON). A larger explanation is
#: stored in its compact form (response, scores, versions, rule ids), so one request cannot
#: grow the log by megabytes. Notes are at most 64 K characters, so a call always fits.
MAX_RECORD_BYTES = 262_144

#: The hash the chain starts from (row 1's ``prev``).
GENESIS = "0" * 64

_RESPONSES_SQL = ", ".join(repr(r) for r in RESPONSES)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
INSERT INTO meta (key, value) SELECT 'schema_version', '{SCHEMA_VERSION}'
  WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'schema_version');
CREATE TABLE IF NOT EXISTS suggestions (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  source TEXT NOT NULL,
  call_json TEXT NOT NULL,
  response TEXT NOT NULL,
  needs_review INTEGER NOT NULL,
  model_version TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  suggestion_json TEXT NOT NULL,
  chain_seq INTEGER NOT NULL UNIQUE,
  row_hash TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS decisions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  suggestion_id TEXT NOT NULL REFERENCES suggestions(id),
  decided_at TEXT NOT NULL,
  sent TEXT NOT NULL CHECK (sent IN ({_RESPONSES_SQL})),
  override_reason TEXT,
  dispatcher TEXT,
  chain_seq INTEGER NOT NULL UNIQUE,
  row_hash TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS decisions_by_suggestion ON decisions (suggestion_id, seq);
-- /readyz writes here to prove the file can be written; it holds one timestamp, no notes.
CREATE TABLE IF NOT EXISTS probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at TEXT NOT NULL
) STRICT;
""" + "".join(
    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: {op} on {table} refused'); END;\n"
    for table in ("meta", "suggestions", "decisions") for op in ("UPDATE", "DELETE")
) + "".join(
    # INSERT OR REPLACE / REPLACE INTO delete the old row without firing DELETE triggers, and
    # an UPSERT updates it through its DO UPDATE clause: refuse any insert whose key exists.
    f"CREATE TRIGGER IF NOT EXISTS {table}_no_overwrite BEFORE INSERT ON {table} "
    f"WHEN {' OR '.join(f'EXISTS (SELECT 1 FROM {table} WHERE {c})' for c in conds)} "
    f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: a row with this key exists in {table}'); END;\n"
    for table, conds in (("meta", ["key = NEW.key"]), ("suggestions", ["id = NEW.id", "chain_seq = NEW.chain_seq"]),
                         ("decisions", ["seq = NEW.seq", "chain_seq = NEW.chain_seq"]))
)

_SUGGESTION_COLUMNS = ("id", "created_at", "source", "call_json", "response", "needs_review", "model_version",
                       "policy_version", "suggestion_json", "chain_seq")
_DECISION_COLUMNS = ("seq", "suggestion_id", "decided_at", "sent", "override_reason", "dispatcher", "chain_seq")


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


def default_audit_path() -> Path:
    """``$XDG_STATE_HOME/cit_triage/audit.db`` (default ``~/.local/state/cit_triage/audit.db``).

    The platform's state folder, never the current folder: a service started from a shared
    or world-readable folder must not leave call notes there.
    """
    state = os.environ.get("XDG_STATE_HOME", "").strip()
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "cit_triage" / "audit.db"


def row_hash(prev: str, table: str, values: tuple) -> str:
    """SHA-256 of the previous row's hash and this row's values (canonical JSON)."""
    payload = json.dumps([prev, table, list(values)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def stored_suggestion_json(call_json: str, suggestion: Suggestion, max_bytes: int = MAX_RECORD_BYTES) -> str:
    """The suggestion as stored: in full, or in its compact form when the record would exceed ``max_bytes``."""
    full = suggestion.model_dump_json()
    if len(call_json.encode()) + len(full.encode()) <= max_bytes:
        return full
    compact = suggestion.model_dump(mode="json", include={"response", "probabilities", "confidence", "needs_review",
                                                          "model_version", "policy_version"})
    compact["reasons"] = [r.id for r in suggestion.reasons if r.source == "rule"]
    compact["stored"] = f"compact: the full explanation was over {max_bytes} bytes"
    return json.dumps(compact, ensure_ascii=False)


class AuditStore:
    """A SQLite audit log shared by the service's worker threads (one connection, one lock).

    The database and its ``-wal``/``-shm`` journals are created 0600 (they hold call notes);
    a missing parent folder is created 0700. Every row extends a SHA-256 chain
    (``chain_seq``, ``row_hash``) checked by :func:`verify_chain` / ``cit-triage audit verify``.
    """

    def __init__(self, path: str | Path, *, synchronous: str = "FULL", max_record_bytes: int = MAX_RECORD_BYTES):
        if synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
            raise AuditError(f"synchronous must be FULL, NORMAL or EXTRA, got {synchronous!r}")
        self.path = Path(path)
        self.max_record_bytes = max_record_bytes
        self._lock = threading.Lock()
        self._closed = False
        try:
            if not self.path.parent.is_dir():
                private_dir(self.path.parent)
            with private_umask():
                _make_private(self.path)
                # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per request.
                self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute(f"PRAGMA synchronous={synchronous.upper()}")
                self._db.execute("PRAGMA foreign_keys=ON")
                self._db.executescript(_SCHEMA)
                version = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
                for suffix in ("-wal", "-shm"):  # journals left by an older version may be 0644
                    _make_private(Path(f"{self.path}{suffix}"), create=False)
        except (sqlite3.Error, OSError) as exc:
            raise AuditError(f"audit database {self.path}: {getattr(exc, 'strerror', None) or exc}") from None
        if version != SCHEMA_VERSION:
            self._db.close()
            raise AuditError(f"audit database {self.path} has schema {version}; this version writes schema "
                             f"{SCHEMA_VERSION}. Rotate it: move the file aside (keep it) and start a new log")
        self._head = self._read_head()

    def _read_head(self) -> tuple[int, str]:
        row = self._db.execute("SELECT chain_seq, row_hash FROM suggestions UNION ALL "
                               "SELECT chain_seq, row_hash FROM decisions ORDER BY 1 DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    @property
    def head(self) -> tuple[int, str]:
        """``(rows, hash)`` of the chain's last row: log it elsewhere to anchor the chain."""
        return self._head

    # -- writing -------------------------------------------------------------------------
    def record_suggestions(self, rows: list[tuple[str, Call, Suggestion]], source: str) -> None:
        """Store (id, call, suggestion) rows in one transaction; returns once it is durable."""
        now = _now()
        prepared = []
        for sid, call, s in rows:
            call_json = call.model_dump_json()
            prepared.append([sid, now, source, call_json, s.response.value, int(s.needs_review), s.model_version,
                             s.policy_version, stored_suggestion_json(call_json, s, self.max_record_bytes)])
        with self._lock:
            seq, prev = self._head
            values = []
            for row in prepared:
                seq += 1
                row = (*row, seq)
                prev = row_hash(prev, "suggestions", row)
                values.append((*row, prev))
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(f"INSERT INTO suggestions ({', '.join(_SUGGESTION_COLUMNS)}, row_hash) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise AuditError(f"audit database {self.path}: {exc}") from None
            self._head = (seq, prev)

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
                dseq = self._db.execute("SELECT coalesce(max(seq), 0) + 1 FROM decisions").fetchone()[0]
                seq = self._head[0] + 1
                values = (dseq, suggestion_id, now, sent, override_reason, dispatcher, seq)
                digest = row_hash(self._head[1], "decisions", values)
                self._db.execute(f"INSERT INTO decisions ({', '.join(_DECISION_COLUMNS)}, row_hash) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (*values, digest))
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise AuditError(f"audit database {self.path}: {exc}") from None
            self._head = (seq, digest)
        return Decision(dseq, suggestion_id, now, sent, row[0], override_reason, dispatcher)

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
        """True when the database can be written right now (used by /readyz).

        A read is not enough: a database opened read-only, a full disk or a lost folder still
        answer reads. The probe commits one timestamp to the ``probe`` table (no notes).
        """
        with self._lock:
            if self._closed:
                return False
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("INSERT INTO probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                                 (_now(),))
                self._db.execute("COMMIT")
            except sqlite3.Error:
                self._rollback()
                return False
        return self.path.exists()

    def checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it."""
        with self._lock:
            if not self._closed:
                try:
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:
                    pass

    def close(self) -> None:
        """Checkpoint the WAL into the database file and close (safe to call twice)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass  # close() still checkpoints when it can
            self._db.close()

    def _rollback(self) -> None:
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _make_private(path: Path, create: bool = True) -> None:
    """Create ``path`` empty at 0600 (or, for an existing file, make it 0600)."""
    if not create and not path.exists():
        return
    fd = os.open(path, os.O_RDWR | (os.O_CREAT if create else 0), 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found: ``ok`` and, when not, the first problem."""

    rows: int
    head: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(path: str | Path) -> ChainReport:
    """Re-check the audit log's hash chain, read-only: any edited, removed, reordered or
    inserted row breaks it. Rows cut from the end are only seen against a head recorded
    elsewhere (the service logs ``audit_rows``/``audit_head`` with every write)."""
    db = _open_ro(path)
    try:
        s_rows = db.execute(f"SELECT {', '.join(_SUGGESTION_COLUMNS)}, row_hash FROM suggestions").fetchall()
        d_rows = db.execute(f"SELECT {', '.join(_DECISION_COLUMNS)}, row_hash FROM decisions").fetchall()
    except sqlite3.Error as exc:
        raise AuditError(f"audit database {path}: {exc}") from None
    finally:
        db.close()
    # (chain_seq, table, hashed values, stored hash), in chain order; a non-integer seq sorts first.
    chain = sorted([(r[-2], "suggestions", tuple(r[:-1]), r[-1]) for r in s_rows] +
                   [(r[-2], "decisions", tuple(r[:-1]), r[-1]) for r in d_rows],
                   key=lambda x: x[0] if isinstance(x[0], int) else -1)
    prev = GENESIS
    for expected, (seq, table, values, stored) in enumerate(chain, 1):
        if seq != expected:
            what = "a row is missing" if isinstance(seq, int) and seq > expected else "rows are duplicated or renumbered"
            return ChainReport(expected - 1, prev, f"chain broken at row {expected}: {what} (found row {seq})")
        digest = row_hash(prev, table, values)
        if digest != stored:
            return ChainReport(expected - 1, prev, f"chain broken at row {expected} ({table}): the row was changed")
        prev = digest
    return ChainReport(len(chain), prev)


def _open_ro(path: str | Path) -> sqlite3.Connection:
    path = Path(path)
    if not path.is_file():
        raise AuditError(f"no audit database at {path}")
    try:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise AuditError(f"audit database {path}: {exc}") from None


def closed_loop_rows(path: str | Path) -> Iterator[dict]:
    """Every decided suggestion as ``{"call": dict, "decision": dict, "suggestion": dict}``, oldest first.

    Read-only; the latest decision for each suggestion wins (earlier ones were corrected).
    """
    db = _open_ro(path)
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
    db = _open_ro(path)
    try:
        return db.execute("SELECT count(*) FROM suggestions s WHERE NOT EXISTS "
                          "(SELECT 1 FROM decisions d WHERE d.suggestion_id = s.id)").fetchone()[0]
    finally:
        db.close()
