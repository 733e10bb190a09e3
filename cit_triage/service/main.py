"""The FastAPI app: wiring only. Routes live in ``routers/``, the work in ``engine.py``."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from .. import __version__
from ..audit import AuditStore
from ..triage import Triager
from .config import ServiceConfig
from .dependencies import require_token
from .docs import add_offline_docs
from .engine import TriageEngine
from .errors import ErrorBody, install_error_handlers
from .middleware import AccessLog, BearerGate, BodyLimit, ConcurrencyLimit, HostCheck, LoopbackGuard
from .routers import eido, health, model, suggestions

_ERRORS = {code: {"model": ErrorBody, "description": text} for code, text in (
    (400, "invalid_json / invalid_request"), (401, "unauthorized"), (413, "body_too_large"),
    (422, "invalid_call / invalid_batch / invalid_eido / invalid_decision / ..."), (503, "audit_unavailable"),
    (504, "timeout"))}


def create_app(triager: Triager, audit: AuditStore, config: ServiceConfig | None = None, *,
               close_audit_on_shutdown: bool = False) -> FastAPI:
    """The service around a loaded ``Triager`` and an open ``AuditStore``.

    On shutdown the audit log's journal is checkpointed into the database file (and the store
    closed when ``close_audit_on_shutdown``), so a SIGTERM leaves no notes in ``-wal`` only.
    """
    config = config or ServiceConfig()

    @asynccontextmanager
    async def lifespan(app):
        yield
        # Runs on SIGTERM/SIGINT too, before uvicorn re-raises the signal and ends the process.
        if close_audit_on_shutdown:
            audit.close()
        else:
            audit.checkpoint()

    app = FastAPI(
        lifespan=lifespan,
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
    # Added last = runs first: log, catch and add headers; count in-flight requests; check the
    # Host header and the address; refuse unauthenticated; then cap and time the body.
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes, timeout=config.body_timeout_seconds)
    app.add_middleware(BearerGate, token=config.token)
    app.add_middleware(LoopbackGuard, token=config.token)
    app.add_middleware(HostCheck, hosts=config.hosts)
    app.add_middleware(ConcurrencyLimit, max_requests=config.max_concurrency)
    app.add_middleware(AccessLog)
    return app
