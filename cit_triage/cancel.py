"""Cooperative cancellation: a worker thread's work stops at the next stage after a timeout.

A service answers 504 when a suggestion takes too long; the thread doing the work cannot be
killed, so the analysis checks between its stages (normalize, NLP, page layout, facts, model,
explanation) whether the request was given up and stops there. Outside ``stop_on`` the checks
cost one attribute look-up.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

_local = threading.local()


class Cancelled(Exception):
    """The request's time ran out; the work stopped at the next stage."""


@contextmanager
def stop_on(event: threading.Event):
    """Within this block (in this thread), ``checkpoint()`` raises ``Cancelled`` once ``event`` is set."""
    previous = getattr(_local, "event", None)
    _local.event = event
    try:
        yield
    finally:
        _local.event = previous


def checkpoint() -> None:
    """Raise ``Cancelled`` if the work of this thread was given up."""
    event = getattr(_local, "event", None)
    if event is not None and event.is_set():
        raise Cancelled
