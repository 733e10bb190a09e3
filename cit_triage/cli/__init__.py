"""The ``cit-triage`` command line: thin wiring, one module per command.

Command modules import only typer at module level; each command imports the heavy parts it
needs (spaCy, scikit-learn, pandas, FastAPI ...) when it runs, so ``--help`` stays fast.
"""

from __future__ import annotations

from typing import Optional

import typer

from .. import __version__
from . import audit, compare, evaluate, score, serve, suggest, train

app = typer.Typer(
    name="cit-triage",
    help="Explained triage suggestions for 911 calls: patrol, CIT officer or co-responder team.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
for _command in (suggest, score, serve, audit, evaluate, train, compare):
    _command.register(app)


@app.command("labels")
def labels_command() -> None:
    """Print what patrol, cit and co_responder mean (the labeling definitions shipped with the package)."""
    from importlib.resources import files

    typer.echo(files("cit_triage").joinpath("data", "labels.md").read_text(encoding="utf-8"))


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"cit-triage {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Optional[bool] = typer.Option(None, "--version", callback=_print_version, is_eager=True,
                                           help="Print the version and exit."),
) -> None:
    """Explained triage suggestions for 911 calls. Decision support: the dispatcher decides."""


def main() -> None:
    """Console-script entry point."""
    from .common import extra_for

    try:
        app()
    except ModuleNotFoundError as exc:  # a command whose optional dependency is not installed
        extra = extra_for(exc)
        if extra is None:
            raise
        typer.echo(f"error: this command needs the {extra} extra: pip install 'cit_triage[{extra}]'", err=True)
        raise SystemExit(2) from None
