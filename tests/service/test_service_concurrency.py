"""Concurrent requests from several threads get the same answers as sequential ones."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from cit_triage.service import create_app

from .serving import NOTES, serve_in_thread


def _answer(client: httpx.Client, base: str, notes: str) -> tuple:
    res = client.post(f"{base}/v1/suggestions", json={"notes": notes})
    res.raise_for_status()
    s = res.json()["suggestion"]
    return (s["response"], s["probabilities"], s["needs_review"], [(f["concept"], f["start"], f["assertion"]) for f in s["risk_factors"]],
            [r["id"] for r in s["reasons"]])


def test_threads_get_the_sequential_answers(tiny_triager, audit):
    app = create_app(tiny_triager, audit)
    with serve_in_thread(app) as base:
        with httpx.Client(timeout=30) as client:
            expected = {n: _answer(client, base, n) for n in NOTES}
        work = NOTES * 8  # 96 requests over 8 threads, each note many times at once

        def run(chunk):
            with httpx.Client(timeout=30) as c:
                return [(n, _answer(c, base, n)) for n in chunk]

        with ThreadPoolExecutor(8) as pool:
            results = [pair for part in pool.map(run, [work[i::8] for i in range(8)]) for pair in part]
    assert len(results) == len(work)
    mismatched = [n for n, got in results if got != expected[n]]
    assert mismatched == []
    assert audit.counts()["suggestions"] == len(NOTES) + len(work)
