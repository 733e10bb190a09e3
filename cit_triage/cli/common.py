"""Shared CLI helpers: loading a Triager and failing with one clear line, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer
from pydantic import ValidationError

from ..errors import CitTriageError


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def validation_message(exc: ValidationError) -> str:
    """The first problem of a pydantic error, as one line naming the field."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "input"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}: {msg}"


def load_triager(model: Path | None, policy: Path | None):
    from ..triage import Triager

    try:
        return Triager.load(model, policy=policy)
    except CitTriageError as exc:
        fail(str(exc))


def read_text_arg(path: Path) -> str:
    """Read notes from a file (or '-' for stdin) as strict UTF-8."""
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(f"notes are not valid UTF-8 (byte {exc.start} of {path})")
