"""POST /v1/suggestions, /v1/suggestions:batch and /v1/suggestions/{id}/decision."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Path, Query

from ...schema import Call, Response
from ..dependencies import get_engine
from ..engine import TriageEngine
from ..errors import ApiError, Code
from ..schema import BatchIn, BatchOut, DecisionIn, DecisionOut, SuggestionOut

router = APIRouter()


@router.post("/v1/suggestions", response_model=SuggestionOut, summary="Suggest a response for one call")
async def suggest(call: Call,
                  available: list[Response] | None = Query(None, description="Responses on duty now; repeat the parameter."),
                  explain: bool = Query(True, description="Include the model's feature reasons."),
                  engine: TriageEngine = Depends(get_engine)) -> SuggestionOut:
    """The explained suggestion for one call, recorded in the audit log under ``suggestion_id``."""
    sid, suggestion = await engine.suggest(call, available=_values(available), explain=explain, source="api")
    return SuggestionOut(suggestion_id=sid, suggestion=suggestion)


@router.post("/v1/suggestions:batch", response_model=BatchOut, summary="Suggest responses for up to 500 calls")
async def suggest_batch(body: BatchIn, engine: TriageEngine = Depends(get_engine)) -> BatchOut:
    """One result per call, in order; an invalid call gets its own error and never stops the others."""
    results = await engine.suggest_batch(body.calls, available=_values(body.available), explain=body.explain)
    n_ok = sum("suggestion" in r for r in results)
    return BatchOut(results=results, n_ok=n_ok, n_errors=len(results) - n_ok)


@router.post("/v1/suggestions/{suggestion_id}/decision", response_model=DecisionOut, status_code=201,
             summary="Record what the dispatcher sent")
async def decide(body: DecisionIn, suggestion_id: str = Path(..., max_length=64),
                 engine: TriageEngine = Depends(get_engine)) -> DecisionOut:
    """Append the dispatcher's decision for a served suggestion (a later decision corrects an earlier one)."""
    try:
        suggestion_id = str(uuid.UUID(suggestion_id))
    except ValueError:
        raise ApiError(404, Code.suggestion_not_found, "suggestion ids are UUIDs returned by POST /v1/suggestions") from None
    d = await engine.decide(suggestion_id, body.sent.value, body.override_reason, body.dispatcher)
    return DecisionOut(decision_seq=d.seq, suggestion_id=d.suggestion_id, sent=d.sent, suggested=d.suggested,
                       override=d.sent != d.suggested, decided_at=d.decided_at)


def _values(available: list[Response] | None) -> list[str] | None:
    return [a.value for a in available] if available else None
