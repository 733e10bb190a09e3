"""Helpers to run the service on a free loopback port: in a thread (reusing a loaded Triager)
or as a `cit-triage serve` subprocess (to kill it)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

LOOPBACK = "127.0.0.1"

#: Varied notes written for these tests (none from any evaluation set).
NOTES = [
    "son hearing voices, threatened to stab his father, has kitchen knife",
    "shoplifter detained at Walmart, cooperative",
    "elderly male w/ dementia wandering in traffic, confused",
    "neighbor threatening to beat caller over parking spot",
    "friend posted goodbye messages on facebook, not answering phone",
    "caller says she has pills and plans to take all of them tonight",
    "drunk male passed out in doorway",
    "RP states her son is hearing voices and hasn't slept in 3 days, no weapons, not violent",
    "male on the overpass railing says he is going to jump",
    "car alarm going off for an hour in the lot",
    "subj screaming at cars, throwing rocks at windows, appears to be talking to himself",
    "DV in progress, husband hitting wife",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def wait_ready(base: str, seconds: float = 60.0, proc: subprocess.Popen | None = None, verify=True) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1, verify=verify).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{base} not ready after {seconds} s")


@contextmanager
def serve_in_thread(app):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=LOOPBACK, port=port, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://{LOOPBACK}:{port}"
    try:
        wait_ready(base, 20)
        yield base
    finally:
        server.should_exit = True
        thread.join(10)


def start_subprocess(model: Path, audit_db: Path, *extra: str, scheme: str = "http",
                     verify=True) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-c", "from cit_triage.cli import main; main()", "serve", "--host", LOOPBACK,
           "--port", str(port), "--model", str(model), "--audit-db", str(audit_db), "--log-level", "warning", *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"{scheme}://{LOOPBACK}:{port}"
    try:
        wait_ready(base, 90, proc, verify)
    except Exception:
        proc.kill()
        raise
    return proc, base
