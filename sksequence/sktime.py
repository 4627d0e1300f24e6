"""An sktime forecaster around any sksequence regressor.

Optional: ``pip install "sksequence[sktime]"``. This module is not imported by
``import sksequence``.

:class:`RecurrentForecaster` turns a recurrent regressor into an sktime
forecaster. It does the one thing sktime's reductions cannot do for a
recurrent net (:func:`sktime.forecasting.compose.make_reduction` flattens the
lags of ``y`` and ``X`` into one tabular row, which a sequence model would
read as one series mixing variables): it cuts the history into windows of
shape ``(window_length, n_variables)`` with
:func:`sksequence.make_forecasting_data`, where each step keeps its
variables side by side and covariates known in the future extend each window
over the horizon. Everything else is sktime's: splitters, ``evaluate``,
metrics, tuning (``ForecastingGridSearchCV``) and transformations
(``TransformedTargetForecaster`` with ``LogTransformer``, ``Differencer``,
``BoxCoxTransformer``...).
"""

try:
    from sktime.datatypes import update_data
    from sktime.forecasting.base import BaseForecaster, ForecastingHorizon
except ImportError as exc:  # pragma: no cover - the optional extra is missing
    raise ImportError(
        "sksequence.sktime needs sktime, an optional dependency. Install it with: "
        'pip install "sksequence[sktime]" (or: pip install sktime).'
    ) from exc

import warnings

import numpy as np
import pandas as pd
from scipy.special import ndtri
from sklearn.base import clone

from ._base import is_sequence_classifier, is_sequence_estimator
from ._regressors import GRURegressor, LSTMRegressor
from ._windowing import make_forecasting_data, timeline_windows

__all__ = ["RecurrentForecaster"]

_STRATEGIES = ("direct", "recursive")
_WINDOW_NORMS = ("auto", "last", "standard")
# "auto" reads a series as trending when a straight line through time explains
# this share of its variance
_TREND_R2 = 0.5
# sample paths drawn by strategy="recursive" to forecast a distribution
_N_PATHS = 1000


def _default_estimator():
    """The regressor used when ``estimator=None``."""
    return GRURegressor(hidden_size=32, max_epochs=300)


