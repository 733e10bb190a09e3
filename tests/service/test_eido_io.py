"""NENA EIDO in (notes + incident type) and EIDO cautions + system note out."""

from __future__ import annotations

import pytest

from cit_triage.io.eido import SYSTEM_AGENT_ID, EidoError, call_from_eido, eido_update, html_to_text
from cit_triage.service.errors import Code

from .conftest import load_eido


def test_html_notes_become_plain_text():
    assert html_to_text("<p>a &amp; b</p><p>c<br>d</p><script>x()</script>") == "a & b\nc\nd"
    assert html_to_text("  plain  ") == "plain"


def test_call_from_eido_joins_notes_in_order_and_reads_the_incident_type():
    call = call_from_eido(load_eido("eido_crisis_weapon.json"))
    assert call.notes == "RP states her son is hearing voices\nthreatened to stab his father,\nhas kitchen knife & is pacing"
    assert call.call_type == "LawEnforcement.MentalHealth / EDP - DISTURBED PERSON"
    assert call.call_id == "urn:emergency:uid:incidentid:t0001:psap.example.gov"


def test_incident_component_may_be_an_object():
    assert call_from_eido(load_eido("eido_patrol.json")).call_type == "LawEnforcement.Theft / SHOPLIFT"


def test_the_systems_own_notes_are_not_read_back():
    doc = load_eido("eido_patrol.json")
    doc["notesComponent"].append({"notesActionComments": "<p>cit_triage suggests: CIT officer</p>",
                                  "updatedByAgentReference": {"$ref": SYSTEM_AGENT_ID}})
    assert "cit_triage" not in call_from_eido(doc).notes


def test_type_only_incident_is_accepted():
    doc = load_eido("eido_patrol.json")
    doc["notesComponent"] = []
    call = call_from_eido(doc)
    assert call.notes == "" and call.call_type


@pytest.mark.parametrize("doc,needle", [
    ({}, "nothing to triage"),
    ({"notesComponent": [{"notesActionComments": "<p> </p>"}]}, "nothing to triage"),
    ({"notesComponent": [{"text": "no notesActionComments"}]}, "notesComponent.0.notesActionComments"),
    ({"notesComponent": "not a list"}, "notesComponent"),
    ([], "must be a JSON object"),
    ({"notesComponent": [{"notesActionComments": "<p>cut off\x00 here</p>"}]}, "NUL"),
])
def test_bad_eido_names_the_problem(doc, needle):
    with pytest.raises(EidoError, match=needle.replace(".", r"\.")):
        call_from_eido(doc)


def test_eido_update_has_cautions_with_severity_and_a_system_note(tiny_triager):
    doc = load_eido("eido_crisis_weapon.json")
    suggestion = tiny_triager.suggest(call_from_eido(doc))
    out = eido_update(doc, suggestion, "sid-1")
    assert out["$id"] == doc["$id"] and out["eidoVersion"] == "1.0"
    cautions = out["cautionComponent"]
    counted = {f.concept for f in suggestion.risk_factors if f.counts_as in {"risk", "crisis"} and f.assertion.value == "affirmed"}
    assert {c["cautionTypeCommonSubRegistryText"][0] for c in cautions} >= counted
    assert any(c["cautionSeverity"] == "high" for c in cautions)  # the knife / threat
    assert all(c["cautionSeverity"] in {"highest", "high", "normal", "low", "lowest"} for c in cautions)
    note = out["notesComponent"][0]
    assert note["updatedByAgentReference"] == {"$ref": SYSTEM_AGENT_ID}
    assert [r["$ref"] for r in note["cautionReference"]] == [c["$id"] for c in cautions]
    assert "co-responder" in note["notesActionComments"] and "sid-1" in note["notesActionComments"]
    assert out["agentComponent"][0]["$id"] == SYSTEM_AGENT_ID


def test_eido_endpoint_returns_suggestion_and_cautions(client, audit):
    res = client.post("/v1/eido/suggestions", json=load_eido("eido_crisis_weapon.json"))
    assert res.status_code == 200
    body = res.json()
    assert body["suggestion"]["response"] == "co_responder"
    assert body["eido"]["cautionComponent"]
    assert audit.suggested_response(body["suggestion_id"]) == "co_responder"


def test_eido_endpoint_patrol_case_has_no_risk_cautions(client):
    body = client.post("/v1/eido/suggestions", json=load_eido("eido_patrol.json")).json()
    assert body["suggestion"]["response"] == "patrol"
    assert not [c for c in body["eido"]["cautionComponent"] if c["cautionSeverity"] in {"high", "highest"}]


def test_eido_endpoint_errors_are_invalid_eido(client):
    for doc in ({}, {"notesComponent": 3}, []):
        res = client.post("/v1/eido/suggestions", json=doc)
        assert res.status_code == 422
        assert res.json()["error"]["code"] == Code.invalid_eido
