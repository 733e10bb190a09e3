"""Score a file, folder or glob of calls into Parquet on this machine, streaming.

Chunks are read, scored and appended to one Parquet file with a ``ParquetWriter``, so memory
stays flat whatever the input size. Every input row is written, in order; rows that cannot
be scored carry an ``error`` and are counted in the summary, never dropped.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..io.private import private_umask
from ..io.tabular import ColumnMap, input_files, iter_frames
from ..schema import RESPONSES
from .frame import as_column_map, cached_triager, resolve_paths, score_frame
from .layout import check_notes_column, complete_columns, input_schema, output_schema, to_table

#: Rows per chunk: ~10 s of work for one core, a few MB of memory.
DEFAULT_CHUNK_ROWS = 20_000


@dataclass
class ScoreSummary:
    """What a scoring run did: counts only, never note text."""

    rows: int = 0
    errors: int = 0
    responses: Counter = field(default_factory=Counter)
    needs_review: int = 0
    seconds: float = 0.0
    model_version: str = ""
    policy_version: str = ""
    engine: str = "local"
    workers: int = 1
    out: str | None = None

    def add(self, scored: pd.DataFrame) -> None:
        self.rows += len(scored)
        self.errors += int(scored["error"].notna().sum())
        self.responses.update(scored["response"].dropna())
        self.needs_review += int(scored["needs_review"].fillna(False).sum())

    @property
    def notes_per_second(self) -> float:
        return (self.rows / self.seconds) if self.seconds > 0 else 0.0

    def as_dict(self) -> dict:
        return {"rows": self.rows, "errors": self.errors, "responses": {k: self.responses.get(k, 0) for k in RESPONSES},
                "needs_review": self.needs_review, "seconds": round(self.seconds, 3),
                "notes_per_second": round(self.notes_per_second, 1), "engine": self.engine, "workers": self.workers,
                "model_version": self.model_version, "policy_version": self.policy_version, "out": self.out}

    def to_text(self) -> str:
        """The one-screen summary printed at the end of ``cit-triage score``."""
        scored = self.rows - self.errors
        lines = [f"scored {self.rows:,} rows in {self.seconds:,.1f} s: {self.notes_per_second:,.0f} notes/s "
                 f"({self.engine}, {self.workers} worker{'s' if self.workers != 1 else ''})"]
        if self.out:
            lines.append(f"written to {self.out}")
        lines.append(f"errors: {self.errors:,} row{'s' if self.errors != 1 else ''} kept with an error column"
                     if self.errors else "errors: none")
        lines.append(f"{'response':<14}{'rows':>12}{'share':>9}")
        for name in RESPONSES:
            n = self.responses.get(name, 0)
            lines.append(f"{name:<14}{n:>12,}{(n / scored if scored else 0):>9.1%}")
        lines.append(f"{'needs review':<14}{self.needs_review:>12,}{(self.needs_review / scored if scored else 0):>9.1%}")
        lines.append(f"model {self.model_version} · policy {self.policy_version}")
        return "\n".join(lines)


def score(frame_or_path: pd.DataFrame | str | Path, *, model: str | Path | None = None, policy: str | Path | None = None,
          columns: ColumnMap | dict | list | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS,
          available: list[str] | None = None) -> pd.DataFrame:
    """Score a DataFrame, or a CSV/JSONL/Parquet file, folder or glob, into one DataFrame.

    Every input row comes back, in order, with ``response``, ``p_patrol``, ``p_cit``,
    ``p_co_responder``, ``confidence``, ``needs_review``, ``risk_factors``, ``reasons``,
    ``model_version``, ``policy_version`` and ``error``. For inputs larger than memory use
    :func:`score_to_parquet`.

    Examples
    --------
    >>> import pandas as pd
    >>> from cit_triage.scoring import score
    >>> out = score(pd.DataFrame({"notes": ["shoplifter detained at Walmart, cooperative"]}))
    >>> out.loc[0, "response"]
    'patrol'
    """
    columns = as_column_map(columns)
    parts = [score_frame(chunk, model=model, policy=policy, columns=columns, available=available)
             for chunk in input_chunks(frame_or_path, columns, chunk_rows)]
    if not parts:
        from .frame import output_meta

        return output_meta(frame_or_path if isinstance(frame_or_path, pd.DataFrame) else pd.DataFrame())
    out = pd.concat(parts)
    return out if isinstance(frame_or_path, pd.DataFrame) else out.reset_index(drop=True)


def score_to_parquet(source: str | Path, out: str | Path, *, model: str | Path | None = None,
                     policy: str | Path | None = None, columns: ColumnMap | dict | list | None = None,
                     chunk_rows: int = DEFAULT_CHUNK_ROWS, progress: bool | None = None) -> ScoreSummary:
    """Stream ``source`` through the scorer in this process into the Parquet file ``out``."""
    columns = as_column_map(columns)
    plan = plan_input(source, columns)
    model_path, policy_path = resolve_paths(model, policy)
    triager = cached_triager(model_path, policy_path)  # load before the clock and fail early
    chunks = (score_frame(chunk, model=model_path, policy=policy_path, columns=columns)
              for chunk in input_chunks(source, columns, chunk_rows, plan))
    summary = ScoreSummary(model_version=triager.model_version, policy_version=triager.policy.policy_version)
    return write_scored(plan, out, chunks, summary, progress)


@dataclass(frozen=True)
class InputPlan:
    """The input files and the columns (with types) they hold, found once before a run."""

    files: list[Path]
    schema: pa.Schema


def plan_input(source: str | Path, columns: ColumnMap) -> InputPlan:
    """Find the files and their columns; fail once, up front, without the notes column."""
    files = input_files(source)
    schema = input_schema(files)
    check_notes_column(schema, columns.column_for("notes"))
    return InputPlan(files, schema)


def input_chunks(source: str | Path | pd.DataFrame, columns: ColumnMap, chunk_rows: int,
                 plan: InputPlan | None = None) -> Iterator[pd.DataFrame]:
    """Chunks of the input, each with every input column."""
    if isinstance(source, pd.DataFrame):
        yield from iter_frames(source, chunk_rows)
        return
    plan = plan or plan_input(source, columns)
    for chunk in iter_frames(source, chunk_rows):
        yield complete_columns(chunk, plan.schema.names)


def write_scored(plan: InputPlan, out: str | Path, scored_chunks: Iterable[pd.DataFrame], summary: ScoreSummary,
                 progress: bool | None = None) -> ScoreSummary:
    """Append scored chunks to ``out`` as they come; fill and return ``summary``."""
    schema = output_schema(plan.schema)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    start = time.perf_counter()
    try:
        # Created 0600 from the first byte: the scored file carries every input column, notes included.
        with private_umask():
            writer = pq.ParquetWriter(tmp, schema, compression="zstd")
        with _progress(progress, _known_rows(plan.files)) as bar, writer:
            for scored in scored_chunks:
                writer.write_table(to_table(scored, schema))
                summary.add(scored)
                bar(len(scored))
    except BaseException:
        tmp.unlink(missing_ok=True)  # a failed run leaves no half file behind
        raise
    tmp.replace(out)
    summary.seconds = time.perf_counter() - start
    summary.out = str(out)
    return summary


def _known_rows(files: list[Path]) -> int | None:
    if all(f.suffix.lower() in (".parquet", ".pq") for f in files):
        return sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return None


class _progress:
    """A tqdm bar on stderr, only when stderr is a terminal (never in logs or CI)."""

    def __init__(self, enabled: bool | None, total: int | None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.total = total
        self.bar = None

    def __enter__(self) -> Callable[[int], None]:
        if self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, unit=" notes", file=sys.stderr, dynamic_ncols=True)
            return self.bar.update
        return lambda n: None

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()

