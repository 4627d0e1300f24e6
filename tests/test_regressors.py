"""Tests for sksequence._regressors: what only the three regressors do.

Point regression (learning, targets in y's units and shapes, a target per time
step) and the distributional losses: return_std, quantiles and intervals. The
template they share with the classifiers: ``test_base.py``.
"""

import numpy as np
import pytest
from scipy.special import ndtri
from shared_settings import FAST, FIXED, REGRESSORS
from sklearn.exceptions import NotFittedError

from sksequence import GRURegressor, LSTMRegressor, RNNRegressor

# trained long enough to learn a noise level (a few seconds each)
LEARN = dict(hidden_size=16, max_epochs=80, random_state=0)


def heteroscedastic(n=800, seed=0):
    """y = last step + noise whose scale (0.1 or 1) the first step's sign sets."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8, 1))
    scale = np.where(X[:, 0, 0] < 0, 0.1, 1.0)
    y = X[:, -1, 0] + scale * rng.normal(size=n)
    return X, y, scale


@pytest.fixture(scope="module")
def noisy():
    X, y, scale = heteroscedastic()
    X_test, y_test, scale_test = heteroscedastic(seed=1)
    return X, y, X_test, y_test, scale_test


@pytest.fixture(scope="module")
def gaussian(noisy):
    X, y, *_ = noisy
    return GRURegressor(loss="gaussian", **LEARN).fit(X, y)


@pytest.fixture(scope="module")
def quantile(noisy):
    X, y, *_ = noisy
    return GRURegressor(loss="quantile", quantiles=(0.1, 0.9), **LEARN).fit(X, y)


# -- point regression ------------------------------------------------------------------


@pytest.mark.parametrize("cls", REGRESSORS)
def test_regressors_learn_a_sequence_sum(cls, seq_data):
    X, y = seq_data
    reg = cls(hidden_size=32, max_epochs=150, lr=1e-2, random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.7  # early stopping on a 6-sample tail
    assert reg.n_iter_ == len(reg.history_) < 150
    assert {"train_loss", "valid_loss", "dur"} <= set(reg.history_.columns)
    reg = cls(hidden_size=32, max_epochs=100, lr=1e-2, early_stopping=False)
    assert reg.fit(X, y).score(X, y) > 0.95
    assert "valid_loss" not in reg.history_


def test_multi_output_regression_mirrors_y_shape(seq_data):
    X, y = seq_data
    Y = np.c_[y, -2 * y]
    reg = LSTMRegressor(**FAST).fit(X, Y)
    assert reg.predict(X).shape == (60, 2)
    assert GRURegressor(**FAST).fit(X, Y[:, :1]).predict(X).shape == (60, 1)


def test_regressor_predicts_in_target_units():
    """Targets are standardized internally; predictions come back in y's units."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 5, 1))
    y = 1e4 + 1e3 * X[:, -1, 0]
    reg = GRURegressor(hidden_size=16, max_epochs=100, lr=1e-2, random_state=0)
    reg.fit(X, y)
    assert abs(reg.predict(X).mean() - 1e4) < 300
    assert reg.score(X, y) > 0.9


def test_sequence_to_sequence_regression_learns_a_running_sum():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 10, 1))
    y = np.cumsum(X[:, :, 0], axis=1)  # (n, T): one target per step
    reg = GRURegressor(
        hidden_size=32,
        max_epochs=150,
        lr=1e-2,
        return_sequences=True,
        early_stopping=False,
        random_state=0,
    ).fit(X, y)
    assert reg.predict(X).shape == (200, 10)
    assert reg.score(X, y) > 0.95
    Y3 = np.stack([y, -y], axis=2)  # (n, T, 2)
    reg3 = LSTMRegressor(return_sequences=True, **FAST).fit(X, Y3)
    assert reg3.predict(X).shape == (200, 10, 2)


# -- distributions: return_std, quantiles, intervals -----------------------------------


def test_gaussian_std_follows_the_noise_of_each_input(gaussian, noisy):
    *_, X_test, y_test, scale = noisy
    mean, std = gaussian.predict(X_test, return_std=True)
    np.testing.assert_array_equal(mean, gaussian.predict(X_test))
    quiet, loud = np.median(std[scale == 0.1]), np.median(std[scale == 1.0])
    assert 0.05 < quiet < 0.3 and 0.7 < loud < 1.4
    lower, upper = gaussian.predict_interval(X_test, coverage=0.8)
    covered = (y_test >= lower) & (y_test <= upper)
    assert 0.72 < covered.mean() < 0.88
    # calibrated in each noise group, not on average over them
    for group in (0.1, 1.0):
        assert 0.68 < covered[scale == group].mean() < 0.92


