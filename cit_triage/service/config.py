"""The service's limits and security settings, in one frozen record."""

from __future__ import annotations

from dataclasses import dataclass

#: Default limits; each is a `cit-triage serve` option.
MAX_BODY_BYTES = 1_048_576
MAX_BATCH = 500
TIMEOUT_SECONDS = 10.0
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class ServiceConfig:
    """``token=None`` means no authentication (allowed on loopback only; `serve` enforces that)."""

    token: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    max_batch: int = MAX_BATCH
    timeout_seconds: float = TIMEOUT_SECONDS

    def __post_init__(self):
        if self.token is not None and len(self.token) < MIN_TOKEN_CHARS:
            raise ValueError(f"the API token is too short: use at least {MIN_TOKEN_CHARS} random characters")
        if self.max_body_bytes < 1024 or self.max_batch < 1 or self.timeout_seconds <= 0:
            raise ValueError("limits must be positive (max_body_bytes >= 1024)")
