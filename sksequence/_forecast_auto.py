"""The rules behind ``RecurrentForecaster``'s ``"auto"`` defaults.

Plain functions of an index or of NumPy arrays (no torch, no sklearn, no
sktime), each the library form of a rule of ``benchmarks/forecasting.py``'s
recipe, measured there (``docs/benchmarks/forecasting.rst``):

* :func:`calendar_season`: the season a time index's frequency implies;
* :func:`seasonal_naive_wins`: whether that season's seasonal naive forecast
  beats the naive one on the training series (the recipe's ``choose_sp``);
* :func:`auto_window_length`: ``min(2 m, n // 3)`` for season ``m``;
* :func:`auto_transform`: log for a strictly positive series;
* :func:`lognormal_moments`: mean and variance of ``exp`` of a Gaussian, the
  moments of a forecast made on the log scale;
* :func:`correction_weight`: how much of the net's correction of its base
  forecast to keep, fitted on held-out windows (``correction_weight="auto"``).

A target transformation is a class (:class:`NoTransform`, :class:`LogTransform`,
found by name in ``TRANSFORMS``): adding one (Box-Cox) means adding a class.
"""

import numpy as np
import pandas as pd

from ._constants import MIN_COMBINATION_WINDOWS

# steps a year (or a week) for the calendar frequencies: the season is one
# year of monthly, quarterly and weekly data, one week of daily data
_PER_YEAR = (
    (pd.offsets.MonthEnd, 12),
    (pd.offsets.MonthBegin, 12),
    (pd.offsets.BusinessMonthEnd, 12),
    (pd.offsets.BusinessMonthBegin, 12),
    (pd.offsets.QuarterEnd, 4),
    (pd.offsets.QuarterBegin, 4),
    (pd.offsets.BQuarterEnd, 4),
    (pd.offsets.BQuarterBegin, 4),
    (pd.offsets.Week, 52),
    (pd.offsets.Day, 7),
    (pd.offsets.BusinessDay, 5),
)
# below a day, the season is one day of steps while a day holds at most this
# many (5-minute data: 288 steps); finer data gets one hour (1-minute data:
# 60), one second... so that a window of two seasons stays a few hundred steps
_MAX_DAILY_STEPS = 288
# without a season, the window is this many steps (the default before the
# "auto" rule), capped by a third of the series as with a season
WINDOW_WITHOUT_SEASON = 24


def _offset(index):
    """The frequency of ``index`` as a DateOffset, or None."""
    freq = getattr(index, "freq", None)
    if freq is None and isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
        freq = pd.infer_freq(index)
    if freq is None:
        return None
    try:
        return pd.tseries.frequencies.to_offset(freq)
    except ValueError:
        return None


def calendar_season(index):
    """The seasonal period that the frequency of ``index`` implies, or None.

    A year of monthly (12), quarterly (4) and weekly (52) steps; a week of
    daily steps (7; 5 for business days); a day of sub-daily steps (24 hourly,
    48 half-hourly, 96 quarter-hourly, up to 288 five-minute steps), or an
    hour of finer ones (60 one-minute steps). Multiples divide it (two-month
    steps: 6) when they divide it evenly. None for yearly data, for an index
    without a frequency (a ``RangeIndex``: integers carry no calendar), and
    where no season follows.

    Parameters
    ----------
    index : pandas.Index
        The time index of a series (``PeriodIndex``, ``DatetimeIndex`` with a
        frequency or one pandas can infer, or any other index).

    Returns
    -------
    season : int or None
    """
    offset = _offset(index)
    if offset is None:
        return None
    n = abs(int(getattr(offset, "n", 1) or 1))
    for kind, per in _PER_YEAR:
        if isinstance(offset, kind):
            return per // n if per % n == 0 and per // n > 1 else None
    if isinstance(offset, pd.offsets.Tick):
        step = pd.Timedelta(offset).total_seconds()
        for span in (86400.0, 3600.0, 60.0):  # a day, an hour, a minute
            steps = span / step
            if steps <= _MAX_DAILY_STEPS or span == 60.0:
                return int(steps) if steps == int(steps) and steps > 1 else None
    return None


def seasonal_naive_wins(values, season, horizon):
    """Whether the seasonal naive forecast beats the naive one on ``values``.

    The mean absolute error of each, from every origin of ``values`` that
    has a season of history, at the steps ``1..horizon``: the seasonal naive
    forecast of step ``h`` is the value ``season * ceil(h / season)`` steps
    before it, the naive forecast the value at the origin.

    Parameters
    ----------
    values : ndarray of shape (n_steps,) or (n_steps, n_targets)
        The training series, on the scale the net sees (log if transformed).
    season : int
        The candidate seasonal period.
    horizon : int
        The farthest step forecast.

    Returns
    -------
    wins : bool
        False too when the series is too short for one origin.
    """
    values = np.asarray(values, dtype=np.float64)
    values = values.reshape(len(values), -1)
    steps = np.arange(1, horizon + 1)
    lags = season * np.ceil(steps / season).astype(int)
    origins = np.arange(lags.max(), len(values) - horizon)
    if len(origins) == 0:
        return False
    truth = values[origins[:, None] + steps]
    seasonal = values[origins[:, None] + steps - lags]
    naive = values[origins][:, None]
    return bool(np.abs(truth - seasonal).mean() < np.abs(truth - naive).mean())


