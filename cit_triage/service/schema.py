"""Request and response bodies of the HTTP API (the Call and Suggestion models are the library's)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..schema import Response, Suggestion
from .errors import ErrorDetail


class SuggestionOut(BaseModel):
    suggestion_id: str = Field(..., description="UUID of this suggestion in the audit log; send it back with the decision.")
    suggestion: Suggestion


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    calls: list[dict[str, Any]] = Field(..., min_length=1, description=(
        "Call objects (same fields as POST /v1/suggestions). An invalid call gets an error in its own result; "
        "the others are still answered. At most the server's batch limit (default 500)."))
    available: list[Response] | None = Field(None, description="Responses on duty now (default: the policy's).")
    explain: bool = Field(True, description="Include the model's feature reasons.")


class BatchItem(BaseModel):
    index: int = Field(..., description="Position of the call in the request.")
    suggestion_id: str | None = None
    suggestion: Suggestion | None = None
    error: ErrorDetail | None = None


class BatchOut(BaseModel):
    results: list[BatchItem]
    n_ok: int
    n_errors: int


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sent: Response = Field(..., description="What the dispatcher actually sent.")
    override_reason: str | None = Field(None, max_length=2000, description=(
        "Why, when it differs from the suggestion (required then). Stored in the local audit log only."))
    dispatcher: str | None = Field(None, max_length=128, description="Dispatcher id or position (optional).")


class DecisionOut(BaseModel):
    decision_seq: int
    suggestion_id: str
    sent: Response
    suggested: Response
    override: bool
    decided_at: str


class EidoOut(BaseModel):
    suggestion_id: str
    suggestion: Suggestion
    eido: dict[str, Any] = Field(..., description=(
        "A partial EIDO for the same incident: cautionComponent (risk factors with cautionSeverity), "
        "a notesComponent written by the system agent, and that agentComponent."))


class ModelInfo(BaseModel):
    model_version: str
    policy_version: str
    cit_triage_version: str
    lexicon_version: str | None = None
    created_at: str | None = None
    format: str | None = None
    model_sha256: str | None = Field(None, description="Digest of the model folder's checksums.sha256 (what a policy allow-list names).")
    classes: list[str] = Field(default_factory=list)
    training_data: dict[str, Any] = Field(default_factory=dict, description="Size, label counts and hash of the training data.")
    metrics: dict[str, Any] = Field(default_factory=dict, description="Evaluation results recorded in the model manifest.")
    libraries: dict[str, Any] = Field(default_factory=dict)
    model_card: dict[str, Any] | None = Field(None, description="The manifest's model card section, when it has one.")


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    model_version: str
    policy_version: str
    audit: str
