"""Bounded load test of `cit-triage serve` on loopback: throughput, p50/p99 latency, errors.

Starts the service in a subprocess on a free 127.0.0.1 port with a throw-away audit DB (or
targets --url, which must be a loopback address), sends at most --requests requests from
--concurrency threads for at most --seconds (capped at 60), then checks that every
acknowledged suggestion is in the audit DB. Prints one JSON report.

    .venv/bin/python benchmarks/service_load.py --requests 3000 --concurrency 8
    .venv/bin/python benchmarks/service_load.py --batch-size 50 --requests 200
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

MAX_SECONDS = 60
MAX_REQUESTS = 100_000
MAX_CONCURRENCY = 64

# Synthetic notes written for this benchmark: subject x situation x detail.
_SUBJECTS = ["RP states her son", "caller's neighbor", "male subj", "elderly female", "roommate", "unknown person"]
_SITUATIONS = ["is hearing voices and pacing", "took his car keys and left", "is yelling in the street",
               "says he wants to end it", "is sleeping in the doorway", "broke a window at the store",
               "is confused and wandering", "posted goodbye messages online"]
_DETAILS = ["no weapons", "has a kitchen knife", "unk weapons", "not violent", "threatened to hurt mom",
            "hx of bipolar, off meds", "cooperative", "caller very upset"]


def synthetic_notes(i: int) -> str:
    return f"{_SUBJECTS[i % 6]} {_SITUATIONS[(i // 6) % 8]}, {_DETAILS[(i // 48) % 8]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base: str, proc: subprocess.Popen | None, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            sys.exit(f"error: the server exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit(f"error: {base} not ready after {seconds:.0f} s")


def percentile(sorted_ms: list[float], p: float) -> float | None:
    if not sorted_ms:
        return None
    return round(sorted_ms[min(len(sorted_ms) - 1, int(p / 100 * len(sorted_ms)))], 2)


def run(base: str, token: str | None, n_requests: int, concurrency: int, seconds: float, batch_size: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    errors: dict[str, int] = {}
    ids: list[str] = []
    counter = iter(range(n_requests))
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(timeout=30, headers=headers) as client:
            while time.monotonic() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                if batch_size:
                    url, body = f"{base}/v1/suggestions:batch", {"calls": [{"notes": synthetic_notes(i * batch_size + k)} for k in range(batch_size)], "explain": False}
                else:
                    url, body = f"{base}/v1/suggestions", {"notes": synthetic_notes(i), "call_id": f"LOAD-{i}"}
                t0 = time.perf_counter()
                try:
                    res = client.post(url, json=body)
                    kind = None if res.status_code == 200 else str(res.status_code)
                except httpx.HTTPError as exc:
                    res, kind = None, type(exc).__name__
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    if kind is None:
                        latencies.append(ms)
                        data = res.json()
                        ids.extend([r["suggestion_id"] for r in data["results"] if r.get("suggestion_id")] if batch_size
                                   else [data["suggestion_id"]])
                    else:
                        errors[kind] = errors.get(kind, 0) + 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    done = len(latencies) + sum(errors.values())
    return {"requests": done, "ok": len(latencies), "errors": sum(errors.values()), "error_kinds": errors,
            "calls_per_request": batch_size or 1, "seconds": round(elapsed, 2),
            "requests_per_s": round(done / elapsed, 1), "calls_per_s": round(len(ids) / elapsed, 1),
            "latency_ms": {"p50": percentile(latencies, 50), "p90": percentile(latencies, 90),
                           "p99": percentile(latencies, 99), "max": round(latencies[-1], 2) if latencies else None},
            "_ids": ids}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=MAX_SECONDS)
    ap.add_argument("--batch-size", type=int, default=0, help="0: POST /v1/suggestions; N: batches of N calls")
    ap.add_argument("--model", type=Path, default=None, help="model folder for the spawned server (default: shipped)")
    ap.add_argument("--url", default=None, help="an already running server; loopback only")
    ap.add_argument("--token", default=os.environ.get("CIT_TRIAGE_TOKEN"))
    args = ap.parse_args()
    if not (1 <= args.requests <= MAX_REQUESTS and 1 <= args.concurrency <= MAX_CONCURRENCY and 0 < args.seconds <= MAX_SECONDS
            and 0 <= args.batch_size <= 500):
        sys.exit(f"error: bounds are requests 1..{MAX_REQUESTS}, concurrency 1..{MAX_CONCURRENCY}, "
                 f"seconds <= {MAX_SECONDS}, batch-size 0..500")
    proc, tmp = None, None
    if args.url:
        host = urlparse(args.url).hostname or ""
        if host not in {"127.0.0.1", "localhost", "::1"}:
            sys.exit("error: the load test only targets loopback (127.0.0.1)")
        base = args.url.rstrip("/")
        wait_ready(base, None, 5)
    else:
        tmp = tempfile.TemporaryDirectory()
        db = Path(tmp.name) / "audit.db"
        base = f"http://127.0.0.1:{free_port()}"
        cmd = [sys.executable, "-c", "from cit_triage.cli import main; main()", "serve", "--host", "127.0.0.1",
               "--port", base.rsplit(":", 1)[1], "--audit-db", str(db), "--log-level", "warning",
               "--max-concurrency", str(max(64, args.concurrency * 2))]
        if args.model:
            cmd += ["--model", str(args.model)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_ready(base, proc)
    try:
        model = httpx.get(f"{base}/readyz", timeout=5).json()
        report = run(base, args.token, args.requests, args.concurrency, args.seconds, args.batch_size)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(15)
    ids = report.pop("_ids")
    report.update(concurrency=args.concurrency, model_version=model.get("model_version"), cpus=os.cpu_count())
    if tmp is not None:
        conn = sqlite3.connect(Path(tmp.name) / "audit.db")
        stored = {r[0] for r in conn.execute("SELECT id FROM suggestions")}
        conn.close()
        report["audit_missing"] = len(set(ids) - stored)
        tmp.cleanup()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
