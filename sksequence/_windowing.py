"""Sliding windows over a time series.

Two tools cut one long series (rows are time steps, columns are features) into
overlapping windows, the input that recurrent models learn from:

* :func:`make_forecasting_data` builds the classic supervised data set
  ``(X, y)``: each window of past rows is paired with the target value(s) of
  the rows that follow it;
* :class:`SlidingWindowTransformer` turns every row of a series into the
  window of rows that ends at it, so that ``n_rows`` is preserved and a target
  ``y`` passes through a :class:`~sklearn.pipeline.Pipeline` untouched.

Neither materializes the windows: both return read-only
:func:`~numpy.lib.stride_tricks.sliding_window_view` views, whose memory is
that of the series, not ``window_size`` times it.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import (
    check_is_fitted,
    validate_data,
)

from ._compat import Interval, StrOptions, check_feature_names_in, fit_context
from ._validation import check_no_bool_ints, dataframe_output, naming

__all__ = ["SlidingWindowTransformer", "make_forecasting_data"]

_KEPT_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _check_positive_int(value, name):
    """Return ``value`` as an int >= 1 or raise an error naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(
            f"{name} must be an int >= 1; got {value!r} of type {type(value).__name__}."
        )
    if value < 1:
        raise ValueError(f"{name} must be an int >= 1; got {value!r}.")
    return int(value)


def _frame_to_array(frame, name="series"):
    """Numeric values of a DataFrame as a 2-D float array (a view when possible)."""
    bad = [
        col
        for col, dtype in frame.dtypes.items()
        if not pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_complex_dtype(dtype)
    ]
    if bad:
        raise TypeError(
            f"{name} must hold real numbers only; columns {bad!r} have non-numeric "
            f"dtypes {[str(frame[c].dtype) for c in bad]!r}. Encode or drop them "
            "first."
        )
    dtypes = set(frame.dtypes)
    if len(dtypes) == 1 and dtypes.pop() in _KEPT_FLOATS:
        return frame.to_numpy()
    return frame.to_numpy(dtype=np.float32, na_value=np.nan)


def _array_to_float(arr, name="series"):
    """``arr`` itself when float32/float64, else one float32 copy of it."""
    if arr.dtype in _KEPT_FLOATS:
        return arr
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers; got an array of dtype {arr.dtype}."
        )
    return arr.astype(np.float32)


def _series_to_array(series, name="series"):
    """Return ``(values, columns)``: values 2-D (n_rows, n_columns) float."""
    if isinstance(series, pd.DataFrame):
        return _frame_to_array(series, name), list(series.columns)
    if isinstance(series, pd.Series):
        values = _frame_to_array(series.to_frame(), name)
        return values, [series.name]
    with naming(name):
        arr = np.asarray(series)
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be 1-D (n_timesteps,) or 2-D (n_timesteps, n_features); "
            f"got a {arr.ndim}-D array of shape {arr.shape}."
        )
    arr = _array_to_float(arr, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    return arr, None


def _resolve_one_target(label, columns, n_columns, series):
    """Position of one target column."""
    if isinstance(series, pd.Series):
        if label == 0 or label == series.name:
            return 0
        raise ValueError(
            f"target {label!r} is unknown: a Series has one column, named "
            f"{series.name!r} (or 0)."
        )
    if columns is not None:
        matches = [i for i, col in enumerate(columns) if col == label]
        if not matches:
            raise ValueError(
                f"target {label!r} is not a column of series; the columns are "
                f"{columns!r}."
            )
        if len(matches) > 1:
            raise ValueError(
                f"target {label!r} names {len(matches)} columns of series; column "
                "labels must be unique."
            )
        return matches[0]
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, Integral):
        raise TypeError(
            "For an array series, target must be an int column index or a list of "
            f"them; got {label!r}."
        )
    if not -n_columns <= label < n_columns:
        raise ValueError(
            f"target column {label!r} is out of range for a series with "
            f"{n_columns} column(s)."
        )
    return int(label) % n_columns


