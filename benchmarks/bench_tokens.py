"""Cost of the token stage inside normalization (``python benchmarks/bench_tokens.py``).

Compares the plain shorthand pass (separators split, no word repair) with the analyzer's
normalizer (plus inflection entries and WordRepair), on written 150-character notes, with
the per-word cache warm (the steady state of a running service) and cold (first sight of
every word: symspellpy lookups).
"""

from __future__ import annotations

import time

from cit_triage.policy import Policy
from cit_triage.text.normalize import load_shorthand
from cit_triage.triage import build_analyzer

NOTES = [
    "RP STATES SON IS SUICIDAL- TOOK PILLSEARLIER, THRETENED TO STAB DAD W/ KNIFE/ HX BIPOLAR;OFF MEDS 3 DAYS, UNK WEAPONS. CALL RP @ RES",
    "caller advises neighbor screaming at cars, throwing rocks at windows//appears to be talking to himself, no weapons seen, 10-96 poss",
    "2 VEH COLLISION- UNK INJURIES, ONE VEH IN DITCH, CALLER STATES DRIVER IS OUT OF VEH AND WALKING AROUND, NO FIRE OR SMOKE VISIBLE",
]


def per_note_us(normalize, notes, rounds: int) -> float:
    t0 = time.perf_counter()
    for _ in range(rounds):
        for n in notes:
            normalize(n)
    return (time.perf_counter() - t0) / (rounds * len(notes)) * 1e6


def main() -> None:
    plain = load_shorthand()
    full = build_analyzer(Policy.from_file()).shorthand
    print(f"notes: {len(NOTES)}, mean length {sum(map(len, NOTES)) / len(NOTES):.0f} characters")
    t0 = time.perf_counter()
    for n in NOTES:
        full.normalize(n)
    print(f"cold (every word new to the cache): {(time.perf_counter() - t0) / len(NOTES) * 1e6:8.1f} µs/note")
    base = per_note_us(plain.normalize, NOTES, 3000)
    warm = per_note_us(full.normalize, NOTES, 3000)
    print(f"shorthand + separators (phrases):   {base:8.1f} µs/note")
    print(f"analyzer normalizer, warm cache:    {warm:8.1f} µs/note  (word repair adds {warm - base:.1f} µs)")


if __name__ == "__main__":
    main()
