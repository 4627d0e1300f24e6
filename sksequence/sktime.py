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
from contextlib import contextmanager

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import ndtri
from sklearn.base import clone

from ._base import is_sequence_classifier, is_sequence_estimator
from ._forecast_auto import (
    TRANSFORMS,
    auto_transform,
    auto_window_length,
    calendar_season,
    correction_weight,
    seasonal_naive_wins,
)
from ._heads import GaussianHead, QuantileHead
from ._regressors import LOSSES, GRURegressor, LSTMRegressor, refit_without_holdout
from ._split import tail_of_each_group
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
    window_length : int or "auto", default="auto"
        Number of past steps in each input window. The training series must
        hold at least ``window_length + horizon`` steps, where ``horizon`` is
        the farthest step of ``fh`` (1 for ``strategy="recursive"``).
        ``"auto"``: two seasons, ``min(2 m, n // 3)`` for season ``m`` (an int
        ``sp``, else the calendar season of the index, whether or not ``sp``
        keeps it as a base) and a series of ``n`` steps, the window of the
        recipe of ``benchmarks/forecasting.py`` (airline, 12 months ahead: 24
        months of window); without a season, ``min(24, n // 3)`` (24, the
        default before ``"auto"``); never more than ``n - horizon``. The
        choice is in ``window_length_``.
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

    sp : int, None or "auto", default="auto"
        Seasonal period (12 for monthly data with a yearly season, 48 for
        half-hourly data with a daily one). When given, the net forecasts the
        deviation from the seasonal naive forecast, the value one season
        before each forecast step: the season then need not be learned from a
        handful of windows, only how this season departs from the last.
        ``None``: the net forecasts the change from the last value
        (``window_norm="last"``) or the standardized value. ``"auto"``: the
        calendar season of the index of ``y`` (a ``PeriodIndex``, or a
        ``DatetimeIndex`` with a frequency: 12 monthly, 4 quarterly, 52
        weekly, 7 daily, 24 hourly, 48 half-hourly; yearly data and an
        integer index have none, see Notes), kept only when, on the training
        series (after ``transform``) and at the steps ``1..horizon`` asked
        for, its seasonal naive forecast has a lower mean absolute error than
        the naive forecast (the last value); else None. The benchmark's
        recipe measured both halves: without the seasonal base the net's 48
        half-hours ahead on the solar series were three times worse than
        seasonal naive (it forecast an average day), and a season given where
        none holds (lynx's ~10-year cycle) made 10-year forecasts worse (MAE
        1358 against 898). The choice is in ``sp_``.
    refit : bool, default=True
        With an ``estimator`` that stops early (``early_stopping=True``, the
        default), its holdout is the most recent windows, the ones most like
        the future. ``True``: once early stopping has found the best number of
        epochs, a fresh net is trained on all windows for that many epochs
        (about twice the training time); a regressor with
        ``calibration="holdout"`` keeps the calibration of its spread
        measured on the holdout. ``False``: keep the net trained without the
        holdout.
    random_state : int, RandomState instance or None, default=None
        Seeds everything random in a fit and its forecasts. The regressor
        (the default one, or the clone of ``estimator``) gets it as its own
        ``random_state`` (a RandomState instance gives one int per fit), unless
        ``estimator`` has a ``random_state`` of its own: that one wins, so a
        regressor pinned by the user is never reseeded. The sample paths of
        ``strategy="recursive"`` are seeded by it too (or, when it is None, by
        the estimator's own ``random_state``). Set, the forecaster is
        deterministic: two fits on the same data give the same forecasts.
        ``None``: the net's initialization and the paths change from fit to
        fit.
    series_features : {None, "id"}, default=None
        What the net is told of which series a window comes from, when ``y``
        is a panel (see Notes). ``None``: nothing; one net learns what the
        series have in common, from their shapes on their own scales.
        ``"id"``: a one-hot code of the series is added to every step of its
        windows (read over the window, as a past-only covariate), so that the
        net can learn how each series differs from the others; it needs
        ``strategy="direct"``, and only the series fitted can be forecast.
        Ignored for one series.
    transform : {"auto", "log"} or None, default="auto"
        A transformation of the targets, applied before the net sees them
        (and before ``window_norm`` and ``sp``) and inverted on its
        forecasts. ``"log"``: the net forecasts the logarithm, so that a
        season whose swing grows with the level (airline) becomes a constant
        one, and forecasts stay positive; every target value must be > 0.
        ``"auto"``: ``"log"`` when every target value of the training series
        is > 0 (all targets at once), None otherwise (a zero or a negative
        value). Logging strictly positive series is the benchmark recipe's
        pre-processing (the measurement is in ``docs/benchmarks/forecasting.rst``).
        Behind a transformation of sktime's (``LogTransformer`` in a
        ``TransformedTargetForecaster``), set ``transform=None``: ``"auto"``
        would log the logged series again where it is positive. With
        ``"log"``, ``predict`` is the exponential of the forecast on the log
        scale, the median of its distribution (not its mean); see Notes for
        the probabilistic forecasts. The choice is in ``transform_``.
    correction_weight : float in [0, 1] or "auto", default="auto"
        How much of the net's correction of its base forecast (the seasonal
        naive forecast with ``sp``, else the last value or the mean) the
        forecast keeps: ``base + correction_weight * correction``, a
        combination of the net's forecast and the base's. 1: the net's
        forecast (the behaviour before this parameter); 0: the base alone.
        ``"auto"``: fitted on the early-stopping holdout (the latest windows,
        which the net did not train on): the weight with the least absolute
        error there, shrunk toward 0 by how far its gain over the base stands
        out of the holdout's noise, ``max(0, 1 - 1/t²)`` for a gain of ``t``
        standard errors (the rule is ``correction_weight`` in
        ``sksequence/_forecast_auto.py``). Where the net learns little
        (wineind, woolyrnq: a gain within one or two standard errors, after
        1-8 epochs) the forecast stays near the seasonal naive one, which
        the whole correction had been 1-5 % worse than; where it learns much
        (airline: ``t`` of 12.5, weights 0.83-0.85) it stays near its fitted value
        (measurements in ``docs/benchmarks/forecasting.rst``). 1 without a
        holdout to fit it on (``early_stopping=False``, a shuffled
        holdout, fewer than 5 held-out windows), where the base is the
        training mean (``window_norm_="standard"`` without ``sp_``: no
        forecast to fall back on; on lynx, one year ahead, a weight of
        0.66-0.70 fitted there gave MAE 735 against 452 with the whole
        correction), and with a distributional
        ``loss`` (``"gaussian"``, ``"quantile"``), whose forecasts are
        distributions a weight would not carry (only ``"auto"`` and 1 are
        accepted with one). Measured on the net trained without the
        holdout, the weight is applied to the refitted one (``refit``).
        The choice is in ``correction_weight_``.

    Attributes
    ----------
    estimator_ : sksequence regressor
        The fitted clone of ``estimator`` (one, also for a panel).
    window_norm_ : {"last", "standard"}
        The normalization used (``window_norm``, or what ``"auto"`` chose).
    window_length_ : int
        The window length used (``window_length``, or what ``"auto"`` chose).
    sp_ : int or None
        The seasonal period of the base (``sp``, or what ``"auto"`` chose).
    transform_ : {"log"} or None
        The target transformation (``transform``, or what ``"auto"`` chose).
    correction_weight_ : float
        The weight of the net's correction (``correction_weight``, or what
        ``"auto"`` fitted on the holdout).
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
    variance are those of the paths (seeded at fit from ``random_state``: the
    same call gives the same paths). ``predict`` stays the mean (median)
    forecast.

    With ``transform_="log"`` the distributions above are those of the log
    of ``y``: the quantiles (and intervals) are their exponentials (exp is
    increasing, so a quantile of the log maps to the same quantile of
    ``y``), and ``predict`` is the median. The variance is that of a
    lognormal, ``(exp(s²) - 1) exp(2 m + s²)`` for the Gaussian (``m``,
    ``s``) of the log (with ``loss="quantile"``: the Gaussian through the
    widest learned interval; ``"recursive"``: the variance of the
    exponentiated paths), and ``predict_proba`` is the Normal with the
    lognormal's mean ``exp(m + s²/2)`` and that variance.

    The ``"auto"`` rules are those of the recipe of
    ``benchmarks/forecasting.py`` (its measurements, and those of issue 31's
    series with the defaults, are in ``docs/benchmarks/forecasting.rst``).
    An index without a calendar (``RangeIndex``, integers, yearly data)
    gives no season: a season detected from the data was tried in the
    benchmark (lynx's ~10-year cycle found by the same seasonal naive test)
    and made the long forecasts worse, because a cycle of varying length
    drifts out of phase with a fixed lag. Pass ``sp`` when the series has a
    season its index does not tell.

    Backtests: :meth:`predict_backtest` forecasts from many cutoffs with the
    fitted net in one batched prediction, the same forecasts as ``update(...,
    update_params=False)`` then ``predict`` at each cutoff, which it replaces.

    Panels (global forecasting): given a panel ``y`` (sktime's
    ``pd-multiindex``, or ``pd_multiindex_hier``: the series' keys, then time,
    on the rows; ``X`` with the same rows), the forecaster trains **one** net
    on the windows of all series, instead of one clone per series as sktime
    does for other forecasters. Each series is put on the net's scale by its
    own statistics (``window_norm`` applies per series; ``"auto"`` picks
    ``"last"`` when at least half the series trend), so that a series in
    larger units does not dominate the loss; covariates are standardized over
    the panel. The early-stopping holdout is the latest windows of every
    series (``validation_split="auto"`` or ``"tail"``). ``predict`` forecasts
    every series, each from its own last step (series may end at different
    times), as a panel; ``update`` and the probabilistic forecasts work per
    series, as does :meth:`predict_backtest` (the windows of every series
    at every cutoff in one prediction). Every series must hold
    ``window_length + horizon`` steps.

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

    On a panel (here two series), one net learns from the windows of both
    and forecasts each:

    >>> import pandas as pd
    >>> panel = pd.concat({"a": y, "b": 2 * y}, names=["series", "month"])
    >>> forecaster.fit(panel.to_frame(), fh=[1, 2, 3]).predict().shape
    (6, 1)
    """

    _tags = {
        "authors": ["sksequence developers"],
        "maintainers": ["sksequence developers"],
        "python_dependencies": ["torch", "skorch"],
        # a panel (pd-multiindex, pd_multiindex_hier) comes whole: one net is
        # trained on the windows of all its series, not one clone per series
        "y_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "X_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:insample": False,
        "capability:missing_values": False,
        "capability:categorical_in_X": False,
        "requires-fh-in-fit": True,
        "X-y-must-have-same-index": True,
        "property:randomness": "stochastic",
        "capability:random_state": True,
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
        window_length="auto",
        strategy="direct",
        past_covariates=None,
        window_norm="auto",
        sp="auto",
        refit=True,
        random_state=None,
        series_features=None,
        transform="auto",
        correction_weight="auto",
    ):
        self.estimator = estimator
        self.window_length = window_length
        self.strategy = strategy
        self.past_covariates = past_covariates
        self.window_norm = window_norm
        self.sp = sp
        self.refit = refit
        self.random_state = random_state
        self.series_features = series_features
        self.transform = transform
        self.correction_weight = correction_weight
        super().__init__()
        if strategy == "recursive":
            self.set_tags(**{"requires-fh-in-fit": False})
        seeded = getattr(estimator, "random_state", None) is not None
        if random_state is not None or seeded:
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
        if not _is_auto(w):
            if isinstance(w, (bool, np.bool_)) or not isinstance(w, (int, np.integer)):
                raise TypeError(
                    f"window_length must be 'auto' or an int >= 1; got {w!r}."
                )
            if w < 1:
                raise ValueError(
                    f"window_length must be 'auto' or an int >= 1; got {w!r}."
                )
        sp = self.sp
        if not (sp is None or _is_auto(sp)) and (
            isinstance(sp, (bool, np.bool_))
            or not isinstance(sp, (int, np.integer))
            or sp < 1
        ):
            raise ValueError(f"sp must be 'auto', None or an int >= 1; got {sp!r}.")
        names = ["auto", *TRANSFORMS]  # None is one of them
        t = self.transform
        if not (t is None or (isinstance(t, str) and t in names)):
            raise ValueError(f"transform must be one of {names}; got {t!r}.")
        rs = self.random_state
        if not (
            rs is None
            or isinstance(rs, np.random.RandomState)
            or (
                isinstance(rs, (int, np.integer))
                and not isinstance(rs, (bool, np.bool_))
                and 0 <= rs < 2**32
            )
        ):
            raise ValueError(
                "random_state must be None, an int in [0, 2**32) or a "
                f"numpy.random.RandomState; got {rs!r}."
            )
        cw = self.correction_weight
        if not _is_auto(cw) and (
            isinstance(cw, (bool, np.bool_))
            or not isinstance(cw, (int, float, np.integer, np.floating))
            or not 0 <= cw <= 1
        ):
            raise ValueError(
                f"correction_weight must be 'auto' or a number in [0, 1]; got {cw!r}."
            )
        if self.series_features not in (None, "id"):
            raise ValueError(
                f"series_features must be None or 'id'; got {self.series_features!r}."
            )
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
        # unfitted: the head its loss parameter names (None for a loss that
        # the regressor's parameter validation refuses at fit)
        loss = self.estimator.loss
        head = LOSSES.get(loss) if isinstance(loss, str) else None
        if head in (GaussianHead, QuantileHead) and not (_is_auto(cw) or cw == 1):
            raise ValueError(
                f"correction_weight={cw!r} weighs the point forecast of the net's "
                f"correction, but the estimator's loss={loss!r} forecasts a "
                "distribution, whose shape a weight would not carry. Use "
                "correction_weight='auto' (1 with such a loss) or 1, or "
                "loss='squared_error'."
            )
        if self.strategy == "recursive" and head is QuantileHead:
            raise ValueError(
                "strategy='recursive' forecasts a distribution by sampling paths "
                "from the net's Gaussian, step by step; an estimator with "
                "loss='quantile' has none. Use loss='gaussian', or "
                "strategy='direct', where each step has its own quantiles."
            )
        return clone(self.estimator)

    def _seeded(self, estimator):
        """``estimator`` seeded from ``random_state`` (unless it has its own
        seed); sets ``_path_seed``, the seed of the recursive strategy's
        sample paths."""
        if self.random_state is None:
            # the estimator's own seed, when it has one, makes the paths
            # reproducible too; otherwise they change from fit to fit
            self._path_seed = _int_seed(estimator.random_state)
            return estimator
        seed = _int_seed(self.random_state)
        self._path_seed = seed
        if estimator.random_state is None:
            estimator.set_params(random_state=seed)
        return estimator

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
        return (self._transformed(y) - self._y_loc) / self._y_scale

    # -- fit ------------------------------------------------------------------

    def _fit(self, y, X=None, fh=None):
        self._history_y, self._history_X = y, X
        estimator = self._seeded(self._check_params())
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
        self._panel = None
        if _is_panel(y):
            self._choose_panel(y, fh)
            return self._fit_panel(estimator, y, X)
        self._choose(y, fh)
        n, w = len(y), self.window_length_
        if n < w + self.horizon_:
            raise ValueError(
                f"y has {n} time steps, too few for window_length={w} and a horizon "
                f"of {self.horizon_} (at least {w + self.horizon_} are needed). "
                "Lower window_length or pass a longer series."
            )

        values = self._transformed(y)
        self.window_norm_ = self.window_norm
        if self.window_norm == "auto":
            trending = _trend_r2(values).max() >= _TREND_R2
            self.window_norm_ = "last" if trending else "standard"
        self._scale_covariates(X)
        Xw, Yw = self._training_windows(y, X)
        return self._train(estimator, Xw, Yw)

    def _scale_covariates(self, X):
        """Record the mean and standard deviation of each column of ``X``."""
        if X is not None:
            self._x_mean = X.mean()
            self._x_scale = X.std(ddof=0).where(lambda s: s > 0, 1.0)

    def _training_windows(self, y, X):
        """The windows of one series and what the net learns to add to their
        base forecasts, on the net's scale (``_y_loc`` and ``_y_scale``, set
        here from ``y``, with ``window_norm_``)."""
        values = self._transformed(y)
        n, w = len(y), self.window_length_
        if self.window_norm_ == "last":
            steps = np.diff(values, axis=0)
            self._y_loc = np.zeros(values.shape[1])
            self._y_scale = _nonzero(steps.std(axis=0) if len(steps) > 1 else None)
        else:
            self._y_loc = values.mean(axis=0)
            self._y_scale = _nonzero(values.std(axis=0))

        series = self._series(y, X)
        targets = list(range(y.shape[1]))
        fut = None if not self._future else self._standardize(X, self._future)
        Xw, Yw = make_forecasting_data(
            series, w, self.horizon_, target=targets, future_covariates=fut
        )
        Yw = Yw.reshape(len(Yw), self.horizon_, len(targets))
        cutoffs = np.arange(len(Yw)) + w - 1  # the last observed step of each
        base = self._base_forecast(series[:, : len(targets)], cutoffs, self.horizon_)
        keep = ~np.isnan(base).any(axis=(1, 2))  # a season of history is needed
        if not keep.any():
            raise ValueError(
                f"y has {n} time steps, too few for sp={self.sp_} and a horizon of "
                f"{self.horizon_}: no window has a value one season before its "
                "forecast steps. Pass a longer series or a smaller sp."
            )
        if self.window_norm_ == "last":
            Xw = np.array(Xw)  # the shift below writes into the windows
            Xw[:, :w, : len(targets)] -= Xw[:, w - 1 : w, : len(targets)]
        Xw, Yw = Xw[keep].astype(np.float32), (Yw - base)[keep].reshape(keep.sum(), -1)
        return Xw, Yw

    def _train(self, estimator, Xw, Yw):
        """Fit ``estimator`` on the windows (and refit it without the holdout);
        set ``correction_weight_``."""
        self.estimator_ = estimator.fit(Xw, Yw)
        self.correction_weight_ = self._correction_weight(Xw, Yw)
        if self.refit and self.estimator_.early_stopping_:
            # the holdout was the most recent windows, the ones most like the
            # future: train a fresh net on all windows, for as many epochs as
            # early stopping found best
            valid = np.asarray(self.estimator_.history_["valid_loss"], dtype=float)
            epochs = int(np.nanargmin(valid)) + 1
            self.estimator_ = refit_without_holdout(self.estimator_, Xw, Yw, epochs)
        return self

    def _correction_weight(self, Xw, Yw):
        """``correction_weight``, or what ``"auto"`` fits on the holdout of
        the fitted ``estimator_`` (1 where there is none to fit it on)."""
        if not _is_auto(self.correction_weight):
            return float(self.correction_weight)
        estimator = self.estimator_
        head = estimator.fitted_state_.head
        split = estimator.validation_split
        # the base is a forecast to fall back on (seasonal naive, or the last
        # value), not the training mean that a standardized series' base is
        base_forecasts = self.sp_ is not None or self.window_norm_ == "last"
        if (
            not base_forecasts
            or not estimator.early_stopping_
            or isinstance(head, (GaussianHead, QuantileHead))
            or (isinstance(split, str) and split == "shuffle")
        ):
            return 1.0
        # the windows the regressor held out (the tail of the windows, or of
        # each series' windows for a panel)
        valid = estimator._holdout
        correction = np.asarray(estimator.predict(Xw[valid]), dtype=np.float64)
        return correction_weight(correction.reshape(Yw[valid].shape), Yw[valid])

    def _choose(self, y, fh):
        """Set ``transform_``, ``sp_`` and ``window_length_``: the parameters
        as given, or what their ``"auto"`` rules choose on the training ``y``
        (see the class docstring)."""
        self.transform_ = self.transform
        if _is_auto(self.transform):
            self.transform_ = auto_transform(y.to_numpy(dtype=np.float64))
        values = self._transformed(y)
        explicit_sp = not (self.sp is None or _is_auto(self.sp))
        season = int(self.sp) if explicit_sp else calendar_season(y.index)
        self.sp_ = self.sp
        if _is_auto(self.sp):
            # the steps the user asks for (recursive: those of fh, when given)
            horizon = self.horizon_ if fh is None else self._horizon(fh)
            wins = season is not None and seasonal_naive_wins(values, season, horizon)
            self.sp_ = season if wins else None
        self.window_length_ = self.window_length
        if _is_auto(self.window_length):
            self.window_length_ = auto_window_length(len(y), season, self.horizon_)

    def _choose_panel(self, y, fh):
        """The choices of :meth:`_choose` for a panel, one for all its series
        (one net reads them): the log only when every series is strictly
        positive, the season that most series choose, the shortest series'
        window length."""
        choices = []
        for part in _split_panel(y).values():
            self._choose(part, fh)
            choices.append((self.transform_, self.sp_, self.window_length_))
        transforms, sps, windows = zip(*choices)
        self.transform_ = None if None in transforms else transforms[0]
        self.sp_ = max(set(sps), key=sps.count)
        self.window_length_ = min(windows)

    def _transformed(self, y):
        """The values of ``y`` (n, k) on the scale of ``transform_``."""
        values = y.to_numpy(dtype=np.float64)
        transform = TRANSFORMS[self.transform_]
        bad = ~transform.valid(values)
        if bad.any():
            chosen = (
                "chose it because the training series was strictly positive"
                if _is_auto(self.transform)
                else "was given it"
            )
            raise ValueError(
                f"transform_='log' (the forecaster {chosen}) needs values > 0, but "
                f"y has values <= 0 (or NaN) at {list(y.index[bad][:5])!r}. Fit with "
                "transform=None to forecast a series that can reach 0 or below."
            )
        return transform.forward(values)

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
        if self.sp_ is not None:
            steps = np.arange(1, horizon + 1)
            lags = self.sp_ * np.ceil(steps / self.sp_).astype(int)
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
        """Append the new observations; refit on all of them if asked.

        ``update_params=False`` only stores them (the forecast reads them at
        the next ``predict``), cheaply even when ``y`` is the whole history so
        far, as sktime's ``evaluate`` passes it at every cutoff.
        """
        self._history_y = _append(self._history_y, y)
        if X is not None:
            self._history_X = _append(self._history_X, X)
        if update_params:
            self._fit(self._history_y, self._history_X, self._fh)
        return self

    # -- panels: one net over many series -------------------------------------

    def _fit_panel(self, estimator, y, X):
        """One net trained on the windows of every series of the panel ``y``.

        Each series is put on the net's scale by its own statistics (as one
        series is, with the panel's ``window_norm_``), so that no series
        weighs by its units; covariates are standardized over the panel, where
        their values mean the same in every series. The early-stopping holdout
        is the latest windows of each series.
        """
        parts = _split_panel(y)
        X_parts = _split_panel(X) if X is not None else dict.fromkeys(parts)
        self._series_ids = None
        if self.series_features == "id":
            if self.strategy == "recursive":
                raise ValueError(
                    "series_features='id' reads the series' code over the window, "
                    "as a past-only covariate, which strategy='recursive' cannot "
                    "feed back. Use strategy='direct', or series_features=None."
                )
            self._series_ids = list(parts)
            X_parts = {
                key: self._with_id(X_parts[key], key, parts[key].index) for key in parts
            }
            X = pd.concat(list(X_parts.values()))
            self._past = self._past + _id_columns(len(parts))
        need = self.window_length_ + self.horizon_
        short = {key: len(part) for key, part in parts.items() if len(part) < need}
        if short:
            listed = ", ".join(f"{_key(k)!r} ({n})" for k, n in list(short.items())[:5])
            raise ValueError(
                f"{len(short)} series of the panel y have fewer than {need} time "
                f"steps, too few for window_length={self.window_length_} and a "
                f"horizon of {self.horizon_}: {listed}"
                + (" ..." if len(short) > 5 else "")
                + ". Lower window_length, or leave the short series out of y."
            )
        self.window_norm_ = self.window_norm
        if self.window_norm == "auto":  # one scale for all: most series decide
            trending = [
                _trend_r2(self._transformed(part)).max() >= _TREND_R2
                for part in parts.values()
            ]
            self.window_norm_ = "last" if np.mean(trending) >= 0.5 else "standard"
        self._scale_covariates(X)
        windows, targets, scales = [], [], {}
        for key, part in parts.items():
            try:
                Xw, Yw = self._training_windows(part, X_parts[key])
            except ValueError as exc:
                raise ValueError(f"series {_key(key)!r} of the panel y: {exc}") from exc
            windows.append(Xw)
            targets.append(Yw)
            scales[key] = (self._y_loc, self._y_scale)
        self._panel = scales
        groups = np.repeat(np.arange(len(windows)), [len(Xw) for Xw in windows])
        split = estimator.validation_split
        if estimator.early_stopping and isinstance(split, str) and split != "shuffle":
            # "auto" and "tail": the tail of each series, not the last series
            fraction = estimator.validation_fraction
            estimator.set_params(validation_split=tail_of_each_group(groups, fraction))
        return self._train(estimator, np.concatenate(windows), np.concatenate(targets))

    def _with_id(self, X, key, index):
        """``X`` (or None) of series ``key`` over ``index``, with the series'
        one-hot code as columns."""
        columns = _id_columns(len(self._series_ids))
        code = np.zeros((len(index), len(columns)))
        code[:, self._series_ids.index(key)] = 1.0
        ids = pd.DataFrame(code, index=index, columns=columns)
        return ids if X is None else pd.concat([X, ids], axis=1)

    def _check_fitted_series(self, keys, fix):
        """Refuse series ``keys`` of a panel that fit did not see."""
        unknown = [key for key in keys if key not in self._panel]
        if unknown:
            raise ValueError(
                f"the series {[_key(k) for k in unknown[:5]]!r} were not in the "
                f"panel y passed to fit: their scale is unknown. {fix}"
            )

    @contextmanager
    def _as_series(self, key, y, X):
        """Within the block, the forecaster holding the history ``y`` and
        ``X`` (or None) of one series: of series ``key`` of the fitted panel,
        seen as fitted on it alone (its scale of fit, its cutoff), or
        (``key=None``) of the one series it was fitted on."""
        # (no _panel: pickled before panels existed)
        panel = getattr(self, "_panel", None)
        saved = (panel, self._history_y, self._history_X, self._cutoff)
        saved_scale = (self._y_loc, self._y_scale)
        try:
            self._history_y, self._history_X = y, X
            if key is not None:
                self._y_loc, self._y_scale = self._panel[key]
                self._panel = None
                if self._series_ids is not None:
                    self._history_X = self._with_id(X, key, y.index)
                self._cutoff = _series_cutoff(y.index, saved[3])
            yield
        finally:
            self._panel, self._history_y, self._history_X, self._cutoff = saved
            self._y_loc, self._y_scale = saved_scale

    def _per_series(self, forecast, X):
        """``forecast(X_i)`` of each series of the fitted panel, seen as the
        forecaster fitted on that series alone, as one panel frame."""
        history = _split_panel(self._history_y)
        self._check_fitted_series(
            history,
            "Update with update_params=True (a refit on the whole panel), or fit "
            "again.",
        )
        history_X = _split_panel(self._history_X) if self._history_X is not None else {}
        new_X = _split_panel(X) if X is not None else {}
        frames = []
        for key, part in history.items():
            with self._as_series(key, part, history_X.get(key)):
                frames.append(forecast(new_X.get(key)))
        return pd.concat(frames, keys=list(history), names=self._history_y.index.names)

    # -- predict --------------------------------------------------------------

    def _future_rows(self, X, horizon, fh):
        """Standardized future-known covariates over the ``horizon`` steps ahead.

        ``X`` must cover the steps of ``fh``; a step before the farthest one
        that ``fh`` leaves out may be missing from ``X`` too (sktime passes
        ``X`` at the steps of ``fh``), and the last known values are carried
        forward over it, with a warning.
        """
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
        steps = fh.to_relative(self.cutoff).to_numpy()
        asked = np.isin(np.arange(1, horizon + 1), steps)
        if not given[asked].all():
            raise ValueError(
                f"X passed to predict gives no values of the future-known "
                f"covariates {self._future!r} at the forecast steps "
                f"{list(index[asked & ~given])!r}. X must cover every step of fh, "
                f"{list(index[asked])!r}; {_describe_index(X.index)}. Pass X "
                "with rows at those steps (an index of the same type and "
                "frequency as y's)."
            )
        rows = X.reindex(index)[self._future]
        if not given.all():
            # the net reads every step up to the farthest one of fh: carry the
            # last known values over the steps before it that X leaves out
            warnings.warn(
                f"X gives no future-known covariates at {list(index[~given])!r}, "
                "steps before the farthest one of fh that fh does not ask for; "
                "the last known values are carried forward there. Pass X for "
                "every step up to the farthest one of fh to forecast from the "
                "true values.",
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
        if getattr(self, "_panel", None) is not None:
            return self._per_series(lambda X_i: self._predict(fh, X_i), X)
        horizon = self._horizon(fh)
        series, fut = self._inputs(X, horizon, fh)
        if self.strategy == "direct":  # sktime holds fh to the one seen in fit
            path = self._step(series[None], fut, self.horizon_)[0]
        else:
            path = self._recursive(series[None], fut, horizon)[0]
        return self._frame(self._unscale(path), fh)

    def _predict_quantiles(self, fh, X, alpha):
        if getattr(self, "_panel", None) is not None:
            return self._per_series(
                lambda X_i: self._predict_quantiles(fh, X_i, alpha), X
            )
        horizon = self._horizon(fh)
        levels = [float(a) for a in alpha]
        values = self._quantile_path(X, horizon, levels, fh)  # (steps, k, levels)
        columns = self._get_columns(method="predict_quantiles", alpha=alpha)
        return self._frame(values.reshape(len(values), -1), fh, columns)

    def _predict_var(self, fh, X=None, cov=False):
        if cov:
            raise NotImplementedError(
                "RecurrentForecaster forecasts the marginal variance of each "
                "step: use cov=False."
            )
        if getattr(self, "_panel", None) is not None:
            return self._per_series(lambda X_i: self._predict_var(fh, X_i), X)
        return self._frame(self._moments(X, self._horizon(fh), fh)[1], fh)

    def _predict_proba(self, fh, X, marginal=True):
        if self.transform_ is None:
            return super()._predict_proba(fh=fh, X=X, marginal=marginal)
        if self._panel is not None:
            raise NotImplementedError(
                "predict_proba of a panel fitted with transform_='log' is not "
                "available; use predict_interval or predict_quantiles (exact "
                "under the log), or fit with transform=None."
            )
        # a Gaussian on the transformed scale is no Gaussian for y (log: a
        # lognormal): the Normal with y's mean and variance (sktime's default
        # would centre it on predict, the lognormal's median)
        mean, var = self._moments(X, self._horizon(fh), fh)
        mean, std = self._frame(mean, fh), self._frame(np.sqrt(var), fh)
        return _normal(mu=mean, sigma=std, index=mean.index, columns=mean.columns)

    def _moments(self, X, horizon, fh):
        """The mean and variance of the steps up to ``horizon`` (horizon, k),
        in the units of ``y`` (without ``transform_``, the mean is that of the
        net's distribution, ``predict``'s forecast)."""
        series, fut = self._inputs(X, horizon, fh)
        if self.strategy == "recursive":
            paths = self._unscale(self._sample_paths(series, fut, horizon))
            return paths.mean(axis=0), paths.var(axis=0)
        transform = TRANSFORMS[self.transform_]
        if isinstance(self.estimator_.fitted_state_.head, GaussianHead):
            std = self._direct_distribution(series, fut, None)
            if self.transform_ is None:
                return None, std**2  # predict_var needs no mean
            step = self._step(series[None], fut, self.horizon_)[0]
            return transform.moments(step * self._y_scale + self._y_loc, std)
        # the Gaussian with the widest learned central interval
        levels = self.estimator_.fitted_state_.levels
        pair = (levels[0], levels[-1])
        q = self._direct_distribution(series, fut, pair)
        std = (q[..., 1] - q[..., 0]) / (ndtri(pair[1]) - ndtri(pair[0]))
        centre = q[..., 0] - ndtri(pair[0]) * std
        return transform.moments(centre, std)

    # -- backtests ------------------------------------------------------------

    def predict_backtest(self, y, cutoffs=None, fh=None, X=None):
        """Forecast from many cutoffs with the fitted net, in one batch.

        The backtest of a forecaster fitted once (sktime's ``evaluate`` with
        ``strategy="no-update_params"``): from each cutoff, forecast the steps
        of ``fh`` after it, reading the true history up to the cutoff, with
        the parameters learned in ``fit``. The windows of all cutoffs go
        through one prediction of the regressor (``"recursive"``: one per
        step, over all cutoffs), instead of an ``update(...,
        update_params=False)`` and a ``predict`` per cutoff; the forecasts are
        the same. The forecaster is not changed.

        For a forecaster fitted on a panel, the windows of every series at
        every cutoff go through that one prediction, each series on its own
        scale of fit (and with its code, ``series_features="id"``): the
        forecasts of each series are those of ``update(...,
        update_params=False)`` and ``predict`` of the panel at each cutoff.

        Parameters
        ----------
        y : pd.Series or pd.DataFrame
            The true series, with the same variables as in ``fit``: the new
            observations, or the whole series (values at steps seen in ``fit``
            or ``update`` replace those). Its index continues the fitted one.
            Fitted on a panel: a panel frame (``pd-multiindex`` or
            ``pd_multiindex_hier``, the same index levels as in ``fit``) of
            the series to backtest, each updating that series' history; all
            must have been in the panel of ``fit`` (another is a
            ``ValueError`` naming it: its scale is unknown), a subset is
            backtested alone.
        cutoffs : array-like of index values, default=None
            The last observed step of each forecast, values of the index of
            the history (the fitted series updated with ``y``). Each needs
            ``window_length`` steps of history up to it (and ``sp`` with a
            seasonal base). ``None``: the forecaster's cutoff and every later
            step of ``y``. With a sktime splitter ``cv``,
            ``y.index[cv.get_cutoffs(y)]``. For a panel, time values applied
            to every series of ``y``: a cutoff that one of them cannot serve
            (not in its history, or too early) is a ``ValueError`` naming the
            series and the cutoff, as for one series; ``None``: each series
            from its own cutoff (its last step before ``y``) to its own last
            step.
        fh : int, list of int or ForecastingHorizon, default=None
            Steps ahead of each cutoff, relative (1 is the step after it).
            ``None``: the ``fh`` given in ``fit`` or ``predict``. With
            ``"direct"``, at most the fitted horizon ``horizon_``.
        X : pd.DataFrame, default=None
            Exogenous data, as in ``fit``: updates the fitted ``X`` like ``y``.
            Past-only covariates must cover the windows' steps; future-known
            ones also the steps forecast after each cutoff, up to the farthest
            of ``fh`` (``"direct"``: up to ``horizon_``, which the net reads
            whatever ``fh``); no value is carried forward here. For a panel,
            a panel with the rows of the series of ``y``.

        Returns
        -------
        y_pred : pd.DataFrame or pd.Series
            The forecasts, one row per (cutoff, forecast step): a row
            MultiIndex whose levels are the cutoff and the forecast step's
            index value; the columns of ``y`` (a Series when ``y`` is one).
            For a panel, one row per (series, cutoff, forecast step): the
            levels of the series' keys come first, in the order of ``y``.

        Raises
        ------
        ValueError
            For a cutoff, ``fh``, ``y`` or ``X`` that cannot be backtested
            (the message names it, and the series of a panel); for a panel
            ``y`` when the forecaster was fitted on one series, or the
            reverse.
        """
        self.check_is_fitted()
        X_new, y_new = self._check_X_y(X=X, y=y)
        panel = getattr(self, "_panel", None) is not None
        if _is_panel(y_new) != panel:
            fitted, got = (
                ("a panel", "one series") if panel else ("one series", "a panel")
            )
            raise ValueError(
                f"the forecaster was fitted on {fitted}, but y is {got}: backtest "
                f"{fitted} (of the series of fit), or fit on {got}."
            )
        if list(y_new.columns) != list(self._history_y.columns):
            raise ValueError(
                f"y must hold the variables of fit, {list(self._history_y.columns)!r}"
                f"; got {list(y_new.columns)!r}."
            )
        steps = self._backtest_steps(fh)
        # the steps the net reads covariates over: "direct" forecasts them all
        horizon = self.horizon_ if self.strategy == "direct" else int(steps.max())
        series = self._backtest_series(y_new, X_new)
        # the paths of every series and cutoff, through one prediction
        cuts = []
        for key, history, history_X, first in series:
            with self._as_series(key, history, history_X):
                try:
                    cuts.append(self._backtest_paths(cutoffs, first, horizon))
                except ValueError as exc:
                    if key is None:
                        raise
                    raise ValueError(
                        f"series {_key(key)!r} of the panel y: {exc}"
                    ) from exc
        paths = np.concatenate([cut[0] for cut in cuts])
        futs = [cut[1] for cut in cuts]
        fut = None if futs[0] is None else np.concatenate(futs)
        if self.strategy == "direct":
            out = self._step(paths, fut, self.horizon_)
        else:
            out = self._recursive(paths, fut, horizon)
        ends = np.cumsum([len(cut[0]) for cut in cuts])[:-1]
        frames = []
        for (key, history, history_X, _), (_, _, positions, timeline), part in zip(
            series, cuts, np.split(out, ends)
        ):
            with self._as_series(key, history, history_X):
                frames.append(self._backtest_frame(part, steps, positions, timeline))
        if panel:
            names = [*self._history_y.index.names[:-1], *frames[0].index.names]
            frame = pd.concat(frames, keys=[s[0] for s in series], names=names)
        else:
            frame = frames[0]
        if isinstance(y, pd.Series):
            return frame.iloc[:, 0].rename(y.name)
        return frame

    def _backtest_series(self, y, X):
        """The series to backtest: (key, history, history X, default first
        cutoff) of the one series (key None), or of each series of the panel
        ``y`` (the fitted ones, in the order of ``y``); the history is the
        stored one updated with ``y`` and ``X``."""
        history = update_data(self._history_y, y)
        history_X = update_data(self._history_X, X)
        if not _is_panel(history):
            return [(None, history, history_X, self.cutoff[0])]
        keys = list(_split_panel(y))
        self._check_fitted_series(
            keys, "Leave them out of y, or fit on a panel that holds them."
        )
        stored = _split_panel(self._history_y)
        parts = _split_panel(history)
        X_parts = _split_panel(history_X) if history_X is not None else {}
        return [
            (key, parts[key], X_parts.get(key), stored[key].index[-1]) for key in keys
        ]

    def _backtest_paths(self, cutoffs, first, horizon):
        """The inputs of a backtest of the forecaster's series (its history
        ``_history_y``, ``_history_X``) from ``cutoffs`` (None: ``first`` and
        every later step): the paths (cutoffs, span, c) and future-known
        covariates (cutoffs, window_length + horizon, f) (or None) on the
        net's scale, the rows of the cutoffs and the timeline they index."""
        history, history_X = self._history_y, self._history_X
        positions = self._backtest_positions(history.index, cutoffs, first)
        w = self.window_length_
        timeline = _extend_index(history.index, horizon, self._cutoff_freq())
        span = max(w, self.sp_ or 1)  # the rows a path needs: window, base
        if history_X is None:
            series = self._series(history, None)
            fut = None
        else:
            X_line = history_X.reindex(timeline)
            _check_covered(X_line, self._past, positions, -w + 1, 0)
            _check_covered(X_line, self._future, positions, -w + 1, horizon)
            X_line = X_line.fillna(0.0)  # rows no window reads
            series = self._series(history, X_line.iloc[: len(history)])
            fut = None
            if self._future:
                fut = self._standardize(X_line, self._future)
                fut = _rows_before(fut, positions + horizon, w + horizon)
        return _rows_before(series, positions, span), fut, positions, timeline

    def _backtest_frame(self, out, steps, positions, timeline):
        """The forecasts ``out`` (cutoffs, horizon, k) on the net's scale of
        the forecaster's series, at the ``steps`` after each cutoff, as a
        frame indexed by (cutoff, forecast step)."""
        values = self._unscale(out[:, steps - 1])  # (cutoffs, steps, k)
        index = pd.MultiIndex.from_arrays(
            [
                np.repeat(timeline[positions], len(steps)),
                timeline[(positions[:, None] + steps).ravel()],
            ],
            names=["cutoff", self._history_y.index.name],
        )
        return pd.DataFrame(
            values.reshape(-1, values.shape[2]),
            index=index,
            columns=self._history_y.columns,
        )

    def _backtest_steps(self, fh):
        """The relative steps of ``fh`` (or of the stored one), checked."""
        if fh is None:
            if self._fh is None:
                raise ValueError(
                    "predict_backtest needs fh, the steps to forecast after each "
                    "cutoff: pass fh (e.g. fh=[1, 2, 3]), or give fh in fit."
                )
            fh = self._fh.to_relative(self.cutoff)
        elif not isinstance(fh, ForecastingHorizon):
            fh = ForecastingHorizon(np.atleast_1d(fh), is_relative=True)
        if not fh.is_relative:
            raise ValueError(
                "predict_backtest forecasts from many cutoffs: fh must be relative "
                f"(steps after each cutoff, e.g. [1, 2, 3]); got an absolute {fh}."
            )
        steps = np.asarray(fh.to_numpy(), dtype=int)
        if steps.min() < 1:
            raise ValueError(
                "predict_backtest forecasts after each cutoff: the steps of fh must "
                f"be >= 1; got {steps.tolist()!r}."
            )
        if self.strategy == "direct" and steps.max() > self.horizon_:
            raise ValueError(
                f"fh asks for step {steps.max()}, beyond the horizon the net was "
                f"fitted for (horizon_={self.horizon_}, strategy='direct'). Fit "
                "with an fh that reaches it, or use strategy='recursive'."
            )
        return steps

    def _backtest_positions(self, index, cutoffs, first):
        """The rows of ``index`` of ``cutoffs`` (None: ``first`` and every
        later step), each with enough history."""
        if cutoffs is None:
            return np.arange(index.get_loc(first), len(index))
        asked = pd.Index(np.atleast_1d(np.asarray(cutoffs, dtype=object)))
        try:
            positions = index.get_indexer(asked)
        except (TypeError, ValueError):
            positions = np.full(len(asked), -1)
        missing = list(asked[positions < 0])
        if missing or len(asked) == 0:
            raise ValueError(
                f"cutoffs must be values of the index of the history (the fitted y "
                f"updated with y), {_describe_span(index)}; "
                + (f"{missing[:5]!r} are not." if missing else "got none.")
            )
        span = max(self.window_length_, self.sp_ or 1)
        early = asked[positions < span - 1]
        if len(early):
            need = f"window_length_={self.window_length_}"
            if self.sp_ is not None:
                need += f" and sp_={self.sp_}"
            raise ValueError(
                f"the cutoffs {list(early[:5])!r} have fewer than {span} steps of "
                f"history up to them, which {need} need. The first cutoff possible "
                f"is {index[span - 1]!r}."
            )
        return positions

    # -- the forecast's parts -------------------------------------------------

    def _inputs(self, X, horizon, fh):
        """The history on the net's scale, and the future-known covariates over
        the last window and the ``horizon`` steps ahead, (1, window_length +
        horizon, f) (or None); ``X`` must cover the steps of ``fh``."""
        series = self._series(self._history_y, self._history_X)
        fut = None
        if self._future:
            past_fut = self._standardize(self._history_X, self._future)
            fut = np.concatenate(
                [past_fut[-self.window_length_ :], self._future_rows(X, horizon, fh)]
            )[None]
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
        return self._untransformed(values * self._y_scale + self._y_loc)

    def _untransformed(self, values):
        """Values on the scale of ``transform_`` in the units of ``y``."""
        return TRANSFORMS[self.transform_].inverse(values)

    def _windows(self, series, fut, horizon):
        """The net's input windows after paths ``series`` (P, n_steps, c), and
        the base its output is added to (P, horizon, k).

        A path is one history (a sample path, or the history up to one
        cutoff of a backtest); ``fut`` (P or 1, window_length + horizon, f)
        holds each path's future-known covariates over its last window and the
        ``horizon`` steps after it (one row for all paths when they share it).
        """
        w, n_targets = self.window_length_, self._history_y.shape[1]
        history = series[:, -w:]
        if fut is None:
            windows = history.copy()
        else:  # the paths' timelines end to end, each laid out as one window
            n, size, c = len(series), w + horizon, series.shape[2]
            past = np.zeros((n, size, c))
            past[:, :w] = history
            fut = np.broadcast_to(fut, (n, size, fut.shape[2]))
            starts = np.arange(n) * size
            windows = timeline_windows(
                past.reshape(-1, c), fut.reshape(n * size, -1), w, horizon, starts
            )
        if self.window_norm_ == "last":
            windows[:, :w, :n_targets] -= history[:, -1:, :n_targets]
        cutoff = np.array([series.shape[1] - 1])
        base = self._base_forecast(series[..., :n_targets], cutoff, horizon)[:, 0]
        return windows.astype(np.float32), base

    def _step(self, series, fut, horizon):
        """The mean (median) forecast of the ``horizon`` steps after each path
        of ``series`` (P, n_steps, c), on the net's scale: (P, horizon, k)."""
        windows, base = self._windows(series, fut, horizon)
        out = np.asarray(self.estimator_.predict(windows), dtype=np.float64)
        # 1 for a forecaster pickled before correction_weight existed
        weight = getattr(self, "correction_weight_", 1.0)
        return weight * out.reshape(base.shape) + base

    def _recursive(self, series, fut, horizon, draw=None):
        """Paths ``series`` (P, n_steps, c) extended step by step over the
        ``horizon`` (no past-only covariates: the series is the targets);
        ``draw(windows, base)`` gives each next step (default: the mean)."""
        w = self.window_length_
        for k in range(horizon):
            window_fut = None if fut is None else fut[:, k : k + w + 1]
            if draw is None:
                step = self._step(series, window_fut, 1)
            else:
                step = draw(*self._windows(series, window_fut, 1))
            series = np.concatenate([series, step], axis=1)
        return series[:, -horizon:]

    def _sample_paths(self, series, fut, horizon):
        """``_N_PATHS`` recursive paths, each step drawn from the net's Gaussian
        given the path so far: (P, horizon, k), on the net's scale."""
        # seeded at fit: the same call gives the same paths
        # (0 for a forecaster pickled before random_state existed)
        rng = np.random.default_rng(getattr(self, "_path_seed", 0))

        def draw(windows, base):
            mean, std = self.estimator_.predict(windows, return_std=True)
            mean, std = (np.reshape(a, base.shape) for a in (mean, std))
            return base + mean + std * rng.standard_normal(base.shape)

        start = np.repeat(series[None], _N_PATHS, axis=0)
        return self._recursive(start, fut, horizon, draw)

    def _direct_distribution(self, series, fut, levels):
        """``"direct"``: the quantiles at ``levels`` of each step (horizon, k,
        levels) on the scale of ``transform_`` (the units of ``y`` without
        one), or with ``levels=None`` the Gaussian's standard deviation
        (horizon, k) on that scale."""
        windows, base = self._windows(series[None], fut, self.horizon_)
        base, shape = base[0], base.shape[1:]
        if levels is None:
            _, std = self.estimator_.predict(windows, return_std=True)
            return np.reshape(std, shape) * self._y_scale
        q = self.estimator_.predict_quantiles(windows, quantiles=levels)
        q = np.reshape(q, (*shape, len(levels))) + base[..., None]
        return q * self._y_scale[..., None] + self._y_loc[..., None]

    def _quantile_path(self, X, horizon, levels, fh):
        """Quantiles at ``levels`` of the steps up to ``horizon``: (horizon, k,
        levels), in the units of ``y``."""
        series, fut = self._inputs(X, horizon, fh)
        if self.strategy == "recursive":
            paths = self._unscale(self._sample_paths(series, fut, horizon))
            return np.moveaxis(np.quantile(paths, levels, axis=0), 0, -1)
        # exp is increasing: the quantiles of the log map to those of y
        return self._untransformed(self._direct_distribution(series, fut, levels))

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
            {  # an unseeded estimator: the forecaster's random_state seeds it
                "estimator": LSTMRegressor(hidden_size=4, max_epochs=2),
                "window_length": 2,
                "strategy": "recursive",
                "window_norm": "standard",
                "sp": 2,
                "random_state": 0,
            },
        ]


