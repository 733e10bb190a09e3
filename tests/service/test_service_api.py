"""The HTTP API through its public door: one test per outcome, status and JSON body checked."""

from __future__ import annotations

import uuid

from cit_triage.service.errors import Code

from .conftest import CLEAR_CO_RESPONDER, CLEAR_PATROL


def test_suggestion_returns_an_id_and_the_guide_response(client, audit):
    res = client.post("/v1/suggestions", json={"notes": CLEAR_CO_RESPONDER, "call_id": "C-1"})
    assert res.status_code == 200
    body = res.json()
    assert uuid.UUID(body["suggestion_id"]).version == 4
    assert body["suggestion"]["response"] == "co_responder"
    assert body["suggestion"]["call_id"] == "C-1"
    assert audit.suggested_response(body["suggestion_id"]) == "co_responder"


def test_explain_false_leaves_out_model_reasons(client):
    res = client.post("/v1/suggestions?explain=false", json={"notes": CLEAR_CO_RESPONDER})
    assert res.status_code == 200
    assert all(r["source"] == "rule" for r in res.json()["suggestion"]["reasons"])


def test_available_limits_the_suggestion(client):
    res = client.post("/v1/suggestions?available=patrol&available=cit", json={"notes": CLEAR_CO_RESPONDER})
    assert res.status_code == 200
    assert res.json()["suggestion"]["response"] in {"patrol", "cit"}


def test_empty_notes_is_invalid_call(client):
    res = client.post("/v1/suggestions", json={"notes": "  "})
    assert res.status_code == 422
    assert res.json()["error"]["code"] == Code.invalid_call
    assert "nothing to triage" in res.json()["error"]["message"]


def test_unknown_field_is_invalid_call_naming_the_field(client):
    res = client.post("/v1/suggestions", json={"notes": "x y z", "weapon": "knife"})
    assert res.status_code == 422
    assert res.json()["error"]["details"][0]["field"] == "weapon"


def test_malformed_json_is_400_invalid_json(client):
    res = client.post("/v1/suggestions", content=b'{"notes": ', headers={"content-type": "application/json"})
    assert res.status_code == 400
    assert res.json() == {"error": {"code": "invalid_json", "message": "the request body is not valid JSON"}}


def test_non_json_content_type_is_415(client):
    res = client.post("/v1/suggestions", content=b"notes=hi", headers={"content-type": "text/plain"})
    assert res.status_code == 415
    assert res.json()["error"]["code"] == Code.unsupported_media_type


def test_batch_answers_every_row_and_reports_bad_ones_in_place(client, audit):
    calls = [{"notes": CLEAR_PATROL}, {"notes": 5}, {"notes": CLEAR_CO_RESPONDER}, {"call_type": "EDP", "notes": ""}]
    res = client.post("/v1/suggestions:batch", json={"calls": calls, "explain": False})
    assert res.status_code == 200
    body = res.json()
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3]
    assert (body["n_ok"], body["n_errors"]) == (3, 1)
    assert body["results"][1]["error"]["code"] == Code.invalid_call
    assert body["results"][1]["suggestion_id"] is None
    assert body["results"][0]["suggestion"]["response"] == "patrol"
    assert body["results"][2]["suggestion"]["response"] == "co_responder"
    assert audit.counts()["suggestions"] == 3


def test_batch_over_the_limit_is_refused(make_client):
    client = make_client(max_batch=3)
    res = client.post("/v1/suggestions:batch", json={"calls": [{"notes": "a b c"}] * 4})
    assert res.status_code == 422
    assert res.json()["error"]["code"] == Code.batch_too_large


def test_empty_batch_is_invalid_batch(client):
    res = client.post("/v1/suggestions:batch", json={"calls": []})
    assert res.status_code == 422
    assert res.json()["error"]["code"] == Code.invalid_batch


def test_decision_matching_the_suggestion_needs_no_reason(client):
    sid = client.post("/v1/suggestions", json={"notes": CLEAR_PATROL}).json()["suggestion_id"]
    res = client.post(f"/v1/suggestions/{sid}/decision", json={"sent": "patrol"})
    assert res.status_code == 201
    body = res.json()
    assert (body["suggestion_id"], body["sent"], body["suggested"], body["override"]) == (sid, "patrol", "patrol", False)


def test_override_without_reason_is_refused_and_with_reason_recorded(client):
    sid = client.post("/v1/suggestions", json={"notes": CLEAR_PATROL}).json()["suggestion_id"]
    res = client.post(f"/v1/suggestions/{sid}/decision", json={"sent": "cit"})
    assert res.status_code == 422
    assert res.json()["error"]["code"] == Code.override_reason_required
    res = client.post(f"/v1/suggestions/{sid}/decision", json={"sent": "cit", "override_reason": "known EDP at address"})
    assert res.status_code == 201
    assert res.json()["override"] is True


def test_decision_for_unknown_or_malformed_id_is_404(client):
    for sid in (str(uuid.uuid4()), "not-a-uuid"):
        res = client.post(f"/v1/suggestions/{sid}/decision", json={"sent": "cit", "override_reason": "x"})
        assert res.status_code == 404
        assert res.json()["error"]["code"] == Code.suggestion_not_found


def test_decision_with_a_bad_label_is_invalid_decision(client):
    sid = client.post("/v1/suggestions", json={"notes": CLEAR_PATROL}).json()["suggestion_id"]
    res = client.post(f"/v1/suggestions/{sid}/decision", json={"sent": "swat"})
    assert res.status_code == 422
    assert res.json()["error"]["code"] == Code.invalid_decision


def test_model_info_reports_versions_from_the_manifest(client, tiny_triager):
    res = client.get("/v1/model")
    assert res.status_code == 200
    body = res.json()
    assert body["model_version"] == "tiny-test" == tiny_triager.model_version
    assert body["policy_version"] == tiny_triager.policy.policy_version
    assert body["training_data"]["n_calls"] == 45
    assert "path" not in body["training_data"]


def test_health_and_ready(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_ready_fails_when_the_audit_db_is_gone(client, audit):
    audit.close()
    res = client.get("/readyz")
    assert res.status_code == 503
    assert res.json()["error"]["code"] == Code.not_ready


def test_unknown_route_and_method_have_the_error_shape(client):
    assert client.get("/v1/nothing").json()["error"]["code"] == Code.not_found
    res = client.get("/v1/suggestions")
    assert res.status_code == 405 and res.json()["error"]["code"] == Code.method_not_allowed


def test_openapi_schema_is_published_without_cdn_pages(client):
    schema = client.get("/openapi.json").json()
    assert {"/v1/suggestions", "/v1/suggestions:batch", "/v1/suggestions/{suggestion_id}/decision",
            "/v1/eido/suggestions", "/v1/model", "/healthz", "/readyz"} <= set(schema["paths"])
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    docs = client.get("/docs")  # served from local files (tests/service/test_service_docs.py)
    assert docs.status_code == 200 and "://" not in docs.text
