"""The model card written next to a trained model: what it was trained on, how well it
cross-validated (with confidence intervals), with which libraries, and what it is for.

``model_card.json`` is for tools; ``model_card.md`` is the same content for people.
"""

from __future__ import annotations

import json
from pathlib import Path

INTENDED_USE = (
    "Decision support for 911 call-takers and dispatchers: suggest a standard patrol, a CIT-trained "
    "officer, or a co-responder team (CIT officer + clinician) from the call notes, with the reasons, "
    "and flag calls that need a human look. The dispatcher decides.")
LIMITS = [
    "Trained on the calls listed under Training data; accuracy on another agency's notes, call types or "
    "writing style is unknown until evaluated there (`cit-triage evaluate`).",
    "Judges only what the call-taker knows now; it cannot see facts the notes leave out.",
    "Not a substitute for protocol questions (weapons, danger to self or others): use the suggested questions.",
    "Cross-validation intervals describe variation across folds of this data, not across agencies or time.",
    "Labels follow the cit_triage labeling guide; calls labeled by another standard score differently.",
    "Never for automated dispatch without a human, for profiling people, or for decisions after the call.",
]


def build_card(manifest: dict, featurizer_params: dict, classifier_params: dict) -> dict:
    """The card's content from a training manifest."""
    cv = manifest.get("metrics", {}).get("cross_validation")
    return {
        "model_version": manifest["model_version"],
        "created_at": manifest["created_at"],
        "intended_use": INTENDED_USE,
        "limits": LIMITS,
        "training_data": manifest["training_data"],
        "seed": manifest.get("seed"),
        "cross_validation": cv,
        "held_out": {k: v for k, v in manifest.get("metrics", {}).items() if k != "cross_validation"},
        "calibration": {"method": "temperature scaling on out-of-fold scores; confidence of the final suggestion "
                                  "calibrated on agency-grouped out-of-fold suggestions", "temperature": manifest.get("temperature")},
        "decision": manifest.get("decision", {}),
        "parameters": {"featurizer": featurizer_params, "classifier": classifier_params},
        "policy_version": manifest.get("policy_version"),
        "lexicon_version": manifest.get("lexicon_version"),
        "libraries": manifest.get("libraries", {}),
    }


def write_model_card(folder: str | Path, card: dict) -> None:
    folder = Path(folder)
    (folder / "model_card.json").write_text(json.dumps(card, indent=2, default=str) + "\n", encoding="utf-8")
    (folder / "model_card.md").write_text(render_markdown(card), encoding="utf-8")


def _ci(m: dict) -> str:
    return f"{m['mean']:.3f} (95% CI {m['low']:.3f}–{m['high']:.3f})"


