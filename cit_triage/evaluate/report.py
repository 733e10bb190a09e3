"""The evaluation report: one self-contained HTML page (inline CSS, plots as base64 PNG).

Nothing in the page loads from the network, so it opens on an air-gapped dispatch-center
workstation and can be mailed as one file. Plots are drawn with matplotlib's Agg canvas
(no display, no pyplot global state).
"""

from __future__ import annotations

import base64
import io
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from ..schema import RESPONSES, Suggestion

if TYPE_CHECKING:
    from .evaluation import EvaluationResult

TEMPLATES = Path(__file__).resolve().parent.parent / "report" / "templates"
LABELS = {"patrol": "Patrol", "cit": "CIT", "co_responder": "Co-responder"}
# Span kinds in priority order (a character covered by several spans takes the first).
_KINDS = ("risk", "crisis", "reason", "muted")


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


def highlight(notes: str, suggestion: Suggestion) -> Markup:
    """Notes as HTML with the risk factors' and reasons' spans marked (escaped, offsets into the original)."""
    kind = [None] * len(notes)
    title = [""] * len(notes)

    def mark(start: int, end: int, k: str, text: str) -> None:
        for i in range(max(start, 0), min(end, len(notes))):
            if kind[i] is None or _KINDS.index(k) < _KINDS.index(kind[i]):
                kind[i], title[i] = k, text

    for f in suggestion.risk_factors:
        k = {"risk": "risk", "crisis": "crisis"}.get(f.counts_as, "muted" if f.assertion.value != "affirmed" else "reason")
        mark(f.start, f.end, k, f"{f.description} ({f.assertion.value}, counts as {f.counts_as})")
    for r in suggestion.reasons:
        for s in r.spans:
            mark(s.start, s.end, "reason", r.id)
    parts, i = [], 0
    while i < len(notes):
        j = i
        while j < len(notes) and kind[j] == kind[i] and title[j] == title[i]:
            j += 1
        chunk = escape(notes[i:j])
        parts.append(Markup(f'<mark class="{kind[i]}" title="{escape(title[i])}">{chunk}</mark>') if kind[i] else chunk)
        i = j
    return Markup("").join(parts)


def _pct(value) -> str:
    return "–" if value is None else f"{value:.0%}"


def _num(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def render_report(result: "EvaluationResult", *, max_disagreements: int = 300, include_notes: bool = True) -> str:
    """The report page as a string."""
    m = result.metrics
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=_pct, num=_num, label=lambda k: LABELS.get(k, k))
    wrong = result.disagreements()
    rows = []
    for s in wrong[:max_disagreements]:
        sug = s.suggestion
        rows.append({
            "row": s.row, "confidence": sug.confidence, "actual": s.label, "suggested": sug.response.value,
            "model": sug.model_response.value, "needs_review": sug.needs_review, "call_type": s.call_type or "",
            "notes": highlight(s.notes, sug) if include_notes else None,
            "rules": [r.message for r in sug.reasons if r.source == "rule"],
            "model_reasons": [r.message for r in sug.reasons if r.source == "model"][:3],
            "review": sug.review_reasons,
        })
    plots = {
        "confusion": confusion_plot(m["confusion_matrix"]["counts"]),
        "reliability": reliability_plot(m["calibration"]["bins"]),
        "histogram": confidence_histogram([s.suggestion.confidence for s in result.scored], [s.correct for s in result.scored]),
    }
    return env.get_template("report.html.j2").render(
        m=m, plots=plots, disagreements=rows, n_disagreements=len(wrong), include_notes=include_notes,
        responses=RESPONSES, generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
