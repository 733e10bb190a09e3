"""Soak test of `cit-triage serve` on loopback: requests, errors and server RSS over time.

Starts the service (shipped model, a throw-away audit DB, a token, small --max-concurrency)
in a subprocess on a free 127.0.0.1 port and, for --seconds (default 600, at most 3600):
- --clients threads post single calls, batches and decisions with distinct synthetic notes
  (so spaCy meets new words all the time, as a real service does),
- --half-open connections that never finish their headers are kept open (re-opened when
  the server closes them), to show they neither lock clients out nor pile up.
Every --every seconds it prints one JSON line (requests, errors, p50/p99 ms, server RSS, audit
DB size); at the end one summary, after `audit verify` of the hash chain and a check that every
acknowledged suggestion id is in the audit DB.

    .venv/bin/python benchmarks/soak.py                 # 10 minutes
    .venv/bin/python benchmarks/soak.py --seconds 120   # a quick run
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

import httpx
import psutil

MAX_SECONDS = 3600
TOKEN = "soak-token-" + "0123456789abcdef"


def note(i: int) -> str:
    """A distinct synthetic note: fixed phrasing plus never-seen tokens."""
    kinds = ["son is hearing voices and pacing, has a kitchen knife", "shoplifter detained, cooperative",
             "male on the overpass railing says he will jump", "neighbor dispute over parking, no weapons",
             "elderly female confused and wandering in traffic", "loud music next door for two hours"]
    return f"RP states {kinds[i % len(kinds)]}, unit ref zq{i}k near blvd{i * 7}x"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.errors: dict[str, int] = {}
        self.latencies: list[float] = []
        self.ids: list[str] = []
        self.half_open_reopened = 0

    def add(self, ms: float, status: int | str, ids: list[str]) -> None:
        with self.lock:
            self.requests += 1
            self.latencies.append(ms)
            self.ids += ids
            if not (isinstance(status, int) and 200 <= status < 300):
                self.errors[str(status)] = self.errors.get(str(status), 0) + 1

    def window(self) -> list[float]:
        with self.lock:
            out, self.latencies = self.latencies, []
        return sorted(out)


def client(base: str, worker: int, stop: threading.Event, stats: Stats) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    i = worker * 10_000_000
    with httpx.Client(timeout=30, headers=headers) as c:
        while not stop.is_set():
            i += 1
            t0 = time.perf_counter()
            try:
                if i % 10 == 0:
                    res = c.post(f"{base}/v1/suggestions:batch", json={"calls": [{"notes": note(i * 10 + k)} for k in range(20)]})
                    ids = [r["suggestion_id"] for r in res.json()["results"]] if res.status_code == 200 else []
                else:
                    res = c.post(f"{base}/v1/suggestions", json={"notes": note(i)})
                    ids = [res.json()["suggestion_id"]] if res.status_code == 200 else []
                    if ids and i % 3 == 0:
                        c.post(f"{base}/v1/suggestions/{ids[0]}/decision", json={"sent": "cit", "override_reason": "soak"})
                stats.add((time.perf_counter() - t0) * 1000, res.status_code, ids)
            except httpx.HTTPError as exc:
                stats.add((time.perf_counter() - t0) * 1000, type(exc).__name__, [])


def half_open(port: int, n: int, stop: threading.Event, stats: Stats) -> None:
    """Keep ``n`` connections that never finish their headers."""
    socks: list[socket.socket] = []
    while not stop.is_set():
        alive = []
        for s in socks:
            try:
                s.setblocking(False)
                closed = s.recv(1) == b""
            except BlockingIOError:
                closed = False
            except OSError:
                closed = True
            (s.close() if closed else alive.append(s))
        with stats.lock:
            stats.half_open_reopened += len(socks) - len(alive)
        socks = alive
        while len(socks) < n:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"POST /v1/suggestions HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                socks.append(s)
            except OSError:
                break
        stop.wait(0.5)
    for s in socks:
        s.close()


def pct(values: list[float], p: float) -> float | None:
    return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 1) if values else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--half-open", type=int, default=70)
    ap.add_argument("--max-concurrency", type=int, default=16)
    ap.add_argument("--every", type=float, default=30.0)
    ap.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    args = ap.parse_args()
    seconds = min(max(args.seconds, 5.0), MAX_SECONDS)

    tmp = Path(tempfile.mkdtemp(prefix="cit_soak_"))
    db, token_file = tmp / "audit.db", tmp / "token"
    token_file.write_text(TOKEN)
    token_file.chmod(0o600)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-c", "from cit_triage.cli import main; main()", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--audit-db", str(db), "--token-file", str(token_file), "--log-level", "error",
           "--max-concurrency", str(args.max_concurrency), "--header-timeout", "5"]
    if args.model:
        cmd += ["--model", args.model]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("error: the server did not start")
            time.sleep(0.2)
        server = psutil.Process(proc.pid)
        stats, stop = Stats(), threading.Event()
        threads = [threading.Thread(target=client, args=(base, w, stop, stats), daemon=True) for w in range(args.clients)]
        threads.append(threading.Thread(target=half_open, args=(port, args.half_open, stop, stats), daemon=True))
        for t in threads:
            t.start()
        start = time.monotonic()
        rss = [server.memory_info().rss]
        end = start + seconds
        while (now := time.monotonic()) < end:
            time.sleep(min(args.every, end - now))
            window = stats.window()
            rss.append(server.memory_info().rss)
            print(json.dumps({"t_s": round(time.monotonic() - start), "requests": stats.requests,
                              "errors": sum(stats.errors.values()), "p50_ms": pct(window, 50), "p99_ms": pct(window, 99),
                              "rss_mb": round(rss[-1] / 2**20, 1), "audit_db_mb": round(db.stat().st_size / 2**20, 1),
                              "half_open_closed_by_server": stats.half_open_reopened}), flush=True)
        stop.set()
        for t in threads:
            t.join(40)
        verify = subprocess.run([sys.executable, "-c", "from cit_triage.cli import main; main()", "audit", "verify",
                                 "--db", str(db)], capture_output=True, text=True)
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        stored = {r[0] for r in con.execute("SELECT id FROM suggestions")}
        con.close()
        missing = sum(1 for i in stats.ids if i not in stored)
        print(json.dumps({"summary": True, "seconds": round(time.monotonic() - start), "requests": stats.requests,
                          "errors": stats.errors, "suggestions_acknowledged": len(stats.ids),
                          "acknowledged_missing_from_audit": missing, "half_open_held": args.half_open,
                          "half_open_closed_by_server": stats.half_open_reopened,
                          "rss_mb_first": round(rss[0] / 2**20, 1), "rss_mb_last": round(rss[-1] / 2**20, 1),
                          "rss_mb_max": round(max(rss) / 2**20, 1), "audit_verify": verify.stdout.strip() or verify.stderr.strip()},
                         indent=2))
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        token_file.unlink(missing_ok=True)
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
