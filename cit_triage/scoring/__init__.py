"""Batch scoring: every row of a file, folder, DataFrame or Dask DataFrame, explained.

- :func:`score` — pandas in, pandas out (or a file path in), this process.
- :func:`score_to_parquet` — stream any size of input into one Parquet file, this process.
- :func:`score_dask` — a ``dask.dataframe`` in, a lazy scored one out (``map_partitions``).
- :func:`score_to_parquet_dask` — stream through a Dask cluster (LocalCluster by default).
- :func:`score_frame` — the pandas function they all run; wrap it for Spark's ``mapInPandas``.
"""

from .frame import SCORE_COLUMNS, cached_triager, output_meta, score_frame
from .local import DEFAULT_CHUNK_ROWS, ScoreSummary, score, score_to_parquet


def __getattr__(name: str):
    # Dask is imported only when used: plain pandas scoring starts faster without it.
    if name in ("score_dask", "score_to_parquet_dask", "dask_client"):
        from . import dask as _dask

        return getattr(_dask, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_CHUNK_ROWS", "SCORE_COLUMNS", "ScoreSummary", "cached_triager", "dask_client", "output_meta", "score",
    "score_dask", "score_frame", "score_to_parquet", "score_to_parquet_dask",
]