def test_quantiles_hold_their_share_of_unseen_targets(quantile, noisy):
    *_, X_test, y_test, scale = noisy
    assert quantile.fitted_state_.levels == (0.1, 0.5, 0.9)  # the median added
    q = quantile.predict_quantiles(X_test)
    assert q.shape == (len(X_test), 3)
    assert np.all(np.diff(q, axis=1) >= 0)
    np.testing.assert_array_equal(q[:, 1], quantile.predict(X_test))
    below = (y_test[:, None] <= q).mean(axis=0)
    np.testing.assert_allclose(below, [0.1, 0.5, 0.9], atol=0.06)
    lower, upper = quantile.predict_interval(X_test, coverage=0.8)
    np.testing.assert_array_equal(lower, q[:, 0])
    np.testing.assert_array_equal(upper, q[:, 2])
    width = upper - lower
    assert np.median(width[scale == 1.0]) > 4 * np.median(width[scale == 0.1])


def test_gaussian_quantiles_at_any_level_in_the_order_given(gaussian, noisy):
    *_, X_test, _, _ = noisy
    mean, std = gaussian.predict(X_test[:5], return_std=True)
    levels = (0.975, 0.025, 0.5)
    q = gaussian.predict_quantiles(X_test[:5], quantiles=levels)
    expected = mean[:, None] + std[:, None] * ndtri(np.array(levels))
    np.testing.assert_allclose(q, expected)
    # the default levels: quantiles as fitted, with the median
    assert gaussian.predict_quantiles(X_test[:5]).shape == (5, 3)


def test_std_and_quantiles_are_in_the_units_of_y():
    X, y, _ = heteroscedastic(n=64)
    small = LSTMRegressor(loss="gaussian", **FAST).fit(X, y)
    large = LSTMRegressor(loss="gaussian", **FAST).fit(X, 1000 * y + 5)
    mean_s, std_s = small.predict(X, return_std=True)
    mean_l, std_l = large.predict(X, return_std=True)
    np.testing.assert_allclose(std_l, 1000 * std_s, rtol=1e-5)
    np.testing.assert_allclose(mean_l, 1000 * mean_s + 5, rtol=1e-5, atol=1e-6)
    q_s = LSTMRegressor(loss="quantile", **FAST).fit(X, y).predict_quantiles(X)
    q_l = LSTMRegressor(loss="quantile", **FAST).fit(X, 1000 * y + 5)
    np.testing.assert_allclose(q_l.predict_quantiles(X), 1000 * q_s + 5, rtol=1e-5)


@pytest.mark.parametrize("loss", ["gaussian", "quantile"])
def test_multi_output_shapes(loss):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(40, 6, 2)), rng.normal(size=(40, 3))
    reg = RNNRegressor(loss=loss, **FAST).fit(X, Y)
    assert reg.predict(X).shape == (40, 3)
    assert reg.predict_quantiles(X).shape == (40, 3, 3)
    lower, upper = reg.predict_interval(X, coverage=0.8)
    assert lower.shape == upper.shape == (40, 3) and np.all(lower <= upper)
    if loss == "gaussian":
        mean, std = reg.predict(X, return_std=True)
        assert mean.shape == std.shape == (40, 3) and np.all(std > 0)


@pytest.mark.parametrize("loss", ["gaussian", "quantile"])
@pytest.mark.parametrize("per_step_outputs", [False, True])
def test_return_sequences_shapes_with_fixed_and_variable_lengths(
    loss, per_step_outputs
):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 7, 2))
    y = X.cumsum(axis=1) if per_step_outputs else X[..., 0].cumsum(axis=1)
    reg = GRURegressor(loss=loss, return_sequences=True, **FAST).fit(X, y)
    shape = y.shape
    assert reg.predict_quantiles(X).shape == (*shape, 3)
    lower, upper = reg.predict_interval(X, coverage=0.8)
    assert lower.shape == shape and np.all(lower <= upper)
    ragged = [X[0, :4], X[1]]
    q = reg.predict_quantiles(ragged)
    assert [part.shape for part in q] == [(4, *shape[2:], 3), (7, *shape[2:], 3)]
    np.testing.assert_allclose(q[0], reg.predict_quantiles(X[:1, :4])[0])
    if loss == "gaussian":
        mean, std = reg.predict(ragged, return_std=True)
        assert [part.shape for part in std] == [(4, *shape[2:]), (7, *shape[2:])]
        assert all(np.all(part > 0) for part in std)


