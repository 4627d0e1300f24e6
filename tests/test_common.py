"""scikit-learn's estimator checks over every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sksequence import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)

# The estimators as users construct them: every default kept (hidden size,
# learning rate, early stopping and its holdout, patience), only max_epochs
# lowered for speed, as scikit-learn does for its MLPs, and a seed so that
# the run is reproducible. Every check must pass: there is no list of
# expected failures.
QUICK = dict(max_epochs=60, random_state=0)

ESTIMATORS = [
    cls(**QUICK)
    for cls in (
        RNNRegressor,
        LSTMRegressor,
        GRURegressor,
        RNNClassifier,
        LSTMClassifier,
        GRUClassifier,
    )
] + [
    # the PyTorch-loop cells (peephole LSTM, classic GRU) pass the same checks
    LSTMRegressor(peephole=True, **QUICK),
    GRUClassifier(reset_after=False, **QUICK),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
