"""Dask: score a ``dask.dataframe``, or stream a file through a cluster into one Parquet file.

Tasks carry only the model and policy *paths*; each worker process loads the model once
through ``cached_triager`` and keeps it. Workers must therefore see the same model folder
at the same path (the default model ships inside the package install).

Without a scheduler address a ``LocalCluster`` is started on 127.0.0.1 only: worker
processes with one thread each and no dashboard, so nothing listens beyond loopback.
"""

from __future__ import annotations

import uuid
from collections import deque
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

import pandas as pd

from ..io.tabular import ColumnMap
from .frame import as_column_map, cached_triager, output_meta, resolve_paths, score_frame
from .local import DEFAULT_CHUNK_ROWS, ScoreSummary, input_chunks, plan_input, write_scored

#: Chunk tasks may fail this many times (beyond worker deaths, which Dask retries itself).
DEFAULT_RETRIES = 2


def score_dask(ddf, *, model: str | Path | None = None, policy: str | Path | None = None,
               columns: ColumnMap | dict | list | None = None, available: list[str] | None = None):
    """Lazily score every partition of a ``dask.dataframe.DataFrame`` (``map_partitions``).

    The result has the input columns plus the score columns, partition for partition and
    row for row; compute it, or write it with ``to_parquet``, on any scheduler.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> from cit_triage.scoring import score_dask
    >>> ddf = dd.from_pandas(pd.DataFrame({"notes": ["shoplifter detained at Walmart, cooperative"]}), npartitions=1)
    >>> score_dask(ddf).compute(scheduler="sync").loc[0, "response"]
    'patrol'
    """
    model_path, policy_path = resolve_paths(model, policy)
    return ddf.map_partitions(score_frame, model=model_path, policy=policy_path, columns=as_column_map(columns),
                              available=available, meta=output_meta(ddf._meta))


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2):
    """A client for ``scheduler``, or for a loopback-only ``LocalCluster`` of ``workers`` processes."""
    from distributed import Client, LocalCluster

    if scheduler:
        _warn_if_plain(scheduler)
        # TLS certificates and keys come from Dask's own configuration (distributed.comm.tls.*),
        # which Client reads itself; see docs/scoring.md.
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def score_to_parquet_dask(source: str | Path, out: str | Path, *, client=None, scheduler: str | None = None,
                          workers: int = 2, model: str | Path | None = None, policy: str | Path | None = None,
                          columns: ColumnMap | dict | list | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                          progress: bool | None = None, retries: int = DEFAULT_RETRIES) -> ScoreSummary:
    """Like :func:`~cit_triage.scoring.local.score_to_parquet`, with chunks scored on Dask workers.

    This process reads the input and writes ``out`` in order; at most two chunks per worker
    are in flight, so its memory stays flat. A chunk whose worker dies is run again by Dask.
    """
    columns = as_column_map(columns)
    plan = plan_input(source, columns)  # a bad path or missing notes column fails before a cluster starts
    model_path, policy_path = resolve_paths(model, policy)
    local = cached_triager(model_path, policy_path)  # a bad model or policy fails here, once
    with (nullcontext(client) if client is not None else dask_client(scheduler, workers)) as client:
        n = max(1, len(client.scheduler_info().get("workers", {})))
        client.run(_warm, model_path, policy_path)  # every worker loads the model once, before the clock
        summary = ScoreSummary(model_version=local.model_version, policy_version=local.policy.policy_version,
                               engine="dask", workers=n)
        chunks = _in_order(client, input_chunks(source, columns, chunk_rows, plan), 2 * n, retries,
                           dict(model=model_path, policy=policy_path, columns=columns))
        return write_scored(plan, out, chunks, summary, progress)


def _warn_if_plain(address: str) -> None:
    """Chunks carry call notes: say so when they would cross a network unencrypted."""
    import ipaddress
    import warnings
    from urllib.parse import urlparse

    parsed = urlparse(address if "://" in address else f"tcp://{address}")
    host = (parsed.hostname or "").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parsed.scheme in ("tcp", "ws") and not loopback:
        warnings.warn(f"the Dask scheduler {parsed.hostname} is reached over plain {parsed.scheme}://: call notes will "
                      "cross the network unencrypted and any host that can reach it can run code on the cluster. "
                      "Use tls:// with Dask's TLS settings on a trusted network (docs/scoring.md)", stacklevel=3)


def _warm(model: str, policy: str | None) -> str:
    return cached_triager(model, policy).model_version


def _in_order(client, frames: Iterator[pd.DataFrame], window: int, retries: int, kwargs: dict) -> Iterator[pd.DataFrame]:
    """Submit chunks with at most ``window`` in flight; yield results in input order."""
    run = uuid.uuid4().hex[:8]
    pending: deque = deque()
    try:
        for i, chunk in enumerate(frames):
            # The chunk travels inside the task (not scattered), so the scheduler can rerun it
            # on another worker if this one dies.
            pending.append(client.submit(score_frame, chunk, key=f"cit-score-{run}-{i}", retries=retries, **kwargs))
            while len(pending) >= window:
                yield _take(pending)
        while pending:
            yield _take(pending)
    finally:
        if pending:
            client.cancel(list(pending))


def _take(pending: deque) -> pd.DataFrame:
    future = pending.popleft()
    result = future.result()
    future.release()
    return result