def auto_window_length(n_steps, season, horizon):
    """``min(2 * season, n_steps // 3)``; without a season,
    ``min(WINDOW_WITHOUT_SEASON, n_steps // 3)``; at least 1, and at most
    ``n_steps - horizon`` (one window and its targets fit)."""
    length = WINDOW_WITHOUT_SEASON if season is None else 2 * season
    length = min(length, n_steps // 3, n_steps - horizon)
    return max(1, int(length))


def auto_transform(values):
    """``"log"`` when every value is finite and > 0, else None."""
    values = np.asarray(values, dtype=np.float64)
    return "log" if values.size and bool((values > 0).all()) else None


def lognormal_moments(mu, sigma):
    """Mean and variance of ``exp(Z)`` for ``Z ~ Normal(mu, sigma**2)``.

    ``exp(mu)`` is the median, the forecast of a net fitted on the log scale;
    the mean is ``exp(mu + sigma**2 / 2)`` and the variance
    ``(exp(sigma**2) - 1) * exp(2 mu + sigma**2)``.
    """
    mu, var = np.asarray(mu, dtype=np.float64), np.square(sigma, dtype=np.float64)
    mean = np.exp(mu + var / 2)
    return mean, np.expm1(var) * mean**2


def least_absolute_weight(correction, target):
    """The weight ``a`` in [0, 1] that minimizes ``sum |target - a correction|``.

    A convex, piecewise linear function of ``a``: its unconstrained minimum
    is the median of ``target / correction`` weighted by ``|correction|``,
    clipped to [0, 1]. 0 when the correction is zero everywhere.
    """
    c = np.asarray(correction, dtype=np.float64).ravel()
    r = np.asarray(target, dtype=np.float64).ravel()
    moving = c != 0
    if not moving.any():
        return 0.0
    ratio, weight = r[moving] / c[moving], np.abs(c[moving])
    order = np.argsort(ratio, kind="stable")
    ratio, weight = ratio[order], weight[order]
    median = ratio[np.searchsorted(np.cumsum(weight), weight.sum() / 2)]
    return float(np.clip(median, 0.0, 1.0))


def correction_weight(correction, target):
    """How much of a learned correction of a base forecast to keep.

    The forecaster's net learns what to add to its base forecast (the
    seasonal naive one, the last value or the mean); on held-out windows
    (the early-stopping holdout, the latest windows, in time order) this
    measures whether the correction beats the base alone, and by how much:

    1. ``a``: the weight in [0, 1] of the correction with the least absolute
       error on the holdout (:func:`least_absolute_weight`); the forecast
       is ``base + a * correction``, a forecast combination of the net's
       and the base's;
    2. ``t``: the gain of that combination over the base, per window (the
       mean absolute error of the base minus that of the combination),
       divided by its standard error (``sd / sqrt(n_windows)``);
    3. the weight is ``a * max(0, 1 - 1 / t**2)``, 0 when ``t <= 0``: the
       empirical-Bayes (positive-part James-Stein) shrinkage of a measured
       gain toward none, by its signal-to-noise ratio. A gain of many
       standard errors keeps ``a``; one within the noise of the holdout
       (``t`` about 1 or less) leaves the base nearly alone.

    The per-window gains are treated as independent, which overlapping
    windows are not: ``t`` is optimistic, the shrinkage mild.

    Parameters
    ----------
    correction : ndarray of shape (n_windows, ...)
        The net's correction on each held-out window (its steps and targets
        on the remaining axes), on the net's scale.
    target : ndarray of the same shape
        What the correction should have been: the truth minus the base.

    Returns
    -------
    weight : float in [0, 1]
        1.0 when fewer than ``MIN_COMBINATION_WINDOWS`` windows are given
        (nothing to judge by).
    """
    c = np.asarray(correction, dtype=np.float64)
    r = np.asarray(target, dtype=np.float64)
    n = len(c)
    if n < MIN_COMBINATION_WINDOWS:
        return 1.0
    a = least_absolute_weight(c, r)
    gains = (np.abs(r) - np.abs(r - a * c)).reshape(n, -1).mean(axis=1)
    mean, sd = gains.mean(), gains.std(ddof=1)
    if mean <= 0:
        return 0.0
    if sd == 0:  # the same gain on every window: no noise to shrink for
        return a
    t = mean / (sd / np.sqrt(n))
    return float(a * max(0.0, 1.0 - 1.0 / t**2))


class NoTransform:
    """The targets as they are (``transform=None``)."""

    name = None

    @staticmethod
    def valid(values):
        """Where ``values`` (n, k) can be transformed: every row."""
        return np.ones(len(values), dtype=bool)

    @staticmethod
    def forward(values):
        return values

    @staticmethod
    def inverse(values):
        return values

    @staticmethod
    def moments(centre, std):
        """Mean and variance in the units of ``y`` of a Gaussian forecast
        (``centre``, ``std``) on the transformed scale."""
        return centre, np.square(std)


class LogTransform(NoTransform):
    """The natural logarithm (``transform="log"``): values must be > 0.

    The inverse is increasing, so the quantiles of a forecast on the log
    scale map to the quantiles of ``y``; a Gaussian on the log scale is a
    lognormal for ``y`` (:func:`lognormal_moments`).
    """

    name = "log"

    @staticmethod
    def valid(values):
        return (values > 0).all(axis=1)

    @staticmethod
    def forward(values):
        return np.log(values)

    @staticmethod
    def inverse(values):
        return np.exp(values)

    @staticmethod
    def moments(centre, std):
        return lognormal_moments(centre, std)


TRANSFORMS = {None: NoTransform, "log": LogTransform}
