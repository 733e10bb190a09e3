"""Where one ``Triager.suggest()`` spends its time, stage by stage (``bench.py --stages``).

Each stage's function is wrapped with a timer for the run and restored after it, so the split
follows the real code path instead of copying it; the wrappers add ~0.2 µs per stage.
"""

from __future__ import annotations

import time
from collections import defaultdict

_MISSING = object()


def stage_split(triager, calls, n_calls: int) -> list[tuple[str, float]]:
    """Mean microseconds per ``suggest()`` spent in each stage, by wrapping each stage's function.

    Wrapping adds ~0.2 µs per stage; "glue" is whatever no stage claims (as_call, the word
    list, dict and list building in ``_suggest``).
    """
    import cit_triage.analysis as analysis_mod
    import cit_triage.triage as triage_mod
    from cit_triage.concepts.components import ConceptMatcher, ContextAsserter

    spent: dict[str, int] = defaultdict(int)
    clock = time.perf_counter_ns

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t0 = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += clock() - t0
        return wrapper

    an = triager.analyzer
    patches = [
        (an.shorthand, "normalize", timed("normalize (shorthand)", an.shorthand.normalize)),
        (an.nlp, "tokenizer", timed("spaCy tokenizer", an.nlp.tokenizer)),
        (ConceptMatcher, "__call__", timed("concept matcher", ConceptMatcher.__call__)),
        (ContextAsserter, "__call__", timed("context asserter", ContextAsserter.__call__)),
        (analysis_mod, "read_layout", timed("read_layout (protocol pages)", analysis_mod.read_layout)),
        (analysis_mod, "derive_facts", timed("derive_facts", analysis_mod.derive_facts)),
        (triager.featurizer, "encode", timed("featurizer encode", triager.featurizer.encode)),
        (triager.classifier, "proba_one", timed("classifier proba_one", triager.classifier.proba_one)),
        (triage_mod, "apply_policy", timed("apply_policy", triage_mod.apply_policy)),
        (triager.classifier, "contributions", timed("explain: contributions", triager.classifier.contributions)),
        (triage_mod, "rule_reasons", timed("explain: rule_reasons", triage_mod.rule_reasons)),
        (triage_mod, "model_reasons", timed("explain: model_reasons", triage_mod.model_reasons)),
        (triage_mod, "risk_factors", timed("explain: risk_factors", triage_mod.risk_factors)),
        (triage_mod, "summary_line", timed("explain: summary_line", triage_mod.summary_line)),
        (triage_mod, "trusted", timed("build the Suggestion", triage_mod.trusted)),
    ]
    saved = [(obj, attr, vars(obj).get(attr, _MISSING)) for obj, attr, _ in patches]
    for obj, attr, fn in patches:
        setattr(obj, attr, fn)
    try:
        for c in calls[:300]:
            triager.suggest(c)
        spent.clear()
        t0 = clock()
        for i in range(n_calls):
            triager.suggest(calls[i % len(calls)])
        total = clock() - t0
    finally:
        for obj, attr, old in saved:
            if old is _MISSING:
                delattr(obj, attr)
            else:
                setattr(obj, attr, old)
    rows = [(name, ns / n_calls / 1e3) for name, ns in spent.items()]
    rows.append(("glue (as_call, words, _suggest)", (total - sum(spent.values())) / n_calls / 1e3))
    rows.append(("total", total / n_calls / 1e3))
    return rows
