"""How far the model may go beyond the findings is chosen on out-of-fold suggestions."""

import numpy as np

from cit_triage import Call
from cit_triage.model.crossval import choose_decision

# Notes with no counted crisis sign: the findings say patrol, so only the model can say cit.
QUIET = "caller worried about her brother, he has not been himself lately, asks for a check"
THEFT = "bike stolen from the porch overnight, no suspects"
VOICES = "son is hearing voices again, no weapons, not violent"  # cit by the findings


def _decision(triager, n_crisis, n_false_alarm, n_theft=200, n_voices=30):
    """Out-of-fold suggestions where the model says cit (p=0.75) for ``n_crisis`` quiet calls that
    are cit and ``n_false_alarm`` quiet calls that are patrol; 30 calls the findings already make
    cit (``n_voices``), and thefts that are patrol at p=0.95."""
    quiet, theft, voices = (triager.analyze(Call(notes=n)) for n in (QUIET, THEFT, VOICES))
    analyses = [quiet] * (n_crisis + n_false_alarm) + [voices] * n_voices + [theft] * n_theft
    labels = ["cit"] * n_crisis + ["patrol"] * n_false_alarm + ["cit"] * n_voices + ["patrol"] * n_theft
    proba = np.array([[0.2, 0.75, 0.05]] * (n_crisis + n_false_alarm) + [[0.1, 0.85, 0.05]] * n_voices
                     + [[0.95, 0.04, 0.01]] * n_theft)
    return choose_decision(triager.policy, analyses, labels, proba)["beyond_findings"]


def test_the_model_goes_beyond_the_findings_when_that_catches_crisis_calls(triager):
    # 20 crisis calls caught for 2 false alarms: a clear gain.
    assert _decision(triager, n_crisis=20, n_false_alarm=2)["cit"] < 1.0


def test_the_model_stays_within_the_findings_when_going_beyond_costs_more_than_noise(triager):
    # 2 crisis calls caught for 20 false alarms: macro-F1 drops far past the tolerance.
    # (the model's cit-or-more probability on those calls is 0.8: a threshold above it keeps out)
    assert _decision(triager, n_crisis=2, n_false_alarm=20)["cit"] > 0.8


def test_within_noise_the_threshold_that_misses_fewer_crisis_calls_wins(triager):
    # 2 crisis calls caught for 3 false alarms among 1,100 calls: macro-F1 drops by 0.0017, less
    # than the tolerance, so the guide's "in doubt, more resources" decides.
    assert _decision(triager, n_crisis=2, n_false_alarm=3, n_theft=1000, n_voices=100)["cit"] <= 0.8


KNIFE = "caller's son hearing voices, has a knife, threatened dad"  # co_responder by the findings


def _co_decision(triager, n_co, n_false_alarm, scale):
    """Quiet calls the model calls co_responder (p=0.70) that are co_responder (``n_co``) or
    patrol; beside them calls the findings already decide (cit, co_responder, patrol)."""
    quiet, theft, voices, knife = (triager.analyze(Call(notes=n)) for n in (QUIET, THEFT, VOICES, KNIFE))
    n = n_co + n_false_alarm
    analyses = [quiet] * n + [voices] * (100 * scale) + [knife] * (30 * scale) + [theft] * (1000 * scale)
    labels = (["co_responder"] * n_co + ["patrol"] * n_false_alarm + ["cit"] * (100 * scale)
              + ["co_responder"] * (30 * scale) + ["patrol"] * (1000 * scale))
    proba = np.array([[0.25, 0.05, 0.70]] * n + [[0.1, 0.85, 0.05]] * (100 * scale)
                     + [[0.05, 0.1, 0.85]] * (30 * scale) + [[0.95, 0.04, 0.01]] * (1000 * scale))
    return choose_decision(triager.policy, analyses, labels, proba)["beyond_findings"]


def test_a_co_responder_on_the_models_word_must_pay_for_itself(triager):
    # 2 co_responder calls caught for 3 false alarms among 3,400 calls: within the noise
    # tolerance, but a co_responder without a cited risk sign sends a clinician on the model's
    # word, so only a macro-F1 gain lets it (the tolerance's "in doubt, more resources" is for
    # crisis calls missed, and cit would already go to those).
    assert _co_decision(triager, n_co=2, n_false_alarm=3, scale=3)["co_responder"] > 0.7


def test_a_co_responder_threshold_that_gains_goes_beyond_the_findings(triager):
    # 2 caught for 1 false alarm: a macro-F1 gain.
    assert _co_decision(triager, n_co=2, n_false_alarm=1, scale=1)["co_responder"] <= 0.7
