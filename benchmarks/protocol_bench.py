"""Timings of cit_triage.protocol.read_layout (printed; no pass/fail).

    python benchmarks/protocol_bench.py [--pool ../shared/cad-pool.jsonl]

A plain 150-character note (the pre-check path), a ProQA page, a 32 KB page of mixed
layouts, 64 KB pathological inputs (one long line of labels, of digits and dashes, of
unclosed parentheses, of "KQ:" with no end), and, with --pool, every page of a JSONL file:
exceptions and the slowest page. Note text is never printed.
"""

from __future__ import annotations

import argparse
import json
import time

from cit_triage.protocol import load_rules, read_layout

PLAIN = ("caller states her brother is pacing in the yard and shouting at cars, he has not slept "
         "for days, no weapons seen and he has not hurt anyone today ok")
PLAIN_DIGITS = PLAIN.replace("for days", "for 3 days")
PROQA = ("Chief Complaint: Psychiatric / Abnormal Behavior / Suicide Attempt 34-year-old, Male, Conscious, "
         "Breathing. Dispatch CAD Code: 25D01V Response Text: Delta Determinant Level: Not alert "
         "Suffix Text: Violent KQ: He is violent. KQ: He does not have a weapon. KQ: This is not a suicide attempt.")
MIXED = (PROQA + "\nE12 ENRT 14:22\nSMITHJ 10:01:12 rp adv son yelling\n[Premise: 1 MAIN ST]\n"
         "Event spawned from EDP. / mother says he broke a window\n")


def timed(notes: str, rules, repeat: int) -> float:
    read_layout(notes, rules)
    t = time.perf_counter()
    for _ in range(repeat):
        read_layout(notes, rules)
    return (time.perf_counter() - t) / repeat


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", help="JSONL with a 'notes' field: run every page")
    args = ap.parse_args()
    rules = load_rules()
    print(f"plain note, {len(PLAIN)} chars, no digit : {timed(PLAIN, rules, 20000) * 1e6:8.2f} us")
    print(f"plain note, {len(PLAIN_DIGITS)} chars, a digit  : {timed(PLAIN_DIGITS, rules, 5000) * 1e6:8.2f} us")
    print(f"ProQA page, {len(PROQA)} chars          : {timed(PROQA, rules, 2000) * 1e6:8.2f} us")
    for size in (8_000, 16_000, 32_000, 64_000):
        page = (MIXED * (size // len(MIXED) + 1))[:size]
        print(f"mixed page, {size:6d} chars          : {timed(page, rules, 3) * 1e3:8.2f} ms")
    pathological = {
        "labels, one line": "KQ: Dispatch Code: Suffix: Chief Complaint: " * 1500,
        "digits and dashes": "25-D-1-25-D-1" * 5000,
        "unclosed parentheses": "KQ: (" + "(a. " * 16000,
        "answers with no end": "--- he is " + "not " * 16000,
        "dashes": "-" * 64_000,
        "colons and digits": "1:" * 32_000,
        "unit-like tokens": "E12 " * 16_000,
    }
    for name, page in pathological.items():
        page = page[:64_000]
        print(f"64 KB pathological, {name:22s}: {timed(page, rules, 1) * 1e3:8.2f} ms")
    if args.pool:
        worst, errors, total, n = 0.0, 0, 0.0, 0
        with open(args.pool, encoding="utf-8") as fh:
            for line in fh:
                notes = json.loads(line).get("notes") or ""
                t = time.perf_counter()
                try:
                    read_layout(notes, rules)
                except Exception:  # the point of the sweep: count, never stop
                    errors += 1
                dt = time.perf_counter() - t
                worst, total, n = max(worst, dt), total + dt, n + 1
        print(f"pool: {n} pages, {errors} exceptions, slowest {worst * 1e3:.2f} ms, mean {total / max(n, 1) * 1e6:.1f} us")


if __name__ == "__main__":
    main()
