"""Fuzzed bad requests (hypothesis, bounded) never produce a 5xx, and every error has the JSON shape."""

from __future__ import annotations

import json
from collections import Counter
import uuid
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cit_triage.audit import AuditStore
from cit_triage.io.eido import SYSTEM_AGENT_ID
from cit_triage.schema import Call
from cit_triage.service import ServiceConfig, create_app
from cit_triage.service.errors import Code

EXAMPLES = 80  # per test; 6 tests → ~480 requests, a few seconds
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
KNOWN_CODES = {v for k, v in vars(Code).items() if not k.startswith("_")}
COUNTED = {"/v1/suggestions", "/v1/suggestions:batch", "/v1/eido/suggestions"}
STATUS: Counter = Counter()  # (path, status class) → requests; checked by the last test

odd_text = st.one_of(st.text(max_size=60), st.sampled_from(["", " ", "\x00", "\ud800", "<p>&amp;</p>", "EDP", "x" * 70_000]))
# Note-like text: words the pipeline reacts to, HTML bits, entities, control and surrogate characters.
_WORDS = ["son", "hearing voices", "knife", "no weapons", "denies SI", "took pills", "wants to die", "hx of", "EDP", "unk",
          "<p>", "</p>", "<br>", "&amp;", "&#x1F600;", "&bogus;", "<script>", "</script>", "<", ">", "&", " ", ", ",
          "\n", "\t", "\u200b", "ǅ", "🙂"]
clean_text = st.lists(st.one_of(st.sampled_from(_WORDS), st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=8)),
                      max_size=14).map("".join)
dirty_text = st.lists(st.one_of(st.sampled_from(_WORDS + ["\x00", "\ud800"]), st.text(max_size=8)), max_size=14).map("".join)
note_text = st.one_of(clean_text, clean_text, dirty_text)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False), odd_text)
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                           max_leaves=12)
short = st.text(max_size=20)
plausible = {"call_type": st.one_of(short, st.sampled_from(["EDP", "SUICIDE ATTEMPT", "WELFARE", "10-96"])),
             "priority": st.integers(-1, 10), "weapons_reported": st.sampled_from(["yes", "no", "unknown", "unk", "Y", True, False, "maybe"]),
             "prior_crisis_contacts": st.integers(-1, 200_000),
             "received_at": st.sampled_from(["2026-01-05T03:09:41Z", "2026-01-05T03:09:41-05:00", "yesterday"]),
             "call_id": short, "caller_relation": short, "location_type": short}
call_like = st.one_of(st.fixed_dictionaries({"notes": note_text}, optional=plausible),
                      st.fixed_dictionaries({"notes": note_text}, optional=plausible),
                      st.fixed_dictionaries({"notes": st.one_of(note_text, json_values)},
                                            optional={**plausible, "label": json_values, "extra": json_values}),
                      st.dictionaries(st.sampled_from(list(Call.model_fields) + ["label", ""]), json_values, max_size=6))


@pytest.fixture(scope="module")
def fuzz_client(tiny_triager, tmp_path_factory):
    store = AuditStore(tmp_path_factory.mktemp("fuzz") / "audit.db")
    client = TestClient(create_app(tiny_triager, store, ServiceConfig(max_batch=5, max_body_bytes=200_000)),
                        raise_server_exceptions=False, base_url="http://127.0.0.1")
    yield client
    store.close()


def post_json(client, path, body):
    # json.dumps escapes lone surrogates (\\ud800), which httpx's own encoder refuses.
    return client.post(path, content=json.dumps(body).encode(), headers={"content-type": "application/json"})


