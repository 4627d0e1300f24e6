"""Standardization of sequences, per feature, over samples and time steps.

:class:`~sklearn.preprocessing.StandardScaler` treats each column of a 2-D
array as its own feature. For sequences a feature is one channel of a time
step, shared by every time step: :class:`SequenceScaler` learns one mean and
one scale per channel from all samples and all (real) time steps.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ._validation import dataframe_output, validate_sequences

__all__ = ["SequenceScaler"]


def _input_kind(X):
    """``"2d"``, ``"3d"``, ``"ragged"`` or ``"panel"``: how ``X`` holds its
    sequences (``"panel"``: a DataFrame indexed by (instance, time))."""
    if getattr(getattr(X, "index", None), "nlevels", 1) > 1:
        return "panel"
    if isinstance(X, (list, tuple)) and len(X) > 0:
        try:
            ndim = np.ndim(X)
        except ValueError:  # inhomogeneous: sequences of different lengths
            return "ragged"
        return "2d" if ndim == 2 else "3d"
    ndim = getattr(X, "ndim", None)
    if ndim is None:  # e.g. objects with only __array__
        ndim = np.asarray(X).ndim
    return "2d" if ndim == 2 else "3d"


def _is_constant(var, mean, n_samples):
    """True where a variance is zero up to float64 rounding (as StandardScaler)."""
    eps = np.finfo(np.float64).eps
    upper_bound = n_samples * eps * var + (n_samples * mean * eps) ** 2
    return var <= upper_bound


class SequenceScaler(TransformerMixin, BaseEstimator):
    """Standardize sequences per feature over all samples and time steps.

    Each feature (last axis of 3-D input) is centred and scaled by the mean
    and standard deviation of that feature over every sample and every time
    step seen in :term:`fit`: ``z = (x - mean_) / scale_``. Variable-length
    input contributes only its real time steps.

    Three input forms are accepted, and each is returned in the form it came:

    - 3-D array-like ``(n_samples, n_timesteps, n_features)``;
    - 2-D array-like ``(n_samples, n_timesteps)``: univariate sequences, all
      columns scaled as the one feature;
    - a list of arrays ``(n_timesteps_i, n_features)`` (or 1-D) of different
      lengths: a list of arrays of the same shapes is returned (a pandas
      Series of arrays, or sktime's multi-index panel, is read as such a list).

    With ``set_output(transform="pandas")``, 2-D output is a DataFrame with
    the input's columns; 3-D and variable-length output cannot be one, and
    ``transform`` then says so.

    Parameters
    ----------
    with_mean : bool, default=True
        If True, center the data before scaling.
    with_std : bool, default=True
        If True, scale the data to unit variance.

    Attributes
    ----------
    mean_ : ndarray of shape (n_channels,) or None
        Mean of each feature (``n_channels`` is 1 for 2-D input, else
        ``n_features``). None when ``with_mean=False`` and ``with_std=False``.
    var_ : ndarray of shape (n_channels,) or None
        Variance of each feature; None when ``with_std=False``.
    scale_ : ndarray of shape (n_channels,) or None
        Standard deviation of each feature, 1 where the variance is zero (the
        feature is then only centred). None when ``with_std=False``.
    n_features_in_ : int
        For 3-D and variable-length input, the number of features per time
        step. For 2-D input, the number of columns (time steps), as everywhere
        in scikit-learn; a scaler fitted on 2-D input transforms 2-D input
        with that many columns.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen during :term:`fit`. Defined only when `X` is
        a DataFrame with string column names.
    n_samples_seen_ : int
        Number of time steps, over all samples, the statistics were
        computed from.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : Scales each column on its own.
    SlidingWindowTransformer : Cuts one series into windows to scale.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import SequenceScaler
    >>> X = np.array([[[0.0, 10.0], [2.0, 30.0]],
    ...               [[4.0, 50.0], [6.0, 70.0]]])
    >>> scaler = SequenceScaler().fit(X)
    >>> scaler.mean_, scaler.scale_
    (array([ 3., 40.]), array([ 2.23606798, 22.36067977]))
    >>> Xt = scaler.transform(X)
    >>> Xt.shape, Xt.dtype
    ((2, 2, 2), dtype('float32'))
    >>> Xt[:, :, 0].round(4)
    array([[-1.3416, -0.4472],
           [ 0.4472,  1.3416]], dtype=float32)
    >>> scaler.inverse_transform(Xt)[:, :, 1]
    array([[10., 30.],
           [50., 70.]], dtype=float32)

    Variable-length sequences come back as a list, scaled with statistics of
    their real time steps only:

    >>> seqs = [np.array([[1.0], [2.0], [3.0]]), np.array([[5.0]])]
    >>> [s.ravel() for s in SequenceScaler(with_std=False).fit_transform(seqs)]
    [array([-1.75, -0.75,  0.25], dtype=float32), array([2.25], dtype=float32)]
    """

    _parameter_constraints: dict = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
    }

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    def _validate(self, X, *, reset):
        """Return ``(kind, X3, lengths, shapes)`` for ``X``.

        ``X3`` is ``(n, T, F)`` in the input's precision (float64 or float32;
        other input becomes float64), so that centring never rounds to
        float32 first; ``lengths`` and ``shapes`` (each sequence's own shape)
        are set for ragged input only.
        """
        kind = _input_kind(X)
        X3, lengths = validate_sequences(
            self, X, reset=reset, dtype=[np.float64, np.float32]
        )
        shapes = None
        if lengths is not None:
            if kind == "panel":  # one (n_timesteps, n_features) per instance
                shapes = [(length, X3.shape[2]) for length in lengths]
            else:
                shapes = [np.shape(seq) for seq in X]
            kind = "ragged"
        elif kind == "panel":
            kind = "3d"
        return kind, X3, lengths, shapes

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the mean and scale of each feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            Training sequences: 2-D (univariate), 3-D, or a list of arrays of
            different lengths.
        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted scaler.
        """
        _, X3, lengths, _ = self._validate(X, reset=True)
        if lengths is None:
            steps = X3.reshape(-1, X3.shape[2])
        else:
            steps = X3[np.arange(X3.shape[1]) < lengths[:, None]]
        self.n_samples_seen_ = steps.shape[0]
        mean = steps.mean(axis=0, dtype=np.float64)
        self.var_ = None
        self.scale_ = None
        if self.with_std:
            var = steps.var(axis=0, dtype=np.float64)
            self.var_ = var
            scale = np.sqrt(var)
            scale[_is_constant(var, mean, self.n_samples_seen_)] = 1.0
            self.scale_ = scale
        self.mean_ = mean if (self.with_mean or self.with_std) else None
        return self

    def _apply(self, X, forward):
        check_is_fitted(self)
        kind, X3, lengths, shapes = self._validate(X, reset=False)
        # in the input's precision, then cast: a feature at 7 +- 0.01 would
        # lose three digits if it were rounded to float32 before centring
        out = X3
        offset = self.mean_ if self.with_mean else None
        scale = self.scale_ if self.with_std else None
        if forward:
            if offset is not None:
                out = out - offset.astype(X3.dtype)
            if scale is not None:
                out = out / scale.astype(X3.dtype)
        else:
            if scale is not None:
                out = out * scale.astype(X3.dtype)
            if offset is not None:
                out = out + offset.astype(X3.dtype)
        # float32 out (what torch computes in); never the caller's memory
        out = out.astype(np.float32, copy=out is X3)
        dataframe_output(self, 2 if kind == "2d" else 3)  # 3-D: a clear error
        if kind == "2d":
            return out[:, :, 0]
        if kind == "ragged":
            return [
                out[i, :length].reshape(shape)
                for i, (length, shape) in enumerate(zip(lengths, shapes))
            ]
        return out

    def transform(self, X):
        """Standardize ``X`` with the statistics learned in :meth:`fit`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            Sequences in any of the forms :meth:`fit` accepts.

        Returns
        -------
        X_scaled : ndarray or list of ndarray, float32
            Same form and shape as ``X``.
        """
        return self._apply(X, forward=True)

    def inverse_transform(self, X):
        """Undo :meth:`transform`: ``X * scale_ + mean_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            Scaled sequences.

        Returns
        -------
        X_original : ndarray or list of ndarray, float32
            Same form and shape as ``X``.
        """
        return self._apply(X, forward=False)

    def get_feature_names_out(self, input_features=None):
        """Names of the output's features: those of the input.

        For 2-D input (univariate sequences) the output has the input's
        columns, which ``set_output(transform="pandas")`` names with these.
        3-D and variable-length output cannot be a DataFrame.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; by default ``feature_names_in_``, or
            ``x0, x1, ...`` for ``n_features_in_`` features.

        Returns
        -------
        feature_names_out : ndarray of str
            The input feature names.
        """
        check_is_fitted(self)
        return _check_feature_names_in(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        # every output is float32 (what torch computes in)
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
