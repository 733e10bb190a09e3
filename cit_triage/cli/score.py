"""``cit-triage score``: score a history of calls into Parquet, streaming, locally or on Dask."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import CitTriageError
from .common import check_input, check_output_file, fail, needs_extra


class Engine(str, enum.Enum):
    local = "local"
    dask = "dask"


def score_command(
    calls: str = typer.Argument(..., help="CSV, JSONL or Parquet: a file, a glob (quote it) or a folder of part files."),
    out: Path = typer.Option(..., "--out", "-o", help="The scored Parquet file to write."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local: this process; dask: a Dask cluster."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (default: start a LocalCluster on 127.0.0.1)."),
    workers: int = typer.Option(2, "--workers", min=1, help="Worker processes of the LocalCluster (dask engine)."),
    map_: Optional[List[str]] = typer.Option(None, "--map", help="FIELD=COLUMN, e.g. notes=NARRATIVE (repeatable)."),
    chunk_rows: int = typer.Option(20_000, "--chunk-rows", min=1, help="Rows read, scored and written at a time."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: the shipped model)."),
    policy: Optional[Path] = typer.Option(None, "--policy", help="Agency policy TOML (default: the shipped policy)."),
) -> None:
    """Score every call in CALLS; write each row, in order, with its suggestion to --out."""
    with needs_extra("score --engine dask" if engine is Engine.dask else "score"):
        import pyarrow  # noqa: F401 - fail here, before any work, when the extra is missing

        if engine is Engine.dask:
            import dask.distributed  # noqa: F401
        from ..scoring import score_to_parquet, score_to_parquet_dask
        from ..scoring.frame import as_column_map

    if scheduler and engine is not Engine.dask:
        fail("--scheduler needs --engine dask")
    if out.suffix.lower() not in (".parquet", ".pq"):
        fail(f"--out must be a .parquet file, got {out.name!r}")
    check_input(calls)
    check_output_file(out)
    try:
        columns = as_column_map(map_)
        if engine is Engine.dask:
            summary = score_to_parquet_dask(calls, out, scheduler=scheduler, workers=workers, model=model, policy=policy,
                                            columns=columns, chunk_rows=chunk_rows)
        else:
            summary = score_to_parquet(calls, out, model=model, policy=policy, columns=columns, chunk_rows=chunk_rows)
    except CitTriageError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    except Exception as exc:  # noqa: BLE001 - a cluster failure is one line, not a traceback
        if engine is not Engine.dask:
            raise
        fail(f"dask run failed ({type(exc).__name__}): {exc}")
    typer.echo(summary.to_text())


def register(app: typer.Typer) -> None:
    app.command("score")(score_command)