def _normal(**kwargs):
    """sktime's Normal distribution (skpro's, when it is installed)."""
    try:
        from skpro.distributions.normal import Normal
    except ImportError:
        from sktime.base._proba._normal import Normal
    return Normal(**kwargs)


def _is_auto(value):
    """Whether a parameter is the string ``"auto"``."""
    return isinstance(value, str) and value == "auto"


def _trend_r2(values):
    """R² of a least-squares straight line through time, per column."""
    t = np.arange(len(values), dtype=np.float64)
    t -= t.mean()
    centred = values - values.mean(axis=0)
    total = (centred**2).sum(axis=0)
    slope = t @ centred / (t @ t)
    explained = slope**2 * (t @ t)
    return np.divide(explained, total, out=np.zeros_like(total), where=total > 0)


def _append(history, new):
    """``history`` updated with ``new``, as sktime's ``update_data`` (the
    values of ``new`` replace those at the same steps), in one concatenation
    when ``new`` runs from a step of ``history`` (or the one after it) to or
    beyond its end, as an update does."""
    if history is None or new is None or len(new) == 0:
        return update_data(history, new)
    index = history.index
    start = index.get_indexer(new.index[:1])[0]
    if start < 0 and _after(new.index[0], index[-1]):
        start = len(index)
    overlap = len(index) - start
    if (
        start >= 0
        and len(new) >= overlap
        and list(new.columns) == list(history.columns)
        and new.index.is_monotonic_increasing
        and new.index[:overlap].equals(index[start:])
    ):
        return pd.concat([history.iloc[:start], new])
    return update_data(history, new)


