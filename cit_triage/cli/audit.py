"""``cit-triage audit export`` (past calls and decisions as labeled data) and ``audit verify``."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import fail

audit_app = typer.Typer(help="The local audit log of served suggestions and dispatcher decisions.",
                        no_args_is_help=True)


@audit_app.command("export")
def export_command(
    db: Path = typer.Option(..., "--db", help="The audit database written by `cit-triage serve`."),
    out: Path = typer.Option(..., "--out", help="FILE.jsonl or FILE.csv, read by `cit-triage evaluate` and `train`."),
) -> None:
    """Write decided calls with label = what the dispatcher sent (the file holds call notes)."""
    from ..audit import AuditError, export_audit

    try:
        summary = export_audit(db, out)
    except AuditError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    typer.echo(f"wrote {summary.written} decided calls to {summary.path} ({summary.overrides} overrides); "
               f"{summary.undecided} suggestions have no decision yet and were not written")


@audit_app.command("verify")
def verify_command(
    db: Path = typer.Option(..., "--db", help="The audit database written by `cit-triage serve`."),
    expect_head: str = typer.Option(None, "--expect-head", help="A head hash recorded earlier (from the service log "
                                    "or a previous verify): also proves no row was cut from the end."),
) -> None:
    """Re-check the audit log's hash chain: any row edited, deleted or inserted by another tool is found."""
    from ..audit import AuditError, verify_chain

    try:
        report = verify_chain(db)
    except AuditError as exc:
        fail(str(exc))
    if not report.ok:
        fail(f"{db}: {report.problem}; the first {report.rows} rows are intact")
    if expect_head is not None and not _chain_has(db, expect_head.strip().lower()):
        fail(f"{db}: the recorded head {expect_head} is not in the chain: rows were cut or rewritten")
    typer.echo(f"ok: {report.rows} rows, chain intact; head {report.head}")


def _chain_has(db: Path, digest: str) -> bool:
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT 1 FROM suggestions WHERE row_hash = ? UNION ALL "
                           "SELECT 1 FROM decisions WHERE row_hash = ?", (digest, digest)).fetchone() is not None
    finally:
        con.close()


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
