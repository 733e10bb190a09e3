"""scikit-learn's own estimator checks on ``TriageEstimator``.

The estimator reads notes (strings), and says so in its tags (``input_tags.string=True``,
``two_d_array=False``). scikit-learn's data checks feed 2-D numeric arrays, so
``check_estimator`` skips them *because of that tag* (asserted below, so the skip can never
become silent); the checks of the estimator API itself run here one by one.
"""

import warnings

import pytest
from sklearn.exceptions import SkipTestWarning
from sklearn.utils import estimator_checks as ec

from cit_triage import TriageEstimator

#: Checks of the estimator contract that do not depend on the type of X.
API_CHECKS = [
    ec.check_estimator_cloneable,
    ec.check_estimator_tags_renamed,
    ec.check_valid_tag_types,
    ec.check_estimator_repr,
    ec.check_no_attributes_set_in_init,
    ec.check_parameters_default_constructible,
    ec.check_get_params_invariance,
    ec.check_set_params,
    ec.check_estimators_unfitted,
    ec.check_do_not_raise_errors_in_init_or_set_params,
    ec.check_mixin_order,
]


@pytest.mark.parametrize("check", API_CHECKS, ids=lambda c: c.__name__)
def test_scikit_learn_api_check(check):
    check(type(TriageEstimator()).__name__, TriageEstimator())


def test_data_checks_are_skipped_by_the_string_input_tag_only():
    est = TriageEstimator()
    tags = est.__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ec.check_estimator(est, on_fail=None)
    skips = [str(w.message) for w in caught if issubclass(w.category, SkipTestWarning)]
    assert any("requires input" in s and "string=True" in s for s in skips), skips


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function", "suggest", "save"])
def test_every_method_raises_not_fitted_before_fit(method, tmp_path):
    from sklearn.exceptions import NotFittedError

    args = [tmp_path / "m"] if method == "save" else [["caller hearing voices"]]
    with pytest.raises(NotFittedError):
        getattr(TriageEstimator(), method)(*args)
