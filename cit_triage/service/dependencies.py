"""Cross-cutting request dependencies: bearer-token auth and the loaded triage engine.

The token is checked twice on purpose: by ``BearerGate`` (ASGI, before the body is read, so an
unauthenticated client gets nothing parsed) and by ``require_token`` on the /v1 routers, which
also publishes the security scheme in the OpenAPI document.
"""

from __future__ import annotations

import hmac

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .engine import TriageEngine
from .errors import ApiError, Code
from .net import is_loopback  # noqa: F401 - re-exported for `serve`

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>`; required unless the "
                     "service is bound to loopback without a token.")
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}


def token_ok(authorization: str | None, token: str | None) -> bool:
    """Constant-time check of an ``Authorization`` header value against the configured token."""
    if token is None:
        return True
    if not authorization:
        return False
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def get_engine(request: Request) -> TriageEngine:
    return request.app.state.engine


def require_token(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    token = get_engine(request).config.token
    header = f"Bearer {credentials.credentials}" if credentials else None
    if not token_ok(header, token):
        raise ApiError(401, Code.unauthorized, "missing or invalid bearer token", UNAUTHORIZED_HEADERS)
