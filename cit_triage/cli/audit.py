"""``cit-triage audit export``: past calls and dispatcher decisions as labeled data."""

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


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
