"""The ``cit-triage`` command line: thin wiring, one module per command."""

from __future__ import annotations

import typer

from . import suggest

app = typer.Typer(
    name="cit-triage",
    help="Explained triage suggestions for 911 calls: patrol, CIT officer or co-responder team.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
suggest.register(app)
from . import score; score.register(app)  # noqa: E402,E702 - `cit-triage score`
from . import audit, serve; serve.register(app); audit.register(app)  # noqa: E402,E702 - `serve`, `audit`
from . import compare, evaluate, train; [m.register(app) for m in (evaluate, train, compare)]  # noqa: E402,E702 - evaluate/train/compare


@app.callback()
def _root() -> None:
    """Explained triage suggestions for 911 calls. Decision support: the dispatcher decides."""


def main() -> None:
    """Console-script entry point."""
    app()
