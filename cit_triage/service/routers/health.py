"""GET /healthz (the process answers) and GET /readyz (model loaded, audit log writable)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from ..dependencies import get_engine
from ..engine import TriageEngine
from ..errors import ApiError, Code
from ..schema import Health, Ready

router = APIRouter()


@router.get("/healthz", response_model=Health, summary="Liveness")
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Ready, summary="Readiness: model loaded and audit log writable",
            responses={503: {"description": "not ready"}})
async def readyz(engine: TriageEngine = Depends(get_engine)) -> Ready:
    if not await run_in_threadpool(engine.audit.ping):
        raise ApiError(503, Code.not_ready, "the audit log cannot be written")
    return Ready(status="ready", model_version=engine.triager.model_version,
                 policy_version=engine.triager.policy.policy_version, audit="ok")
