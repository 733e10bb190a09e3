"""GET /v1/model: versions and the model card summary from the model manifest."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ... import __version__
from ..dependencies import get_engine
from ..engine import TriageEngine
from ..schema import ModelInfo

router = APIRouter()


@router.get("/v1/model", response_model=ModelInfo, summary="Model and policy versions, model card summary")
def model_info(engine: TriageEngine = Depends(get_engine)) -> ModelInfo:
    m = engine.triager.manifest
    data = m.get("training_data") or {}
    return ModelInfo(
        model_version=engine.triager.model_version, policy_version=engine.triager.policy.policy_version,
        cit_triage_version=__version__, lexicon_version=m.get("lexicon_version"), created_at=m.get("created_at"),
        format=m.get("format"), model_sha256=m.get("model_sha256"), classes=list(m.get("classes") or []),
        # The file name of the training data is left out: it can name a site or a person.
        training_data={k: data[k] for k in ("n_calls", "labels", "sha256") if k in data},
        metrics=m.get("metrics") or {}, libraries=m.get("libraries") or {}, model_card=m.get("model_card"))
