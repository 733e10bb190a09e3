"""POST /v1/eido/suggestions: a NENA EIDO in, the suggestion plus EIDO cautions and a note out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from ...io.eido import EidoDocument, EidoError, call_from_eido, eido_update
from ..dependencies import get_engine
from ..engine import TriageEngine
from ..errors import ApiError, Code
from ..schema import EidoOut

router = APIRouter()


@router.post("/v1/eido/suggestions", response_model=EidoOut, summary="Suggest a response for an EIDO incident")
async def suggest_eido(doc: EidoDocument, explain: bool = Query(True),
                       engine: TriageEngine = Depends(get_engine)) -> EidoOut:
    """Notes from ``notesComponent``, type from ``incidentComponent``; returns EIDO ``cautionComponent``s."""
    try:
        call = call_from_eido(doc)
    except EidoError as exc:
        raise ApiError(422, Code.invalid_eido, str(exc)) from None
    sid, suggestion = await engine.suggest(call, available=None, explain=explain, source="eido")
    return EidoOut(suggestion_id=sid, suggestion=suggestion, eido=eido_update(doc, suggestion, sid))
