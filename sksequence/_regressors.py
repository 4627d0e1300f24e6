"""RNN, LSTM and GRU regressors."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.preprocessing._data import _handle_zeros_in_scale
from torch import nn

from ._base import SequenceEstimator
from ._validation import validate_target

__all__ = ["RNNRegressor", "LSTMRegressor", "GRURegressor"]


class SequenceRegressor(RegressorMixin, SequenceEstimator):
    """Regression template: standardized targets, mean squared error.

    Targets are standardized internally (per output: subtract the mean,
    divide by the standard deviation of the training targets) and predictions
    are mapped back, so ``predict`` is in the units of ``y`` whatever their
    scale. The training loss in ``history_`` is the MSE of standardized
    targets.
    """

    _criterion = nn.MSELoss

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _prepare_target(self, y, X3):
        y = validate_target(y, X3)
        y2 = y.reshape(len(y), -1)
        self._y_ndim = y.ndim
        self._y_mean = y2.mean(axis=0)
        self._y_scale = _handle_zeros_in_scale(y2.std(axis=0))
        y_std = ((y2 - self._y_mean) / self._y_scale).astype(np.float32)
        return y_std, y2.shape[1]

    def predict(self, X):
        """Predict targets for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or list
            Sequences, in the same form as in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, with the shape of the ``y`` seen in :meth:`fit`.
        """
        y = self._forward(X) * self._y_scale + self._y_mean
        return y.ravel() if self._y_ndim == 1 else y


class RNNRegressor(SequenceRegressor):
    """Elman recurrent network regressor.

    Reads each sequence with ``h_t = f(W x_t + U h_{t-1} + b)`` (``f`` is
    ``nonlinearity``) and predicts ``y = V h_T + c`` from the last hidden
    state.

    Parameters
    ----------
    {shared_parameters}

    nonlinearity : {"tanh", "relu"}, default="tanh"
        The activation ``f``.

    Attributes
    ----------
    {shared_attributes}

    See Also
    --------
    LSTMRegressor : Long short-term memory, for long-range dependencies.
    GRURegressor : Gated recurrent unit, a lighter gated alternative.
    RNNClassifier : The classifier counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import RNNRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 10, 2))
    >>> y = X[:, -3:, 0].sum(axis=1)
    >>> reg = RNNRegressor(hidden_size=16, max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _cell = "rnn"
    _cell_params = {"nonlinearity": "tanh"}


class LSTMRegressor(SequenceRegressor):
    """Long short-term memory (LSTM) regressor.

    Parameters
    ----------
    {shared_parameters}

    Attributes
    ----------
    {shared_attributes}

    See Also
    --------
    GRURegressor : Gated recurrent unit, fewer parameters.
    RNNRegressor : Elman network.
    LSTMClassifier : The classifier counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import LSTMRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 10, 2))
    >>> y = np.c_[X[:, 0, 0], X[:, -1, 1]]
    >>> reg = LSTMRegressor(hidden_size=16, max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3, 2)
    """

    _cell = "lstm"


class GRURegressor(SequenceRegressor):
    """Gated recurrent unit (GRU) regressor.

    Parameters
    ----------
    {shared_parameters}

    Attributes
    ----------
    {shared_attributes}

    See Also
    --------
    LSTMRegressor : Long short-term memory.
    RNNRegressor : Elman network.
    GRUClassifier : The classifier counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import GRURegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 10))  # 64 univariate sequences of 10 steps
    >>> y = X[:, -1] - X[:, 0]
    >>> reg = GRURegressor(hidden_size=16, max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _cell = "gru"
