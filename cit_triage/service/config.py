"""The service's limits and security settings, in one frozen record."""

from __future__ import annotations

from dataclasses import dataclass

from .net import is_loopback

#: Default limits; each is a `cit-triage serve` option.
MAX_BODY_BYTES = 1_048_576
MAX_BATCH = 500
TIMEOUT_SECONDS = 10.0
HEADER_TIMEOUT_SECONDS = 10.0
BODY_TIMEOUT_SECONDS = 30.0
MAX_CONCURRENCY = 64
MIN_TOKEN_CHARS = 16
#: Host headers accepted when none are configured: loopback names only (stops DNS rebinding).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ServiceConfig:
    """Limits and security settings.

    ``token=None`` means no authentication, allowed only when ``host`` (the bind address) is
    loopback; the app also refuses, per request, any connection that arrives on a
    non-loopback address without a token. ``allowed_hosts`` lists the accepted ``Host``
    headers (default: loopback names without a token, any with one; ``"*"`` accepts all).
    """

    token: str | None = None
    host: str = "127.0.0.1"
    allowed_hosts: tuple[str, ...] | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    max_batch: int = MAX_BATCH
    timeout_seconds: float = TIMEOUT_SECONDS
    header_timeout_seconds: float = HEADER_TIMEOUT_SECONDS
    body_timeout_seconds: float = BODY_TIMEOUT_SECONDS
    max_concurrency: int = MAX_CONCURRENCY

    def __post_init__(self):
        if self.token is not None and len(self.token) < MIN_TOKEN_CHARS:
            raise ValueError(f"the API token is too short: use at least {MIN_TOKEN_CHARS} random characters")
        if self.token is None and not is_loopback(self.host):
            raise ValueError(f"refusing to serve on {self.host} without a token: set a token or bind to 127.0.0.1")
        if (self.max_body_bytes < 1024 or self.max_batch < 1 or self.timeout_seconds <= 0 or self.max_concurrency < 1
                or self.header_timeout_seconds <= 0 or self.body_timeout_seconds <= 0):
            raise ValueError("limits must be positive (max_body_bytes >= 1024)")

    @property
    def hosts(self) -> tuple[str, ...]:
        """The accepted ``Host`` header names (lower case, no port)."""
        if self.allowed_hosts is not None:
            return tuple(h.lower().strip("[]") for h in self.allowed_hosts)
        return LOOPBACK_HOSTS if self.token is None else ("*",)
