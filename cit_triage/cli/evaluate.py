"""``cit-triage evaluate``: score a model on labeled past calls; write metrics.json and report.html."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import CitTriageError
from .common import check_input, check_output_folder, fail, needs_extra

MAP_HELP = "Input column for a Call field, FIELD=COLUMN (repeatable), e.g. --map notes=NARRATIVE --map call_type=TYPE."


def evaluate_command(
    calls: Path = typer.Argument(..., help="Labeled calls: CSV, JSONL or Parquet file, folder of part files, or glob."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for metrics.json and report.html."),
    label_column: str = typer.Option("label", "--label-column", help="Column with the agency's label."),
    map_: Optional[List[str]] = typer.Option(None, "--map", help=MAP_HELP),
    label_map: Optional[Path] = typer.Option(None, "--label-map", help="TOML/JSON mapping agency labels to patrol/cit/co_responder."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: the shipped model)."),
    policy: Optional[Path] = typer.Option(None, "--policy", help="Agency policy TOML (default: the shipped policy)."),
    slices: Optional[List[str]] = typer.Option(None, "--slice", help="Also break the numbers down by this column (repeatable)."),
    max_disagreements: int = typer.Option(300, "--max-disagreements", min=0, help="Most disagreements listed in the report."),
    no_notes: bool = typer.Option(False, "--no-notes", help="Leave call notes out of the report (for sharing)."),
) -> None:
    """Evaluate a model and policy on labeled calls: metrics.json + a self-contained report.html."""
    check_input(calls)
    check_output_folder(out)
    if label_map is not None:
        check_input(label_map, "label map")
    with needs_extra("evaluate"):
        from ..evaluate.evaluation import evaluate
        from ..evaluate.report import render_report  # noqa: F401 - the report's libraries, before the long run

    try:
        result = evaluate(calls, label_column=label_column, columns=map_, label_map=label_map, model=model,
                          policy=policy, slices=slices or [], progress=sys.stderr.isatty())
        result.write(out, max_disagreements=max_disagreements, include_notes=not no_notes)
    except CitTriageError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    print_summary(result.metrics)
    typer.echo(f"wrote {out / 'metrics.json'} and {out / 'report.html'}")


def print_summary(m: dict) -> None:
    rows = m["rows"]
    typer.echo(f"model {m['model_version']} · policy {m['policy_version']} · {rows['scored']} of {rows['total']} rows scored")
    typer.echo(f"macro-F1 {m['macro_f1']:.3f}  accuracy {m['accuracy']:.1%}  "
               f"behavioral-health recall {m['nexus']['recall']:.1%} precision {m['nexus']['precision']:.1%}")
    typer.echo("per class F1: " + ", ".join(f"{k} {v['f1']:.3f}" for k, v in m["per_class"].items()))
    typer.echo(f"ECE {m['calibration']['ece']:.3f}  needs review {m['needs_review']['rate']:.1%}  "
               f"disagreements {m['disagreements']['count']}")
    if rows["bad"]:
        shown = ", ".join(str(b["row"]) for b in m["bad_rows"][:10])
        more = " ..." if rows["bad"] > 10 else ""
        typer.echo(f"warning: {rows['bad']} bad rows not scored (rows {shown}{more}); see the report", err=True)


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_command)