def check(res) -> None:
    STATUS[(res.request.url.path if res.request.url.path in COUNTED else "other", res.status_code // 100)] += 1
    assert res.status_code < 500, res.text[:300]
    if res.status_code >= 400:
        body = res.json()
        assert set(body) == {"error"} and body["error"]["code"] in KNOWN_CODES
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]


@FUZZ
@given(body=st.one_of(call_like, call_like, call_like, json_values))
def test_suggestions_fuzz(fuzz_client, body):
    check(post_json(fuzz_client, "/v1/suggestions", body))


@FUZZ
@given(calls=st.one_of(st.lists(call_like, min_size=1, max_size=5), st.lists(st.one_of(call_like, json_values), max_size=7), json_values),
       extra=st.one_of(st.fixed_dictionaries({}, optional={"available": st.lists(st.sampled_from(["patrol", "cit", "co_responder"]), max_size=3),
                                                           "explain": st.booleans()}),
                       st.dictionaries(st.sampled_from(["available", "explain", "x"]), json_values, max_size=2)))
def test_batch_fuzz(fuzz_client, calls, extra):
    check(post_json(fuzz_client, "/v1/suggestions:batch", {"calls": calls, **extra}))


note_entry = st.fixed_dictionaries({"notesActionComments": note_text}, optional={
    "updatedByAgentReference": st.sampled_from([{"$ref": SYSTEM_AGENT_ID}, {"$ref": "ct1@psap"}, {}]), "$id": short})
incident = st.fixed_dictionaries({}, optional={"incidentTypeCommonRegistryText": st.one_of(short, short, json_values),
                                               "incidentTypeInternalText": short, "incidentTypeInternalCode": short})
bad_note = st.dictionaries(st.sampled_from(["notesActionComments", "updatedByAgentReference", "$id"]), json_values, max_size=3)
# Well-typed EIDOs whose content is fuzzed (reach the pipeline), and wild ones (reach validation).
eido_doc = st.fixed_dictionaries({"notesComponent": st.lists(note_entry, min_size=1, max_size=4)}, optional={
    "$id": short, "incidentComponent": st.one_of(incident, st.lists(incident, max_size=2)),
    "agencyComponent": st.lists(st.fixed_dictionaries({}, optional={"$id": short}), max_size=2),
    "updatedByAgencyReference": st.fixed_dictionaries({"$ref": short}), "incidentTrackingIdentifier": short})
wild_eido = st.fixed_dictionaries({"notesComponent": st.one_of(st.lists(st.one_of(note_entry, bad_note), max_size=4), json_values)},
                                  optional={"$id": json_values, "incidentComponent": st.one_of(incident, json_values),
                                            "agencyComponent": json_values, "updatedByAgencyReference": json_values,
                                            "incidentTrackingIdentifier": json_values})


@FUZZ
@given(doc=st.one_of(eido_doc, wild_eido, json_values))
def test_eido_fuzz(fuzz_client, doc):
    check(post_json(fuzz_client, "/v1/eido/suggestions", doc))


@FUZZ
@given(sid=st.one_of(st.uuids().map(str), st.text(min_size=1, max_size=80)),
       body=st.one_of(json_values, st.dictionaries(st.sampled_from(["sent", "override_reason", "dispatcher", "x"]), json_values, max_size=3)))
def test_decision_fuzz(fuzz_client, sid, body):
    check(post_json(fuzz_client, f"/v1/suggestions/{quote(sid, safe='')}/decision", body))


@FUZZ
@given(raw=st.binary(max_size=300), ctype=st.sampled_from(["application/json", "text/plain", "", "application/x-www-form-urlencoded",
                                                            "application/json; charset=latin-1", "multipart/form-data"]),
       path=st.sampled_from(["/v1/suggestions", "/v1/suggestions:batch", "/v1/eido/suggestions",
                             f"/v1/suggestions/{uuid.uuid4()}/decision"]))
def test_raw_bytes_fuzz(fuzz_client, raw, ctype, path):
    headers = {"content-type": ctype} if ctype else {}
    check(fuzz_client.post(path, content=raw, headers=headers))


@FUZZ
@given(method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "POST"]),
       path=st.one_of(st.sampled_from(["/v1/model", "/healthz", "/readyz", "/openapi.json", "/v1/suggestions", "/"]),
                      st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/:._-", max_size=30).map(lambda p: "/" + p.lstrip("/"))),
       query=st.dictionaries(st.sampled_from(["available", "explain", "x"]), st.text(max_size=10), max_size=2))
def test_methods_paths_and_queries_fuzz(fuzz_client, method, path, query):
    check(fuzz_client.request(method, path, params=query, json={"notes": "loud music"} if method != "GET" else None))


def test_fuzz_reached_the_pipeline_not_only_validation():
    """Runs last: the fuzz above must have produced suggestions, not only 4xx (else it tests nothing deep)."""
    if not STATUS:
        pytest.skip("run together with the fuzz tests")
    print("fuzz requests by (path, status class):", dict(sorted(STATUS.items())))
    for path in COUNTED:
        assert STATUS[(path, 2)] >= EXAMPLES // 10, (path, dict(STATUS))
        assert STATUS[(path, 4)] >= EXAMPLES // 10, (path, dict(STATUS))
    assert not any(cls == 5 for _, cls in STATUS)


def test_a_valid_call_in_the_fuzz_setup_still_works(fuzz_client):
    res = fuzz_client.post("/v1/suggestions", json={"notes": "shoplifter detained at Walmart, cooperative"})
    assert res.status_code == 200 and json.loads(res.text)["suggestion_id"]
