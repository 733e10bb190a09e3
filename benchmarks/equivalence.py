"""Dump every suggestion for a set of notes files, to prove an optimization changed nothing.

    python benchmarks/equivalence.py --out /tmp/before.jsonl training_data/train.jsonl ...
    (change the code)
    python benchmarks/equivalence.py --out /tmp/after.jsonl  training_data/train.jsonl ...
    cmp /tmp/before.jsonl /tmp/after.jsonl

Each output line is one row's full ``Suggestion`` (response, probabilities, confidence, review
reasons, questions, risk factors with their cues, reasons with their spans, summary) as
canonical JSON, made twice: by ``suggest()`` one call at a time and by ``suggest_many()``,
which batches the NLP, so both paths are checked. The output quotes note text, so it is
created 0600 and belongs under /tmp, never in the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

_FIELDS = ("notes", "call_type", "priority", "caller_relation", "location_type", "weapons_reported",
           "prior_crisis_contacts", "received_at")


def read_calls(path: Path, limit: int | None):
    from cit_triage import Call
    calls = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                break
            if not line.strip():
                continue
            row = json.loads(line)
            fields = {k: row[k] for k in _FIELDS if row.get(k) is not None}
            calls.append(Call(**fields, call_id=str(row.get("id", f"{path.name}:{n}"))))
    return calls


def dump(suggestion) -> str:
    return json.dumps(suggestion.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path, help="JSONL notes files (rows with notes, call_type, ...)")
    ap.add_argument("--out", type=Path, required=True, help="where to write the dump (created 0600)")
    ap.add_argument("--model", default=None, help="model folder (default: the shipped one)")
    ap.add_argument("--limit", type=int, default=5000, help="rows read from each file")
    args = ap.parse_args(argv)

    from cit_triage import Triager
    triager = Triager.load(args.model)
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    digest = hashlib.sha256()
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        for path in args.files:
            calls = read_calls(path, args.limit)
            t0 = time.perf_counter()
            one = [dump(triager.suggest(c)) for c in calls]
            t1 = time.perf_counter()
            many = [dump(s) for s in triager.suggest_many(calls)]
            t2 = time.perf_counter()
            assert len(many) == len(calls), f"{path}: suggest_many dropped rows"
            for i, (a, b) in enumerate(zip(one, many)):
                line = f'{{"file": {json.dumps(path.name)}, "row": {i}, "suggest": {a}, "suggest_many": {b}}}\n'
                out.write(line)
                digest.update(line.encode("utf-8"))
            same = sum(a == b for a, b in zip(one, many))
            print(f"{path.name}: {len(calls)} rows, suggest {t1 - t0:.1f} s, suggest_many {t2 - t1:.1f} s, "
                  f"one == many on {same}/{len(calls)}", file=sys.stderr)
    print(f"sha256 {digest.hexdigest()}  {args.out}")


if __name__ == "__main__":
    main()