@pytest.mark.parametrize("loss", ["gaussian", "quantile"])
def test_a_zero_weight_is_a_sample_left_out(loss):
    # full batch, no holdout: the weighted mean loss is exactly that of the rest
    X, y, _ = heteroscedastic(n=40)
    keep = np.arange(40) % 3 != 0
    params = dict(loss=loss, batch_size=512, **FIXED, max_epochs=5)
    weighted = GRURegressor(**params).fit(X, y, sample_weight=keep.astype(float))
    subset = GRURegressor(**params).fit(X[keep], y[keep])
    np.testing.assert_allclose(
        weighted.predict_quantiles(X), subset.predict_quantiles(X), atol=1e-5
    )


def test_partial_fit_trains_a_distribution():
    X, y, _ = heteroscedastic(n=64)
    reg = GRURegressor(loss="quantile", **FAST).partial_fit(X, y).partial_fit(X, y)
    assert reg.n_iter_ == 2 and reg.predict_quantiles(X).shape == (64, 3)


def test_quantiles_are_not_mutated():
    X, y, _ = heteroscedastic(n=32)
    levels = [0.9, 0.1]
    reg = GRURegressor(loss="quantile", quantiles=levels, **FAST).fit(X, y)
    assert levels == [0.9, 0.1] and reg.quantiles is levels
    assert reg.fitted_state_.levels == (0.1, 0.5, 0.9)


@pytest.mark.parametrize("cls", REGRESSORS, ids=lambda c: c.__name__)
def test_point_models_refuse_uncertainty_and_point_to_mapie(cls):
    X, y, _ = heteroscedastic(n=32)
    reg = cls(**FAST).fit(X, y)
    for call in (
        lambda: reg.predict(X, return_std=True),
        lambda: reg.predict_quantiles(X),
        lambda: reg.predict_interval(X),
    ):
        with pytest.raises(ValueError, match="loss='squared_error'.*MAPIE"):
            call()


@pytest.fixture(scope="module")
def small_quantile():
    """A quick quantile regressor at the default levels, and its data."""
    X, y, _ = heteroscedastic(n=32)
    return GRURegressor(loss="quantile", **FAST).fit(X, y), X


def test_return_std_needs_a_gaussian(small_quantile):
    reg, X = small_quantile
    with pytest.raises(ValueError, match="return_std=True needs .*loss='gaussian'"):
        reg.predict(X, return_std=True)


def test_levels_the_network_did_not_learn_are_refused(small_quantile):
    reg, X = small_quantile
    with pytest.raises(ValueError, match=r"levels \[0.1, 0.5, 0.9\].*not at \[0.95\]"):
        reg.predict_quantiles(X, quantiles=[0.5, 0.95])
    with pytest.raises(ValueError, match="not at"):
        reg.predict_interval(X, coverage=0.9)  # needs 0.05 and 0.95


@pytest.mark.parametrize(
    ("quantiles", "message"),
    [
        ((0.0, 0.5), "strictly between 0 and 1"),
        ((0.5, 1.2), "strictly between 0 and 1"),
        ((0.2, 0.2), "distinct"),
        ((), "non-empty"),
        ("abc", "array-like"),
        (("low", "high"), "sequence of numbers"),
        (((0.1, 0.2),), "1-D"),
    ],
)
def test_bad_quantiles_are_refused_at_fit(quantiles, message):
    X, y, _ = heteroscedastic(n=16)
    with pytest.raises(ValueError, match=message):
        GRURegressor(loss="quantile", quantiles=quantiles, **FAST).fit(X, y)


def test_bad_coverage_and_unfitted_models_are_refused(gaussian, noisy):
    X = noisy[2][:4]
    for coverage in (0, 1, 1.5):
        with pytest.raises(ValueError, match="coverage"):
            gaussian.predict_interval(X, coverage=coverage)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        gaussian.predict_quantiles(X, quantiles=[1.0])
    with pytest.raises(NotFittedError):
        GRURegressor(loss="gaussian").predict_quantiles(X)
    with pytest.raises(ValueError, match="loss"):
        GRURegressor(loss="poisson").fit(X, np.zeros(4))


# -- calibration of the spread on the early-stopping holdout -----------------------

CALIBRATE = dict(hidden_size=8, max_epochs=10, random_state=0)