class RecurrentForecaster(BaseForecaster):
    """Forecast with a recurrent regressor reading windows of the past.

    The history is cut into windows of ``window_length`` steps; each step
    holds the target variables and the past-only covariates side by side. With
    covariates known in the future, each window is extended over the horizon
    (see :func:`sksequence.make_forecasting_data`): the net reads the whole
    timeline, past and future, with the unknown values masked and a flag
    marking the steps to forecast.

    Parameters
    ----------
    estimator : sksequence regressor, default=None
        The recurrent regressor, cloned at each fit (so it can be tuned with
        ``ForecastingGridSearchCV`` through ``estimator__hidden_size`` etc.).
        ``None`` uses ``GRURegressor(hidden_size=32, max_epochs=300)``.
    window_length : int, default=24
        Number of past steps in each input window. The training series must
        hold at least ``window_length + horizon`` steps, where ``horizon`` is
        the farthest step of ``fh`` (1 for ``strategy="recursive"``).
    strategy : {"direct", "recursive"}, default="direct"
        ``"direct"``: one multi-output regressor predicts all steps up to the
        farthest step of ``fh`` at once, from the window before them (``fh``
        is needed in ``fit``). ``"recursive"``: the regressor learns the next
        step; a forecast feeds each predicted step back into the window to
        predict the next one. Recursion can only feed back what it predicts,
        the targets: it refuses past-only covariates, whose values after the
        first step would be unknown. Future-known covariates are read at each
        step.
    past_covariates : list of str, default=None
        Columns of ``X`` known only up to the present (observed drivers such as
        income or sensor readings): they are read over the window only. The
        other columns of ``X`` are known in advance (calendar, planned
        prices): they must also be passed to ``predict`` for the forecast
        steps. ``None``: every column of ``X`` is known in advance, as
        sktime's forecasters assume.
    window_norm : {"auto", "last", "standard"}, default="auto"
        How the targets are put on the net's scale. ``"last"``: each window is
        expressed relative to its last observed target value (and divided by
        the standard deviation of the training series' one-step changes), so
        the net forecasts changes from the present, and a trend that carries
        the series beyond the range seen in training is no obstacle.
        ``"standard"``: one standardization of the training series (mean and
        standard deviation), for series that return to a level: the net sees
        where the series stands in its range (a cycle near its peak turns
        down), which relative windows hide. ``"auto"``: ``"last"`` when a
        straight line through time explains at least half of the variance of
        a target of the training series (R² >= 0.5, a strong trend, whose
        future leaves the training range), ``"standard"`` otherwise; the
        choice is in ``window_norm_``. Covariates are always standardized
        with their training mean and standard deviation.

    sp : int, default=None
        Seasonal period (12 for monthly data with a yearly season, 48 for
        half-hourly data with a daily one). When given, the net forecasts the
        deviation from the seasonal naive forecast, the value one season
        before each forecast step: the season then need not be learned from a
        handful of windows, only how this season departs from the last.
        ``None``: the net forecasts the change from the last value
        (``window_norm="last"``) or the standardized value.
    refit : bool, default=True
        With an ``estimator`` that stops early (``early_stopping=True``, the
        default), its holdout is the most recent windows, the ones most like
        the future. ``True``: once early stopping has found the best number of
        epochs, a fresh net is trained on all windows for that many epochs
        (about twice the training time); a regressor with
        ``calibration="holdout"`` keeps the calibration of its spread
        measured on the holdout. ``False``: keep the net trained without the
        holdout.

    Attributes
    ----------
    estimator_ : sksequence regressor
        The fitted clone of ``estimator``.
    window_norm_ : {"last", "standard"}
        The normalization used (``window_norm``, or what ``"auto"`` chose).
    horizon_ : int
        Number of steps the regressor predicts at once (the farthest step of
        ``fh`` for ``"direct"``, 1 for ``"recursive"``).

    See Also
    --------
    sksequence.make_forecasting_data : The windows the regressor learns from.

    Notes
    -----
    The methods (``fit``, ``predict``, ``update``, ``fit_predict``,
    ``update_predict``, ``score``, ``get_params``...) are those of sktime's
    ``BaseForecaster``, documented in sktime's API reference.

    In-sample forecasts (steps at or before the cutoff) are not supported.
    ``update(..., update_params=False)`` (as in sktime's ``evaluate`` with
    ``strategy="no-update_params"``) forecasts from the new cutoff with the
    fitted net and the longer history; ``update_params=True`` refits.

    Probabilistic forecasts: with a regressor fitted with a distributional
    loss (``loss="gaussian"`` or ``loss="quantile"``), the forecaster also has
    sktime's ``predict_interval``, ``predict_quantiles``, ``predict_var`` and
    ``predict_proba`` (tag ``capability:pred_int``). With ``"direct"`` each
    forecast step has its own predicted distribution: a Gaussian (any level),
    or the learned quantiles (only their levels: ``quantiles=(0.025, 0.1,
    0.5, 0.9, 0.975)`` gives the 80 % and 95 % intervals; the variance is
    that of the Gaussian with the same widest central interval). With
    ``"recursive"`` (``loss="gaussian"`` only) 1000 paths are sampled, each
    step drawn from the net's Gaussian given the path so far, so that the
    uncertainty of earlier steps carries into later ones; the quantiles and
    variance are those of the paths (seeded: the same call gives the same
    paths). ``predict`` stays the mean (median) forecast.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sksequence import GRURegressor
    >>> from sksequence.sktime import RecurrentForecaster
    >>> y = load_airline()
    >>> forecaster = RecurrentForecaster(
    ...     GRURegressor(hidden_size=8, max_epochs=5, random_state=0),
    ...     window_length=12,
    ... )
    >>> forecaster.fit(y, fh=[1, 2, 3])
    RecurrentForecaster(...)
    >>> forecaster.predict().shape
    (3,)
    """

    _tags = {
        "authors": ["sksequence developers"],
        "maintainers": ["sksequence developers"],
        "python_dependencies": ["torch", "skorch"],
        "y_inner_mtype": "pd.DataFrame",
        "X_inner_mtype": "pd.DataFrame",
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:insample": False,
        "capability:missing_values": False,
        "capability:categorical_in_X": False,
        "requires-fh-in-fit": True,
        "X-y-must-have-same-index": True,
        "property:randomness": "stochastic",
        "capability:pred_int": False,
        "capability:pred_int:insample": False,
    }
    # the history is kept by the forecaster itself (``_history_y``, extended
    # by ``_update``); sktime's own copy (``_y``, ``_X``) is not needed, and
    # saying so explicitly silences sktime 1.2's FutureWarning about this
    # default, raised at every construction and so by every clone of a search
    _config = {"remember_data": False}
    # sktime's copy when a user turns remember_data on after construction
    # (sktime sets these in __init__ only when it is on from the start)
    _y = None
    _X = None

    def __init__(
        self,
        estimator=None,
        window_length=24,
        strategy="direct",
        past_covariates=None,
        window_norm="auto",
        sp=None,
        refit=True,
    ):
        self.estimator = estimator
        self.window_length = window_length
        self.strategy = strategy
        self.past_covariates = past_covariates
        self.window_norm = window_norm
        self.sp = sp
        self.refit = refit
        super().__init__()
        if strategy == "recursive":
            self.set_tags(**{"requires-fh-in-fit": False})
        if getattr(estimator, "random_state", None) is not None:
            self.set_tags(**{"property:randomness": "deterministic"})
        if getattr(estimator, "loss", "squared_error") != "squared_error":
            self.set_tags(**{"capability:pred_int": True})

    # -- parameters and data ------------------------------------------------

    def _check_params(self):
        if self.strategy not in _STRATEGIES:
            raise ValueError(
                f"strategy must be one of {_STRATEGIES}; got {self.strategy!r}."
            )
        if self.window_norm not in _WINDOW_NORMS:
            raise ValueError(
                f"window_norm must be one of {_WINDOW_NORMS}; got {self.window_norm!r}."
            )
        w = self.window_length
        if isinstance(w, (bool, np.bool_)) or not isinstance(w, (int, np.integer)):
            raise TypeError(f"window_length must be an int >= 1; got {w!r}.")
        if w < 1:
            raise ValueError(f"window_length must be an int >= 1; got {w!r}.")
        sp = self.sp
        if sp is not None and (
            isinstance(sp, (bool, np.bool_))
            or not isinstance(sp, (int, np.integer))
            or sp < 1
        ):
            raise ValueError(f"sp must be None or an int >= 1; got {sp!r}.")
        if self.estimator is None:
            return _default_estimator()
        if not is_sequence_estimator(self.estimator) or is_sequence_classifier(
            self.estimator
        ):
            raise TypeError(
                "estimator must be an sksequence regressor (RNNRegressor, "
                f"LSTMRegressor or GRURegressor); got {self.estimator!r}."
            )
        if getattr(self.estimator, "return_sequences", False):
            raise ValueError(
                "estimator must predict from the whole window: set "
                "return_sequences=False."
            )
        if self.strategy == "recursive" and self.estimator.loss == "quantile":
            raise ValueError(
                "strategy='recursive' forecasts a distribution by sampling paths "
                "from the net's Gaussian, step by step; an estimator with "
                "loss='quantile' has none. Use loss='gaussian', or "
                "strategy='direct', where each step has its own quantiles."
            )
        return clone(self.estimator)

    def _split_covariates(self, X):
        """Column names of ``X``: (past-only, future-known)."""
        if X is None:
            if self.past_covariates:
                raise ValueError(
                    f"past_covariates={self.past_covariates!r} names columns of X, "
                    "but no X was passed to fit."
                )
            return [], []
        past = list(self.past_covariates or [])
        unknown = [c for c in past if c not in X.columns]
        if unknown:
            raise ValueError(
                f"past_covariates names {unknown!r}, which are not columns of X "
                f"({list(X.columns)!r})."
            )
        return past, [c for c in X.columns if c not in past]

    def _horizon(self, fh):
        # sktime refuses in-sample steps (the "capability:insample" tag)
        return int(fh.to_relative(self.cutoff).to_numpy().max())

    def _standardize(self, frame, columns):
        values = frame[columns].to_numpy(dtype=np.float64)
        return (values - self._x_mean[columns].to_numpy()) / self._x_scale[
            columns
        ].to_numpy()

    def _targets(self, y):
        """Target values on the net's scale, before any per-window shift."""
        return (y.to_numpy(dtype=np.float64) - self._y_loc) / self._y_scale

    # -- fit ------------------------------------------------------------------

    def _fit(self, y, X=None, fh=None):
        self._history_y, self._history_X = y, X
        estimator = self._check_params()
        past, future = self._split_covariates(X)
        if self.strategy == "recursive" and past:
            raise ValueError(
                "strategy='recursive' feeds predicted targets back into the window, "
                f"but the past-only covariates {past!r} have no values after the "
                "first forecast step. Use strategy='direct', or forecast them too "
                "by moving them into y."
            )
        self._past, self._future = past, future
        self.horizon_ = 1 if self.strategy == "recursive" else self._horizon(fh)
        n, w = len(y), self.window_length
        if n < w + self.horizon_:
            raise ValueError(
                f"y has {n} time steps, too few for window_length={w} and a horizon "
                f"of {self.horizon_} (at least {w + self.horizon_} are needed). "
                "Lower window_length or pass a longer series."
            )

        values = y.to_numpy(dtype=np.float64)
        self.window_norm_ = self.window_norm
        if self.window_norm == "auto":
            trending = _trend_r2(values).max() >= _TREND_R2
            self.window_norm_ = "last" if trending else "standard"
        if self.window_norm_ == "last":
            steps = np.diff(values, axis=0)
            self._y_loc = np.zeros(values.shape[1])
            self._y_scale = _nonzero(steps.std(axis=0) if len(steps) > 1 else None)
        else:
            self._y_loc = values.mean(axis=0)
            self._y_scale = _nonzero(values.std(axis=0))
        if X is not None:
            self._x_mean = X.mean()
            self._x_scale = X.std(ddof=0).where(lambda s: s > 0, 1.0)

        series = self._series(y, X)
        targets = list(range(y.shape[1]))
        fut = None if not future else self._standardize(X, future)
        Xw, Yw = make_forecasting_data(
            series, w, self.horizon_, target=targets, future_covariates=fut
        )
        Yw = Yw.reshape(len(Yw), self.horizon_, len(targets))
        cutoffs = np.arange(len(Yw)) + w - 1  # the last observed step of each
        base = self._base_forecast(series[:, : len(targets)], cutoffs, self.horizon_)
        keep = ~np.isnan(base).any(axis=(1, 2))  # a season of history is needed
        if not keep.any():
            raise ValueError(
                f"y has {n} time steps, too few for sp={self.sp} and a horizon of "
                f"{self.horizon_}: no window has a value one season before its "
                "forecast steps. Pass a longer series or a smaller sp."
            )
        if self.window_norm_ == "last":
            Xw = np.array(Xw)  # the shift below writes into the windows
            Xw[:, :w, : len(targets)] -= Xw[:, w - 1 : w, : len(targets)]
        Xw, Yw = Xw[keep].astype(np.float32), (Yw - base)[keep].reshape(keep.sum(), -1)
        self.estimator_ = estimator.fit(Xw, Yw)
        if self.refit and estimator.early_stopping:
            # the holdout was the most recent windows, the ones most like the
            # future: train a fresh net on all windows, for as many epochs as
            # early stopping found best
            valid = np.asarray(self.estimator_.history_["valid_loss"], dtype=float)
            epochs = int(np.nanargmin(valid)) + 1
            self.estimator_ = self.estimator_._refit_without_holdout(Xw, Yw, epochs)
        return self

    def _series(self, y, X):
        """Targets then past-only covariates, on the net's scale, (n, k + p)."""
        parts = [self._targets(y)]
        if self._past:
            parts.append(self._standardize(X, self._past))
        return np.concatenate(parts, axis=1)

    def _base_forecast(self, targets, cutoffs, horizon):
        """What the net's output is added to, per cutoff: (..., n, horizon, k).

        ``targets`` (..., n_steps, k) may have leading axes (sample paths).
        The seasonal naive forecast with ``sp`` (NaN where the series holds no
        value one season before), else the last value (``"last"``) or 0.
        """
        if self.sp is not None:
            steps = np.arange(1, horizon + 1)
            lags = self.sp * np.ceil(steps / self.sp).astype(int)
            rows = cutoffs[:, None] + steps - lags  # (n, horizon)
            base = np.take(targets, np.clip(rows, 0, None), axis=-2)
            base[..., rows < 0, :] = np.nan
            return base
        shape = (*targets.shape[:-2], len(cutoffs), horizon, targets.shape[-1])
        if self.window_norm_ == "last":
            last = np.take(targets, cutoffs, axis=-2)[..., None, :]
            return np.broadcast_to(last, shape).copy()
        return np.zeros(shape)

    def _update(self, y, X=None, update_params=True):
        """Append the new observations; refit on all of them if asked."""
        self._history_y = update_data(self._history_y, y)
        if X is not None:
            self._history_X = update_data(self._history_X, X)
        if update_params:
            self._fit(self._history_y, self._history_X, self._fh)
        return self

    # -- predict --------------------------------------------------------------

    def _future_rows(self, X, horizon):
        """Standardized future-known covariates over the ``horizon`` steps ahead."""
        index = ForecastingHorizon(
            np.arange(1, horizon + 1), is_relative=True, freq=self._cutoff_freq()
        ).to_absolute_index(self.cutoff)
        if X is None:
            raise ValueError(
                f"the forecaster was fitted with future-known covariates "
                f"{self._future!r}: pass X covering the forecast steps to predict "
                "(or name them in past_covariates to read them over the past only)."
            )
        missing = [c for c in self._future if c not in X.columns]
        if missing:
            raise ValueError(f"X passed to predict lacks the columns {missing!r}.")
        given = index.isin(X.index)  # sktime has refused NaN in X already
        rows = X.reindex(index)[self._future]
        if not given.all():
            # sktime passes X at the steps of fh only (e.g. fh=[2, 5]), but the
            # net reads every step up to the farthest one: carry the last
            # known values over the steps X leaves out, and say so
            warnings.warn(
                f"X gives no future-known covariates at {list(index[~given])!r} "
                "(steps before the farthest one of fh); the last known values are "
                "carried forward there. Pass X for every step up to the farthest "
                "one to forecast from the true values.",
                UserWarning,
                stacklevel=3,
            )
            last = self._history_X[self._future].iloc[[-1]].to_numpy()
            values = np.concatenate([last, rows.to_numpy()])
            rows = pd.DataFrame(values, columns=self._future).ffill().iloc[1:]
        return self._standardize(rows, self._future)

    def _cutoff_freq(self):
        return getattr(self.cutoff, "freq", None)

    def _predict(self, fh, X=None):
        horizon = self._horizon(fh)
        series, fut = self._inputs(X, horizon)
        if self.strategy == "direct":  # sktime holds fh to the one seen in fit
            path = self._step(series[None], fut, self.horizon_)[0]
        else:
            path = self._recursive(series[None], fut, horizon)[0]
        return self._frame(self._unscale(path), fh)

    def _predict_quantiles(self, fh, X, alpha):
        horizon = self._horizon(fh)
        levels = [float(a) for a in alpha]
        values = self._quantile_path(X, horizon, levels)  # (steps, k, levels)
        columns = self._get_columns(method="predict_quantiles", alpha=alpha)
        return self._frame(values.reshape(len(values), -1), fh, columns)

    def _predict_var(self, fh, X=None, cov=False):
        if cov:
            raise NotImplementedError(
                "RecurrentForecaster forecasts the marginal variance of each "
                "step: use cov=False."
            )
        horizon = self._horizon(fh)
        series, fut = self._inputs(X, horizon)
        if self.strategy == "recursive":
            paths = self._sample_paths(series, fut, horizon)
            std = paths.std(axis=0) * self._y_scale
        elif self.estimator_.loss == "gaussian":
            std = self._direct_distribution(series, fut, None)
        else:  # the Gaussian with the widest learned central interval
            levels = self.estimator_.fitted_state_.levels
            pair = (levels[0], levels[-1])
            q = self._direct_distribution(series, fut, pair)
            std = (q[..., 1] - q[..., 0]) / (ndtri(pair[1]) - ndtri(pair[0]))
        return self._frame(std**2, fh)

    # -- the forecast's parts -------------------------------------------------

    def _inputs(self, X, horizon):
        """The history on the net's scale, and the future-known covariates over
        the last window and the ``horizon`` steps ahead (or None)."""
        series = self._series(self._history_y, self._history_X)
        fut = None
        if self._future:
            past_fut = self._standardize(self._history_X, self._future)
            fut = np.concatenate(
                [past_fut[-self.window_length :], self._future_rows(X, horizon)]
            )
        return series, fut

    def _frame(self, values, fh, columns=None):
        """The rows of the steps of ``fh`` of ``values`` (steps, n_columns), as
        a frame with the columns of ``y`` (or ``columns``)."""
        steps = fh.to_relative(self.cutoff).to_numpy()
        if columns is None:
            columns = self._history_y.columns
        return pd.DataFrame(
            values[steps - 1], index=fh.to_absolute_index(self.cutoff), columns=columns
        )

    def _unscale(self, values):
        """Targets on the net's scale (..., k) in the units of ``y``."""
        return values * self._y_scale + self._y_loc

    def _windows(self, series, fut, horizon):
        """The net's input windows after paths ``series`` (P, n_steps, c), and
        the base its output is added to (P, horizon, k)."""
        w, n_targets = self.window_length, self._history_y.shape[1]
        history = series[:, -w:]
        if fut is None:
            windows = history.copy()
        else:  # the future part is the same for every path
            one = timeline_windows(history[0], fut, w, horizon, np.array([0]))
            windows = np.repeat(one, len(series), axis=0)
            windows[:, :w, : series.shape[2]] = history
        if self.window_norm_ == "last":
            windows[:, :w, :n_targets] -= history[:, -1:, :n_targets]
        cutoff = np.array([series.shape[1] - 1])
        base = self._base_forecast(series[..., :n_targets], cutoff, horizon)[:, 0]
        return windows.astype(np.float32), base

    def _step(self, series, fut, horizon):
        """The mean (median) forecast of the ``horizon`` steps after each path
        of ``series`` (P, n_steps, c), on the net's scale: (P, horizon, k)."""
        windows, base = self._windows(series, fut, horizon)
        out = self.estimator_.predict(windows)
        return np.asarray(out, dtype=np.float64).reshape(base.shape) + base

    def _recursive(self, series, fut, horizon, draw=None):
        """Paths ``series`` (P, n_steps, c) extended step by step over the
        ``horizon`` (no past-only covariates: the series is the targets);
        ``draw(windows, base)`` gives each next step (default: the mean)."""
        w = self.window_length
        for k in range(horizon):
            window_fut = None if fut is None else fut[k : k + w + 1]
            if draw is None:
                step = self._step(series, window_fut, 1)
            else:
                step = draw(*self._windows(series, window_fut, 1))
            series = np.concatenate([series, step], axis=1)
        return series[:, -horizon:]

    def _sample_paths(self, series, fut, horizon):
        """``_N_PATHS`` recursive paths, each step drawn from the net's Gaussian
        given the path so far: (P, horizon, k), on the net's scale."""
        rng = np.random.default_rng(0)  # the same call gives the same paths

        def draw(windows, base):
            mean, std = self.estimator_.predict(windows, return_std=True)
            mean, std = (np.reshape(a, base.shape) for a in (mean, std))
            return base + mean + std * rng.standard_normal(base.shape)

        start = np.repeat(series[None], _N_PATHS, axis=0)
        return self._recursive(start, fut, horizon, draw)

    def _direct_distribution(self, series, fut, levels):
        """``"direct"``: the quantiles at ``levels`` of each step (horizon, k,
        levels) in the units of ``y``, or with ``levels=None`` the Gaussian's
        standard deviation (horizon, k)."""
        windows, base = self._windows(series[None], fut, self.horizon_)
        base, shape = base[0], base.shape[1:]
        if levels is None:
            _, std = self.estimator_.predict(windows, return_std=True)
            return np.reshape(std, shape) * self._y_scale
        q = self.estimator_.predict_quantiles(windows, quantiles=levels)
        q = np.reshape(q, (*shape, len(levels))) + base[..., None]
        return q * self._y_scale[..., None] + self._y_loc[..., None]

    def _quantile_path(self, X, horizon, levels):
        """Quantiles at ``levels`` of the steps up to ``horizon``: (horizon, k,
        levels), in the units of ``y``."""
        series, fut = self._inputs(X, horizon)
        if self.strategy == "recursive":
            paths = self._unscale(self._sample_paths(series, fut, horizon))
            return np.moveaxis(np.quantile(paths, levels, axis=0), 0, -1)
        return self._direct_distribution(series, fut, levels)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Small, seeded settings for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default="default"
            Name of the set of test parameters; only the default exists.

        Returns
        -------
        params : list of dict
            Each dict builds one test instance.
        """
        tiny = {"hidden_size": 4, "max_epochs": 2, "random_state": 0}
        return [
            # a Gaussian head: sktime's probabilistic checks run too
            {"estimator": GRURegressor(loss="gaussian", **tiny), "window_length": 3},
            {
                "estimator": LSTMRegressor(**tiny),
                "window_length": 2,
                "strategy": "recursive",
                "window_norm": "standard",
                "sp": 2,
            },
        ]


def _trend_r2(values):
    """R² of a least-squares straight line through time, per column."""
    t = np.arange(len(values), dtype=np.float64)
    t -= t.mean()
    centred = values - values.mean(axis=0)
    total = (centred**2).sum(axis=0)
    slope = t @ centred / (t @ t)
    explained = slope**2 * (t @ t)
    return np.divide(explained, total, out=np.zeros_like(total), where=total > 0)


def _nonzero(scale):
    """``scale`` with zeros (constant series) and ``None`` replaced by 1."""
    if scale is None:
        return 1.0
    return np.where(scale > 0, scale, 1.0)
