"""Fixtures for batch scoring: a tiny model trained here, so tests never depend on the shipped one."""

from __future__ import annotations

import json

import pytest

from cit_triage.model.training import train_folder
from scoring_data import CRISIS, PATROL, RISK, WHO


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    """A model trained in about a second on the generator's phrases."""
    folder = tmp_path_factory.mktemp("model")
    rows = []
    for p in PATROL:
        rows += [{"notes": p, "label": "patrol"}, {"notes": f"{p}, RP on scene", "label": "patrol"}]
    for w in WHO:
        for c in CRISIS:
            rows.append({"notes": f"{w} {c}, no weapons", "label": "cit"})
        for c, r in zip(CRISIS, RISK):
            rows.append({"notes": f"{w} {c}, {r}", "label": "co_responder"})
    train = folder / "train.jsonl"
    train.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    train_folder(train, folder / "m", model_version="test-tiny")
    return str(folder / "m")
