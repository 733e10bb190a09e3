"""Shared fixtures: a tiny labeled set (tests/evaluate/data) and a tiny model trained on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "labeled_calls.jsonl"


@pytest.fixture(scope="session")
def labeled_path() -> Path:
    return DATA


@pytest.fixture(scope="session")
def records() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    from cit_triage.model.training import train_folder

    out = tmp_path_factory.mktemp("tiny_model")
    train_folder(DATA, out, model_version="tiny-test", featurizer_params={"min_df": 1})
    return out


@pytest.fixture(scope="session")
def tiny_triager(tiny_model):
    from cit_triage.triage import Triager

    return Triager.load(tiny_model)

