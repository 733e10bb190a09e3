"""The evaluation report: one self-contained HTML page (inline CSS, plots as base64 PNG).

Written for a dispatch trainer: every number has a one-sentence explanation in plain words,
reasons are the policy's sentences (never rule ids), the notes highlight only the words a
shown reason cites, and long CAD pages are folded. With ``include_notes=False`` no note text
appears anywhere, including the phrases reasons quote.

Nothing in the page loads from the network, so it opens on an air-gapped dispatch-center
workstation and can be mailed as one file. Plots are drawn with matplotlib's Agg canvas
(no display, no pyplot global state).
"""

from __future__ import annotations

import base64
import io
from datetime import datetime, timezone
import re
from pathlib import Path
from typing import Sequence

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from ..schema import RESPONSES, Reason, Suggestion

TEMPLATES = Path(__file__).resolve().parent.parent / "report" / "templates"
LABELS = {"patrol": "Patrol", "cit": "CIT", "co_responder": "Co-responder"}
# Span kinds in priority order (a character covered by several spans takes the first).
_KINDS = ("risk", "crisis", "reason")
#: Notes longer than this (lines or characters) are folded to their first lines plus "show all".
FOLD_LINES, FOLD_CHARS = 6, 600
PREVIEW_LINES, PREVIEW_CHARS = 3, 320
#: Model reasons listed per disagreement (the strongest first).
MODEL_REASONS_SHOWN = 3
#: Rules the engine applies on its own (not listed in the policy file), in words.
BUILT_IN_RULES = {
    "cap_co_responder": "No elevated-risk sign found to justify a clinician team: a co-responder suggestion was lowered",
    "cap_attempt_call_type": "The call type names a suicide attempt but the notes show none under way: CIT officer",
    "resource_fallback": "The suggested response was not on duty: the policy's fallback was sent instead",
}
_QUOTED = re.compile(r'"[^"]*"')
_PLACEHOLDER = re.compile(r"""\s*\(\{\w+\}\)|\s*'\{\w+\}'|\{\w+\}""")


def _png(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def confusion_plot(counts: list[list[int]]) -> str:
    """Heat map coloured by share of each actual class (row), annotated with counts."""
    from matplotlib.figure import Figure

    cm = np.asarray(counts, dtype=float)
    share = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig = Figure(figsize=(4.6, 3.9))
    ax = fig.add_subplot()
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    names = [LABELS[k] for k in RESPONSES]
    ax.set_xticks(range(3), names)
    ax.set_yticks(range(3), names)
    ax.set_xlabel("suggested")
    ax.set_ylabel("actual")
    for i in range(3):
        for j in range(3):
            ax.text(j, i, f"{int(cm[i, j])}\n{share[i, j]:.0%}", ha="center", va="center", fontsize=10,
                    color="white" if share[i, j] > 0.55 else "#1b2733")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="share of actual row")
    return _png(fig)


def reliability_plot(bins: list[dict]) -> str:
    """Accuracy against confidence per bin; the diagonal is perfect calibration."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.6, 3.9))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="#9aa5b1", label="perfectly calibrated")
    used = [b for b in bins if b["n"]]
    ax.bar([(b["low"] + b["high"]) / 2 for b in used], [b["accuracy"] for b in used], width=0.09,
           color="#4c78a8", alpha=0.85, label="accuracy in bin")
    ax.plot([b["confidence"] for b in used], [b["accuracy"] for b in used], marker="o", color="#e45756",
            label="mean confidence → accuracy")
    for b in used:
        ax.annotate(str(b["n"]), ((b["low"] + b["high"]) / 2, b["accuracy"]), textcoords="offset points",
                    xytext=(0, 3), ha="center", fontsize=7, color="#52606d")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.08)
    ax.set_xlabel("confidence of the suggestion")
    ax.set_ylabel("share correct")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=7, frameon=False)
    return _png(fig)


def confidence_histogram(confidence: list[float], correct: list[bool]) -> str:
    from matplotlib.figure import Figure

    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    fig = Figure(figsize=(4.6, 3.9))
    ax = fig.add_subplot()
    edges = np.linspace(0, 1, 21)
    ax.hist([conf[ok], conf[~ok]], bins=edges, stacked=True, color=["#54a24b", "#e45756"],
            label=["suggestion = label", "suggestion ≠ label"])
    ax.set_xlim(0, 1)
    ax.set_xlabel("confidence of the suggestion")
    ax.set_ylabel("calls")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=7, frameon=False)
    return _png(fig)


def rule_descriptions(policy) -> dict[str, str]:
    """Every rule id the policy can fire, as the policy's own sentence with its blanks left out."""
    described = {r.id: _PLACEHOLDER.sub("", r.message) for r in policy.rule}
    return {**BUILT_IN_RULES, **described}


def without_notes(text: str) -> str:
    """A reason with the phrases it quotes from the notes replaced by an ellipsis."""
    return _QUOTED.sub("\u201c\u2026\u201d", text)


