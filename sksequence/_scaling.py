"""Standardization of sequences, per feature, over samples and time steps.

:class:`~sklearn.preprocessing.StandardScaler` treats each column of a 2-D
array as its own feature. For sequences a feature is one channel of a time
step, shared by every time step: :class:`SequenceScaler` learns one mean and
one scale per channel from all samples and all (real) time steps, or, with
``per_sequence=True``, standardizes each sequence by its own statistics.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from ._compat import (
    available_if,
    check_feature_names_in,
    fit_context,
    validate_parameters,
)
from ._constants import (
    INSTANCE_NORM_EPS,
    INSTANCE_NORM_FLOOR_SHARE,
    INSTANCE_NORM_LEVEL_EPS,
)
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


def _sequence_stats(X3, lengths):
    """Mean, variance and constancy of each sequence over its real steps.

    Returns float64 ``(mean, var, constant)``, each of shape
    ``(n_samples, n_features)``, and ``counts`` ``(n_samples, 1)``, the
    number of real steps; padding past ``lengths`` never counts.
    """
    if lengths is None:
        mean = X3.mean(axis=1, dtype=np.float64)
        var = X3.var(axis=1, dtype=np.float64)
        counts = np.full((len(X3), 1), X3.shape[1])
    else:
        real = (np.arange(X3.shape[1]) < lengths[:, None])[:, :, None]
        counts = lengths[:, None]
        mean = np.where(real, X3, 0.0).sum(axis=1, dtype=np.float64) / counts
        deviation = np.where(real, X3 - mean[:, None, :], 0.0)
        var = (deviation**2).sum(axis=1, dtype=np.float64) / counts
    return mean, var, _is_constant(var, mean, counts), counts


def instance_norm_floor(X3, lengths, chunk=1024):
    """The absolute variance floor of ``instance_norm`` for training
    sequences ``X3`` (n, T, F) of valid ``lengths`` (None: all ``T``).

    ``INSTANCE_NORM_FLOOR_SHARE`` of the smallest variance, over the
    sequences and features, of a sequence that is not constant, at most
    ``INSTANCE_NORM_EPS``: every training sequence is read at its own
    scale, and sets of unit-scale sequences keep the floor of 1e-5. The
    moments are :func:`_sequence_stats`', read in chunks of sequences
    (``X3`` may be a view far larger than memory).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.zeros((2, 4, 1), dtype=np.float32)
    >>> X[0, :, 0] = [1, -1, 1, -1]
    >>> float(instance_norm_floor(X, None))  # unit scale: at most 1e-5
    1e-05
    >>> X[1, :, 0] = [1e-4, -1e-4, 1e-4, -1e-4]
    >>> bool(np.isclose(instance_norm_floor(X, None), 1e-3 * 1e-8))
    True
    >>> X *= 1e-6  # tiny units: still read at their own scale
    >>> bool(np.isclose(instance_norm_floor(X, None), 1e-3 * 1e-20))
    True
    """
    smallest = np.inf
    for start in range(0, len(X3), chunk):
        block = X3[start : start + chunk]
        valid = None if lengths is None else np.asarray(lengths[start : start + chunk])
        mean, var, _, _ = _sequence_stats(block, valid)
        # constant: a variance of 0 (float32 values, summed in float64) or the
        # rounding of a mean far from zero, which the network's level term
        # floors anyway (not _is_constant's float64 bound); any other counts
        varying = var > INSTANCE_NORM_LEVEL_EPS * mean**2
        if varying.any():
            smallest = min(smallest, float(var[varying].min()))
    return min(INSTANCE_NORM_EPS, INSTANCE_NORM_FLOOR_SHARE * smallest)


def _log_scale(var, constant, floor):
    """Log standard deviation, raised to ``floor`` (also where constant)."""
    std = np.sqrt(np.where(constant, 1.0, var))
    return np.where(constant, floor, np.maximum(np.log(std), floor))


# the appended log scales are divided by their spread over the training
# sequences, but never by less than 1 (amplitudes varying by less than a
# factor e): in an archive already z-normalized per sequence (GunPoint) every
# log scale is 0 up to rounding, and magnifying that rounding to unit
# variance gave the networks a noise feature (GRU 0.98 -> 0.55 on GunPoint)
_MIN_LOG_SCALE_SPREAD = 1.0

# fitted attributes of each mode: a refit in the other mode removes them, so
# that nothing reads statistics the current parameters did not produce
_GLOBAL_ATTRIBUTES = ("mean_", "var_", "scale_", "n_samples_seen_")
_STATS_ATTRIBUTES = ("stats_mean_", "stats_scale_", "log_scale_min_")


def _not_per_sequence(scaler):
    return not scaler.per_sequence


class SequenceScaler(TransformerMixin, BaseEstimator):
    """Standardize sequences per feature, over all of them or each on its own.

    By default each feature (last axis of 3-D input) is centred and scaled by
    the mean and standard deviation of that feature over every sample and
    every time step seen in :term:`fit`: ``z = (x - mean_) / scale_``.

    With ``per_sequence=True`` each sequence is instead standardized by the
    mean and standard deviation of each of its own features over its own
    time steps (z-normalization, as tslearn's ``TimeSeriesScalerMeanVariance``
    and the time-series classification archives do), in :term:`transform`:
    :term:`fit` learns nothing, and sequences whose amplitudes span decades
    all reach the model with the same spread. What that removes, the level
    and the scale of each sequence, can be kept as extra features with
    ``keep_stats=True``.

    Variable-length input contributes only its real time steps. Three input
    forms are accepted, and each is returned in the form it came:

    - 3-D array-like ``(n_samples, n_timesteps, n_features)``;
    - 2-D array-like ``(n_samples, n_timesteps)``: univariate sequences, all
      columns scaled as the one feature;
    - a list of arrays ``(n_timesteps_i, n_features)`` (or 1-D) of different
      lengths: a list of arrays of the same shapes is returned (a pandas
      Series of arrays, or sktime's multi-index panel, is read as such a list).

    With ``set_output(transform="pandas")``, 2-D output is a DataFrame with
    the input's columns; 3-D and variable-length output cannot be one, and
    ``transform`` then says so.

    (``keep_stats=True`` adds features: 2-D input then comes back 3-D, and
    1-D sequences of a list come back 2-D.)

    Parameters
    ----------
    with_mean : bool, default=True
        If True, center the data before scaling.
    with_std : bool, default=True
        If True, scale the data to unit variance.
    per_sequence : bool, default=False
        If False, one mean and one scale per feature, learned in :term:`fit`
        from all samples and time steps. If True, each sequence is centred
        and scaled by its own mean and standard deviation per feature (a
        constant feature of a sequence is only centred), computed when it is
        transformed; ``fit`` then learns nothing unless ``keep_stats=True``,
        and there is no ``inverse_transform``. Choose it when sequences
        differ in level or amplitude more than in shape and their shape is
        what tells them apart (sensor and appliance recordings, spectra).
    keep_stats : bool, default=False
        Only with ``per_sequence=True``. If True, append to each time step
        the statistics the per-sequence scaling removed, constant over the
        sequence: each feature's mean (when ``with_mean``) followed by each
        feature's log standard deviation (when ``with_std``), the level and
        the scale a model may still need. ``fit`` learns how to put them on
        the networks' scale (``stats_mean_``, ``stats_scale_``): the level
        as the global scaling would show it (centred and divided by the
        mean and standard deviation of all training steps), the log scale
        centred on its mean over the training sequences and divided by its
        spread there, but never by less than 1, so that sequences already
        of one amplitude do not get their rounding noise magnified. A log
        standard deviation below the smallest one seen in ``fit`` (that of
        a constant sequence among them) is raised to it (``log_scale_min_``).

    Attributes
    ----------
    mean_ : ndarray of shape (n_channels,) or None
        Mean of each feature (``n_channels`` is 1 for 2-D input, else
        ``n_features``). None when ``with_mean=False`` and ``with_std=False``.
        Not set with ``per_sequence=True``.
    var_ : ndarray of shape (n_channels,) or None
        Variance of each feature; None when ``with_std=False``. Not set with
        ``per_sequence=True``.
    scale_ : ndarray of shape (n_channels,) or None
        Standard deviation of each feature, 1 where the variance is zero (the
        feature is then only centred). None when ``with_std=False``. Not set
        with ``per_sequence=True``.
    stats_mean_ : ndarray of shape (n_stats,)
        What is subtracted from each appended statistic (first the
        ``n_channels`` levels, then the ``n_channels`` log standard
        deviations, each when enabled): the mean of all training steps per
        feature, then the mean log standard deviation of the training
        sequences. Only with ``keep_stats=True``.
    stats_scale_ : ndarray of shape (n_stats,)
        What each appended statistic is divided by: the standard deviation
        of all training steps per feature (1 where constant), then the
        spread of the training sequences' log standard deviations, at least
        1. Only with ``keep_stats=True``.
    log_scale_min_ : ndarray of shape (n_channels,) or None
        Smallest log standard deviation of a non-constant training sequence,
        per feature (0 where every one was constant). Only with
        ``keep_stats=True``; None when ``with_std=False``.
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
        computed from. Not set with ``per_sequence=True``.

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

    Per sequence, two sequences of one shape at different levels and
    amplitudes become the same; ``keep_stats=True`` keeps the level and the
    log scale as two more features:

    >>> X = np.array([[1.0, 2.0, 3.0], [100.0, 200.0, 300.0]])
    >>> SequenceScaler(per_sequence=True).fit_transform(X).round(4)
    array([[-1.2247,  0.    ,  1.2247],
           [-1.2247,  0.    ,  1.2247]], dtype=float32)
    >>> Xs = SequenceScaler(per_sequence=True, keep_stats=True).fit_transform(X)
    >>> Xs.shape
    (2, 3, 3)
    >>> Xs[:, 0].round(4)
    array([[-1.2247, -0.8638, -1.    ],
           [-1.2247,  0.8638,  1.    ]], dtype=float32)
    """

    _parameter_constraints: dict = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
        "per_sequence": ["boolean"],
        "keep_stats": ["boolean"],
    }

    def __init__(
        self, *, with_mean=True, with_std=True, per_sequence=False, keep_stats=False
    ):
        self.with_mean = with_mean
        self.with_std = with_std
        self.per_sequence = per_sequence
        self.keep_stats = keep_stats

    def __getattr__(self, name):
        # only reached for what is missing: per sequence, the global
        # statistics and the inverse do not exist; say why (hasattr stays False)
        if self.__dict__.get("per_sequence"):
            if name in _GLOBAL_ATTRIBUTES:
                raise AttributeError(
                    f"SequenceScaler(per_sequence=True) has no {name}: each "
                    "sequence is standardized by its own statistics when it is "
                    "transformed."
                )
            if name == "inverse_transform":
                raise AttributeError(
                    "inverse_transform is not available with per_sequence=True: "
                    "each sequence's own mean and scale are not kept. Use "
                    "per_sequence=False to invert the scaling."
                )
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )

    def _validate(self, X, *, reset):
        """Return ``(kind, X3, lengths, shapes)`` for ``X``.

        ``X3`` is ``(n, T, F)`` in the input's precision (float64 or float32;
        other input becomes float64), so that centring never rounds to
        float32 first; ``lengths`` and ``shapes`` (each sequence's own shape)
        are set for ragged input only.
        """
        kind = _input_kind(X)
        # each value is scaled on its own: how X groups into sequences of
        # what length does not change the result
        X3, lengths, spec = validate_sequences(
            self,
            X,
            reset=reset,
            dtype=[np.float64, np.float32],
            steps_matter=False,
            expected=None if reset else self._input_spec,
        )
        if reset:
            self._input_spec = spec  # what transform checks X against
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

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the mean and scale of each feature.

        With ``per_sequence=True`` only ``X`` is checked (and, with
        ``keep_stats=True``, the spread of the appended statistics learned).

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
        if self.keep_stats and not self.per_sequence:
            raise ValueError(
                "keep_stats=True needs per_sequence=True: with one mean and "
                "scale for all sequences there are no per-sequence statistics "
                "to keep. Set per_sequence=True or keep_stats=False."
            )
        _, X3, lengths, _ = self._validate(X, reset=True)
        for name in _GLOBAL_ATTRIBUTES + _STATS_ATTRIBUTES:
            self.__dict__.pop(name, None)
        if self.per_sequence:
            if self.keep_stats:
                self._fit_stats(*_sequence_stats(X3, lengths))
            return self
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

    def _fit_stats(self, mean, var, constant, counts):
        """Learn the floor and the standardization of the appended statistics.

        Levels: centred on the mean and divided by the standard deviation of
        all training steps (the global scaling), so that they never magnify
        what varies little. Log scales: centred on their mean over the
        training sequences, divided by their spread, at least 1.
        """
        center, scale = [], []
        if self.with_mean:
            weight = counts / counts.sum()
            level = (weight * mean).sum(axis=0)
            pooled = (weight * (var + (mean - level) ** 2)).sum(axis=0)
            spread = np.sqrt(pooled)
            spread[_is_constant(pooled, level, counts.sum())] = 1.0
            center.append(level)
            scale.append(spread)
        self.log_scale_min_ = None
        if self.with_std:
            log_std = np.log(np.sqrt(np.where(constant, 1.0, var)))
            lowest = np.where(constant, np.inf, log_std).min(axis=0)
            self.log_scale_min_ = np.where(np.isfinite(lowest), lowest, 0.0)
            log_scale = _log_scale(var, constant, self.log_scale_min_)
            center.append(log_scale.mean(axis=0))
            scale.append(np.maximum(log_scale.std(axis=0), _MIN_LOG_SCALE_SPREAD))
        self.stats_mean_ = np.concatenate(center) if center else np.zeros(0)
        self.stats_scale_ = np.concatenate(scale) if scale else np.zeros(0)

    def _raw_stats(self, mean, var, constant):
        """``(n_samples, n_stats)``: the kept means, then the log scales."""
        stats = []
        if self.with_mean:
            stats.append(mean)
        if self.with_std:
            stats.append(_log_scale(var, constant, self.log_scale_min_))
        return np.concatenate(stats, axis=1) if stats else mean[:, :0]

    def _validate_transform(self, X):
        """Validate ``X`` for transform; per sequence, a fit is not needed."""
        stateless = not self.__sklearn_tags__().requires_fit
        if stateless and not hasattr(self, "n_features_in_"):
            validate_parameters(self)
            # checked as a fit would check it, keeping nothing
            return clone(self)._validate(X, reset=True)
        check_is_fitted(self, "stats_mean_" if self.keep_stats else None)
        if not self.per_sequence:
            check_is_fitted(self, "mean_")
        return self._validate(X, reset=False)

    def _per_sequence(self, X3, lengths):
        """Each sequence by its own statistics, with the kept ones appended."""
        mean, var, constant, _ = _sequence_stats(X3, lengths)
        out = X3
        if self.with_mean:
            out = out - mean[:, None, :].astype(X3.dtype)
        if self.with_std:
            scale = np.sqrt(np.where(constant, 1.0, var))
            out = out / scale[:, None, :].astype(X3.dtype)
        out = out.astype(np.float32, copy=out is X3)
        if not self.keep_stats or not (self.with_mean or self.with_std):
            return out
        stats = (self._raw_stats(mean, var, constant) - self.stats_mean_) / (
            self.stats_scale_
        )
        stats = np.broadcast_to(
            stats.astype(np.float32)[:, None, :], (*out.shape[:2], stats.shape[1])
        )
        return np.concatenate([out, stats], axis=2)

    def _apply(self, X, forward):
        kind, X3, lengths, shapes = self._validate_transform(X)
        if self.per_sequence:
            out = self._per_sequence(X3, lengths)
        else:
            out = self._global(X3, forward)
        appended = out.shape[2] != X3.shape[2]
        # a DataFrame for 2-D output only; 3-D: a clear error
        dataframe_output(self, 2 if kind == "2d" and not appended else 3)
        if appended:  # statistics appended: 3-D out
            if kind == "ragged":
                return [out[i, :length] for i, length in enumerate(lengths)]
            return out
        if kind == "2d":
            return out[:, :, 0]
        if kind == "ragged":
            return [
                out[i, :length].reshape(shape)
                for i, (length, shape) in enumerate(zip(lengths, shapes))
            ]
        return out

    def _global(self, X3, forward):
        """``X3`` by the learned statistics (or back), float32."""
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
        return out.astype(np.float32, copy=out is X3)

    def transform(self, X):
        """Standardize ``X``.

        With the statistics learned in :meth:`fit`, or, with
        ``per_sequence=True``, each sequence with its own.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            Sequences in any of the forms :meth:`fit` accepts.

        Returns
        -------
        X_scaled : ndarray or list of ndarray, float32
            Same form and shape as ``X`` (with ``keep_stats=True``, the
            statistics follow the features on the last axis).
        """
        return self._apply(X, forward=True)

    @available_if(_not_per_sequence)
    def inverse_transform(self, X):
        """Undo :meth:`transform`: ``X * scale_ + mean_``.

        Not available with ``per_sequence=True``.

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
        return check_feature_names_in(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        # every output is float32 (what torch computes in)
        tags.transformer_tags.preserves_dtype = ["float32"]
        # per sequence, fit learns nothing (unless statistics are kept)
        tags.requires_fit = not (self.per_sequence and not self.keep_stats)
        return tags
