"""``cit-triage suggest``: the explained suggestion for one call, for a person or as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from .common import check_input, fail, load_triager, read_text_arg, validation_message

if TYPE_CHECKING:
    from ..schema import Suggestion

_HEADLINE = {"patrol": "standard patrol", "cit": "CIT-trained officer", "co_responder": "CIT officer + mental-health clinician"}
_COLOR = {"patrol": "green", "cit": "yellow", "co_responder": "red"}


def suggest_command(
    notes: Optional[str] = typer.Argument(None, help="The call notes (quote them). Omit and use --file to read a file."),
    call_type: Optional[str] = typer.Option(None, "--call-type", "-t", help="CAD call type, e.g. EDP, SUICTHRT, WELFARE."),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="Read the notes from a UTF-8 file ('-' for stdin); at most 65,536 characters, as everywhere."),
    weapons_reported: Optional[str] = typer.Option(None, "--weapons-reported", help="yes / no / unknown"),
    caller_relation: Optional[str] = typer.Option(None, "--caller-relation", help="self, family, neighbor, ..."),
    call_id: Optional[str] = typer.Option(None, "--call-id", help="CAD incident number (echoed back)."),
    available: Optional[str] = typer.Option(None, "--available", help="Responses on duty, comma-separated, e.g. patrol,cit"),
    as_json: bool = typer.Option(False, "--json", help="Print the full suggestion as JSON."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: the shipped model)."),
    policy: Optional[Path] = typer.Option(None, "--policy", help="Agency policy TOML (default: the shipped policy)."),
) -> None:
    """Suggest patrol, CIT officer or co-responder for one call, with reasons."""
    from pydantic import ValidationError

    from ..errors import CitTriageError
    from ..schema import Call

    if notes is not None and file is not None:
        fail("give the notes either as an argument or with --file, not both")
    if file is not None:
        check_input(file, "notes file")
        notes = read_text_arg(file)
    if notes is None:
        fail("no notes given: pass them in quotes, or use --file")
    if not notes.strip() and not (call_type and call_type.strip()):
        fail("notes are empty: type what the caller reported (or give --call-type for a call type with no notes)")
    on_duty = [a.strip() for a in available.split(",") if a.strip()] if available else None
    if on_duty and not set(on_duty) <= {"patrol", "cit", "co_responder"}:
        fail(f"--available takes patrol, cit, co_responder; got {available!r}")
    try:
        call = Call(notes=notes, call_type=call_type, weapons_reported=weapons_reported,
                    caller_relation=caller_relation, call_id=call_id)
    except ValidationError as exc:
        fail(validation_message(exc))
    triager = load_triager(model, policy)
    try:
        suggestion = triager.suggest(call, available=on_duty)
    except CitTriageError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(suggestion.model_dump_json(indent=2))
    else:
        print_suggestion(suggestion)


def print_suggestion(s: "Suggestion") -> None:
    """Human-readable rendering: headline, summary, reasons with quoted phrases, questions.

    Styles are rich markup; every piece of text that comes from the call or the policy is
    escaped, so brackets in notes print as typed and no markup tag ever shows.
    """
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=True)
    r = s.response.value
    review = "  [bold magenta]NEEDS REVIEW[/]" if s.needs_review else ""
    console.print(f"Suggestion: [bold {_COLOR[r]}]{r}[/] ({_HEADLINE[r]})  confidence {s.confidence:.0%}{review}")
    console.print(escape(s.summary))
    if s.reasons:
        console.print("\n[bold]Why[/]")
        for reason in s.reasons:
            tag = "rule " if reason.source == "rule" else "model"
            effect = f"  ({reason.effect})" if reason.effect else ""
            console.print(escape(f"  [{tag}] {reason.message}{effect}"))
    shown = [f for f in s.risk_factors if f.counts_as != "none" or f.assertion != "affirmed"]
    if shown:
        console.print("\n[bold]Found in the notes[/]")
        for f in shown:
            cue = f' (cue "{f.cue.text}")' if f.cue else ""
            console.print(escape(f'  "{f.text}"  {f.description}: {f.assertion.value}{cue}, about {f.experiencer}, '
                                 f'counts as {f.counts_as}'))
    if s.advisories:
        console.print("\n[bold]Advisories[/]")
        for a in s.advisories:
            console.print(escape(f"  {a.code}: {a.message}"))
    if s.questions_to_ask:
        console.print("\n[bold]Ask the caller[/]")
        for q in s.questions_to_ask:
            console.print(escape(f"  - {q.text}"))
    if s.needs_review:
        console.print("\n[bold]Review because[/]: " + escape("; ".join(s.review_reasons)))
    console.print(f"\n[dim]model {escape(s.model_version)} · policy {escape(s.policy_version)} · "
                  "decision support: the dispatcher decides[/]")


def register(app: typer.Typer) -> None:
    app.command("suggest")(suggest_command)