def _resolve_targets(target, columns, n_columns, series):
    """Return ``(positions, single)``: single means drop the target axis of y."""
    if target is None:
        return list(range(n_columns)), n_columns == 1
    if isinstance(target, (list, np.ndarray, pd.Index)):
        labels = list(target)
        if not labels:
            raise ValueError("target must not be an empty list.")
        return [
            _resolve_one_target(t, columns, n_columns, series) for t in labels
        ], False
    return [_resolve_one_target(target, columns, n_columns, series)], True


def _check_finite(values, name, advice):
    """Raise if ``values`` holds NaN or infinity, naming the first bad row."""
    finite = np.isfinite(values)
    if not finite.all():
        row = int(np.flatnonzero(~finite.all(axis=1))[0])
        raise ValueError(
            f"{name} contains NaN or infinity (first at row {row}); {advice}"
        )


def _check_future_covariates(future_covariates, n_rows):
    """Future-known covariates as a 2-D float array of exactly ``n_rows`` rows."""
    values, _ = _series_to_array(future_covariates, "future_covariates")
    if len(values) != n_rows:
        raise ValueError(
            f"future_covariates has {len(values)} rows but must have {n_rows}, one "
            "per time step of the series (the rows are aligned in time). "
            + (
                "Covariates shorter than the series cannot cover the horizon of "
                "its last windows; extend them or cut the series."
                if len(values) < n_rows
                else "Cut them to the series' time steps."
            )
        )
    _check_finite(
        values,
        "future_covariates",
        "a future-known covariate must be known at every step: fill it first.",
    )
    return values


def timeline_windows(values, future, window_size, horizon, starts):
    """Windows of ``window_size + horizon`` steps with the future masked.

    Window ``j`` covers rows ``starts[j]`` to ``starts[j] + window_size +
    horizon - 1`` of the timeline. Its features are, in this order: the
    columns of ``values`` (targets and past-only covariates) over the first
    ``window_size`` steps and zero over the ``horizon`` steps, where they are
    unknown; the columns of ``future`` over every step; one flag that is 0 over
    the past and 1 over the horizon. ``values`` needs ``starts[-1] +
    window_size`` rows, ``future`` ``starts[-1] + window_size + horizon``.
    This one copy is made because the masked steps differ from window to
    window: no view of the series can express them.
    """
    n_past, n_future = values.shape[1], future.shape[1]
    dtype = np.result_type(values.dtype, future.dtype)
    size = window_size + horizon
    X = np.zeros((len(starts), size, n_past + n_future + 1), dtype=dtype)
    past = sliding_window_view(values, window_size, axis=0)[starts]
    X[:, :window_size, :n_past] = past.transpose(0, 2, 1)
    known = sliding_window_view(future, size, axis=0)[starts]
    X[:, :, n_past:-1] = known.transpose(0, 2, 1)
    X[:, window_size:, -1] = 1
    return X


