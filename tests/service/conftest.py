"""Service fixtures: a tiny model trained once per session (never the shipped one, which others
retrain while tests run), a fresh audit DB per test, and a TestClient factory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cit_triage import Triager
from cit_triage.audit import AuditStore
from cit_triage.service import ServiceConfig, create_app
from cit_triage.model.training import train_folder

DATA = Path(__file__).parent / "data"
TOKEN = "test-token-0123456789abcdef"
CLEAR_CO_RESPONDER = "son hearing voices, threatened to stab his father, has kitchen knife"
CLEAR_PATROL = "shoplifter detained at Walmart, cooperative"


def load_eido(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny_model")
    train_folder(DATA / "tiny_train.jsonl", out, model_version="tiny-test", featurizer_params={"min_df": 1})
    return out


@pytest.fixture(scope="session")
def tiny_triager(tiny_model_dir) -> Triager:
    return Triager.load(tiny_model_dir)


@pytest.fixture
def audit(tmp_path) -> AuditStore:
    store = AuditStore(tmp_path / "audit.db")
    yield store
    store.close()


@pytest.fixture
def make_client(tiny_triager, audit):
    """``make_client(**config)`` → a TestClient on a fresh app (raise_server_exceptions off: we test 500s)."""
    def make(triager=None, store=None, **config) -> TestClient:
        app = create_app(triager or tiny_triager, store or audit, ServiceConfig(**config))
        return TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1")
    return make


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()
