"""Logs are JSON lines with ids, timings and versions, and never any note text."""

from __future__ import annotations

import io
import json
import logging

import pytest

from cit_triage.service.logs import LOGGER_NAME, setup_logging

MARKER = "ZEBRAQUOKKA"  # a word that appears in nothing but the notes sent below


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    setup_logging("info", stream)
    yield stream
    logging.getLogger(LOGGER_NAME).handlers = []


def test_logs_carry_ids_and_versions_but_no_notes(make_client, log_stream):
    client = make_client()
    notes = f"{MARKER} hearing voices, threatened to stab his father, has kitchen knife"
    res = client.post("/v1/suggestions", json={"notes": notes, "call_id": "CALL-77"})
    sid = res.json()["suggestion_id"]
    client.post(f"/v1/suggestions/{sid}/decision", json={"sent": "cit", "override_reason": f"{MARKER} reason"})
    client.post("/v1/suggestions:batch", json={"calls": [{"notes": notes}, {"notes": 3, "x": MARKER}]})
    client.post("/v1/suggestions", json={"notes": notes, "bogus": MARKER})
    client.post(f"/v1/{MARKER}", json={"notes": notes})
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    events = {line["event"] for line in lines}
    assert {"suggestion", "decision", "batch", "request"} <= events
    suggestion = next(line for line in lines if line["event"] == "suggestion")
    assert (suggestion["suggestion_id"], suggestion["call_id"]) == (sid, "CALL-77")
    assert suggestion["model_version"] == "tiny-test" and "suggest_ms" in suggestion
    assert MARKER not in log_stream.getvalue()
    assert "voices" not in log_stream.getvalue()
