"""Dask: a 2-worker LocalCluster scores exactly like the local engine, survives a killed worker."""

from __future__ import annotations

import functools
import os
import sys

import cloudpickle
import dask.dataframe as dd
import pandas as pd
import psutil
import pytest

from cit_triage.scoring import (cached_triager, dask_client, score, score_dask, score_frame, score_to_parquet,
                                score_to_parquet_dask)
from cit_triage.scoring import dask as dask_scoring
from scoring_data import calls_frame

# Worker processes cannot import this test module by name: ship its functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

N = 5_000


@pytest.fixture(scope="module")
def client():
    with dask_client(workers=2) as c:
        yield c


@pytest.fixture(scope="module")
def calls() -> pd.DataFrame:
    return calls_frame(N)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Same values, same missing marker, whatever string dtype Dask chose."""
    frame = frame.reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None)


def test_local_cluster_listens_on_loopback_only(client):
    info = client.scheduler_info()
    assert info["address"].startswith("tcp://127.0.0.1:")
    assert len(info["workers"]) == 2 and all(a.startswith("tcp://127.0.0.1:") for a in info["workers"])
    assert all(w["nthreads"] == 1 for w in info["workers"].values())
    me = psutil.Process()
    listening = [c.laddr.ip for p in [me, *me.children(recursive=True)]
                 for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert listening and set(listening) == {"127.0.0.1"}


def test_score_dask_equals_local_row_for_row(client, calls, tiny_model):
    local = score(calls, model=tiny_model)
    ddf = dd.from_pandas(calls, npartitions=4)
    scored = score_dask(ddf, model=tiny_model)
    assert list(scored.columns) == list(local.columns)
    remote = client.compute(scored).result()
    assert len(remote) == N
    pd.testing.assert_frame_equal(_plain(remote), _plain(local))


def test_streaming_through_the_cluster_equals_local_file(client, calls, tiny_model, tmp_path):
    src = tmp_path / "calls.parquet"
    calls.iloc[:2_000].to_parquet(src)
    score_to_parquet(src, tmp_path / "local.parquet", model=tiny_model, chunk_rows=300)
    summary = score_to_parquet_dask(src, tmp_path / "dask.parquet", client=client, model=tiny_model, chunk_rows=300)
    local, remote = pd.read_parquet(tmp_path / "local.parquet"), pd.read_parquet(tmp_path / "dask.parquet")
    pd.testing.assert_frame_equal(remote, local)
    assert summary.rows == 2_000 and summary.engine == "dask" and summary.workers == 2


def test_each_worker_loads_the_model_once(client):
    stats = client.run(lambda: cached_triager.cache_info()._asdict())
    assert len(stats) == 2
    assert all(s["misses"] == 1 for s in stats.values())  # one model + policy pair, loaded once
    assert sum(s["hits"] for s in stats.values()) >= 4  # and reused by later tasks


def _die_once(part: pd.DataFrame, marker: str) -> pd.DataFrame:
    """Kill this worker process the first time any partition runs; later attempts pass."""
    if len(part) and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return part


def test_killed_worker_still_yields_every_row_exactly_once(client, calls, tiny_model, tmp_path):
    marker = str(tmp_path / "killed")
    frame = calls.iloc[:1_600]
    ddf = dd.from_pandas(frame, npartitions=4).map_partitions(_die_once, marker, meta=frame.iloc[:0])
    out = client.compute(score_dask(ddf, model=tiny_model), retries=2).result()
    assert os.path.exists(marker)  # a worker really died mid-run
    assert len(out) == 1_600 and out["call_id"].is_unique
    assert out["call_id"].tolist() == frame["call_id"].tolist()
    assert out["error"].isna().all() and out["response"].notna().all()


def _die_once_then_score(chunk: pd.DataFrame, *, marker: str, **kwargs) -> pd.DataFrame:
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return score_frame(chunk, **kwargs)


def test_streaming_run_survives_a_killed_worker(client, calls, tiny_model, tmp_path, monkeypatch):
    src = tmp_path / "calls.parquet"
    calls.iloc[:900].to_parquet(src)
    marker = str(tmp_path / "killed")
    monkeypatch.setattr(dask_scoring, "score_frame", functools.partial(_die_once_then_score, marker=marker))
    summary = score_to_parquet_dask(src, tmp_path / "out.parquet", client=client, model=tiny_model, chunk_rows=200)
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert os.path.exists(marker)
    assert summary.rows == 900 and out["call_id"].tolist() == calls["call_id"].iloc[:900].tolist()
    assert out["error"].isna().all()
