"""Shared CLI helpers: loading a Triager, checking paths, and failing with one clear line."""

from __future__ import annotations

import contextlib
import glob
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, NoReturn

import typer

if TYPE_CHECKING:
    from pydantic import ValidationError

#: Third-party modules that come with an extra, and the extra that brings them.
_EXTRA_OF = {**dict.fromkeys(("sklearn", "scipy", "pandas", "pyarrow", "matplotlib", "jinja2", "tqdm"), "report"),
             **dict.fromkeys(("fastapi", "uvicorn", "starlette", "swagger_ui_bundle"), "serve"),
             **dict.fromkeys(("dask", "distributed"), "dask")}


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def needs_extra(command: str) -> Iterator[None]:
    """Turn a missing optional dependency into one line naming the extra to install."""
    try:
        yield
    except ModuleNotFoundError as exc:
        extra = extra_for(exc)
        if extra is None:
            raise
        fail(f"`cit-triage {command}` needs the {extra} extra: pip install 'cit_triage[{extra}]'")


def extra_for(exc: ModuleNotFoundError) -> str | None:
    """The extra that installs the missing module, or None when it is not an optional one."""
    return _EXTRA_OF.get((exc.name or "").split(".")[0])


def validation_message(exc: "ValidationError") -> str:
    """The first problem of a pydantic error, as one line naming the field."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "input"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}: {msg}"


def load_triager(model: Path | None, policy: Path | None):
    from ..errors import CitTriageError
    from ..triage import Triager

    try:
        return Triager.load(model, policy=policy)
    except CitTriageError as exc:
        fail(str(exc))


def check_input(path: Path | str, what: str = "data file") -> None:
    """Fail with one line unless ``path`` (a file, folder or glob pattern) can be read.

    Checked before any work starts, so an unreadable input never surfaces as a traceback
    or a usage box from deep inside a reader.
    """
    text = str(path)
    if text == "-":
        return
    if glob.has_magic(text):
        if not glob.glob(text):
            fail(f"{what} {text}: no file matches this pattern")
        return
    p = Path(text)
    if not p.exists():
        fail(f"{what} {p}: file not found")
    if not os.access(p, os.R_OK | (os.X_OK if p.is_dir() else 0)):
        fail(f"{what} {p}: permission denied")


def check_output_file(path: Path) -> None:
    """An output file's folder must exist: a typo in a path should not create folders."""
    folder = path.parent
    if not folder.is_dir():
        fail(f"output folder {folder} does not exist: create it first")
    if path.is_dir():
        fail(f"{path} is a folder: give a file name")
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"cannot write into {folder}: permission denied")


def check_output_folder(path: Path) -> None:
    """An output folder is created if missing; it must not be a file."""
    if path.exists() and not path.is_dir():
        fail(f"{path} is a file: --out takes a folder")


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
