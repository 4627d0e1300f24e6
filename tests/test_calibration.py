"""The spread's calibration factors (sksequence._calibration), on known data."""

import numpy as np
import pytest
from scipy.special import ndtri

from sksequence._calibration import MIN_FACTOR, weighted_quantile
from sksequence._heads import HEADS, GaussianHead, QuantileHead

LEVELS = (0.05, 0.25, 0.5, 0.75, 0.95)


def test_weighted_quantile_is_numpys_inverted_cdf_without_weights():
    values = np.random.default_rng(0).normal(size=(37, 3))
    for level in (0.025, 0.3, 0.5, 0.9):
        expected = np.quantile(values, level, axis=0, method="inverted_cdf")
        np.testing.assert_array_equal(weighted_quantile(values, level), expected)
        ones = np.ones(len(values))
        np.testing.assert_array_equal(weighted_quantile(values, level, ones), expected)


def test_an_integer_weight_counts_as_copies_and_a_zero_weight_as_none():
    rng = np.random.default_rng(1)
    values = rng.normal(size=(20, 2))
    weights = rng.integers(0, 4, size=20)
    repeated = np.repeat(values, weights, axis=0)
    for level in (0.05, 0.5, 0.8, 0.975):
        np.testing.assert_array_equal(
            weighted_quantile(values, level, weights.astype(float)),
            np.quantile(repeated, level, axis=0, method="inverted_cdf"),
        )


def _gaussian_blocks(n, std, seed=0):
    """Predicted N(0, std) for n samples and 2 targets, and targets drawn from
    N(0, 3 * std) for the first target, N(0, std / 2) for the second."""
    rng = np.random.default_rng(seed)
    blocks = np.stack([np.zeros((n, 2)), np.full((n, 2), std)], axis=1)
    y = rng.normal(size=(n, 2)) * std * np.array([3.0, 0.5])
    return blocks, y


def test_gaussian_factor_is_the_scale_of_the_held_out_residuals():
    blocks, y = _gaussian_blocks(20000, std=0.7)
    factors = GaussianHead().calibration_factors(blocks, y, None)
    assert factors.shape == (2,)
    np.testing.assert_allclose(factors, [3.0, 0.5], rtol=0.02)
    # exactly the root mean square of z
    z = y / 0.7
    np.testing.assert_allclose(factors, np.sqrt((z**2).mean(axis=0)))


def test_quantile_factors_make_each_level_hold_its_share():
    n = 20000
    blocks, y = _gaussian_blocks(n, std=1.0, seed=2)
    # quantiles of the (too narrow / too wide) predicted N(0, 1), per input
    # shifted by a location the targets share
    location = np.random.default_rng(3).normal(size=(n, 1))
    quantiles = location[:, None] + ndtri(np.array(LEVELS))[None, :, None]
    quantiles = np.broadcast_to(quantiles, (n, len(LEVELS), 2)).copy()
    y = y + location
    factors = QuantileHead(LEVELS).calibration_factors(quantiles, y, None)
    assert factors.shape == (len(LEVELS), 2)
    np.testing.assert_array_equal(factors[2], 1.0)  # the median is not moved
    np.testing.assert_allclose(factors[[0, 1, 3, 4]], [[3.0, 0.5]] * 4, rtol=0.05)
    median = quantiles[:, 2:3]
    calibrated = median + factors * (quantiles - median)
    below = (y[:, None, :] <= calibrated).mean(axis=0)
    shares = np.array(LEVELS)[[0, 1, 3, 4], None]
    np.testing.assert_allclose(below[[0, 1, 3, 4]], shares * [1, 1], atol=2e-3)


def test_quantile_factors_stay_positive_when_the_holdout_is_all_on_one_side():
    n = 50
    quantiles = np.broadcast_to(
        np.array([-1.0, -0.5, 0.0, 0.5, 1.0])[None, :, None], (n, 5, 1)
    )
    y = np.full((n, 1), 2.0)  # every target above every quantile
    factors = QuantileHead(LEVELS).calibration_factors(quantiles, y, None)
    # below the median: no distance would put 5 % or 25 % of y below it
    np.testing.assert_array_equal(factors[:2, 0], MIN_FACTOR)
    assert np.all(factors[3:, 0] >= 2.0)  # above it: widened to reach y


@pytest.mark.parametrize("distribution", ["gaussian", "quantile"])
def test_weights_weigh_the_held_out_samples(distribution):
    rng = np.random.default_rng(4)
    n = 60
    if distribution == "gaussian":
        blocks = np.stack([np.zeros((n, 1)), np.ones((n, 1))], axis=1)
    else:
        levels = np.array(LEVELS)
        blocks = np.broadcast_to(ndtri(levels)[None, :, None], (n, 5, 1)).copy()
    y = rng.normal(size=(n, 1)) * 2
    keep = rng.random(n) < 0.6
    head = HEADS[distribution](LEVELS)
    weighted = head.calibration_factors(blocks, y, keep.astype(float))
    subset = head.calibration_factors(blocks[keep], y[keep], None)
    np.testing.assert_allclose(weighted, subset)