def shown_reasons(suggestion: Suggestion) -> list[Reason]:
    """The reasons the report lists: every rule, then the strongest model reasons."""
    rules = [r for r in suggestion.reasons if r.source == "rule"]
    model = [r for r in suggestion.reasons if r.source == "model"][:MODEL_REASONS_SHOWN]
    return rules + model


def highlight(notes: str, suggestion: Suggestion, reasons: Sequence[Reason] | None = None) -> Markup:
    """Notes as HTML with the words the given reasons cite marked (escaped, offsets into the original).

    A cited phrase that is a risk factor takes its colour (elevated-risk or crisis sign);
    words no listed reason cites are not marked. The hover text is the reason in words.
    """
    reasons = shown_reasons(suggestion) if reasons is None else reasons
    counts_as = {(f.start, f.end): f.counts_as for f in suggestion.risk_factors}
    kind: list[str | None] = [None] * len(notes)
    title = [""] * len(notes)

    def mark(start: int, end: int, k: str, text: str) -> None:
        for i in range(max(start, 0), min(end, len(notes))):
            if kind[i] is None or _KINDS.index(k) < _KINDS.index(kind[i]):
                kind[i], title[i] = k, text

    for r in reasons:
        for span in r.spans:
            k = {"risk": "risk", "crisis": "crisis"}.get(counts_as.get((span.start, span.end), ""), "reason")
            mark(span.start, span.end, k, r.message)
    parts, i = [], 0
    while i < len(notes):
        j = i
        while j < len(notes) and kind[j] == kind[i] and title[j] == title[i]:
            j += 1
        chunk = escape(notes[i:j])
        parts.append(Markup(f'<mark class="{kind[i]}" title="{escape(title[i])}">{chunk}</mark>') if kind[i] else chunk)
        i = j
    return Markup("").join(parts)


def fold_point(notes: str) -> int | None:
    """Where to cut a long CAD page for its preview, or None when it is short enough to show whole."""
    lines = notes.splitlines(keepends=True)
    if len(lines) <= FOLD_LINES and len(notes) <= FOLD_CHARS:
        return None
    cut = min(sum(len(line) for line in lines[:PREVIEW_LINES]), PREVIEW_CHARS)
    space = notes.rfind(" ", 0, cut)
    return space if space > cut // 2 else cut


def _pct(value) -> str:
    return "–" if value is None else f"{value:.0%}"


def _num(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def disagreement_row(s, include_notes: bool) -> dict:
    """One disagreeing call as the template shows it (``s`` is an ``evaluation.ScoredCall``)."""
    sug = s.suggestion
    reasons = shown_reasons(sug)
    words = (lambda t: t) if include_notes else without_notes
    row = {"row": s.row, "confidence": sug.confidence, "actual": s.label, "suggested": sug.response.value,
           "model": sug.model_response.value, "needs_review": sug.needs_review, "call_type": s.call_type or "",
           "rules": [words(r.message) for r in reasons if r.source == "rule"],
           "model_reasons": [words(r.message) for r in reasons if r.source == "model"],
           "review": [words(r) for r in sug.review_reasons], "notes": None, "preview": None,
           "n_lines": 0, "n_chars": 0}
    if include_notes:
        row["notes"] = highlight(s.notes, sug, reasons)
        cut = fold_point(s.notes)
        if cut is not None:
            row["preview"] = highlight(s.notes[:cut], sug, reasons)
            row["n_lines"], row["n_chars"] = len(s.notes.splitlines()), len(s.notes)
    return row


def render_report(metrics: dict, scored: Sequence, disagreements: Sequence, *, max_disagreements: int = 300,
                  include_notes: bool = True) -> str:
    """The report page as a string.

    ``metrics`` is the content of metrics.json; ``scored`` every scored call and
    ``disagreements`` the ones whose suggestion differs from the label, in the order to list
    them (both ``evaluation.ScoredCall``).
    """
    m = metrics
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=_pct, num=_num, label=lambda k: LABELS.get(k, k))
    rows = [disagreement_row(s, include_notes) for s in disagreements[:max_disagreements]]
    names = m.get("rule_descriptions", {})
    firings = [{"text": names.get(rule, BUILT_IN_RULES.get(rule, rule.replace("_", " "))), "n": n}
               for rule, n in m.get("rule_firings", {}).items()]
    plots = {
        "confusion": confusion_plot(m["confusion_matrix"]["counts"]),
        "reliability": reliability_plot(m["calibration"]["bins"]),
        "histogram": confidence_histogram([s.suggestion.confidence for s in scored], [s.correct for s in scored]),
    }
    return env.get_template("report.html.j2").render(
        m=m, plots=plots, disagreements=rows, n_disagreements=len(disagreements), include_notes=include_notes,
        firings=firings, responses=RESPONSES, generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
