import numpy as np
import pytest
from sklearn.metrics import f1_score, precision_recall_fscore_support

from cit_triage.metrics import (calibration_bins, confusion, encode, expected_calibration_error, mcnemar,
                                         mean_ci, paired_bootstrap, scores_from_confusion, slice_table, summarize)
from cit_triage.schema import RESPONSES


def _random_labels(n, seed):
    rng = np.random.default_rng(seed)
    return [RESPONSES[i] for i in rng.integers(0, 3, n)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_per_class_and_macro_f1_match_sklearn(seed):
    gold, pred = _random_labels(200, seed), _random_labels(200, seed + 100)
    s = scores_from_confusion(confusion(encode(gold), encode(pred)))
    p, r, f, _ = precision_recall_fscore_support(gold, pred, labels=list(RESPONSES), zero_division=0)
    for i, k in enumerate(RESPONSES):
        assert s["per_class"][k]["precision"] == pytest.approx(p[i])
        assert s["per_class"][k]["recall"] == pytest.approx(r[i])
        assert s["per_class"][k]["f1"] == pytest.approx(f[i])
    assert s["macro_f1"] == pytest.approx(f1_score(gold, pred, labels=list(RESPONSES), average="macro"))


def test_nexus_counts_cit_and_co_responder_as_one_positive_class():
    gold = ["cit", "co_responder", "patrol", "patrol", "cit"]
    pred = ["co_responder", "cit", "cit", "patrol", "patrol"]
    nexus = scores_from_confusion(confusion(encode(gold), encode(pred)))["nexus"]
    assert nexus["recall"] == pytest.approx(2 / 3)     # 2 of 3 crisis calls escalated
    assert nexus["precision"] == pytest.approx(2 / 3)  # 2 of 3 escalations were crisis calls


def test_confusion_rows_are_actual_columns_are_suggested():
    cm = confusion(encode(["patrol", "patrol", "cit"]), encode(["cit", "cit", "cit"]))
    assert cm[0, 1] == 2 and cm[1, 1] == 1 and cm.sum() == 3


def test_ece_is_zero_when_confidence_equals_accuracy_and_large_when_overconfident():
    conf = np.array([0.75] * 4)
    assert expected_calibration_error(conf, np.array([1, 1, 1, 0.0])) == pytest.approx(0.0)
    assert expected_calibration_error(np.array([0.95] * 4), np.zeros(4)) == pytest.approx(0.95)


def test_calibration_bins_cover_every_call():
    conf = np.linspace(0, 1, 37)
    bins = calibration_bins(conf, np.ones(37))
    assert sum(b["n"] for b in bins) == 37


def test_summary_counts_review_and_rule_firings():
    s = summarize(["cit", "patrol"], ["cit", "cit"], [0.9, 0.4], needs_review=[False, True],
                  rule_ids=[["crisis_indicator"], ["crisis_indicator", "crisis_call_type"]])
    assert s["needs_review"]["count"] == 1 and s["needs_review"]["rate"] == 0.5
    assert s["rule_firings"] == {"crisis_indicator": 2, "crisis_call_type": 1}


def test_slice_table_groups_rare_values_into_other():
    keys = ["a"] * 5 + ["b"] * 3 + ["c", "d"]
    gold = ["cit"] * 10
    rows = slice_table(keys, gold, ["cit"] * 5 + ["patrol"] * 5, [False] * 10, top=2)
    assert [r["value"] for r in rows] == ["a", "b", "(other)"]
    assert rows[0]["suggested_escalation"] == 1.0 and rows[1]["suggested_escalation"] == 0.0
    assert rows[0]["macro_f1"] == 1.0  # only classes present in the slice are averaged


def test_mcnemar_uses_exact_test_for_few_discordant_pairs():
    a = [True] * 10 + [False] * 0
    b = [False] * 8 + [True] * 2
    result = mcnemar(a, b)
    assert result["method"] == "exact binomial"
    assert result["only_a_correct"] == 8 and result["only_b_correct"] == 0
    assert result["p_value"] == pytest.approx(2 * 0.5 ** 8)


def test_mcnemar_uses_corrected_chi_square_for_many_discordant_pairs():
    a = [True] * 40 + [False] * 20 + [True] * 40
    b = [False] * 40 + [True] * 20 + [True] * 40
    result = mcnemar(a, b)
    assert result["method"].startswith("chi-square")
    assert result["statistic"] == pytest.approx((40 - 20 - 1) ** 2 / 60)


def test_mcnemar_without_discordant_pairs_is_not_significant():
    assert mcnemar([True, False], [True, False])["p_value"] == 1.0


def test_mean_ci_contains_mean_and_widens_with_spread():
    narrow, wide = mean_ci([0.80, 0.81, 0.79]), mean_ci([0.6, 0.8, 1.0])
    assert narrow["low"] < 0.80 < narrow["high"]
    assert (wide["high"] - wide["low"]) > (narrow["high"] - narrow["low"])


def test_paired_bootstrap_is_seeded():
    values = np.arange(50, dtype=float)

    def stat(idx):
        return {"mean": float(values[idx].mean())}

    first = paired_bootstrap(stat, 50, n_resamples=200, seed=3)
    assert first == paired_bootstrap(stat, 50, n_resamples=200, seed=3)
    assert first != paired_bootstrap(stat, 50, n_resamples=200, seed=4)
    assert first["mean"]["low"] < 24.5 < first["mean"]["high"]


def test_mean_ci_of_rates_near_one_stays_inside_zero_one():
    ci = mean_ci([0.95, 1.0, 1.0, 0.97, 1.0])  # a t interval would reach past 1.0
    assert 0.0 <= ci["low"] < ci["mean"] < ci["high"] <= 1.0


def test_bootstrap_interval_of_a_rate_stays_inside_zero_one():
    hits = np.array([1.0] * 48 + [0.0] * 2)
    ci = paired_bootstrap(lambda idx: {"recall": float(hits[idx].mean())}, 50, n_resamples=300, seed=0)["recall"]
    assert 0.0 <= ci["low"] < 0.96 <= ci["high"] <= 1.0


def test_brier_is_the_multiclass_squared_error():
    from cit_triage.metrics import brier

    rng = np.random.default_rng(0)
    proba, gold = rng.dirichlet([1, 1, 1], 40), rng.integers(0, 3, 40)
    assert brier(proba, gold) == pytest.approx(((proba - np.eye(3)[gold]) ** 2).sum(axis=1).mean())
    assert brier(np.eye(3)[gold], gold) == pytest.approx(0.0)


def test_calibration_bins_agree_with_scikit_learn():
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(1)
    conf = rng.uniform(0.3, 1.0, 300)
    correct = (rng.uniform(size=300) < conf).astype(float)
    used = [b for b in calibration_bins(conf, correct) if b["n"]]
    true, mean_pred = calibration_curve(correct, conf, n_bins=10)
    assert [b["accuracy"] for b in used] == pytest.approx(list(true))
    assert [b["confidence"] for b in used] == pytest.approx(list(mean_pred))
