"""Tests for sksequence._scaling."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shared_settings import assert_unchanged, copy_input
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksequence import GRUClassifier
from sksequence._scaling import SequenceScaler

pytestmark = pytest.mark.filterwarnings(
    "ignore:invalid value encountered:RuntimeWarning"
)


def _ragged(seed=0, n_features=2, lengths=(5, 2, 9, 1)):
    rng = np.random.default_rng(seed)
    return [
        rng.normal(
            loc=[10.0, -3.0][:n_features],
            scale=[2.0, 0.5][:n_features],
            size=(length, n_features),
        )
        for length in lengths
    ]


@parametrize_with_checks(
    [
        SequenceScaler(),
        SequenceScaler(with_mean=False),
        SequenceScaler(with_std=False),
        # stateless: fit learns nothing
        SequenceScaler(per_sequence=True),
        SequenceScaler(per_sequence=True, with_std=False),
        # fit learns the spread of the kept statistics
        SequenceScaler(per_sequence=True, keep_stats=True),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_3d_standardizes_each_feature_over_samples_and_steps():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=[5.0, -2.0, 100.0], scale=[1.0, 3.0, 20.0], size=(40, 15, 3))
    scaler = SequenceScaler().fit(X)
    flat = X.reshape(-1, 3)
    np.testing.assert_allclose(scaler.mean_, flat.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(scaler.scale_, flat.std(axis=0), rtol=1e-5)
    assert scaler.n_features_in_ == 3
    assert scaler.n_samples_seen_ == 40 * 15
    Xt = scaler.transform(X)
    assert Xt.shape == X.shape and Xt.dtype == np.float32
    np.testing.assert_allclose(Xt.reshape(-1, 3).mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(Xt.reshape(-1, 3).std(axis=0), 1.0, atol=1e-5)
    # same as StandardScaler on the (n * T, F) matrix of time steps
    expected = StandardScaler().fit_transform(flat).reshape(X.shape)
    np.testing.assert_allclose(Xt, expected, atol=1e-5)


def test_statistics_come_from_the_training_data_only():
    rng = np.random.default_rng(1)
    X_train = rng.normal(size=(20, 10, 2))
    X_test = rng.normal(loc=50.0, size=(5, 10, 2))
    scaler = SequenceScaler().fit(X_train)
    Xt = scaler.transform(X_test)
    expected = (X_test - X_train.reshape(-1, 2).mean(0)) / X_train.reshape(-1, 2).std(0)
    np.testing.assert_allclose(Xt, expected, rtol=1e-5)


def test_inverse_transform_round_trip_3d():
    rng = np.random.default_rng(2)
    X = rng.normal(loc=3.0, scale=7.0, size=(10, 8, 4))
    scaler = SequenceScaler().fit(X)
    np.testing.assert_allclose(
        scaler.inverse_transform(scaler.transform(X)), X, rtol=1e-5, atol=1e-5
    )


def test_ragged_uses_only_real_steps():
    seqs = _ragged()
    scaler = SequenceScaler().fit(seqs)
    steps = np.concatenate(seqs)
    np.testing.assert_allclose(scaler.mean_, steps.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(scaler.scale_, steps.std(axis=0), rtol=1e-5)
    assert scaler.n_samples_seen_ == len(steps)
    assert scaler.n_features_in_ == 2

    out = scaler.transform(seqs)
    assert isinstance(out, list) and len(out) == len(seqs)
    for seq, scaled in zip(seqs, out):
        assert scaled.shape == seq.shape and scaled.dtype == np.float32
        np.testing.assert_allclose(
            scaled, (seq - steps.mean(0)) / steps.std(0), rtol=1e-5, atol=1e-6
        )
    all_scaled = np.concatenate(out)
    np.testing.assert_allclose(all_scaled.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(all_scaled.std(axis=0), 1.0, atol=1e-5)

    back = scaler.inverse_transform(out)
    for seq, restored in zip(seqs, back):
        np.testing.assert_allclose(restored, seq, rtol=1e-5, atol=1e-5)


def test_ragged_1d_sequences_come_back_1d():
    seqs = [np.array([1.0, 2.0, 3.0]), np.array([5.0])]
    out = SequenceScaler(with_std=False).fit_transform(seqs)
    assert [s.shape for s in out] == [(3,), (1,)]
    np.testing.assert_allclose(np.concatenate(out), [-1.75, -0.75, 0.25, 2.25])


def test_2d_in_gives_2d_out_with_one_feature():
    rng = np.random.default_rng(3)
    X = rng.normal(loc=4.0, scale=2.0, size=(30, 12))
    scaler = SequenceScaler().fit(X)
    assert scaler.n_features_in_ == 12  # sklearn's meaning: columns
    assert scaler.mean_.shape == (1,) and scaler.scale_.shape == (1,)
    np.testing.assert_allclose(scaler.mean_, [X.mean()], rtol=1e-6)
    np.testing.assert_allclose(scaler.scale_, [X.std()], rtol=1e-5)
    Xt = scaler.transform(X)
    assert Xt.shape == (30, 12)
    np.testing.assert_allclose(Xt, (X - X.mean()) / X.std(), rtol=1e-4, atol=1e-5)
    # float32 out: within a float32 step of values near 4 (4.8e-7)
    np.testing.assert_allclose(scaler.inverse_transform(Xt), X, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="12 features"):
        scaler.transform(X[:, :5])


def test_2d_dataframe_records_feature_names():
    df = pd.DataFrame(np.arange(12.0).reshape(3, 4), columns=["t0", "t1", "t2", "t3"])
    scaler = SequenceScaler().fit(df)
    np.testing.assert_array_equal(scaler.feature_names_in_, df.columns)
    assert isinstance(scaler.transform(df), np.ndarray)
    # a 3-D refit forgets the names
    scaler.fit(np.zeros((2, 3, 4)))
    assert not hasattr(scaler, "feature_names_in_")


def test_fitted_on_univariate_3d_accepts_2d_of_any_length():
    X = np.random.default_rng(4).normal(size=(10, 6, 1))
    scaler = SequenceScaler().fit(X)
    X2 = np.random.default_rng(5).normal(size=(3, 9))
    out = scaler.transform(X2)
    assert out.shape == (3, 9)
    np.testing.assert_allclose(out, (X2 - X.mean()) / X.std(), rtol=1e-4, atol=1e-5)


def test_feature_mismatch_raises():
    scaler = SequenceScaler().fit(np.zeros((4, 5, 2)))
    with pytest.raises(ValueError, match="3 features per time step.*expecting 2"):
        scaler.transform(np.zeros((4, 5, 3)))
    with pytest.raises(ValueError, match="1 features per time step.*expecting 2"):
        scaler.transform(np.zeros((4, 5)))
    with pytest.raises(ValueError, match="same number of features"):
        scaler.fit([np.zeros((3, 2)), np.zeros((2, 3))])


def test_zero_variance_feature_gets_scale_one():
    X = np.ones((5, 4, 2))
    X[..., 1] = np.arange(20.0).reshape(5, 4)
    X[..., 0] = 0.1  # constant, not exactly representable
    scaler = SequenceScaler().fit(X)
    assert scaler.scale_[0] == 1.0
    Xt = scaler.transform(X)
    np.testing.assert_allclose(Xt[..., 0], 0.0, atol=1e-7)
    assert np.all(np.isfinite(Xt))


def test_with_mean_and_with_std_switches():
    X = np.random.default_rng(6).normal(loc=5.0, scale=3.0, size=(20, 7, 2))
    flat = X.reshape(-1, 2)
    only_std = SequenceScaler(with_mean=False).fit(X)
    np.testing.assert_allclose(only_std.transform(X), X / flat.std(0), rtol=1e-5)
    only_mean = SequenceScaler(with_std=False).fit(X)
    assert only_mean.scale_ is None and only_mean.var_ is None
    np.testing.assert_allclose(
        only_mean.transform(X), X - flat.mean(0), rtol=1e-4, atol=1e-5
    )
    neither = SequenceScaler(with_mean=False, with_std=False).fit(X)
    assert neither.mean_ is None and neither.scale_ is None
    np.testing.assert_allclose(neither.transform(X), X, rtol=1e-6)


@pytest.mark.parametrize(
    "params", [{}, {"with_mean": False, "with_std": False}, {"with_std": False}]
)
def test_input_never_mutated_nor_returned(params):
    X = np.random.default_rng(7).normal(size=(6, 5, 3)).astype(np.float32)
    before = X.copy()
    scaler = SequenceScaler(**params).fit(X)
    Xt = scaler.transform(X)
    Xi = scaler.inverse_transform(X)
    np.testing.assert_array_equal(X, before)
    assert not np.shares_memory(Xt, X) and not np.shares_memory(Xi, X)

    seqs = [s.astype(np.float32) for s in _ragged()]
    copies = [s.copy() for s in seqs]
    out = scaler.fit(seqs).transform(seqs)
    for seq, copy, scaled in zip(seqs, copies, out):
        np.testing.assert_array_equal(seq, copy)
        assert not np.shares_memory(seq, scaled)


def test_unfitted_and_bad_input():
    with pytest.raises(NotFittedError):
        SequenceScaler().transform(np.zeros((2, 3, 1)))
    with pytest.raises(ValueError, match="NaN"):
        SequenceScaler().fit(np.array([[[np.nan]], [[1.0]]]))
    with pytest.raises(ValueError, match="2-D .* or 3-D"):
        SequenceScaler().fit(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match="Reshape your data"):
        SequenceScaler().fit(np.arange(5.0))
    with pytest.raises(ValueError, match="'with_mean' parameter"):
        SequenceScaler(with_mean="yes").fit(np.zeros((2, 3, 1)))


@settings(max_examples=80, deadline=None)
@given(
    n_samples=st.integers(2, 12),
    n_features=st.integers(1, 4),
    lengths_seed=st.integers(0, 10_000),
    ragged=st.booleans(),
)
def test_property_transformed_training_data_is_standard(
    n_samples, n_features, lengths_seed, ragged
):
    rng = np.random.default_rng(lengths_seed)
    loc = rng.uniform(-100, 100, size=n_features)
    scale = rng.uniform(0.1, 50, size=n_features)
    if ragged:
        lengths = rng.integers(1, 20, size=n_samples)
        lengths[0] = 25  # guarantee different lengths
        X = [rng.normal(loc, scale, size=(n, n_features)) for n in lengths]
    else:
        X = rng.normal(
            loc, scale, size=(n_samples, int(rng.integers(2, 20)), n_features)
        )
    scaler = SequenceScaler()
    Xt = scaler.fit_transform(X)
    steps = np.concatenate(list(Xt)) if ragged else Xt.reshape(-1, n_features)
    np.testing.assert_allclose(steps.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(steps.std(axis=0), 1.0, atol=1e-4)
    back = scaler.inverse_transform(Xt)
    for orig, restored in zip(X, back):
        np.testing.assert_allclose(restored, orig, rtol=1e-4, atol=1e-3)


def test_centres_in_the_input_precision_before_casting():
    # a feature at 7 with spread 0.01: one float32 step at 7 is 4.8e-7, so
    # rounding to float32 before centring would put each value off by up to
    # 2.4e-5 after scaling; StandardScaler keeps float64 input in float64
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X = 7.0 + 0.01 * rng.standard_normal((200, 30, 1))
    Xt = SequenceScaler().fit_transform(X)
    expected = StandardScaler().fit_transform(X.reshape(-1, 1)).reshape(X.shape)
    assert Xt.dtype == np.float32
    np.testing.assert_allclose(Xt, expected, rtol=0, atol=1e-6)
    assert abs(Xt.mean(dtype=np.float64)) < 1e-7
    ragged = [X[0, :10], X[1]]
    out = SequenceScaler().fit(X).transform(ragged)
    np.testing.assert_allclose(out[0], expected[0, :10], rtol=0, atol=1e-6)


# -- per_sequence -------------------------------------------------------------------


def _z(seq):
    """A sequence (T, F) standardized by its own mean and std per feature."""
    return (seq - seq.mean(axis=0)) / seq.std(axis=0)


def test_per_sequence_standardizes_each_sequence_and_feature_on_its_own():
    rng = np.random.default_rng(10)
    # amplitudes spanning four decades, levels far apart
    amp = 10.0 ** rng.uniform(-3, 1, size=(12, 1, 2))
    X = rng.normal(size=(12, 30, 2)) * amp + rng.uniform(-50, 50, size=(12, 1, 2))
    Xt = SequenceScaler(per_sequence=True).fit_transform(X)
    assert Xt.shape == X.shape and Xt.dtype == np.float32
    np.testing.assert_allclose(Xt.mean(axis=1), 0.0, atol=1e-5)
    np.testing.assert_allclose(Xt.std(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(Xt, np.stack([_z(seq) for seq in X]), atol=1e-5)
    # a global scaler leaves the small-amplitude sequences almost flat
    flat = SequenceScaler().fit_transform(X)
    assert flat.std(axis=1).min() < 1e-2


def test_per_sequence_2d_is_sklearn_scale_along_rows():
    from sklearn.preprocessing import scale

    X = np.random.default_rng(11).normal(loc=3.0, scale=4.0, size=(7, 20))
    Xt = SequenceScaler(per_sequence=True).fit_transform(X)
    assert Xt.shape == X.shape
    np.testing.assert_allclose(Xt, scale(X, axis=1), atol=1e-5)


def test_per_sequence_ragged_counts_only_real_steps():
    seqs = _ragged(seed=12)
    out = SequenceScaler(per_sequence=True).fit_transform(seqs)
    assert isinstance(out, list)
    for seq, scaled in zip(seqs, out):
        assert scaled.shape == seq.shape and scaled.dtype == np.float32
        if len(seq) == 1:  # one step is constant: only centred
            np.testing.assert_array_equal(scaled, 0.0)
        else:
            np.testing.assert_allclose(scaled, _z(seq), atol=1e-5)
    # the same sequences padded into one array: the padding would count
    one_d = [np.array([1.0, 2.0, 3.0]), np.array([5.0, 7.0])]
    out = SequenceScaler(per_sequence=True).fit_transform(one_d)
    assert [s.shape for s in out] == [(3,), (2,)]
    np.testing.assert_allclose(out[1], [-1.0, 1.0])


def test_per_sequence_constant_sequences_are_only_centred():
    X = np.random.default_rng(13).normal(size=(3, 6, 2))
    X[0] = 0.1  # both features constant (0.1 is not exact in binary)
    X[1, :, 1] = -7.0  # one feature constant
    Xt = SequenceScaler(per_sequence=True).fit_transform(X)
    assert np.all(np.isfinite(Xt))
    np.testing.assert_allclose(Xt[0], 0.0, atol=1e-7)
    np.testing.assert_allclose(Xt[1, :, 1], 0.0, atol=1e-7)
    np.testing.assert_allclose(Xt[1, :, :1], _z(X[1, :, :1]), atol=1e-5)
    only_std = SequenceScaler(per_sequence=True, with_mean=False).fit_transform(X)
    np.testing.assert_allclose(only_std[0], 0.1, rtol=1e-6)  # left as it was
    np.testing.assert_allclose(only_std[2], X[2] / X[2].std(axis=0), rtol=1e-5)


def test_per_sequence_fit_learns_nothing():
    rng = np.random.default_rng(14)
    X_train = rng.normal(size=(10, 8, 3))
    X_test = rng.normal(loc=40.0, scale=9.0, size=(4, 8, 3))
    scaler = SequenceScaler(per_sequence=True)
    assert scaler.__sklearn_tags__().requires_fit is False
    unfitted = scaler.transform(X_test)  # stateless: no fit needed
    assert not hasattr(scaler, "n_features_in_")
    fitted = scaler.fit(X_train).transform(X_test)
    np.testing.assert_array_equal(unfitted, fitted)
    # each sequence alone: the other samples do not matter
    np.testing.assert_array_equal(scaler.transform(X_test[2:3]), fitted[2:3])
    # fitted, the number of features is checked as usual
    with pytest.raises(ValueError, match="2 features per time step.*expecting 3"):
        scaler.transform(X_test[:, :, :2])
    # and bad parameters are refused without a fit as well
    with pytest.raises(ValueError, match="'with_std' parameter"):
        SequenceScaler(per_sequence=True, with_std="no").transform(X_test)
    assert (
        SequenceScaler(per_sequence=True, keep_stats=True)
        .__sklearn_tags__()
        .requires_fit
    )
    assert SequenceScaler().__sklearn_tags__().requires_fit


def test_per_sequence_has_no_global_statistics_nor_inverse():
    X = np.random.default_rng(15).normal(size=(5, 4, 2))
    scaler = SequenceScaler().fit(X)
    assert hasattr(scaler, "mean_")
    scaler.set_params(per_sequence=True).fit(X)
    # a refit removes the statistics of the global mode
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        assert not hasattr(scaler, name)
    with pytest.raises(AttributeError, match="per_sequence=True.*own statistics"):
        _ = scaler.mean_
    assert not hasattr(scaler, "inverse_transform")
    with pytest.raises(AttributeError, match="per_sequence=False to invert"):
        scaler.inverse_transform(X)
    # and back: global statistics, no kept ones
    scaler.set_params(per_sequence=False).fit(X)
    assert hasattr(scaler, "mean_") and hasattr(scaler, "inverse_transform")


# -- keep_stats ---------------------------------------------------------------------


def test_keep_stats_appends_level_and_log_scale_on_the_networks_scale():
    rng = np.random.default_rng(16)
    n, T, F = 9, 12, 2
    amp = 10.0 ** rng.uniform(-2, 2, size=(n, 1, F))
    level = rng.uniform(-30, 30, size=(n, 1, F))
    X = rng.normal(size=(n, T, F)) * amp + level
    scaler = SequenceScaler(per_sequence=True, keep_stats=True).fit(X)
    Xt = scaler.transform(X)
    assert Xt.shape == (n, T, F + 2 * F) and Xt.dtype == np.float32
    np.testing.assert_allclose(Xt[:, :, :F], np.stack([_z(s) for s in X]), atol=1e-5)
    stats = Xt[:, :, F:]
    # constant over time
    np.testing.assert_array_equal(stats, np.repeat(stats[:, :1], T, axis=1))
    # means first, then log standard deviations, in the order of the features
    levels, log_scales = X.mean(axis=1), np.log(X.std(axis=1))
    flat = X.reshape(-1, F)
    # the level as the global scaling shows it: by all training steps
    np.testing.assert_allclose(scaler.stats_mean_[:F], flat.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(scaler.stats_scale_[:F], flat.std(axis=0), rtol=1e-6)
    np.testing.assert_allclose(
        stats[:, 0, :F], (levels - flat.mean(0)) / flat.std(0), rtol=1e-4, atol=1e-5
    )
    # the log scale standardized over the sequences (spread here above 1)
    assert np.all(log_scales.std(axis=0) > 1)
    np.testing.assert_allclose(scaler.stats_mean_[F:], log_scales.mean(0), rtol=1e-6)
    np.testing.assert_allclose(scaler.stats_scale_[F:], log_scales.std(0), rtol=1e-6)
    np.testing.assert_allclose(stats[:, 0, F:].mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(stats[:, 0, F:].std(axis=0), 1.0, atol=1e-5)
    np.testing.assert_allclose(scaler.log_scale_min_, log_scales.min(axis=0))
    # the statistics of new sequences go through the learned ones
    X_new = X[:3] * 10.0
    new_stats = scaler.transform(X_new)[:, 0, F:]
    expected = np.concatenate(
        [
            (X_new.mean(1) - flat.mean(0)) / flat.std(0),
            (np.log(X_new.std(1)) - log_scales.mean(0)) / log_scales.std(0),
        ],
        axis=1,
    )
    np.testing.assert_allclose(new_stats, expected, rtol=1e-4, atol=1e-5)


def test_keep_stats_does_not_magnify_statistics_that_barely_vary():
    # sequences already z-normalized (as GunPoint): the statistics differ
    # only by rounding, and must not become unit-variance noise features
    rng = np.random.default_rng(23)
    X = rng.normal(size=(40, 50, 1))
    X = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    X = X.astype(np.float32)
    Xt = SequenceScaler(per_sequence=True, keep_stats=True).fit_transform(X)
    np.testing.assert_allclose(Xt[:, :, 1:], 0.0, atol=1e-5)
    # log scales within a factor of 1.5 of each other: centred, not magnified
    X2 = X * rng.uniform(1.0, 1.5, size=(40, 1, 1))
    scaler = SequenceScaler(per_sequence=True, keep_stats=True).fit(X2)
    assert scaler.stats_scale_[1] == 1.0
    assert np.abs(scaler.transform(X2)[:, 0, 2]).max() < np.log(1.5)


def test_keep_stats_only_what_was_removed():
    X = np.random.default_rng(17).normal(loc=5.0, size=(6, 5, 3))
    only_scale = SequenceScaler(per_sequence=True, with_mean=False, keep_stats=True)
    assert only_scale.fit_transform(X).shape == (6, 5, 6)
    assert only_scale.stats_mean_.shape == (3,)
    only_level = SequenceScaler(per_sequence=True, with_std=False, keep_stats=True)
    Xt = only_level.fit_transform(X)
    assert Xt.shape == (6, 5, 6) and only_level.log_scale_min_ is None
    nothing = SequenceScaler(
        per_sequence=True, with_mean=False, with_std=False, keep_stats=True
    )
    np.testing.assert_allclose(nothing.fit_transform(X), X, rtol=1e-6)


def test_keep_stats_2d_and_ragged_forms():
    X2 = np.random.default_rng(18).normal(size=(5, 7))
    out = SequenceScaler(per_sequence=True, keep_stats=True).fit_transform(X2)
    assert out.shape == (5, 7, 3)  # the statistics need a feature axis
    seqs = _ragged(seed=19)
    scaler = SequenceScaler(per_sequence=True, keep_stats=True).fit(seqs)
    out = scaler.transform(seqs)
    assert [s.shape for s in out] == [(len(s), 2 + 4) for s in seqs]
    for seq, scaled in zip(seqs[:3], out[:3]):  # (the last has one step)
        np.testing.assert_allclose(scaled[:, :2], _z(seq), atol=1e-5)
    steps = np.concatenate(seqs)  # the level by the real steps only
    np.testing.assert_allclose(scaler.stats_mean_[:2], steps.mean(axis=0))
    np.testing.assert_allclose(scaler.stats_scale_[:2], steps.std(axis=0))
    one_d = [np.array([1.0, 2.0, 3.0]), np.array([5.0, 9.0])]
    out = SequenceScaler(per_sequence=True, keep_stats=True).fit_transform(one_d)
    assert [s.shape for s in out] == [(3, 3), (2, 3)]


def test_keep_stats_constant_sequence_gets_the_lowest_training_scale():
    rng = np.random.default_rng(20)
    X = rng.normal(size=(6, 10, 1)) * rng.uniform(0.5, 5.0, size=(6, 1, 1))
    X[5] = 4.0  # constant: no log scale of its own
    scaler = SequenceScaler(per_sequence=True, keep_stats=True).fit(X)
    lowest = np.log(X[:5].std(axis=1)).min()
    np.testing.assert_allclose(scaler.log_scale_min_, [lowest])
    Xt = scaler.transform(X)
    assert np.all(np.isfinite(Xt))
    log_scale = Xt[:, 0, 2] * scaler.stats_scale_[1] + scaler.stats_mean_[1]
    np.testing.assert_allclose(log_scale[5], lowest, rtol=1e-5)
    # a flatter new sequence is raised to the same floor
    flatter = np.linspace(0, 1e-9, 10)[None, :, None]
    out = scaler.transform(flatter)[0, 0, 2]
    np.testing.assert_allclose(out, Xt[5, 0, 2], rtol=1e-5)
    # all constant in fit: the floor is log(1)
    assert SequenceScaler(per_sequence=True, keep_stats=True).fit(
        np.ones((3, 4, 1))
    ).log_scale_min_ == [0.0]


def test_keep_stats_needs_per_sequence_and_a_fit():
    X = np.zeros((2, 3, 1))
    with pytest.raises(ValueError, match="keep_stats=True needs per_sequence=True"):
        SequenceScaler(keep_stats=True).fit(X)
    with pytest.raises(NotFittedError):
        SequenceScaler(per_sequence=True, keep_stats=True).transform(X)


@pytest.mark.parametrize(
    "params",
    [
        {"per_sequence": True},
        {"per_sequence": True, "with_mean": False},
        {"per_sequence": True, "keep_stats": True},
    ],
)
def test_per_sequence_input_never_mutated_nor_returned(params):
    X = np.random.default_rng(21).normal(size=(6, 5, 3)).astype(np.float32)
    before = X.copy()
    Xt = SequenceScaler(**params).fit(X).transform(X)
    np.testing.assert_array_equal(X, before)
    assert not np.shares_memory(Xt, X)
    seqs = [s.astype(np.float32) for s in _ragged()]
    copies = [s.copy() for s in seqs]
    out = SequenceScaler(**params).fit_transform(seqs)
    for seq, copy, scaled in zip(seqs, copies, out):
        np.testing.assert_array_equal(seq, copy)
        assert not np.shares_memory(seq, scaled)


def test_per_sequence_in_a_classifier_pipeline_with_variable_lengths():
    from shared_settings import FAST
    from sklearn.pipeline import make_pipeline

    # two classes told apart by shape only, at levels and amplitudes that
    # vary by decades between sequences, of different lengths
    rng = np.random.default_rng(22)
    X, y = [], []
    for i in range(24):
        t = np.linspace(0, 1, int(rng.integers(8, 15)))
        shape = np.sin(2 * np.pi * t) if i % 2 else t
        amp, level = 10.0 ** rng.uniform(-2, 2), rng.uniform(-100, 100)
        X.append((level + amp * shape)[:, None])
        y.append(i % 2)
    pipe = make_pipeline(
        SequenceScaler(per_sequence=True, keep_stats=True), GRUClassifier(**FAST)
    ).fit(X, y)
    assert pipe[-1].n_features_in_ == 3
    assert pipe.predict(X[:5]).shape == (5,)


# -- set_output and pandas containers ----------------------------------------


def test_set_output_pandas_names_the_columns_of_2d_output():
    X = pd.DataFrame(np.arange(20.0).reshape(5, 4), columns=["a", "b", "c", "d"])
    scaler = SequenceScaler().set_output(transform="pandas")
    out = scaler.fit_transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["a", "b", "c", "d"]
    np.testing.assert_allclose(out.to_numpy(), SequenceScaler().fit_transform(X))
    assert list(scaler.get_feature_names_out()) == ["a", "b", "c", "d"]


@pytest.mark.parametrize("X", [np.ones((4, 3, 2)), [np.ones((3, 1)), np.ones((5, 1))]])
def test_set_output_pandas_refuses_3d_output_clearly(X):
    scaler = SequenceScaler().set_output(transform="pandas")
    with pytest.raises(ValueError, match="3-D .* DataFrame cannot hold"):
        scaler.fit_transform(X)
    out = scaler.set_output(transform="default").fit_transform(X)
    assert not isinstance(out, pd.DataFrame)


def test_a_multiindex_panel_is_scaled_per_instance():
    index = pd.MultiIndex.from_tuples(
        [(i, t) for i, n in enumerate((3, 5)) for t in range(n)]
    )
    frame = pd.DataFrame({"a": np.arange(8.0), "b": np.arange(8.0) * 2}, index=index)
    out = SequenceScaler().fit_transform(frame)
    seqs = [frame.to_numpy()[:3], frame.to_numpy()[3:]]
    expected = SequenceScaler().fit_transform(seqs)
    assert [o.shape for o in out] == [(3, 2), (5, 2)]
    for found, want in zip(out, expected):
        np.testing.assert_array_equal(found, want)


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X",
    [
        np.full((3, 4, 2), np.nan),
        np.full((3, 4), np.inf),
        np.array([["a", "b"]], dtype=object),
        np.ones((2, 3, 4, 5)),
        np.ones((0, 4, 2)),
        [np.ones((2, 1)), np.ones((3, 2))],
        [np.ones((2, 1)), np.full((3, 1), np.nan)],
    ],
    ids=["nan", "inf", "strings", "4-D", "empty", "ragged features", "ragged nan"],
)
def test_sequence_scaler_bad_input(X):
    X_copy = copy_input(X)
    with pytest.raises(ValueError):
        SequenceScaler().fit(X)
    assert_unchanged(X, X_copy)


def test_sequence_scaler_transform_checks():
    X = np.random.default_rng(0).normal(size=(4, 3, 2))
    with pytest.raises(NotFittedError):
        SequenceScaler().transform(X)
    scaler = SequenceScaler().fit(X)
    with pytest.raises(ValueError, match="features"):
        scaler.transform(X[:, :, :1])
    with pytest.raises(ValueError, match=r"\bX\b"):
        scaler.transform(np.where(X > 0, np.nan, X))


def test_sequence_scaler_2d_after_3d_fit_names_x():
    scaler = SequenceScaler().fit(np.ones((3, 4, 1)))
    with pytest.raises(ValueError, match=r"\bX\b"):
        scaler.transform(np.full((2, 3), np.nan))
