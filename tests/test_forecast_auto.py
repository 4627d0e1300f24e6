"""The rules behind RecurrentForecaster's "auto" defaults, on constructed series."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sksequence._constants import MIN_COMBINATION_WINDOWS
from sksequence._forecast_auto import (
    TRANSFORMS,
    WINDOW_WITHOUT_SEASON,
    auto_transform,
    auto_window_length,
    calendar_season,
    correction_weight,
    least_absolute_weight,
    lognormal_moments,
    seasonal_naive_wins,
)


@pytest.mark.parametrize(
    "index, season",
    [
        (pd.period_range("2000-01", periods=30, freq="M"), 12),
        (pd.date_range("2000-01-01", periods=30, freq="MS"), 12),
        (pd.period_range("2000Q1", periods=30, freq="Q"), 4),
        (pd.date_range("2000-01-01", periods=30, freq="QS"), 4),
        (pd.period_range("2000-01-03", periods=30, freq="W"), 52),
        (pd.date_range("2000-01-01", periods=30, freq="D"), 7),
        (pd.date_range("2000-01-03", periods=30, freq="B"), 5),
        (pd.date_range("2000-01-01", periods=30, freq="h"), 24),
        (pd.date_range("2000-01-01", periods=30, freq="30min"), 48),
        (pd.date_range("2000-01-01", periods=30, freq="15min"), 96),
        (pd.date_range("2000-01-01", periods=30, freq="min"), 60),
        (pd.period_range("2000-01", periods=30, freq="2M"), 6),
        (pd.period_range("1900", periods=30, freq="Y"), None),  # no calendar season
        (pd.RangeIndex(30), None),  # integers carry no calendar
        (pd.Index(np.arange(30.0)), None),
    ],
)
def test_calendar_season_follows_the_frequency(index, season):
    assert calendar_season(index) == season


def test_calendar_season_infers_a_missing_frequency():
    index = pd.DatetimeIndex(list(pd.date_range("2000-01-01", periods=30, freq="h")))
    assert index.freq is None
    assert calendar_season(index) == 24
    irregular = pd.DatetimeIndex(["2000-01-01", "2000-01-02", "2000-01-05"])
    assert calendar_season(irregular) is None


def test_seasonal_naive_wins_on_a_seasonal_series_only():
    rng = np.random.default_rng(0)
    t = np.arange(120)
    seasonal = 10 * np.sin(2 * np.pi * t / 12) + rng.standard_normal(120)
    assert seasonal_naive_wins(seasonal, 12, 12)
    walk = np.cumsum(rng.standard_normal(120))  # yesterday beats last year
    assert not seasonal_naive_wins(walk, 12, 1)
    # 2-D (n, k) works as 1-D; too short for one origin: no
    assert seasonal_naive_wins(seasonal[:, None], 12, 12)
    assert not seasonal_naive_wins(seasonal[:20], 12, 12)


@pytest.mark.parametrize(
    "n, season, horizon, length",
    [
        (115, 12, 12, 24),  # airline's first 80 %: two seasons
        (60, 12, 12, 20),  # a third of a short series
        (3225, 48, 48, 96),  # taylor's first 80 %: two days
        (95, 4, 4, 8),
        (300, None, 1, WINDOW_WITHOUT_SEASON),
        (30, None, 1, 10),
        (5, 12, 4, 1),  # never below 1
        (10, None, 8, 2),  # one window and its targets fit
    ],
)
def test_auto_window_length(n, season, horizon, length):
    assert auto_window_length(n, season, horizon) == length


@pytest.mark.parametrize(
    "values, chosen",
    [
        ([1.0, 2.0, 0.5], "log"),
        ([[1.0, 2.0], [3.0, 4.0]], "log"),
        ([1.0, 0.0, 2.0], None),  # log(0) = -inf
        ([1.0, -0.5, 2.0], None),
        ([1.0, np.nan, 2.0], None),
        ([], None),
    ],
)
def test_auto_transform_logs_strictly_positive_series(values, chosen):
    assert auto_transform(values) == chosen


def test_lognormal_moments_match_the_distribution():
    mu, sigma = np.array([0.0, 1.0, 2.0]), np.array([0.1, 0.5, 0.0])
    mean, var = lognormal_moments(mu, sigma)
    draws = np.exp(mu + sigma * np.random.default_rng(0).standard_normal((400000, 3)))
    assert_allclose(mean, draws.mean(axis=0), rtol=5e-3)
    assert_allclose(var, draws.var(axis=0), rtol=2e-2, atol=1e-12)
    assert mean[2] == np.exp(2.0) and var[2] == 0.0


def test_transforms_invert_and_say_where_they_apply():
    values = np.array([[0.5, 2.0], [3.0, 0.0], [1.0, -1.0]])
    log, none = TRANSFORMS["log"], TRANSFORMS[None]
    assert log.valid(values).tolist() == [True, False, False]
    assert none.valid(values).all()
    positive = values[:1]
    assert_allclose(log.inverse(log.forward(positive)), positive)
    assert_allclose(none.inverse(none.forward(values)), values)
    # a Gaussian forecast on the transformed scale, in y's units
    centre, std = np.array([1.0]), np.array([0.5])
    assert_allclose(none.moments(centre, std), ([1.0], [0.25]))
    assert_allclose(log.moments(centre, std), lognormal_moments(centre, std))


def test_least_absolute_weight_recovers_the_share_of_the_correction():
    rng = np.random.default_rng(0)
    correction = rng.standard_normal((30, 4))
    # the target is 0.3 of the correction: the least absolute error is 0 there
    assert least_absolute_weight(correction, 0.3 * correction) == pytest.approx(0.3)
    # clipped to [0, 1]: a correction of the wrong sign, or too timid
    assert least_absolute_weight(correction, -correction) == 0.0
    assert least_absolute_weight(correction, 2 * correction) == 1.0
    assert least_absolute_weight(np.zeros((5, 2)), correction[:5, :2]) == 0.0


def test_correction_weight_drops_noise_and_keeps_a_learned_correction():
    rng = np.random.default_rng(0)
    target = rng.standard_normal((20, 12))
    # a correction unrelated to the target: the base alone
    assert correction_weight(rng.standard_normal((20, 12)), target) == 0.0
    # a correction that carries most of the target: kept nearly whole
    learned = target + 0.2 * rng.standard_normal((20, 12))
    assert correction_weight(learned, target) > 0.9


def test_correction_weight_shrinks_a_gain_within_the_noise():
    # a weak correction: its fitted share, shrunk by 1 - 1/t^2 of its gain
    rng = np.random.default_rng(1)
    signal = rng.standard_normal((20, 4))
    target = 0.3 * signal + rng.standard_normal((20, 4))
    a = least_absolute_weight(signal, target)
    gains = (np.abs(target) - np.abs(target - a * signal)).mean(axis=1)
    t = gains.mean() / (gains.std(ddof=1) / np.sqrt(len(gains)))
    assert t > 1  # a gain, though a noisy one
    weight = correction_weight(signal, target)
    assert weight == pytest.approx(a * (1 - 1 / t**2))
    assert 0 < weight < a


def test_correction_weight_is_one_on_too_few_windows():
    rng = np.random.default_rng(0)
    few = MIN_COMBINATION_WINDOWS - 1
    noise, target = rng.standard_normal((2, few, 3))
    assert correction_weight(noise, target) == 1.0
