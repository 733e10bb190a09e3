"""NENA EIDO (NENA-STA-021, JSON) in, EIDO-shaped cautions and a system note out.

In: the call notes are the ``notesActionComments`` (HTML5) of the ``notesComponent`` entries,
in document order, skipping notes this system wrote itself; the call type is the incident
component's ``incidentTypeCommonRegistryText`` with the agency's ``incidentTypeInternalText``
beside it (agencies' crisis words usually live there). Everything else in the document is
accepted and ignored.

Out: a partial EIDO for the same incident carrying one ``cautionComponent`` per counted risk
factor (with ``cautionSeverity``), one ``notesComponent`` authored by the system agent that
states the suggestion, and that agent's ``agentComponent``. NENA's Caution Type registry values
were not available to us: ``cautionTypeCommonRegistryText`` uses the provisional values in
``CAUTION_TYPES`` and the concept id goes in ``cautionTypeCommonSubRegistryText``.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import CitTriageError
from ..schema import Call, Suggestion

#: Agent id used on everything this system writes into an EIDO.
SYSTEM_AGENT_ID = "cit-triage@automaton"
CALL_TYPE_MAX = 200
CALL_ID_MAX = 128

#: counts_as → (provisional caution registry text, severity)
CAUTION_TYPES = {"risk": ("ElevatedRisk", "high"), "crisis": ("BehavioralHealthCrisis", "normal"),
                 "context": ("Context", "low")}
#: Risk concepts that raise the severity to the top of the EIDO scale.
HIGHEST = {"FIREARM", "SUICIDE_ATTEMPT", "BARRICADE"}

_HEADLINE = {"patrol": "standard patrol", "cit": "CIT officer", "co_responder": "co-responder team (CIT officer + clinician)"}


class EidoError(CitTriageError):
    """The EIDO document cannot be turned into a call."""


class _Reference(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    ref: str | None = Field(None, alias="$ref")


class EidoNote(BaseModel):
    """A ``notesComponent`` entry (NotesType)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: str | None = Field(None, alias="$id")
    notesActionComments: str = Field(..., max_length=200_000, description="The note, in HTML5.")
    updatedByAgentReference: _Reference | None = None
    agentReference: _Reference | None = None


class EidoIncident(BaseModel):
    """An ``incidentComponent`` (IncidentInformationType); only the type fields are read."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    incidentTypeCommonRegistryText: str | None = Field(None, max_length=1000)
    incidentTypeInternalText: str | None = Field(None, max_length=1000)
    incidentTypeInternalCode: str | None = Field(None, max_length=1000)


class EidoDocument(BaseModel):
    """An EIDO (EmergencyIncidentDataObjectType). Unlisted components are accepted and ignored."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: str | None = Field(None, alias="$id", description="Incident tracking identifier (EIDO 1.0).")
    eidoVersion: str | None = None
    incidentTrackingIdentifier: str | None = Field(None, description="Incident id in pre-1.0 drafts.")
    updatedByAgencyReference: _Reference | None = None
    incidentComponent: EidoIncident | list[EidoIncident] | None = None
    notesComponent: list[EidoNote] = Field(default_factory=list, max_length=10_000)
    agencyComponent: list[dict[str, Any]] = Field(default_factory=list, max_length=1000)


class _TextOnly(HTMLParser):
    """HTML5 note → plain text: tags dropped, block ends become line breaks, entities decoded."""

    _BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    lines = [" ".join(line.split()) for line in html.unescape("".join(parser.parts)).splitlines()]
    return "\n".join(line for line in lines if line)


def parse_eido(doc: dict | EidoDocument) -> EidoDocument:
    if isinstance(doc, EidoDocument):
        return doc
    if not isinstance(doc, dict):
        raise EidoError(f"an EIDO must be a JSON object, got {type(doc).__name__}")
    try:
        return EidoDocument.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "eido"
        raise EidoError(f"{where}: {err['msg']}") from None


def incident_id(doc: EidoDocument) -> str | None:
    value = doc.incidentTrackingIdentifier or doc.id
    return value[:CALL_ID_MAX] if value else None


