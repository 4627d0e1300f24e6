"""The rules behind RecurrentForecaster's "auto" defaults, on constructed series."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sksequence._forecast_auto import (
    TRANSFORMS,
    WINDOW_WITHOUT_SEASON,
    auto_transform,
    auto_window_length,
    calendar_season,
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
