"""Tests for sksequence._scaling."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksequence._scaling import SequenceScaler


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
    [SequenceScaler(), SequenceScaler(with_mean=False), SequenceScaler(with_std=False)]
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
