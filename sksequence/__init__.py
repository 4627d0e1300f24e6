"""sksequence: recurrent neural networks as scikit-learn estimators."""

from . import datasets, distributed, exceptions, inspection
from ._classifiers import GRUClassifier, LSTMClassifier, RNNClassifier
from ._export import export_onnx, export_torchscript
from ._persistence import load, save
from ._regressors import GRURegressor, LSTMRegressor, RNNRegressor
from ._scaling import SequenceScaler
from ._version import __version__ as __version__
from ._windowing import SlidingWindowTransformer, make_forecasting_data

__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "SequenceScaler",
    "SlidingWindowTransformer",
    "datasets",
    "distributed",
    "exceptions",
    "export_onnx",
    "export_torchscript",
    "inspection",
    "load",
    "make_forecasting_data",
    "save",
]
