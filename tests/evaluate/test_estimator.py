"""``TriageEstimator`` follows the scikit-learn estimator contract."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score

from cit_triage.model.estimator import TriageEstimator
from cit_triage.schema import Call
from cit_triage.triage import Triager


@pytest.fixture(scope="module")
def xy(records):
    return [r["notes"] for r in records], [r["label"] for r in records]


def test_init_only_stores_parameters():
    est = TriageEstimator(C=2.0, min_df=1)
    assert est.get_params()["C"] == 2.0 and est.get_params()["min_df"] == 1
    assert not [k for k in vars(est) if k.endswith("_")]
    assert clone(est).get_params() == est.get_params()


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        TriageEstimator().predict(["caller hearing voices"])


def test_fit_predict_on_notes_calls_and_dicts(xy):
    notes, labels = xy
    est = TriageEstimator(min_df=1).fit(notes, labels)
    assert list(est.classes_) == ["patrol", "cit", "co_responder"]
    proba = est.predict_proba(notes[:3])
    assert proba.shape == (3, 3) and np.allclose(proba.sum(axis=1), 1)
    as_calls = est.predict([Call(notes=n) for n in notes[:5]])
    as_dicts = est.predict([{"notes": n} for n in notes[:5]])
    assert list(as_calls) == list(as_dicts) == list(est.predict(notes[:5]))
    assert est.score(notes, labels) > 0.5  # fits its own training calls


def test_rules_raise_a_crisis_with_a_weapon_to_co_responder(xy):
    notes, labels = xy
    est = TriageEstimator(min_df=1, apply_rules=True).fit(notes, labels)
    assert est.predict(["son hearing voices, threatened to stab his father, has kitchen knife"])[0] == "co_responder"


def test_works_with_cross_val_score_and_grid_search(xy):
    notes, labels = xy
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(TriageEstimator(min_df=1), notes, labels, cv=cv, scoring="f1_macro")
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    search = GridSearchCV(TriageEstimator(min_df=1), {"C": [0.05, 1.0]}, cv=cv, scoring="f1_macro").fit(notes, labels)
    assert search.best_params_["C"] in (0.05, 1.0)
    assert len(search.cv_results_["mean_test_score"]) == 2


def test_unknown_labels_are_rejected(xy):
    notes, labels = xy
    with pytest.raises(ValueError, match="labels must be one of"):
        TriageEstimator().fit(notes, labels[:-1] + ["ems"])


def test_saved_estimator_loads_as_a_triager(tmp_path, xy):
    notes, labels = xy
    est = TriageEstimator(min_df=1).fit(notes, labels)
    est.save(tmp_path / "m", model_version="from-estimator")
    triager = Triager.load(tmp_path / "m")
    assert triager.model_version == "from-estimator"
    np.testing.assert_allclose(triager.suggest(notes[0]).probabilities["patrol"], est.predict_proba(notes[:1])[0, 0], atol=1e-4)
