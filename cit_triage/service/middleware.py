"""ASGI middleware: access log + last-resort 500 + security headers, concurrency limit,
Host check, loopback guard, bearer gate, body size cap and read timeout.

Plain ASGI classes rather than ``BaseHTTPMiddleware`` so the body cap can stop reading at the
limit and the gate can answer before any byte of the body is parsed.
"""

from __future__ import annotations

import asyncio
import logging
import time

from .dependencies import UNAUTHORIZED_HEADERS, token_ok
from .errors import Code, error_bytes
from .logs import log_event
from .net import host_name, is_loopback

#: On every response: answers quote call notes, so no cache may keep them, and no browser
#: may sniff a JSON body into something it runs.
SECURITY_HEADERS = [(b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]

#: Paths that need the token (health, readiness and the OpenAPI document do not).
PROTECTED_PREFIX = "/v1/"


async def send_error(send, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
    body = error_bytes(code, message)
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """Outermost: one JSON log line per request (route template, status, ms) and a JSON 500
    for any exception that escapes, logged by type only."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()
        state = {"status": None}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            log_event("unhandled_error", level=logging.ERROR, exc_type=type(exc).__name__,
                      route=_route(scope))
            if state["status"] is None:
                await send_error(send_wrapper, 500, Code.internal_error, "internal error; the request was not completed")
        finally:
            log_event("request", method=scope.get("method"), route=_route(scope), status=state["status"],
                      ms=round((time.perf_counter() - t0) * 1000, 2))


def _route(scope) -> str:
    # The matched route's template, never the raw path: a client could put anything in a path.
    route = scope.get("route")
    return getattr(route, "path", None) or "<unmatched>"


class ConcurrencyLimit:
    """503 when ``max_requests`` requests are already in flight.

    Counted here, once a request's headers have arrived, and not by uvicorn (whose limit counts
    open connections: a few dozen that never finish their headers would lock every client out).
    """

    def __init__(self, app, max_requests: int):
        self.app, self.max_requests, self.in_flight = app, max_requests, 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.in_flight >= self.max_requests:
            return await send_error(send, 503, Code.busy, f"{self.max_requests} requests in flight; retry shortly",
                                    {"Retry-After": "1"})
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


class HostCheck:
    """400 for a ``Host`` header not in ``hosts`` ("*" accepts any).

    Without a token the service answers only to loopback names, so a web page that rebinds its
    own domain to 127.0.0.1 cannot post to it from the dispatcher's browser.
    """

    def __init__(self, app, hosts: tuple[str, ...]):
        self.app, self.hosts = app, frozenset(hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and "*" not in self.hosts:
            header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
            if host_name(header) not in self.hosts:
                return await send_error(send, 400, Code.invalid_host, "this service does not answer to that Host header")
        await self.app(scope, receive, send)


class LoopbackGuard:
    """Without a token, refuse (403) any request that reached a non-loopback address.

    ``ServiceConfig`` already refuses a non-loopback ``host`` without a token; this covers an
    app embedded in a server bound elsewhere.
    """

    def __init__(self, app, token: str | None):
        self.app, self.token = app, token

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.token is None:
            server = scope.get("server") or ("", 0)
            if not is_loopback(str(server[0])):
                return await send_error(send, 403, Code.forbidden,
                                        "this service has no token and answers on loopback only")
        await self.app(scope, receive, send)


class BearerGate:
    """401 for /v1/ requests without the right bearer token, before the body is read."""

    def __init__(self, app, token: str | None):
        self.app, self.token = app, token

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.token is not None and scope["path"].startswith(PROTECTED_PREFIX):
            header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), None)
            if not token_ok(header, self.token):
                return await send_error(send, 401, Code.unauthorized, "missing or invalid bearer token", UNAUTHORIZED_HEADERS)
        await self.app(scope, receive, send)


class BodyLimit:
    """413 for bodies over ``max_bytes`` (declared or streamed), 408 for a body that has not
    fully arrived ``timeout`` seconds after the headers; the accepted body is replayed."""

    def __init__(self, app, max_bytes: int, timeout: float = 30.0):
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                return await send_error(send, 400, Code.invalid_request, "Content-Length is not a number")
            if size > self.max_bytes:
                return await send_error(send, 413, Code.body_too_large, f"the body is {size} bytes; the limit is {self.max_bytes}")
        chunks, total = [], 0
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.001))
            except asyncio.TimeoutError:
                return await send_error(send, 408, Code.body_timeout,
                                        f"the body did not arrive within {self.timeout:g} s", {"Connection": "close"})
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_bytes:
                return await send_error(send, 413, Code.body_too_large, f"the body is over the limit of {self.max_bytes} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
