"""Body size cap, time limit, audit failures and unexpected errors: all JSON, never a traceback."""

from __future__ import annotations

import time

from cit_triage.audit import AuditError, AuditStore
from cit_triage.service.errors import Code

from .conftest import CLEAR_PATROL


class _Slow:
    """A Triager that takes too long (delegates everything else)."""

    def __init__(self, inner, seconds):
        self._inner, self._seconds = inner, seconds

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def suggest(self, *a, **k):
        time.sleep(self._seconds)
        return self._inner.suggest(*a, **k)


class _Broken(_Slow):
    def suggest(self, *a, **k):
        raise RuntimeError("boom with SECRET NOTE TEXT")


class _ReadOnlyAudit(AuditStore):
    def record_suggestions(self, rows, source):
        raise AuditError("disk full")


def test_declared_body_over_the_limit_is_413(make_client):
    client = make_client(max_body_bytes=2048)
    res = client.post("/v1/suggestions", json={"notes": "x " * 2000})
    assert res.status_code == 413
    assert res.json()["error"]["code"] == Code.body_too_large


def test_streamed_body_over_the_limit_is_413(make_client):
    client = make_client(max_body_bytes=2048)

    def chunks():
        for _ in range(10):
            yield b"x" * 512

    res = client.post("/v1/suggestions", content=chunks(), headers={"content-type": "application/json"})
    assert res.status_code == 413
    assert res.json()["error"]["code"] == Code.body_too_large


def test_body_under_the_limit_passes_through(make_client):
    client = make_client(max_body_bytes=2048)
    assert client.post("/v1/suggestions", json={"notes": CLEAR_PATROL}).status_code == 200


def test_slow_suggestion_is_504_timeout_and_not_recorded(make_client, tiny_triager, audit):
    client = make_client(triager=_Slow(tiny_triager, 0.5), timeout_seconds=0.05)
    res = client.post("/v1/suggestions", json={"notes": CLEAR_PATROL})
    assert res.status_code == 504
    assert res.json()["error"]["code"] == Code.timeout
    assert audit.counts()["suggestions"] == 0


def test_audit_failure_returns_no_suggestion(make_client, tmp_path):
    client = make_client(store=_ReadOnlyAudit(tmp_path / "ro.db"))
    res = client.post("/v1/suggestions", json={"notes": CLEAR_PATROL})
    assert res.status_code == 503
    assert res.json()["error"]["code"] == Code.audit_unavailable
    assert "suggestion" not in res.json()


def test_unexpected_error_is_a_json_500_without_details(make_client, tiny_triager):
    client = make_client(triager=_Broken(tiny_triager, 0))
    res = client.post("/v1/suggestions", json={"notes": CLEAR_PATROL})
    assert res.status_code == 500
    assert res.json()["error"]["code"] == Code.internal_error
    assert "SECRET" not in res.text
