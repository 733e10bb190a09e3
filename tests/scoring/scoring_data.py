"""Generated test calls for the scoring tests: varied short phrases, written for these tests."""

from __future__ import annotations

import random

import pandas as pd

# Short phrases per label, written for these tests (see the labeling guide's cases).
CRISIS = ["hearing voices", "says he wants to kill himself", "talking to people who aren't there",
          "paranoid, thinks neighbors are watching him", "stopped taking her meds, very confused and screaming",
          "posted goodbye messages, not answering phone", "having a panic attack, can't calm down"]
RISK = ["has a kitchen knife", "threatened to stab his father", "says he has a gun in the house",
        "breaking windows", "standing on the bridge railing", "took a bottle of pills on purpose"]
PATROL = ["shoplifter detained at the store, cooperative", "car broken into overnight", "loud music next door",
          "two vehicles collided, no injuries", "alarm going off at business", "bike stolen from porch",
          "suspicious vehicle parked for hours", "armed robbery just occurred, suspect fled with handgun"]
WHO = ["RP states her son is", "caller's brother is", "neighbor reports male", "mother says daughter is", "subj"]
TAIL = ["", ", no weapons", ", not violent", ", hx of SI", ", at residence", ", RP on scene"]


def make_notes(n: int, seed: int = 7) -> list[str]:
    """``n`` varied short notes mixing patrol, crisis and crisis-with-risk phrasing."""
    rng = random.Random(seed)
    notes = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.45:
            text = f"{rng.choice(PATROL)}{rng.choice(TAIL[3:])}"
        elif kind < 0.75:
            text = f"{rng.choice(WHO)} {rng.choice(CRISIS)}{rng.choice(TAIL)}"
        else:
            text = f"{rng.choice(WHO)} {rng.choice(CRISIS)}, {rng.choice(RISK)}"
        notes.append(text)
    return notes


def calls_frame(n: int, seed: int = 7) -> pd.DataFrame:
    notes = make_notes(n, seed)
    return pd.DataFrame({"call_id": [f"C{i:06d}" for i in range(n)], "notes": notes})


