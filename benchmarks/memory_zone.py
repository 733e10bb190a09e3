"""RSS and spaCy vocabulary after N never-seen notes: without spaCy memory zones ("off"), with
zones only ("zones"), and as shipped, zones plus a fresh pipeline every
``Analyzer.renew_after_calls`` calls ("on").

Each mode runs in its own process (clean RSS). Notes are synthetic, one unseen token set
each, as a long-running service or scoring job meets them. Prints one JSON report with the
growth per note and its extrapolation to a million notes, and the throughput cost.

    .venv/bin/python benchmarks/memory_zone.py --notes 20000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time


def distinct_note(i: int) -> str:
    return (f"RP states subject qz{i}vx is hearing voices near blvd{i * 7}k and waving a knife at cars, "
            f"plate kw{i * 13}j, caller {i * 31}m on scene")


def run_one(n: int, mode: str, batch: int) -> dict:
    import psutil

    from cit_triage import Triager
    from cit_triage.schema import Call

    t = Triager.load()
    if mode == "off":
        t.analyzer.nlp.memory_zone = contextlib.nullcontext  # the old behaviour
    if mode != "on":
        t.analyzer.renew_after_calls = float("inf")
    proc = psutil.Process()
    warm = 500
    t.suggest_many([Call(notes=distinct_note(i)) for i in range(warm)], explain=False)
    rss0, strings0 = proc.memory_info().rss, len(t.analyzer.nlp.vocab.strings)
    start = time.perf_counter()
    for lo in range(warm, warm + n, batch):
        t.suggest_many([Call(notes=distinct_note(i)) for i in range(lo, min(lo + batch, warm + n))], explain=False)
    seconds = time.perf_counter() - start
    rss1, strings1 = proc.memory_info().rss, len(t.analyzer.nlp.vocab.strings)
    per_note = (rss1 - rss0) / n
    return {"mode": mode, "renew_after_calls": t.analyzer.renew_after_calls if mode == "on" else None, "notes": n, "notes_per_second": round(n / seconds, 1),
            "rss_start_mb": round(rss0 / 2**20, 1), "rss_end_mb": round(rss1 / 2**20, 1),
            "rss_bytes_per_note": round(per_note, 1), "vocab_strings_added": strings1 - strings0,
            "rss_after_1m_notes_mb_extrapolated": round((rss0 + per_note * 1_000_000) / 2**20)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notes", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--only-with", action="store_true", help="run only the shipped mode, zones plus renewal (long runs)")
    ap.add_argument("--child", choices=["on", "zones", "off"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(args.notes, args.child, args.batch)))
        return
    results = []
    for mode in (("on",) if args.only_with else ("off", "zones", "on")):
        out = subprocess.run([sys.executable, __file__, "--notes", str(args.notes), "--batch", str(args.batch),
                              "--child", mode], check=True, capture_output=True, text=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    if args.only_with:
        print(json.dumps({"with": results[0]}, indent=2))
        return
    off, zones, on = results
    print(json.dumps({"without": off, "zones_only": zones, "with": on,
                      "throughput_cost": round(1 - on["notes_per_second"] / off["notes_per_second"], 3)}, indent=2))


if __name__ == "__main__":
    main()
