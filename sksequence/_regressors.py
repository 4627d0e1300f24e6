"""RNN, LSTM and GRU regressors."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.preprocessing._data import _handle_zeros_in_scale

from ._base import SequenceEstimator
from ._modules import MaskedMSELoss, MeanSquaredError
from ._validation import validate_sequence_target, validate_target

__all__ = ["RNNRegressor", "LSTMRegressor", "GRURegressor"]


class SequenceRegressor(RegressorMixin, SequenceEstimator):
    """Regression template: standardized targets, mean squared error.

    Targets are standardized internally (per output: subtract the mean,
    divide by the standard deviation of the training targets) and predictions
    are mapped back, so ``predict`` is in the units of ``y`` whatever their
    scale. The training loss in ``history_`` is the MSE of standardized
    targets.
    """

    def _criterion(self):
        # padded steps of per-step targets are NaN and must stay out of the loss
        return MaskedMSELoss if self.return_sequences else MeanSquaredError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _prepare_target(self, y, X3, lengths, reset=True, sample_weight=None):
        weights = sample_weight
        if self.return_sequences:
            Y, mask, y_ndim = validate_sequence_target(y, X3, lengths, numeric=True)
            values = Y[mask]  # (n_valid_steps, n_outputs)
            if weights is not None:  # each step weighs as its sequence
                weights = np.broadcast_to(weights[:, None], mask.shape)[mask]
        else:
            y = validate_target(y, X3)
            y_ndim = y.ndim
            Y = values = y.reshape(len(y), -1)
        if reset:
            # weighted as the loss is, so that a weight k standardizes as k
            # copies of a sample would
            if weights is None:
                mean, std = values.mean(axis=0), values.std(axis=0)
            else:
                mean = np.average(values, axis=0, weights=weights)
                var = np.average((values - mean) ** 2, axis=0, weights=weights)
                std = np.sqrt(var)
            self.fitted_state_ = self.fitted_state_.with_outputs(
                n_outputs=Y.shape[-1],
                per_step=bool(self.return_sequences),
                y_mean=mean,
                y_scale=_handle_zeros_in_scale(std),
                y_ndim=y_ndim,
            )
        elif values.shape[1] != self.fitted_state_.n_outputs:
            raise ValueError(
                f"y has {values.shape[1]} outputs, but {type(self).__name__} was "
                f"fitted with {self.fitted_state_.n_outputs}."
            )
        return self.fitted_state_.scale(Y).astype(np.float32), Y.shape[-1]

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
            With ``return_sequences=True``: shape (n_samples, n_timesteps[,
            n_outputs]), or a list of per-sequence arrays when ``X`` had
            variable lengths.
        """
        out, lengths = self._forward(X)
        state = self.fitted_state_
        y = state.unscale(out)
        if self.return_sequences:
            return self._per_sequence(y, lengths, squeeze_last=state.squeeze)
        return y.ravel() if state.squeeze else y

    def score(self, X, y, sample_weight=None):
        """R² of the predictions; per-step targets are pooled over all steps.

        Parameters
        ----------
        X : array-like or list
            Sequences.
        y : array-like or list
            True targets, in the form used in :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence (with ``return_sequences=True``, of each
            of its steps).

        Returns
        -------
        score : float
        """
        if not self.return_sequences:
            return super().score(X, y, sample_weight=sample_weight)
        return self._sequence_score(X, y, r2_score, sample_weight)

    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on ``(X, y)``, continuing from the current state.

        The first call builds the network and fixes the target scaling from
        its ``y``. Each call runs one epoch over the data it is given (with
        the validation split and early stopping of the parameters, which see
        only that data).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or list
            Sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in this epoch's loss (see :meth:`fit`).
            The target scaling is fixed by the first call, weighted by its
            weights.

        Returns
        -------
        self : object
        """
        return self._partial_fit(X, y, sample_weight=sample_weight)


class RNNRegressor(SequenceRegressor):
    """Elman recurrent network regressor.

    Reads each sequence with ``h_t = f(W x_t + U h_{t-1} + b)`` (``f`` is
    ``nonlinearity``) and predicts ``y = V h_T + b_y`` from the last hidden
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
    _cell_params = ("nonlinearity",)

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        max_epochs=200,
        batch_size=16,
        lr=1e-2,
        optimizer="adam",
        weight_decay=0.0,
        gradient_clip=1.0,
        early_stopping=True,
        validation_fraction=0.2,
        validation_split="auto",
        n_iter_no_change="auto",
        tol=1e-4,
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
        checkpoint=None,
        patch_size="auto",
        return_sequences=False,
        callbacks=None,
        nonlinearity="tanh",
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            gradient_clip=gradient_clip,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            validation_split=validation_split,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            device=device,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            checkpoint=checkpoint,
            patch_size=patch_size,
            return_sequences=return_sequences,
            callbacks=callbacks,
        )
        self.nonlinearity = nonlinearity


class LSTMRegressor(SequenceRegressor):
    """Long short-term memory (LSTM) regressor.

    Parameters
    ----------
    {shared_parameters}

    peephole : bool, default=False
        Peephole connections: the input, forget and output gates also see
        the previous cell state through diagonal weights, ``i_t =
        sigmoid(W_xi x_t + W_hi h_{t-1} + w_ci * c_{t-1} + b_i)`` and so on
        (after Gers and Schmidhuber, 2000), which helps tasks that depend on
        precise timing. Runs a PyTorch loop instead of the fused ``nn.LSTM``
        kernel: about 1.1x its training time on a CPU.

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
    _cell_params = ("peephole",)

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        max_epochs=200,
        batch_size=16,
        lr=1e-2,
        optimizer="adam",
        weight_decay=0.0,
        gradient_clip=1.0,
        early_stopping=True,
        validation_fraction=0.2,
        validation_split="auto",
        n_iter_no_change="auto",
        tol=1e-4,
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
        checkpoint=None,
        patch_size="auto",
        return_sequences=False,
        callbacks=None,
        peephole=False,
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            gradient_clip=gradient_clip,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            validation_split=validation_split,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            device=device,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            checkpoint=checkpoint,
            patch_size=patch_size,
            return_sequences=return_sequences,
            callbacks=callbacks,
        )
        self.peephole = peephole


class GRURegressor(SequenceRegressor):
    """Gated recurrent unit (GRU) regressor.

    Parameters
    ----------
    {shared_parameters}

    reset_after : bool, default=True
        Where the reset gate acts. True: after the recurrent product,
        ``n_t = tanh(W_xh x_t + r_t * (W_hh h_{t-1} + b_hh) + b_xh)``, as
        :class:`torch.nn.GRU`, cuDNN and Keras' default (fast fused kernels).
        False: before it, ``n_t = tanh(W_xh x_t + W_hh (r_t * h_{t-1}) +
        b_h)``, the classic GRU of Cho et al. (2014), run as a PyTorch loop.

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
    _cell_params = ("reset_after",)

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        max_epochs=200,
        batch_size=16,
        lr=1e-2,
        optimizer="adam",
        weight_decay=0.0,
        gradient_clip=1.0,
        early_stopping=True,
        validation_fraction=0.2,
        validation_split="auto",
        n_iter_no_change="auto",
        tol=1e-4,
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
        checkpoint=None,
        patch_size="auto",
        return_sequences=False,
        callbacks=None,
        reset_after=True,
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            gradient_clip=gradient_clip,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            validation_split=validation_split,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            device=device,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            checkpoint=checkpoint,
            patch_size=patch_size,
            return_sequences=return_sequences,
            callbacks=callbacks,
        )
        self.reset_after = reset_after
