"""The FastAPI app: wiring only. Routes live in ``routers/``, the work in ``engine.py``."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from .. import __version__
from ..audit import AuditStore
from ..triage import Triager
from .config import ServiceConfig
from .dependencies import require_token
from .docs import add_offline_docs
from .engine import TriageEngine
from .errors import ErrorBody, install_error_handlers
from .middleware import AccessLog, BearerGate, BodyLimit
from .routers import eido, health, model, suggestions

_ERRORS = {code: {"model": ErrorBody, "description": text} for code, text in (
    (400, "invalid_json / invalid_request"), (401, "unauthorized"), (413, "body_too_large"),
    (422, "invalid_call / invalid_batch / invalid_eido / invalid_decision / ..."), (503, "audit_unavailable"),
    (504, "timeout"))}


def create_app(triager: Triager, audit: AuditStore, config: ServiceConfig | None = None) -> FastAPI:
    """The service around a loaded ``Triager`` and an open ``AuditStore``."""
    config = config or ServiceConfig()
    app = FastAPI(
        title="cit_triage",
        version=__version__,
        description="Explained triage suggestions for 911 calls: patrol, CIT officer or co-responder team. "
                    "Decision support: the dispatcher decides.",
        # FastAPI's pages load scripts from a CDN: /docs is served from local files (docs.py).
        docs_url=None, redoc_url=None,
    )
    app.state.engine = TriageEngine(triager, audit, config)
    install_error_handlers(app)
    protected = {"dependencies": [Depends(require_token)], "responses": _ERRORS}
    # Routes carry their full path (/v1/...), so the matched route template is the public path.
    app.include_router(suggestions.router, tags=["suggestions"], **protected)
    app.include_router(eido.router, tags=["eido"], **protected)
    app.include_router(model.router, tags=["model"], **protected)
    app.include_router(health.router, tags=["health"])
    add_offline_docs(app)
    # Added last = runs first: log and catch, then refuse unauthenticated, then cap the body.
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(BearerGate, token=config.token)
    app.add_middleware(AccessLog)
    return app