def call_from_eido(doc: dict | EidoDocument, *, system_agent: str = SYSTEM_AGENT_ID) -> Call:
    """The Call an EIDO describes; raises ``EidoError`` naming what is missing or malformed."""
    doc = parse_eido(doc)
    notes = []
    for note in doc.notesComponent:
        authors = {r.ref for r in (note.updatedByAgentReference, note.agentReference) if r is not None}
        if system_agent in authors:  # our own earlier note, sent back in a later update
            continue
        text = html_to_text(note.notesActionComments)
        if text:
            notes.append(text)
    incidents = doc.incidentComponent if isinstance(doc.incidentComponent, list) else [doc.incidentComponent]
    incident = next((i for i in incidents if i is not None), None)
    call_type = None
    if incident is not None:
        parts = [incident.incidentTypeCommonRegistryText, incident.incidentTypeInternalText
                 or incident.incidentTypeInternalCode]
        parts = list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))
        call_type = " / ".join(parts)[:CALL_TYPE_MAX] or None
    if not notes and not call_type:
        raise EidoError("the EIDO has no notes (notesComponent[].notesActionComments) and no incident type "
                        "(incidentComponent.incidentTypeCommonRegistryText): there is nothing to triage")
    try:
        return Call(notes="\n".join(notes), call_type=call_type, call_id=incident_id(doc))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise EidoError(f"notesComponent: {err['msg'].removeprefix('Value error, ')}") from None


def eido_update(doc: dict | EidoDocument, suggestion: Suggestion, suggestion_id: str, *,
                system_agent: str = SYSTEM_AGENT_ID, now: datetime | None = None) -> dict:
    """A partial EIDO for the same incident: cautions, a system-authored note, the system agent."""
    doc = parse_eido(doc)
    stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    agency = (doc.updatedByAgencyReference.ref if doc.updatedByAgencyReference else None) or next(
        (a.get("$id") for a in doc.agencyComponent if isinstance(a.get("$id"), str)), None) or "unknown"
    prologue = {"lastUpdateTimeStamp": stamp, "updatedByAgencyReference": {"$ref": agency},
                "updatedByAgentReference": {"$ref": system_agent}}
    cautions = []
    for f in suggestion.risk_factors:
        if f.counts_as not in CAUTION_TYPES or f.assertion.value != "affirmed":
            continue
        if any(c["cautionTypeCommonSubRegistryText"] == [f.concept] for c in cautions):
            continue  # one caution per concept
        registry, severity = CAUTION_TYPES[f.counts_as]
        if f.counts_as == "risk" and f.concept in HIGHEST:
            severity = "highest"
        cautions.append({"$id": f"urn:cit-triage:caution:{suggestion_id}:{len(cautions)}", **prologue,
                         "cautionTypeInternalText": f.description, "cautionTypeCommonRegistryText": registry,
                         "cautionTypeCommonSubRegistryText": [f.concept], "cautionSeverity": severity,
                         "cautionSource": system_agent, "startDate": stamp})
    note = {"$id": f"urn:cit-triage:note:{suggestion_id}", **prologue, "notesActionComments": note_html(suggestion, suggestion_id),
            "agentReference": {"$ref": system_agent}, "cautionReference": [{"$ref": c["$id"]} for c in cautions]}
    agent = {"$id": system_agent, **prologue, "agentRoleRegistryText": ["Automaton"], "agencyReference": {"$ref": agency}}
    return {"$id": doc.id or doc.incidentTrackingIdentifier or f"urn:cit-triage:incident:{suggestion_id}", **prologue,
            "eidoVersion": "1.0", "issuingElementIdentification": system_agent,
            "agencyComponent": doc.agencyComponent, "agentComponent": [agent],
            "notesComponent": [note], "cautionComponent": cautions}


def note_html(s: Suggestion, suggestion_id: str) -> str:
    """The system's note: suggestion, review flag, questions, versions — decision support wording."""
    lines = [f"cit_triage suggests: {_HEADLINE[s.response.value]} (confidence {s.confidence:.0%})."
             + (" NEEDS REVIEW." if s.needs_review else ""), s.summary]
    if s.review_reasons:
        lines.append("Review because: " + "; ".join(s.review_reasons))
    if s.questions_to_ask:
        lines.append("Ask the caller: " + " ".join(q.text for q in s.questions_to_ask))
    lines.append(f"Suggestion {suggestion_id} (model {s.model_version}, policy {s.policy_version}). "
                 "Decision support only: the dispatcher decides.")
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
