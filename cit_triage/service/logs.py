"""Structured JSON logs for the service: one object per line, never any note text.

Log lines carry ids, timings, the suggested response and versions. Exceptions are logged by
type only: a message or a traceback could quote the notes.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

LOGGER_NAME = "cit_triage.service"
log = logging.getLogger(LOGGER_NAME)


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "event", ...fields}``; exception type only, no message or traceback."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "event": record.getMessage()}
        out.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            out["exc_type"] = record.exc_info[0].__name__
        return json.dumps(out, default=str)


def setup_logging(level: str = "info", stream=None) -> None:
    """JSON lines on stderr for our logger and uvicorn's; uvicorn's access log is replaced by ours."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in (LOGGER_NAME, "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True


def log_event(event: str, level: int = logging.INFO, **fields) -> None:
    log.log(level, event, extra={"fields": fields})