def render_markdown(card: dict) -> str:
    data = card["training_data"]
    lines = [f"# Model card: cit_triage model {card['model_version']}", "",
             f"Created {card['created_at']} · seed {card['seed']} · policy {card['policy_version']} · lexicon {card['lexicon_version']}",
             "", "## Intended use", "", card["intended_use"], "", "## Limits", ""]
    lines += [f"- {item}" for item in card["limits"]]
    lines += ["", "## Training data", "",
              f"- file(s): {data['path']}",
              f"- SHA-256: `{data['sha256']}`" if data.get("sha256") else "- SHA-256: (in-memory data)",
              f"- rows: {data['rows']}, calls used: {data['n_calls']}, bad rows skipped: {len(data['bad_rows'])}",
              "- labels: " + ", ".join(f"{k} {v}" for k, v in data["labels"].items()),
              f"- behavioral-health share (cit + co_responder): {data['behavioral_health_share']:.1%}"]
    for src in data.get("sources", []):
        lines.append(f"- source {src['path']}: weight {src['weight']}, {src['n_calls']} calls, {src['agencies']} agencies, "
                     + ", ".join(f"{k} {v}" for k, v in src["labels"].items()))
    if data["bad_rows"]:
        lines.append("- skipped rows: " + ", ".join(f"{b['row']} ({b['error']})" for b in data["bad_rows"][:50]))
    cv = card.get("cross_validation")
    lines += ["", "## Cross-validation", ""]
    if cv:
        grouped = "grouped by agency (every agency held out once)" if cv.get("grouped_by") else "stratified"
        lines += [f"{cv['folds']}-fold, {grouped}; scored as deployed (findings, model, policy rules) on the held-out rows. "
                  "Rows of the written corpus always train.", "", "| metric | mean over folds (95% CI) |", "|---|---|"]
        lines += [f"| {name.replace('_', ' ')} | {_ci(m)} |" for name, m in cv["mean"].items()]
        lines += ["", "| fold | test | macro-F1 | model alone | findings alone | BH recall | BH precision | ECE |",
                  "|---|---|---|---|---|---|---|---|"]
        lines += [f"| {f['fold']} | {f['n']} | {f['macro_f1']:.3f} | {f['model_only_macro_f1']:.3f} | {f['findings_only_macro_f1']:.3f} | "
                  f"{f['nexus_recall']:.3f} | {f['nexus_precision']:.3f} | {f['ece']:.3f} |" for f in cv["per_fold"]]
        lines += ["", "Per source, pooled over the held-out rows:", "",
                  "| source | n | macro-F1 | model alone | findings alone | BH recall | ECE | co_responder as patrol | "
                  "beyond findings (right) | review rate | errors flagged / not | patrol flagged |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, b in {**cv.get("by_source", {}), "all held-out rows": cv["pooled"]}.items():
            ef, en = b.get("error_rate_flagged"), b.get("error_rate_not_flagged")
            pf = b.get("patrol_flagged_rate")
            lines.append(f"| {name} | {b['n']} | {b['macro_f1']:.3f} | {b['model_only_macro_f1']:.3f} | {b['findings_only_macro_f1']:.3f} | "
                         f"{b['nexus_recall']:.3f} | {b['ece']:.3f} | {b['co_responder_as_patrol']} | "
                         f"{b['beyond_findings']['count']} ({b['beyond_findings']['right']}) | {b['needs_review_rate']:.1%} | "
                         f"{'-' if ef is None else f'{ef:.1%}'} / {'-' if en is None else f'{en:.1%}'} | {'-' if pf is None else f'{pf:.1%}'} |")
    else:
        lines.append("Not cross-validated (trained with --folds 0 or 1).")
    held = card.get("held_out") or {}
    if held:
        lines += ["", "## Held-out evaluation", "", "Scored as deployed (model + policy rules).", "",
                  "| split | macro-F1 | accuracy | patrol F1 | cit F1 | co_responder F1 |", "|---|---|---|---|---|---|"]
        lines += [f"| {name} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} | {m['patrol']['f1']:.3f} | {m['cit']['f1']:.3f} | "
                  f"{m['co_responder']['f1']:.3f} |" for name, m in held.items()]
    dec = card.get("decision") or {}
    if dec:
        b = dec.get("beyond_findings", {})
        lines += ["", "## Decision", "",
                  "The findings decide where the guide is explicit. The model goes beyond them only when its probability "
                  f"reaches {b.get('cit')} (to cit) or {b.get('co_responder')} (to co_responder), and such calls are flagged for review "
                  f"(1.01: never). Calls are also flagged below confidence {dec.get('review_below_confidence')}. Chosen on {dec.get('chosen_on')}."]
    cal = card["calibration"]
    lines += ["", "## Calibration", "", f"{cal['method']}; temperature {cal['temperature']:.3f}.",
              "", "## Parameters", "", f"- featurizer: `{json.dumps(card['parameters']['featurizer'], sort_keys=True)}`",
              f"- classifier: `{json.dumps(card['parameters']['classifier'], sort_keys=True)}`",
              "", "## Libraries", ""]
    lines += [f"- {name} {version}" for name, version in card["libraries"].items()]
    return "\n".join(lines) + "\n"