def _after(step, last):
    """Whether index value ``step`` comes after ``last`` (False when they
    cannot be compared)."""
    try:
        return bool(step > last)
    except TypeError:
        return False


def _extend_index(index, steps, freq=None):
    """``index`` followed by the ``steps`` steps after its end (``freq``: the
    step, where the index does not carry one)."""
    freq = getattr(index, "freq", None) or freq
    after = ForecastingHorizon(
        np.arange(1, steps + 1), is_relative=True, freq=freq
    ).to_absolute_index(index[-1:])
    return index.append(after)


def _rows_before(values, ends, size):
    """The ``size`` rows of ``values`` (n, c) up to each row of ``ends``, as
    (len(ends), size, c) (a view)."""
    return sliding_window_view(values, size, axis=0)[ends - size + 1].transpose(0, 2, 1)


def _check_covered(X_line, columns, positions, first, last):
    """Refuse NaN in ``columns`` of ``X_line`` at rows ``first``..``last``
    around each of ``positions`` (the rows the windows read)."""
    if not columns:
        return
    known = X_line[columns].notna().all(axis=1).to_numpy()
    needed = np.zeros(len(known) + 1, dtype=int)
    np.add.at(needed, positions + first, 1)
    np.add.at(needed, positions + last + 1, -1)
    gaps = np.flatnonzero((np.cumsum(needed)[:-1] > 0) & ~known)
    if len(gaps):
        kind = "past-only" if last == 0 else "future-known"
        raise ValueError(
            f"X gives no values of the {kind} covariates {columns!r} at "
            f"{list(X_line.index[gaps[:5]])!r}"
            + (f" and {len(gaps) - 5} more steps" if len(gaps) > 5 else "")
            + ", which the windows of the cutoffs read. Pass X over the whole "
            "series and, for future-known covariates, over the steps forecast "
            "after the last cutoff (up to the farthest step of fh; with "
            "strategy='direct', of the fitted horizon_)."
        )


