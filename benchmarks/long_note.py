"""Time for one long note (default 64 K characters, the notes limit) through Triager.suggest.

The note is synthetic: varied CAD-style sentences with concepts and context cues (negation,
history, other people), repeated up to the length, the worst case for the context step.

    .venv/bin/python benchmarks/long_note.py            # 64 KB
    .venv/bin/python benchmarks/long_note.py --chars 16000 --chars 32000 --chars 65536
"""

from __future__ import annotations

import argparse
import json
import time

SENTENCES = [
    "RP states her son is hearing voices and has a kitchen knife",
    "no weapons seen, denies suicidal thoughts",
    "hx of bipolar, off meds for two weeks",
    "neighbor says he threatened to hurt his mother earlier",
    "male pacing in the street yelling at cars",
    "caller's brother overdosed last year, not related to this call",
    "subject says he wants to end it tonight, has pills",
    "officer safety: possible firearm in the house",
    "elderly female confused and wandering, dementia",
    "no injuries, cooperative, RP on scene",
]


def long_note(chars: int) -> str:
    out, i = [], 0
    while sum(len(s) + 2 for s in out) < chars:
        out.append(f"{SENTENCES[i % len(SENTENCES)]} (entry {i})")
        i += 1
    return ". ".join(out)[:chars]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chars", type=int, action="append")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from cit_triage import Triager
    from cit_triage.schema import MAX_NOTES_CHARS

    t = Triager.load()
    t.suggest("warm up the pipeline")
    report = []
    for chars in args.chars or [MAX_NOTES_CHARS]:
        note = long_note(chars)
        times = []
        for _ in range(args.repeat):
            start = time.process_time()
            t.suggest(note)
            times.append(time.process_time() - start)
        report.append({"chars": len(note), "cpu_seconds_min": round(min(times), 3), "cpu_seconds_max": round(max(times), 3)})
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
