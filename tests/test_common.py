"""scikit-learn's estimator checks over every public estimator."""

import pytest
from shared_settings import ESTIMATORS, QUICK
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksequence import GRUClassifier, GRURegressor, LSTMRegressor, RNNRegressor

# QUICK keeps every default and only lowers max_epochs (see shared_settings.py)
CHECKED = [cls(**QUICK) for cls in ESTIMATORS] + [
    # the PyTorch-loop cells (peephole LSTM, classic GRU) pass the same checks
    LSTMRegressor(peephole=True, **QUICK),
    GRUClassifier(reset_after=False, **QUICK),
    # so do the distributional heads (predict is the mean, the median),
    # with the spread as learned or calibrated on the holdout
    GRURegressor(loss="gaussian", **QUICK),
    RNNRegressor(loss="quantile", calibration="holdout", **QUICK),
]


# Weighted training is the weighted mean loss over samples, and an integer
# weight k equals k copies of a sample exactly in full-batch training
# without a holdout (tests/test_sample_weight.py). scikit-learn's check fits
# with the defaults: mini-batches of 16 drawn in a random order and an
# early-stopping holdout of 20 %, where k copies of a sample fall into
# different batches (or the holdout) and one weighted copy into one.
SAMPLE_WEIGHT_EQUIVALENCE = (
    "stochastic mini-batch training with a holdout: k copies of a sample land "
    "in other batches than one sample of weight k; equivalence holds exactly "
    "in full-batch training without holdout (tests/test_sample_weight.py)"
)


def expected_failed_checks(estimator):
    return {"check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_EQUIVALENCE}


# The everyday run checks the two default GRU estimators; the full run (CI)
# every instance above (about four minutes on two cores).
EVERYDAY = [GRURegressor(**QUICK), GRUClassifier(**QUICK)]


@parametrize_with_checks(EVERYDAY, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks(
    [est for est in CHECKED if repr(est) not in map(repr, EVERYDAY)],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_compatible_estimator_all_instances(estimator, check):
    check(estimator)
