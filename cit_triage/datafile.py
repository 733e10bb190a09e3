"""Reading the project's TOML data files: one place for the one-line error a bad file gets."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .errors import DataFileError, Errors


def read_toml(path: str | Path) -> dict:
    """The parsed TOML file at ``path``; an unreadable or malformed file is a ``DataFileError``."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(Errors.E030.format(path=path, detail=str(exc))) from None
