"""scikit-learn's estimator checks over every public estimator."""

from conftest import ESTIMATORS, QUICK
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksequence import GRUClassifier, LSTMRegressor

# QUICK keeps every default and only lowers max_epochs (see conftest.py)
CHECKED = [cls(**QUICK) for cls in ESTIMATORS] + [
    # the PyTorch-loop cells (peephole LSTM, classic GRU) pass the same checks
    LSTMRegressor(peephole=True, **QUICK),
    GRUClassifier(reset_after=False, **QUICK),
]


@parametrize_with_checks(CHECKED)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
