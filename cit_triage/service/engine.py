"""The service's work: suggest within a time limit, record in the audit log, log without notes.

A suggestion is returned only after its audit row is committed, so every id a client has
seen is in the audit log, even if the process is killed right after answering.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable, TypeVar

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..cancel import Cancelled, stop_on
from ..audit import AuditError, AuditStore, Decision, UnknownSuggestion, new_suggestion_id
from ..errors import CitTriageError
from ..schema import Call, Suggestion
from ..triage import Triager
from .config import ServiceConfig
from .errors import ApiError, Code, field_errors
from .logs import log_event

T = TypeVar("T")

#: Calls suggested between two checks of a batch's deadline: after a 504 the worker thread
#: stops within one step instead of finishing the batch for a client that has gone.
BATCH_STEP = 16


class TriageEngine:
    """The loaded Triager + audit store + limits, shared by all requests (thread-safe)."""

    def __init__(self, triager: Triager, audit: AuditStore, config: ServiceConfig):
        self.triager, self.audit, self.config = triager, audit, config

    async def suggest(self, call: Call, *, available: list[str] | None, explain: bool, source: str) -> tuple[str, Suggestion]:
        t0 = time.perf_counter()
        try:
            suggestion = await self._in_time(lambda cancelled: self._suggest_one(call, available, explain, cancelled))
        except CitTriageError as exc:
            raise ApiError(422, Code.invalid_call, str(exc)) from None
        t1 = time.perf_counter()
        sid = new_suggestion_id()
        await self._record([(sid, call, suggestion)], source)
        log_event("suggestion", suggestion_id=sid, call_id=call.call_id, source=source,
                  response=suggestion.response.value, needs_review=suggestion.needs_review,
                  model_version=suggestion.model_version, policy_version=suggestion.policy_version,
                  suggest_ms=round((t1 - t0) * 1000, 2), audit_ms=round((time.perf_counter() - t1) * 1000, 2),
                  **self._chain())
        return sid, suggestion

    async def suggest_batch(self, items: list[Any], *, available: list[str] | None, explain: bool) -> list[dict]:
        """One result per item, in order: ``{"index", "suggestion_id", "suggestion"}`` or ``{"index", "error"}``."""
        if len(items) > self.config.max_batch:
            raise ApiError(422, Code.batch_too_large, f"{len(items)} calls in one batch; the limit is {self.config.max_batch}")
        results: list[dict] = [{"index": i} for i in range(len(items))]
        calls: list[tuple[int, Call]] = []
        for i, item in enumerate(items):
            try:
                calls.append((i, Call.model_validate(item)))
            except ValidationError as exc:
                details = field_errors(exc.errors())
                results[i]["error"] = {"code": Code.invalid_call, "message": f"{details[0].field}: {details[0].message}",
                                       "details": [d.model_dump() for d in details]}
        t0 = time.perf_counter()
        try:
            suggestions = await self._in_time(
                lambda cancelled: self._suggest_steps([c for _, c in calls], available, explain, cancelled)) if calls else []
        except CitTriageError as exc:
            raise ApiError(422, Code.invalid_batch, str(exc)) from None
        t1 = time.perf_counter()
        rows = [(new_suggestion_id(), call, s) for (_, call), s in zip(calls, suggestions)]
        if rows:
            await self._record(rows, "batch")
        for (i, _), (sid, call, s) in zip(calls, rows):
            results[i].update(suggestion_id=sid, suggestion=s)
        log_event("batch", n_calls=len(items), n_ok=len(rows), n_errors=len(items) - len(rows),
                  suggest_ms=round((t1 - t0) * 1000, 2), audit_ms=round((time.perf_counter() - t1) * 1000, 2),
                  model_version=self.triager.model_version, policy_version=self.triager.policy.policy_version,
                  responses={r: sum(s.response.value == r for _, _, s in rows) for r in ("patrol", "cit", "co_responder")},
                  **self._chain())
        return results

    async def decide(self, suggestion_id: str, sent: str, override_reason: str | None, dispatcher: str | None) -> Decision:
        reason = (override_reason or "").strip() or None
        suggested = await run_in_threadpool(self.audit.suggested_response, suggestion_id)
        if suggested is None:
            raise ApiError(404, Code.suggestion_not_found, f"no suggestion with id {suggestion_id} in the audit log")
        if sent != suggested and reason is None:
            raise ApiError(422, Code.override_reason_required,
                           f"override_reason: the dispatcher sent {sent} but {suggested} was suggested; say why")
        try:
            decision = await run_in_threadpool(self.audit.record_decision, suggestion_id, sent, reason, dispatcher)
        except UnknownSuggestion:
            raise ApiError(404, Code.suggestion_not_found, f"no suggestion with id {suggestion_id} in the audit log") from None
        except AuditError:
            log_event("audit_write_failed", level=40, what="decision")
            raise ApiError(503, Code.audit_unavailable, "the audit log cannot be written; the decision was not recorded") from None
        log_event("decision", suggestion_id=suggestion_id, sent=sent, suggested=suggested, override=sent != suggested,
                  **self._chain())
        return decision

    def _suggest_one(self, call: Call, available, explain: bool, cancelled: threading.Event) -> Suggestion:
        """``suggest``, stopping at the next stage of the analysis once ``cancelled`` is set."""
        with stop_on(cancelled):
            return self.triager.suggest(call, available=available, explain=explain)

    def _suggest_steps(self, calls: list[Call], available, explain: bool, cancelled: threading.Event) -> list[Suggestion]:
        """``suggest_many`` in steps of ``BATCH_STEP``, stopping as soon as ``cancelled`` is set."""
        out: list[Suggestion] = []
        for start in range(0, len(calls), BATCH_STEP):
            if cancelled.is_set():
                raise Cancelled
            out += self.triager.suggest_many(calls[start:start + BATCH_STEP], available=available, explain=explain)
        return out

    async def _in_time(self, fn: Callable[[threading.Event], T]) -> T:
        """Run ``fn(cancelled)`` in a worker thread; past the time limit, set ``cancelled`` and answer 504."""
        cancelled = threading.Event()
        try:
            return await asyncio.wait_for(run_in_threadpool(fn, cancelled), self.config.timeout_seconds)
        except asyncio.TimeoutError:
            cancelled.set()
            log_event("timeout", level=30, limit_s=self.config.timeout_seconds)
            raise ApiError(504, Code.timeout, f"no suggestion within {self.config.timeout_seconds:g} s") from None

    def _chain(self) -> dict:
        # The audit chain's head in every log line: an anchor outside the database, against
        # which `cit-triage audit verify --expect-head` proves no row was cut or rewritten.
        head = getattr(self.audit, "head", None)
        return {"audit_rows": head[0], "audit_head": head[1]} if head else {}

    async def _record(self, rows: list[tuple[str, Call, Suggestion]], source: str) -> None:
        try:
            await run_in_threadpool(self.audit.record_suggestions, rows, source)
        except AuditError:
            # Fail closed: a suggestion that is not in the audit log is never returned.
            log_event("audit_write_failed", level=40, what="suggestion", n=len(rows))
            raise ApiError(503, Code.audit_unavailable, "the audit log cannot be written; no suggestion was returned") from None

