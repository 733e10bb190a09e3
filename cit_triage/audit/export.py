"""Export decided calls from the audit log as labeled data for ``evaluate`` and ``train``.

One row per decided suggestion: the Call fields (notes included), ``label`` = what the
dispatcher actually sent, then provenance columns (``suggested``, ``override_reason`` ...)
that the readers ignore. Suggestions with no decision yet are counted, not written: they have
no label.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..io.private import open_private
from ..schema import Call
from .store import AuditError, closed_loop_rows, count_undecided

CALL_COLUMNS = tuple(Call.model_fields)
PROVENANCE_COLUMNS = ("suggestion_id", "suggested", "needs_review", "model_version", "policy_version",
                      "override_reason", "dispatcher", "decided_at", "created_at")
COLUMNS = CALL_COLUMNS + ("label",) + PROVENANCE_COLUMNS


@dataclass(frozen=True)
class ExportSummary:
    written: int
    undecided: int
    overrides: int
    path: Path


def export_rows(db: str | Path):
    """The export records, as flat dicts in ``COLUMNS`` order."""
    for rec in closed_loop_rows(db):
        call, s, d = rec["call"], rec["suggestion"], rec["decision"]
        row = {c: call.get(c) for c in CALL_COLUMNS}
        row["label"] = d["label"]
        row.update({"suggestion_id": s["suggestion_id"], "suggested": s["suggested"], "needs_review": s["needs_review"],
                    "model_version": s["model_version"], "policy_version": s["policy_version"],
                    "override_reason": d["override_reason"], "dispatcher": d["dispatcher"],
                    "decided_at": d["decided_at"], "created_at": s["created_at"]})
        yield row


def export_audit(db: str | Path, out: str | Path) -> ExportSummary:
    """Write ``out`` (.jsonl or .csv) atomically; the file is as sensitive as the database."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in {".jsonl", ".csv"}:
        raise AuditError(f"output must end in .jsonl or .csv, got {out.name!r}")
    tmp = out.with_name(out.name + ".part")
    written = overrides = 0
    try:
        # 0600 from the start: the export carries call notes, like the database it comes from.
        with open_private(tmp, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS) if suffix == ".csv" else None
            if writer:
                writer.writeheader()
            for row in export_rows(db):
                if writer:
                    writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
                else:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
                overrides += row["label"] != row["suggested"]
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ExportSummary(written, count_undecided(db), overrides, out)
