"""Issue 14 item 7: a long run over never-seen notes keeps spaCy's vocabulary flat (memory
zones), through every entry point: one call, a batch, and batch scoring."""

from __future__ import annotations

import pandas as pd

from cit_triage import Triager
from cit_triage.schema import Call
from cit_triage.scoring import score


def distinct_note(i: int) -> str:
    # Words no vocabulary has seen: each note brings new strings and lexemes.
    return f"caller says subject qz{i}vx is hearing voices near blvd{i * 7}k with a knife, plate kw{i * 13}j"


def vocab_size(triager: Triager) -> tuple[int, int]:
    vocab = triager.analyzer.nlp.vocab
    return len(vocab.strings), sum(1 for _ in vocab)  # strings, lexemes actually held


def test_vocabulary_stays_flat_over_2000_distinct_notes(tiny_model):
    t = Triager.load(tiny_model)
    for i in range(100):  # warm-up: the pipeline's own first-use strings
        t.suggest(Call(notes=distinct_note(i)))
    t.analyzer.release()
    before = vocab_size(t)
    for i in range(100, 1100):
        t.suggest(Call(notes=distinct_note(i)))
    t.suggest_many([Call(notes=distinct_note(i)) for i in range(1100, 2100)])
    t.analyzer.release()  # close the open window: what is left is what a long run keeps
    after = vocab_size(t)
    assert after[0] - before[0] < 50 and after[1] - before[1] < 50, (before, after)


def test_vocabulary_growth_is_bounded_by_one_window_without_release(tiny_model):
    t = Triager.load(tiny_model)
    t.analyzer.calls_per_zone = 100
    sizes = []
    for i in range(1000):
        t.suggest(Call(notes=distinct_note(i)))
        if i % 100 == 99:  # the last call of a window: the next one closes it
            sizes.append(vocab_size(t)[0])
    assert max(sizes[2:]) - min(sizes[2:]) < (sizes[1] - sizes[0]) * 2 + 50, sizes


def test_suggestions_are_unchanged_by_the_zone(tiny_model):
    # Everything a suggestion holds is copied out of the zone: same result twice, and the
    # quoted text of every risk factor is still the note's own text.
    t = Triager.load(tiny_model)
    call = Call(notes="son hearing voices, threatened to stab his father, has kitchen knife")
    first, second = t.suggest(call), t.suggest_many([call, Call(notes=distinct_note(1))])[0]
    assert first.model_dump() == second.model_dump()
    for factor in first.risk_factors:
        assert factor.text and factor.text.lower() in call.notes.lower()


def test_batch_scoring_keeps_the_vocabulary_flat(tiny_model):
    t = Triager.load(tiny_model)
    from cit_triage.scoring.frame import cached_triager, resolve_paths

    shared = cached_triager(*resolve_paths(tiny_model, None))
    score(pd.DataFrame({"notes": [distinct_note(i) for i in range(100)]}), model=tiny_model)
    shared.analyzer.release()
    before = vocab_size(shared)
    score(pd.DataFrame({"notes": [distinct_note(i) for i in range(100, 2100)]}), model=tiny_model)
    shared.analyzer.release()
    after = vocab_size(shared)
    assert after[0] - before[0] < 50 and after[1] - before[1] < 50, (before, after)
    assert t is not shared


CRISIS = Call(notes="son hearing voices, threatened to stab his father, has kitchen knife", call_type="DISTURBANCE")


def test_the_pipeline_is_renewed_after_its_calls_and_suggests_the_same(tiny_model):
    # Zones leave spaCy's hash tables growing in steps; a fresh pipeline every
    # renew_after_calls calls keeps them small. It must be the same pipeline.
    t = Triager.load(tiny_model)
    t.analyzer.renew_after_calls = 250
    first_nlp, before = t.analyzer.nlp, t.suggest(CRISIS).model_dump()
    seen = {id(first_nlp)}
    for i in range(600):
        t.suggest(Call(notes=distinct_note(i)))
        seen.add(id(t.analyzer.nlp))
    assert t.analyzer.nlp is not first_nlp and len(seen) >= 3  # renewed twice in 600 calls
    assert t.suggest(CRISIS).model_dump() == before


def test_batches_renew_the_pipeline_too(tiny_model):
    t = Triager.load(tiny_model)
    t.analyzer.renew_after_calls = 300
    first_nlp = t.analyzer.nlp
    before = t.suggest_many([CRISIS])[0].model_dump()
    out = t.suggest_many([Call(notes=distinct_note(i)) for i in range(700)] + [CRISIS])
    assert len(out) == 701 and t.analyzer.nlp is not first_nlp
    assert out[-1].model_dump() == before


def test_no_renewal_when_switched_off(tiny_model):
    t = Triager.load(tiny_model)
    t.analyzer.renew_after_calls = float("inf")
    first_nlp = t.analyzer.nlp
    for i in range(300):
        t.suggest(Call(notes=distinct_note(i)))
    assert t.analyzer.nlp is first_nlp


def test_a_failed_renewal_keeps_the_pipeline_and_the_call(tiny_model, caplog):
    t = Triager.load(tiny_model)
    t.analyzer.renew_after_calls = 5

    def broken():
        raise OSError("lexicon file gone")

    t.analyzer._renew_nlp = broken
    first_nlp, before = t.analyzer.nlp, t.suggest(CRISIS).model_dump()
    out = [t.suggest(Call(notes=distinct_note(i))) for i in range(12)]
    assert len(out) == 12 and t.analyzer.nlp is first_nlp
    assert t.suggest(CRISIS).model_dump() == before
    assert "pipeline renewal failed (OSError)" in caplog.text and "qz" not in caplog.text  # no note text
