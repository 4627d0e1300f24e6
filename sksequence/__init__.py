"""sksequence: recurrent neural networks as scikit-learn estimators."""

from ._classifiers import GRUClassifier, LSTMClassifier, RNNClassifier
from ._regressors import GRURegressor, LSTMRegressor, RNNRegressor

__version__ = "0.1.0.dev0"

__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
]