def make_forecasting_data(
    series,
    window_size,
    horizon=1,
    *,
    target=None,
    step=1,
    future_covariates=None,
    return_groups=False,
):
    """Cut a time series (or several) into windows and the values that follow.

    Window ``i`` holds rows ``[i * step, i * step + window_size)`` of the
    series; its target is the value of the target column(s) in the
    ``horizon`` rows right after it. This is the data set a recurrent
    regressor learns to forecast from. Given a list of series (a panel, of
    different lengths), the windows of every series are cut the same way and
    concatenated, series after series: no window crosses from one series into
    the next, and one regressor learns from all of them (a global model).

    Parameters
    ----------
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_features), \
            pandas Series or DataFrame
        One time series, rows in time order. Must hold finite real numbers.
        float32 and float64 arrays are used as they are; other numeric input
        is converted to float32 once. A list (or tuple) of arrays, Series or
        DataFrames is several series, each of any length of at least
        ``window_size + horizon`` rows and all with the same columns (a list of
        numbers or of lists stays one series, as an array-like).
    window_size : int
        Number of consecutive rows in each window (>= 1).
    horizon : int, default=1
        Number of rows after each window whose target values are predicted
        (>= 1). ``window_size + horizon`` must not exceed ``n_timesteps``.
    target : column label, int or list of them, default=None
        Which columns are forecast: a column label of a DataFrame, an int
        column index of an array, or a list of them. ``None`` makes every
        column a target. Columns that are not targets are exogenous inputs:
        they are still part of ``X``.
    step : int, default=1
        Number of rows between the starts of consecutive windows (>= 1).
    future_covariates : array-like of shape (n_timesteps,) or \
            (n_timesteps, n_covariates), pandas Series or DataFrame, default=None
        Covariates known in advance (calendar, planned prices, holidays), one
        row per row of ``series``. Each window is then extended over its
        horizon: it spans ``window_size + horizon`` steps, the series' columns
        are zero over the horizon (they are not known there yet), the future
        covariates are present over every step, and a last flag feature is 1
        over the horizon. Must be finite everywhere. With a list of series, a
        list of as many covariates, one per series.
    return_groups : bool, default=False
        Also return ``groups``, the series each window comes from.

    Returns
    -------
    X : ndarray of shape (n_windows, window_size, n_features)
        The windows, with ``n_windows = (n_timesteps - window_size - horizon)
        // step + 1``. A read-only view on the series' memory (no window is
        copied): float32 or float64 as the series when that was a float
        array, else float32. With ``future_covariates``: a new array of shape
        ``(n_windows, window_size + horizon, n_features + n_covariates + 1)``
        laid out as described above.
    y : ndarray
        Target values, same dtype as ``X``, of shape

        - ``(n_windows,)`` for ``horizon=1`` and a single target,
        - ``(n_windows, horizon)`` for ``horizon > 1`` and a single target,
        - ``(n_windows, n_targets)`` for ``horizon=1`` and several targets,
        - ``(n_windows, horizon, n_targets)`` otherwise.

        A single target is a scalar ``target`` or ``target=None`` on a
        one-column series; a list keeps the target axis even with one entry.
    groups : ndarray of shape (n_windows,) of int
        Only with ``return_groups=True``: the position in the list of the
        series each window was cut from (all 0 for one series). With a list,
        ``X`` and ``y`` are new arrays (the concatenation copies the windows).

    Raises
    ------
    TypeError
        If ``window_size``, ``horizon`` or ``step`` is not an int, or the
        series or a column of it is not numeric.
    ValueError
        If an int parameter is < 1, the series is too short, is not 1-D or 2-D,
        contains NaN or infinity, or ``target`` names an unknown column; if
        ``future_covariates`` has another number of rows than the series or
        is not finite; if a list of series is empty, its series differ in
        columns, or ``future_covariates`` is not a list of as many.

    See Also
    --------
    SlidingWindowTransformer : One window per row, ending at that row.

    Notes
    -----
    Consecutive windows overlap, so a random train/validation split leaks the
    future into training: hold out the last windows instead (e.g. with
    :class:`~sklearn.model_selection.TimeSeriesSplit`). A float64 series gives
    float64 windows; pass float32 (``series.astype("float32")``, one copy of
    the series) to keep the view when a model converts to float32.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import make_forecasting_data
    >>> series = np.arange(10.0)
    >>> X, y = make_forecasting_data(series, window_size=3)
    >>> X.shape, y.shape
    ((7, 3, 1), (7,))
    >>> X[0, :, 0], y[0]
    (array([0., 1., 2.]), np.float64(3.0))
    >>> np.shares_memory(X, series)
    True
    >>> X, y = make_forecasting_data(series, window_size=4, horizon=2, step=3)
    >>> X[:, :, 0]
    array([[0., 1., 2., 3.],
           [3., 4., 5., 6.]])
    >>> y
    array([[4., 5.],
           [7., 8.]])

    With exogenous columns, only the target is forecast:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"load": np.arange(6.0), "temp": 10 + np.arange(6.0)})
    >>> X, y = make_forecasting_data(df, window_size=2, target="load")
    >>> X.shape, y
    ((4, 2, 2), array([2., 3., 4., 5.]))

    A covariate known in advance (here a weekend flag) extends each window
    over the horizon, where the series is masked and a flag marks the steps
    to forecast:

    >>> weekend = np.array([0.0, 0, 0, 0, 1, 1])
    >>> X, y = make_forecasting_data(
    ...     df, window_size=2, horizon=2, target="load", future_covariates=weekend
    ... )
    >>> X.shape, y.shape
    ((3, 4, 4), (3, 2))
    >>> X[2]  # load, temp, weekend, horizon flag
    array([[ 2., 12.,  0.,  0.],
           [ 3., 13.,  0.,  0.],
           [ 0.,  0.,  1.,  1.],
           [ 0.,  0.,  1.,  1.]])

    Several series of different lengths give the windows of each, and
    ``groups`` says which series each window comes from:

    >>> panel = [np.arange(5.0), 100 + np.arange(4.0)]
    >>> X, y, groups = make_forecasting_data(panel, window_size=2, return_groups=True)
    >>> X[:, :, 0]
    array([[  0.,   1.],
           [  1.,   2.],
           [  2.,   3.],
           [100., 101.],
           [101., 102.]])
    >>> y, groups
    (array([  2.,   3.,   4., 102., 103.]), array([0, 0, 0, 1, 1]))
    """
    window_size = _check_positive_int(window_size, "window_size")
    horizon = _check_positive_int(horizon, "horizon")
    step = _check_positive_int(step, "step")
    if not _is_series_list(series):
        X, y = _windows_of_one(
            series, window_size, horizon, target, step, future_covariates
        )
        return (X, y, np.zeros(len(X), dtype=np.intp)) if return_groups else (X, y)

    n_series = len(series)
    if n_series == 0:
        raise ValueError(
            "series is an empty list; pass one series, or a list of at least one."
        )
    if future_covariates is not None and (
        not isinstance(future_covariates, (list, tuple))
        or len(future_covariates) != n_series
    ):
        raise ValueError(
            f"series is a list of {n_series} series, so future_covariates must be "
            f"a list of as many, one per series (in the same order); got "
            f"{type(future_covariates).__name__}"
            + (
                f" of {len(future_covariates)}"
                if isinstance(future_covariates, (list, tuple))
                else ""
            )
            + "."
        )
    parts, widths = [], set()
    for i, one in enumerate(series):
        future_i = None if future_covariates is None else future_covariates[i]
        X, y = _windows_of_one(
            one, window_size, horizon, target, step, future_i, name=f"series[{i}]"
        )
        widths.add(X.shape[2])
        if len(widths) > 1:
            raise ValueError(
                f"series[{i}] gives windows of {X.shape[2]} features, series[0] of "
                f"{parts[0][0].shape[2]}: every series of the list must have the "
                "same columns (and future covariates)."
            )
        parts.append((X, y))
    X = np.concatenate([X for X, _ in parts])
    y = np.concatenate([y for _, y in parts])
    if not return_groups:
        return X, y
    groups = np.repeat(np.arange(n_series), [len(X) for X, _ in parts])
    return X, y, groups


