"""Files that hold call notes are created readable by their owner only (0600), from the start.

``chmod`` after the fact leaves a window in which another user can open the file, and does
nothing for files a library creates on its own (SQLite's ``-wal`` and ``-shm`` journals,
a Parquet writer's temp file). So every such file is created under a 0077 umask.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import IO, Iterator

#: Private file and folder modes.
FILE_MODE = 0o600
DIR_MODE = 0o700

# The umask is process-wide: serialize the short sections that change it.
_UMASK_LOCK = threading.RLock()


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Within the block, new files are created 0600 and new folders 0700 (umask 0077)."""
    with _UMASK_LOCK:
        old = os.umask(0o077)
        try:
            yield
        finally:
            os.umask(old)


def open_private(path: str | Path, mode: str = "w", **kwargs) -> IO:
    """``open()`` for a notes-holding file: created 0600; an existing file is made 0600 too."""
    path = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        return open(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def write_private_text(path: str | Path, text: str) -> None:
    """``Path.write_text`` for a notes-holding file (UTF-8, created 0600)."""
    with open_private(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and parents) 0700 if missing; an existing folder is left as it is."""
    path = Path(path)
    with private_umask():
        path.mkdir(parents=True, exist_ok=True)
    return path
