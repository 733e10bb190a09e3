"""Robustness sweep: every page of an unlabeled CAD pool through suggest(), timing each.

    python benchmarks/pool_sweep.py [../shared/cad-pool.jsonl] [--limit-ms 50]

Prints the number of pages, exceptions (by type), pages slower than the limit and the slowest
times. Note text is never printed, only page ids. Exit code 1 when any page raised.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from cit_triage import Call, Triager


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pool", nargs="?", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "cad-pool.jsonl"))
    ap.add_argument("--limit-ms", type=float, default=50.0)
    args = ap.parse_args()
    triager = Triager.load()
    errors: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    times = []
    n = 0
    with open(args.pool, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            notes, call_type = row.get("notes") or "", row.get("call_type") or None
            if not notes.strip() and not call_type:
                continue
            try:
                call = Call(notes=notes, call_type=call_type)
            except ValidationError as exc:
                # Refused with a one-line reason (a control character in an export): not a crash.
                refused[exc.errors()[0]["msg"].split(" at character")[0]] += 1
                continue
            t0 = time.perf_counter()
            try:
                triager.suggest(call)
            except Exception as exc:  # a real page the library cannot take is a defect
                errors[type(exc).__name__] += 1
            times.append(((time.perf_counter() - t0) * 1000, row.get("id")))
            n += 1
    times.sort(reverse=True)
    slow = [t for t in times if t[0] > args.limit_ms]
    print(f"pages {n}  exceptions {dict(errors) or 0}  slower than {args.limit_ms:g} ms: {len(slow)}"
          f"  refused as bad input: {dict(refused) or 0}")
    print("slowest:", ", ".join(f"{ms:.1f} ms ({pid})" for ms, pid in times[:5]))
    med = sorted(t[0] for t in times)[len(times) // 2]
    print(f"median {med:.2f} ms")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
