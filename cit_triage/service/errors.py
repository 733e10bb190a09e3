"""JSON errors with stable codes: ``{"error": {"code": ..., "message": ..., "details": [...]}}``.

Every error the service returns has this shape, FastAPI's own 422s and 404s included, so a
CAD integration matches on ``code`` only. Messages name the field and the problem, never echo
the input (it may hold note text).
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


class Code:
    """The stable error codes (never renamed; new ones may be added)."""

    invalid_json = "invalid_json"                  # 400 body is not JSON
    invalid_request = "invalid_request"            # 400/422 anything else malformed
    invalid_call = "invalid_call"                  # 422 POST /v1/suggestions
    invalid_batch = "invalid_batch"                # 422 POST /v1/suggestions:batch
    invalid_eido = "invalid_eido"                  # 422 POST /v1/eido/suggestions
    invalid_decision = "invalid_decision"          # 422 POST /v1/suggestions/{id}/decision
    override_reason_required = "override_reason_required"  # 422 sent != suggested without a reason
    batch_too_large = "batch_too_large"            # 422 more calls than the batch limit
    unauthorized = "unauthorized"                  # 401 missing or wrong bearer token
    forbidden = "forbidden"                        # 403 no token and the request came off loopback
    invalid_host = "invalid_host"                  # 400 a Host header this service does not answer to
    body_timeout = "body_timeout"                  # 408 the body did not arrive in time
    busy = "busy"                                  # 503 more requests in flight than --max-concurrency
    not_found = "not_found"                        # 404 no such route
    suggestion_not_found = "suggestion_not_found"  # 404 decision for an unknown suggestion id
    method_not_allowed = "method_not_allowed"      # 405
    body_too_large = "body_too_large"              # 413 body over the size limit
    unsupported_media_type = "unsupported_media_type"  # 415 body sent with a non-JSON Content-Type
    timeout = "timeout"                            # 504 suggestion took longer than the limit
    audit_unavailable = "audit_unavailable"        # 503 the audit log cannot be written: no suggestion
    not_ready = "not_ready"                        # 503 /readyz
    internal_error = "internal_error"              # 500 a bug; details are not returned


class FieldError(BaseModel):
    field: str
    message: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[FieldError] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """Raised by routes: becomes an error response with ``status`` and ``code``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_json(code: str, message: str, details: list[FieldError] | None = None) -> dict:
    return ErrorBody(error=ErrorDetail(code=code, message=message, details=details)).model_dump(exclude_none=True)


def error_bytes(code: str, message: str) -> bytes:
    return json.dumps(error_json(code, message)).encode()


def error_response(status: int, code: str, message: str, details: list[FieldError] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_json(code, message, details), status_code=status, headers=headers)


#: Which invalid_* code a 422 gets, by route path.
_VALIDATION_CODES = {
    "/v1/suggestions": Code.invalid_call,
    "/v1/suggestions:batch": Code.invalid_batch,
    "/v1/eido/suggestions": Code.invalid_eido,
    "/v1/suggestions/{suggestion_id}/decision": Code.invalid_decision,
}
_HTTP_CODES = {401: Code.unauthorized, 404: Code.not_found, 405: Code.method_not_allowed, 413: Code.body_too_large}
_MAX_DETAILS = 20


def field_errors(errors: list[dict]) -> list[FieldError]:
    """pydantic errors → ``FieldError``s; ``body`` and ``Value error,`` prefixes dropped, no input echoed."""
    out = []
    for err in errors[:_MAX_DETAILS]:
        loc = [str(p) for p in err.get("loc", ()) if p != "body"]
        field = ".".join(loc)[:200] or "body"
        out.append(FieldError(field=field, message=str(err.get("msg", "invalid")).removeprefix("Value error, ")[:500]))
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, Code.invalid_json, "the request body is not valid JSON")
        content_type = request.headers.get("content-type", "")
        if content_type and "json" not in content_type.lower():
            return error_response(415, Code.unsupported_media_type, "send the body as JSON with Content-Type: application/json")
        route = request.scope.get("route")
        code = _VALIDATION_CODES.get(getattr(route, "path", ""), Code.invalid_request)
        details = field_errors(errors)
        first = details[0] if details else FieldError(field="body", message="invalid")
        return error_response(422, code, f"{first.field}: {first.message}", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, Code.invalid_request if exc.status_code < 500 else Code.internal_error)
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))
