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

# Small, fast settings that still learn the checks' toy problems; every check
# must pass: there is no list of expected failures.
FAST = dict(
    hidden_size=16, max_epochs=40, lr=1e-2, early_stopping=False, random_state=0
)

ESTIMATORS = [
    cls(**FAST)
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
    LSTMRegressor(peephole=True, **FAST),
    GRUClassifier(reset_after=False, **FAST),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
