"""``cit-triage compare``: champion (A) against challenger (B) on the same labeled calls."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import CitTriageError
from .common import check_input, check_output_folder, fail, needs_extra
from .evaluate import MAP_HELP


def compare_command(
    model_a: Path = typer.Argument(..., help="Champion model folder (A)."),
    model_b: Path = typer.Argument(..., help="Challenger model folder (B)."),
    calls: Path = typer.Argument(..., help="Labeled calls: CSV, JSONL or Parquet file, folder or glob."),
    label_column: str = typer.Option("label", "--label-column", help="Column with the label."),
    map_: Optional[List[str]] = typer.Option(None, "--map", help=MAP_HELP),
    label_map: Optional[Path] = typer.Option(None, "--label-map", help="TOML/JSON mapping agency labels to patrol/cit/co_responder."),
    policy: Optional[Path] = typer.Option(None, "--policy", help="Agency policy TOML used for both models."),
    bootstrap: int = typer.Option(1000, "--bootstrap", min=10, help="Bootstrap resamples for the intervals."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    show: int = typer.Option(20, "--show", min=0, help="Disagreeing calls to print."),
    include_notes: bool = typer.Option(False, "--include-notes", help="Put the disagreeing calls' notes into compare.json."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for compare.json."),
) -> None:
    """Compare two models: metric deltas (B - A) with bootstrap CIs, McNemar's test, disagreeing calls."""
    check_input(calls)
    if out is not None:
        check_output_folder(out)
    with needs_extra("compare"):
        from ..evaluate.compare import compare

    try:
        result = compare(model_a, model_b, calls, label_column=label_column, columns=map_, label_map=label_map,
                         policy=policy, n_resamples=bootstrap, seed=seed, progress=sys.stderr.isatty(),
                         include_notes=include_notes, out=out)
    except CitTriageError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    print_comparison(result, show)
    if out is not None:
        typer.echo(f"wrote {out / 'compare.json'}")


def print_comparison(result, show: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..evaluate.compare import significant

    s = result.summary
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"A = {s['model_a']['model_version']} ({s['model_a']['path']})   "
                  f"B = {s['model_b']['model_version']} ({s['model_b']['path']})   "
                  f"{s['rows']['scored']} calls, {s['rows']['bad']} bad rows", markup=False)
    table = Table(title="B - A with 95% paired bootstrap intervals")
    for col, just in (("metric", "left"), ("A", "right"), ("B", "right"), ("B - A", "right"), ("95% CI", "right"), ("", "left")):
        table.add_column(col, justify=just)
    for name, m in s["metrics"].items():
        ci = f"[{m['ci_low']:+.3f}, {m['ci_high']:+.3f}]" if m["ci_low"] is not None else "–"
        verdict = ""
        if significant(m):
            verdict = "B better" if (m["delta"] > 0) == m["higher_is_better"] else "B worse"
        table.add_row(name.replace("_", " "), f"{m['a']:.3f}", f"{m['b']:.3f}", f"{m['delta']:+.3f}", ci, verdict)
    console.print(table)
    mc = s["mcnemar"]
    stat = f", statistic {mc['statistic']:.2f}" if mc["statistic"] is not None else ""
    console.print(f"McNemar ({mc['method']}): only A right {mc['only_a_correct']}, only B right {mc['only_b_correct']}"
                  f"{stat}, p = {mc['p_value']:.4g}", markup=False)
    console.print(f"calls where A and B suggest differently: {s['n_disagreements']}", markup=False)
    if result.disagreements and show:
        t = Table()
        for col in ("row", "call id", "label", "A", "B", "right"):
            t.add_column(col)
        for d in result.disagreements[:show]:
            t.add_row(str(d["row"]), d["call_id"] or "", d["label"], f"{d['a']} ({d['a_confidence']:.0%})",
                      f"{d['b']} ({d['b_confidence']:.0%})", d["correct"])
        console.print(t)


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_command)
