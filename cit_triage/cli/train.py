"""``cit-triage train``: cross-validate, fit and save a model folder with its model card."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import CitTriageError
from .common import check_input, check_output_folder, fail, needs_extra
from .evaluate import MAP_HELP


def train_command(
    data: List[Path] = typer.Argument(..., help="Labeled calls: one or more CSV, JSONL or Parquet files, folders or globs."),
    out: Path = typer.Option(..., "--out", "-o", help="Model folder to write, e.g. models/agency-2026."),
    seed: int = typer.Option(0, "--seed", help="Seed for the folds and the calibration (same seed, same model)."),
    folds: int = typer.Option(5, "--folds", min=0, help="Stratified cross-validation folds (0 or 1: skip)."),
    label_column: str = typer.Option("label", "--label-column", help="Column with the label."),
    map_: Optional[List[str]] = typer.Option(None, "--map", help=MAP_HELP),
    label_map: Optional[Path] = typer.Option(None, "--label-map", help="TOML/JSON mapping agency labels to patrol/cit/co_responder."),
    policy: Optional[Path] = typer.Option(None, "--policy", help="Agency policy TOML (default: the shipped policy)."),
    model_version: Optional[str] = typer.Option(None, "--model-version", help="Version string (default: today's date)."),
    skip_bad_rows: bool = typer.Option(False, "--skip-bad-rows", help="Train without bad rows (they are listed in the card)."),
    weight: Optional[List[str]] = typer.Option(None, "--weight", help="FILE=W: weight of one training file's rows, e.g. train-cad.jsonl=3."),
    group_column: str = typer.Option("agency", "--group-column", help="Column naming each row's agency: cross-validation holds out whole agencies."),
    force: bool = typer.Option(False, "--force", help="Overwrite the model folder --out if it already holds files."),
) -> None:
    """Train a model: agency-grouped cross-validation, decision thresholds, calibration, model folder + card."""
    for d in data:
        check_input(d)
    check_output_folder(out)
    if out.is_dir() and any(out.iterdir()) and not force:
        fail(f"{out} already exists and is not empty: pass --force to overwrite it, or choose another --out")
    with needs_extra("train"):
        from ..model.crossval import train

    weights = {}
    for item in weight or []:
        name, sep, value = item.rpartition("=")
        try:
            weights[name] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name:
            fail(f"--weight takes FILE=NUMBER, got {item!r}")
    try:
        manifest = train([str(d) for d in data], out, label_column=label_column, columns=map_, label_map=label_map,
                         seed=seed, folds=folds, model_version=model_version, policy=policy,
                         allow_bad_rows=skip_bad_rows, progress=sys.stderr.isatty(), weights=weights,
                         group_column=group_column)
    except CitTriageError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    info = manifest["training_data"]
    typer.echo(f"trained {manifest['model_version']} on {info['n_calls']} calls "
               f"({', '.join(f'{k} {v}' for k, v in info['labels'].items())}), seed {seed}")
    if info["bad_rows"]:
        typer.echo(f"warning: skipped {len(info['bad_rows'])} bad rows (listed in model_card.md)", err=True)
    cv = manifest["metrics"].get("cross_validation")
    if cv:
        grouped = "agency-grouped " if cv.get("grouped_by") else ""
        for f in cv["per_fold"]:
            typer.echo(f"  fold {f['fold']}: macro-F1 {f['macro_f1']:.3f} (model alone {f['model_only_macro_f1']:.3f}, "
                       f"findings alone {f['findings_only_macro_f1']:.3f}), BH recall {f['nexus_recall']:.3f}, n={f['n']}")
        m, p = cv["mean"]["macro_f1"], cv["pooled"]
        typer.echo(f"{grouped}cross-validated macro-F1 {m['mean']:.3f} (95% CI {m['low']:.3f}–{m['high']:.3f}) over {cv['folds']} folds; "
                   f"pooled {p['macro_f1']:.3f}, BH recall {p['nexus_recall']:.3f}, ECE {p['ece']:.3f}, "
                   f"beyond the findings {p['beyond_findings']['count']} ({p['beyond_findings']['right']} right)")
    typer.echo(f"wrote {out} (model_card.md, model_card.json)")


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)
