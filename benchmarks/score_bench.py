"""Batch scoring throughput: local engine on one process vs a Dask LocalCluster.

    .venv/bin/python benchmarks/score_bench.py --rows 1000000

Generates ROWS varied synthetic notes (written here, no real call text) into a Parquet file,
then scores it with ``cit-triage score``'s two engines, each in a fresh process so the
driver's peak RSS is its own. Prints a Markdown table (notes/s, driver and worker peak RSS,
scaling ratio) and the sizing for 50 million calls in one hour; ``--json`` writes the raw
numbers too. Speed numbers live here, never in unit tests.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_CALLS, TARGET_SECONDS = 50_000_000, 3_600

# Phrases written for this benchmark; combined at random into notes of 1-4 clauses.
OPENERS = ["RP states", "caller reports", "neighbor says", "CP advises", "mother states", "store security reports",
           "anonymous caller reports", "RP's wife says", "school counselor reports", "911 hang up, on callback"]
PATROL = ["male shoplifting at register, cooperative", "vehicle broken into overnight, window smashed",
          "loud party next door, ongoing for hours", "two cars collided at intersection, no injuries",
          "burglar alarm at business, no keyholder", "bike stolen from front porch", "suspicious vehicle parked",
          "subj trespassing behind building", "verbal dispute between roommates over rent", "drunk male asleep in doorway"]
CRISIS = ["son is hearing voices and hasn't slept in days", "brother says he wants to kill himself",
          "female talking to people who aren't there", "subj paranoid, thinks he is being followed",
          "daughter stopped taking her meds, very confused", "friend posted goodbye messages online",
          "elderly father w/ dementia wandering, agitated", "teen having a panic attack, can't calm down",
          "hx of bipolar, screaming at cars in the street", "EDP yelling at passersby"]
RISK = ["has a kitchen knife", "threatened to stab his father", "says he has a gun in the house",
        "breaking windows and throwing furniture", "standing on the bridge railing", "took a bottle of pills on purpose",
        "barricaded in the bedroom", "swinging a bat at neighbors"]
TAILS = ["no weapons", "not violent", "unk weapons", "RP on scene", "hx of SI", "lives alone", "wants him evaluated",
         "no injuries", "RP will meet officers out front", "denies SI"]


def make_notes(rng: random.Random) -> str:
    kind = rng.random()
    parts = [rng.choice(OPENERS)]
    if kind < 0.5:
        parts.append(rng.choice(PATROL))
    else:
        parts.append(rng.choice(CRISIS))
        if kind > 0.75:
            parts.append(rng.choice(RISK))
    parts += rng.sample(TAILS, rng.randint(0, 2))
    return ", ".join(parts)


def generate(path: Path, rows: int, seed: int = 11, batch: int = 100_000) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    schema = pa.schema([("call_id", pa.string()), ("notes", pa.string())])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, batch):
            n = min(batch, rows - start)
            writer.write_table(pa.table({"call_id": [f"B{i:09d}" for i in range(start, start + n)],
                                         "notes": [make_notes(rng) for _ in range(n)]}, schema=schema))


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args: argparse.Namespace) -> None:
    """One engine in this fresh process; prints one JSON line.

    CPU seconds are counted besides wall time: on a shared machine other jobs steal cores,
    and notes per CPU-second is the per-core rate that sizing needs.
    """
    from cit_triage.scoring import cached_triager, dask_client, score_to_parquet, score_to_parquet_dask
    from cit_triage.scoring.frame import resolve_paths

    t0 = time.perf_counter()
    worker_rss = None
    cached_triager(*resolve_paths(args.model, None))  # load outside the measured CPU time
    if args.engine == "local":
        cpu0 = _cpu()
        summary = score_to_parquet(args.src, args.out, model=args.model, chunk_rows=args.chunk_rows, progress=False)
        worker_cpu = 0.0
    else:
        with dask_client(workers=args.workers) as client:
            client.run(lambda: cached_triager(*resolve_paths(args.model, None)) and None)
            before = client.run(_cpu)
            cpu0 = _cpu()
            summary = score_to_parquet_dask(args.src, args.out, client=client, model=args.model,
                                            chunk_rows=args.chunk_rows, progress=False)
            after = client.run(_cpu)
            worker_cpu = sum(after[w] - before.get(w, 0.0) for w in after)
            worker_rss = max(client.run(_rss_mb).values())
    driver_cpu = _cpu() - cpu0
    result = summary.as_dict()
    cpu = driver_cpu + worker_cpu
    result.update(wall_seconds=round(time.perf_counter() - t0, 2), driver_cpu_seconds=round(driver_cpu, 1),
                  worker_cpu_seconds=round(worker_cpu, 1), notes_per_cpu_second=round(summary.rows / cpu, 1),
                  driver_peak_rss_mb=round(_rss_mb(), 1), worker_peak_rss_mb=round(worker_rss, 1) if worker_rss else None)
    print(json.dumps(result))


def run_engine(engine: str, src: Path, out: Path, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--child", engine, "--src", str(src), "--out", str(out),
           "--workers", str(args.workers), "--chunk-rows", str(args.chunk_rows)]
    if args.model:
        cmd += ["--model", str(args.model)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{engine} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def sizing(per_worker: float) -> tuple[int, int]:
    """Workers for 50 M calls in an hour at ``per_worker`` notes/s; and with 30 % headroom."""
    need = TARGET_CALLS / TARGET_SECONDS
    return math.ceil(need / per_worker), math.ceil(need / (per_worker * 0.7))


def report(rows: int, results: dict[str, dict]) -> str:
    local, dask = results.get("local"), results.get("dask")
    lines = [f"{rows:,} notes · {os.cpu_count()} cores · Python {platform.python_version()} · "
             f"model {next(iter(results.values()))['model_version']}", "",
             "| engine | workers | seconds | notes/s | notes per CPU-second | driver peak RSS | worker peak RSS | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        worker = f"{r['worker_peak_rss_mb']:,.0f} MB" if r["worker_peak_rss_mb"] else "(in driver)"
        lines.append(f"| {name} | {r['workers']} | {r['seconds']:,.1f} | {r['notes_per_second']:,.0f} | "
                     f"{r['notes_per_cpu_second']:,.0f} | {r['driver_peak_rss_mb']:,.0f} MB | {worker} | {r['errors']} |")
    if local and dask:
        ratio = dask["notes_per_second"] / local["notes_per_second"]
        lines += ["", f"scaling ratio (dask {dask['workers']} workers / local 1 process): {ratio:.2f}x "
                      f"(ideal {dask['workers']:.2f}x; the driver shares the {os.cpu_count()} cores)"]
    lines += ["", f"sizing: {TARGET_CALLS:,} calls in one hour = {TARGET_CALLS / TARGET_SECONDS:,.0f} notes/s "
                  "(one worker = one core)", "",
              "| per-core rate from | notes/s per core | workers needed | with 30% headroom |", "|---|---:|---:|---:|"]
    for name, r in results.items():
        for label, per in ((f"{name} run, wall clock", r["notes_per_second"] / r["workers"]),
                           (f"{name} run, CPU time", r["notes_per_cpu_second"])):
            need, safe = sizing(per)
            lines.append(f"| {label} | {per:,.0f} | {need} | {safe} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="notes to generate and score")
    parser.add_argument("--workers", type=int, default=2, help="Dask LocalCluster worker processes")
    parser.add_argument("--chunk-rows", type=int, default=20_000)
    parser.add_argument("--engines", default="local,dask", help="comma-separated: local, dask")
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: the shipped model)")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    parser.add_argument("--input", type=Path, default=None,
                        help="score this Parquet file of your own calls (a 'notes' column) instead of generated notes")
    parser.add_argument("--child", choices=["local", "dask"], help=argparse.SUPPRESS)
    parser.add_argument("--src", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.engine = args.child
        child(args)
        return
    with tempfile.TemporaryDirectory(prefix="score_bench_") as tmp:
        src = Path(tmp) / "calls.parquet"
        if args.input:
            import pyarrow.parquet as pq

            src, args.rows = args.input, pq.ParquetFile(args.input).metadata.num_rows
        else:
            t0 = time.perf_counter()
            generate(src, args.rows)
            print(f"generated {args.rows:,} notes in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        results = {}
        for engine in args.engines.split(","):
            results[engine] = run_engine(engine, src, Path(tmp) / f"{engine}.parquet", args)
            print(f"{engine}: {results[engine]['notes_per_second']:,.0f} notes/s", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "results": results}, indent=2), encoding="utf-8")
    print(report(args.rows, results))


if __name__ == "__main__":
    main()