def _is_series_list(series):
    """Whether ``series`` is a list of series (each an array or pandas object),
    rather than one series given as a (nested) list of numbers."""
    return isinstance(series, (list, tuple)) and (
        len(series) == 0
        or all(isinstance(s, (np.ndarray, pd.Series, pd.DataFrame)) for s in series)
    )


def _windows_of_one(
    series, window_size, horizon, target, step, future_covariates, name="series"
):
    """The windows and targets of one series (see make_forecasting_data)."""
    values, columns = _series_to_array(series, name)
    n_rows, n_columns = values.shape
    if n_columns == 0:
        raise ValueError(f"{name} has no columns; at least one is required.")
    if window_size + horizon > n_rows:
        raise ValueError(
            f"window_size + horizon ({window_size} + {horizon}) must not exceed "
            f"the length of {name} ({n_rows} time steps)."
        )
    _check_finite(values, name, "fill or drop missing values first.")
    positions, single = _resolve_targets(target, columns, n_columns, series)

    if future_covariates is not None:
        future = _check_future_covariates(future_covariates, n_rows)

    stop = n_rows - window_size - horizon + 1  # number of possible window starts
    if future_covariates is None:
        # sliding_window_view puts the window axis last: (starts, n_features, size)
        X = sliding_window_view(values, window_size, axis=0)[:stop:step]
        X = X.transpose(0, 2, 1)
    else:
        starts = np.arange(0, stop, step)
        X = timeline_windows(values, future, window_size, horizon, starts)

    futures = sliding_window_view(values[window_size:], horizon, axis=0)[::step]
    y = futures[:, positions, :].transpose(0, 2, 1)  # (n_windows, horizon, n_t)
    if horizon == 1:
        y = y[:, 0, :]
    if single:
        y = y[..., 0]
    return X, np.ascontiguousarray(y)


