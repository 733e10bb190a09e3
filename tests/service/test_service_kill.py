"""SIGKILL mid-load loses no acknowledged suggestion: every id a client received is in the DB."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from .serving import NOTES, start_subprocess

N_REQUESTS = 400
KILL_AFTER = 120


def test_sigkill_mid_load_keeps_every_acknowledged_id(tiny_model_dir, tmp_path):
    db = tmp_path / "audit.db"
    proc, base = start_subprocess(tiny_model_dir, db)
    acked: list[str] = []
    lock = threading.Lock()
    killed = threading.Event()

    def client(worker: int) -> None:
        with httpx.Client(timeout=10) as c:
            for i in range(worker, N_REQUESTS, 4):
                if killed.is_set():
                    return
                try:
                    if i % 10 == 0:
                        res = c.post(f"{base}/v1/suggestions:batch", json={"calls": [{"notes": n} for n in NOTES[:3]]})
                        ids = [r["suggestion_id"] for r in res.json()["results"]] if res.status_code == 200 else []
                    else:
                        res = c.post(f"{base}/v1/suggestions", json={"notes": NOTES[i % len(NOTES)]})
                        ids = [res.json()["suggestion_id"]] if res.status_code == 200 else []
                except httpx.HTTPError:
                    return  # the server is gone
                with lock:
                    acked.extend(ids)
                    if len(acked) >= KILL_AFTER and not killed.is_set():
                        killed.set()
                        os.kill(proc.pid, signal.SIGKILL)

    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(client, range(4)))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
    assert killed.is_set(), "the server was never killed: the test did not exercise a crash"
    assert proc.returncode == -signal.SIGKILL
    conn = sqlite3.connect(db)  # reopening replays the WAL
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in conn.execute("SELECT id FROM suggestions")}
    finally:
        conn.close()
    missing = set(acked) - stored
    assert len(acked) >= KILL_AFTER
    assert missing == set()