@pytest.mark.parametrize("loss", ["gaussian", "quantile"])
def test_holdout_calibration_rescales_the_spread_and_keeps_the_point(loss, noisy):
    X, y, X_test, *_ = noisy
    params = dict(loss=loss, quantiles=(0.1, 0.9), **CALIBRATE)
    plain = GRURegressor(**params).fit(X, y)
    calibrated = GRURegressor(calibration="holdout", **params).fit(X, y)
    assert plain.fitted_state_.calibration is None
    # the same network: calibration comes after training, and never moves
    # the mean or the median
    np.testing.assert_array_equal(calibrated.predict(X_test), plain.predict(X_test))
    factors = calibrated.fitted_state_.calibration
    n_valid = round(0.2 * len(X))  # the holdout: the last 20 % of the samples
    X_h, y_h = X[-n_valid:], y[-n_valid:]
    if loss == "gaussian":
        mean, std = plain.predict(X_h, return_std=True)
        rms = np.sqrt(np.mean(((y_h - mean) / std) ** 2))
        assert factors.shape == (1,)
        np.testing.assert_allclose(factors, [rms], rtol=1e-5)
        _, std_test = plain.predict(X_test, return_std=True)
        _, std_cal = calibrated.predict(X_test, return_std=True)
        np.testing.assert_allclose(std_cal, factors[0] * std_test)
    else:
        assert factors.shape == (3, 1) and factors[1, 0] == 1.0
        # each learned level holds its share of the held-out targets, to
        # within one sample
        below = (y_h[:, None] <= calibrated.predict_quantiles(X_h)).mean(axis=0)
        np.testing.assert_allclose(below[[0, 2]], [0.1, 0.9], atol=1.01 / n_valid)
        q = calibrated.predict_quantiles(X_test)
        assert np.all(np.diff(q, axis=1) >= 0)  # still never crossing
        median = plain.predict(X_test)[:, None]
        q_plain = plain.predict_quantiles(X_test)
        np.testing.assert_allclose(q - median, factors[:, 0] * (q_plain - median))


def test_a_too_narrow_spread_is_widened():
    # trained on quiet samples, held out on noisy ones: the holdout says how
    # far off the learned spread is
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 6, 1))
    noise = np.where(np.arange(500) < 400, 0.2, 1.0)
    y = X[:, -1, 0] + noise * rng.normal(size=500)
    params = dict(loss="gaussian", **CALIBRATE)
    coverage = {}
    for calibration in (None, "holdout"):
        reg = GRURegressor(calibration=calibration, **params).fit(X, y)
        lower, upper = reg.predict_interval(X[400:], coverage=0.8)
        coverage[calibration] = ((y[400:] >= lower) & (y[400:] <= upper)).mean()
    assert reg.fitted_state_.calibration[0] > 1.2
    assert coverage[None] < 0.7 and 0.74 < coverage["holdout"] < 0.86


def test_multi_output_and_sequence_targets_get_a_factor_per_target():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(80, 6, 2)), rng.normal(size=(80, 3))
    reg = RNNRegressor(loss="gaussian", calibration="holdout", **FAST).fit(X, Y)
    assert reg.fitted_state_.calibration.shape == (3,)
    ragged = [rng.normal(size=(n, 2)) for n in (3, 7, 5, 6) * 15]
    targets = [x.cumsum(axis=0) for x in ragged]  # two targets per step
    reg = GRURegressor(
        loss="quantile", return_sequences=True, calibration="holdout", **FAST
    ).fit(ragged, targets)
    factors = reg.fitted_state_.calibration
    assert factors.shape == (3, 2) and np.all(np.isfinite(factors))
    q = reg.predict_quantiles(ragged[:2])
    assert [part.shape for part in q] == [(3, 2, 3), (7, 2, 3)]


def test_refitting_without_calibration_clears_it():
    X, y, _ = heteroscedastic(n=120)
    reg = GRURegressor(loss="gaussian", calibration="holdout", **FAST).fit(X, y)
    assert reg.fitted_state_.calibration is not None
    reg.set_params(calibration=None).fit(X, y)
    assert reg.fitted_state_.calibration is None


def test_partial_fit_calibrates_on_each_calls_holdout():
    X, y, _ = heteroscedastic(n=120)
    reg = GRURegressor(loss="gaussian", calibration="holdout", **FAST)
    first = reg.partial_fit(X, y).fitted_state_.calibration
    second = reg.partial_fit(X, 3 * y).fitted_state_.calibration
    assert second[0] > 2 * first[0]  # the new holdout is three times as spread


def test_calibration_refuses_a_point_loss_and_a_fit_without_holdout():
    X, y, _ = heteroscedastic(n=32)
    with pytest.raises(ValueError, match="loss='squared_error' predicts a mean"):
        GRURegressor(calibration="holdout", **FAST).fit(X, y)
    with pytest.raises(ValueError, match="early_stopping=False holds out nothing"):
        GRURegressor(
            loss="gaussian", calibration="holdout", early_stopping=False, **FAST
        ).fit(X, y)
    with pytest.raises(ValueError, match="calibration"):
        GRURegressor(loss="gaussian", calibration="isotonic", **FAST).fit(X, y)


def test_a_tiny_holdout_is_warned_about():
    X, y, _ = heteroscedastic(n=30)  # 6 held-out samples
    with pytest.warns(UserWarning, match="on 6 held-out samples only") as record:
        GRURegressor(loss="quantile", calibration="holdout", **FAST).fit(X, y)
    assert record[0].filename == __file__  # points at the caller's fit