class SlidingWindowTransformer(TransformerMixin, BaseEstimator):
    """Replace each time step of a series by the window of steps ending at it.

    ``X`` holds consecutive time steps of *one* series. Output row ``t`` is
    the window of input rows ``t - window_size + 1, ..., t``: it ends at row
    ``t`` and never looks ahead. The number of rows is preserved, so a target
    ``y`` aligned with the rows passes through a
    :class:`~sklearn.pipeline.Pipeline` untouched and
    :class:`~sklearn.model_selection.TimeSeriesSplit` folds stay aligned.

    The first ``window_size - 1`` rows lack a full history; their windows are
    completed in front according to ``padding``. The transformer learns
    nothing from the data: ``fit`` only records the number of features (and
    their names), against which ``transform`` checks its input.

    Parameters
    ----------
    window_size : int, default=10
        Number of time steps in each window (>= 1). It may exceed the number
        of rows: windows are then mostly padding.
    padding : {"edge", "constant", "nan"}, default="edge"
        How the missing history of the first ``window_size - 1`` rows is filled:
        ``"edge"`` repeats the first row, ``"constant"`` uses ``fill_value``,
        ``"nan"`` uses NaN (for models or later steps that handle it).
    fill_value : float, default=0.0
        Padding value when ``padding="constant"``; ignored otherwise.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (columns) seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    make_forecasting_data : Windows paired with the values that follow them.
    SequenceScaler : Standardize the windowed sequences per feature.

    Notes
    -----
    The output of :meth:`transform` is a read-only float32 view of shape
    ``(n_rows, window_size, n_features)`` on one padded copy of the series,
    of shape ``(n_rows + window_size - 1, n_features)``; the windows are never
    materialized. Each call pads from the rows it is given: to give the first
    rows of a test period their true history, transform the whole series and
    split afterwards.

    ``X`` is 2-D, ``(n_rows, n_features)``, or 1-D for a univariate series
    (a NumPy array or pandas Series, read as one feature column). Because each
    output row depends on its neighbours, the output is not invariant to
    shuffling or sub-setting the rows.

    With ``set_output(transform="pandas")``, the windows of a univariate
    series come as a DataFrame of shape ``(n_rows, window_size)``, one column
    per step of the window (named by :meth:`get_feature_names_out`), which the
    sequence estimators read as univariate sequences. Windows of several
    features are 3-D, which no DataFrame holds: ``transform`` then says so.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import SlidingWindowTransformer
    >>> X = np.arange(5.0).reshape(-1, 1)
    >>> Xt = SlidingWindowTransformer(window_size=3).fit_transform(X)
    >>> Xt.shape
    (5, 3, 1)
    >>> Xt[:, :, 0]
    array([[0., 0., 0.],
           [0., 0., 1.],
           [0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]], dtype=float32)
    >>> windows = SlidingWindowTransformer(3, padding="nan").fit_transform(X + 1)
    >>> windows[:2, :, 0]
    array([[nan, nan,  1.],
           [nan,  1.,  2.]], dtype=float32)
    """

    _parameter_constraints: dict = {
        "window_size": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"edge", "constant", "nan"})],
        "fill_value": [Real],
    }

    def __init__(self, window_size=10, *, padding="edge", fill_value=0.0):
        self.window_size = window_size
        self.padding = padding
        self.fill_value = fill_value

    def _validate(self, X, *, reset):
        check_no_bool_ints(self, ["window_size"])
        ndim = getattr(X, "ndim", None)
        if ndim is not None and ndim > 2:
            raise ValueError(
                f"{type(self).__name__} expects one series of shape (n_timesteps, "
                f"n_features); got a {ndim}-D array of shape {X.shape}. 3-D input is "
                "already windowed: pass it to a sequence estimator directly."
            )
        if ndim == 1:  # one univariate series: a single feature column
            X = X.to_frame() if hasattr(X, "to_frame") else np.reshape(X, (-1, 1))
        return validate_data(self, X, reset=reset, dtype=[np.float32, np.float64])

    def _window(self, X):
        n_rows, n_features = X.shape
        n_pad = self.window_size - 1
        padded = np.empty((n_rows + n_pad, n_features), dtype=np.float32)
        with np.errstate(over="ignore"):
            padded[n_pad:] = X
        if X.dtype != np.float32 and not np.isfinite(padded[n_pad:]).all():
            raise ValueError(
                "X holds values too large for float32 (beyond +/-3.4e38); "
                "rescale the series."
            )
        if self.padding == "edge":
            padded[:n_pad] = X[0]
        elif self.padding == "constant":
            padded[:n_pad] = self.fill_value
        else:
            padded[:n_pad] = np.nan
        windows = sliding_window_view(padded, self.window_size, axis=0)
        windows = windows.transpose(0, 2, 1)
        if dataframe_output(self, 2 if n_features == 1 else 3):
            return windows[:, :, 0]  # set_output: one column per window step
        return windows

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of features (and their names) of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features)
            Consecutive time steps of one series.
        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        self._validate(X, reset=True)
        return self

    @fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit to ``X`` and return its windows; validates ``X`` only once.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features)
            Consecutive time steps of one series.
        y : None
            Ignored.

        Returns
        -------
        X_windows : ndarray of shape (n_timesteps, window_size, n_features)
            Read-only float32 view; row ``t`` is the window ending at row ``t``.
        """
        return self._window(self._validate(X, reset=True))

    def transform(self, X):
        """Return the window ending at each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features)
            Consecutive time steps of one series, with the features seen in
            :meth:`fit`.

        Returns
        -------
        X_windows : ndarray of shape (n_timesteps, window_size, n_features)
            Read-only float32 view; row ``t`` is the window ending at row ``t``.
        """
        check_is_fitted(self)
        return self._window(self._validate(X, reset=False))

    def get_feature_names_out(self, input_features=None):
        """Names of the steps of a univariate series' windows.

        For a univariate series the windows are 2-D under
        ``set_output(transform="pandas")``, one column per step of the window:
        ``"{name}_t-{k}"`` for the value ``k`` steps before the row's own,
        ``"{name}_t"`` for the row's own value.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            The name of the series' column; by default ``feature_names_in_``,
            or ``x0``.

        Returns
        -------
        feature_names_out : ndarray of str of shape (window_size,)
            The names of the window's steps, oldest first.
        """
        check_is_fitted(self)
        (name, *others) = check_feature_names_in(self, input_features)
        if others:
            raise ValueError(
                f"{type(self).__name__} was fitted on {self.n_features_in_} "
                "features: its windows are 3-D (n_rows, window_size, n_features) "
                "and have no 2-D column names. Only the windows of a univariate "
                "series are 2-D."
            )
        lags = [f"{name}_t-{k}" for k in range(self.window_size - 1, 0, -1)]
        return np.asarray([*lags, f"{name}_t"], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # the output is always float32 (what torch computes in), so float32 is
        # the one dtype that is preserved
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