def _describe_span(index):
    """Where an index starts and ends, in a few words."""
    return f"from {index[0]!r} to {index[-1]!r} ({type(index).__name__})"


def _int_seed(random_state):
    """An int seed from ``random_state``: an int as it is, one draw from a
    RandomState, fresh OS entropy for None (np.random's global state is never
    touched)."""
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    return int(random_state)


def _describe_index(index):
    """What an index of X holds, in a few words."""
    if len(index) == 0:
        return "X has no rows"
    return (
        f"X has {len(index)} rows, from {index[0]!r} to {index[-1]!r} "
        f"({type(index).__name__})"
    )


def _nonzero(scale):
    """``scale`` with zeros (constant series) and ``None`` replaced by 1."""
    if scale is None:
        return 1.0
    return np.where(scale > 0, scale, 1.0)


def _is_panel(frame):
    """Whether ``frame`` is a panel (sktime's pd-multiindex or
    pd_multiindex_hier: series keys, then time, on the rows)."""
    return isinstance(frame.index, pd.MultiIndex)


def _split_panel(frame):
    """The series of a panel: {key tuple: frame on the time index alone}, in
    the order of the panel."""
    levels = list(range(frame.index.nlevels - 1))
    return {
        key if isinstance(key, tuple) else (key,): part.droplevel(levels)
        for key, part in frame.groupby(level=levels, sort=False)
    }


def _key(key):
    """A series key as the user wrote it (a 1-tuple is its one value)."""
    return key[0] if len(key) == 1 else key


def _series_cutoff(index, panel_cutoff):
    """The last step of one series of a panel, as sktime holds a cutoff (an
    index of one value, with the panel's frequency)."""
    cutoff = index[-1:]
    freq = getattr(panel_cutoff, "freq", None)
    if isinstance(cutoff, pd.DatetimeIndex) and freq is not None:
        cutoff = pd.DatetimeIndex(cutoff, freq=freq)
    return cutoff


def _id_columns(n_series):
    """The names of the columns of the series' one-hot code."""
    return [f"__series_{i}" for i in range(n_series)]
