"""Tests for sksequence._windowing."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from shared_settings import (
    DTYPES,
    FLOAT_DTYPES,
    assert_names,
    assert_unchanged,
    copy_input,
    finite_elements,
    with_nonfinite,
)
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksequence._windowing import SlidingWindowTransformer, make_forecasting_data

pytestmark = pytest.mark.filterwarnings(
    "ignore:invalid value encountered:RuntimeWarning"
)
FAST = settings(max_examples=25, deadline=None)

# Checks that assume rows are independent samples. A sliding window makes each
# output row depend on the rows before it, so shuffling or sub-setting the rows
# must change the output: the checks do not apply (scikit-learn lists the same
# exemption for KNeighborsTransformer).
WINDOW_EXPECTED_FAILED_CHECKS = {
    "check_methods_sample_order_invariance": (
        "check is not applicable: each output row is the window of the rows "
        "before it, so the output depends on the order of the rows."
    ),
    "check_fit1d": (
        "1-D input is one univariate series (n_timesteps,), a documented and "
        "tested input form, not a mistaken sample vector."
    ),
    "check_fit2d_predict1d": (
        "1-D input is one univariate series (n_timesteps,), accepted on purpose."
    ),
    "check_methods_subset_invariance": (
        "check is not applicable: a row transformed alone has no history, so "
        "its window is padding, unlike the same row transformed in its series."
    ),
}


def _root_buffer(arr):
    """The last ndarray of ``arr``'s ``.base`` chain: the one owning the memory.

    ``as_strided`` (under ``sliding_window_view``) links through a helper
    object that is not an ndarray but has a ``base`` too.
    """
    root, obj = arr, arr.base
    while obj is not None:
        if isinstance(obj, np.ndarray):
            root = obj
        obj = getattr(obj, "base", None)
    return root


def _reference_windows(X, window_size, pad_row):
    """Row t: rows t-window_size+1..t of X, missing rows replaced by pad_row."""
    n_rows, n_features = X.shape
    out = np.empty((n_rows, window_size, n_features))
    for t in range(n_rows):
        for k in range(window_size):
            src = t - window_size + 1 + k
            out[t, k] = X[src] if src >= 0 else pad_row
    return out


# --------------------------------------------------------------------------
# make_forecasting_data


def test_forecasting_exact_windows_on_arange():
    series = np.arange(20.0)
    X, y = make_forecasting_data(series, window_size=4)
    assert X.shape == (16, 4, 1)
    assert y.shape == (16,)
    for i in range(16):
        np.testing.assert_array_equal(X[i, :, 0], np.arange(i, i + 4))
        assert y[i] == i + 4


def test_forecasting_target_comes_after_window():
    series = np.arange(50.0)
    X, y = make_forecasting_data(series, window_size=7, horizon=3, step=2)
    # every target step is later than every step of its window
    assert np.all(y.min(axis=1) > X[:, :, 0].max(axis=1))
    np.testing.assert_array_equal(y[:, 0], X[:, -1, 0] + 1)


def test_forecasting_multivariate_horizon_1():
    series = np.arange(30.0).reshape(15, 2)
    X, y = make_forecasting_data(series, window_size=3)
    assert X.shape == (12, 3, 2)
    assert y.shape == (12, 2)
    for i in range(12):
        np.testing.assert_array_equal(X[i], series[i : i + 3])
        np.testing.assert_array_equal(y[i], series[i + 3])


def test_forecasting_horizon_3_single_target():
    series = np.arange(20.0)
    X, y = make_forecasting_data(series, window_size=5, horizon=3)
    assert X.shape == (13, 5, 1)
    assert y.shape == (13, 3)
    for i in range(13):
        np.testing.assert_array_equal(y[i], np.arange(i + 5, i + 8))


def test_forecasting_horizon_3_several_targets():
    series = np.arange(40.0).reshape(20, 2)
    X, y = make_forecasting_data(series, window_size=4, horizon=3)
    assert X.shape == (14, 4, 2)
    assert y.shape == (14, 3, 2)
    for i in range(14):
        np.testing.assert_array_equal(y[i], series[i + 4 : i + 7])


@pytest.mark.parametrize("step", [2, 3, 7])
def test_forecasting_step(step):
    series = np.arange(30.0)
    X, y = make_forecasting_data(series, window_size=5, horizon=2, step=step)
    n_windows = (30 - 5 - 2) // step + 1
    assert X.shape == (n_windows, 5, 1)
    assert y.shape == (n_windows, 2)
    for i in range(n_windows):
        start = i * step
        np.testing.assert_array_equal(X[i, :, 0], np.arange(start, start + 5))
        np.testing.assert_array_equal(y[i], [start + 5, start + 6])


def test_forecasting_dataframe_target_with_exogenous_columns():
    index = pd.date_range("2024-01-01", periods=12, freq="h")
    df = pd.DataFrame(
        {
            "load": np.arange(12.0),
            "temp": 100 + np.arange(12.0),
            "hour": index.hour.to_numpy(),
        },
        index=index,
    )
    X, y = make_forecasting_data(df, window_size=3, horizon=2, target="load")
    assert X.shape == (8, 3, 3)  # exogenous columns stay in X
    assert y.shape == (8, 2)
    np.testing.assert_array_equal(X[0], df.to_numpy(dtype=float)[:3])
    np.testing.assert_array_equal(y[0], [3.0, 4.0])
    np.testing.assert_array_equal(y[-1], [10.0, 11.0])

    X, y = make_forecasting_data(df, window_size=3, target=["temp", "load"])
    assert y.shape == (9, 2)
    np.testing.assert_array_equal(y[0], [103.0, 3.0])

    _, y = make_forecasting_data(df, window_size=3, target=["load"])
    assert y.shape == (9, 1)  # a list keeps the target axis


def test_forecasting_array_target_index():
    series = np.arange(30.0).reshape(10, 3)
    _, y = make_forecasting_data(series, window_size=2, target=2)
    np.testing.assert_array_equal(y, series[2:, 2])
    _, y_neg = make_forecasting_data(series, window_size=2, target=-1)
    np.testing.assert_array_equal(y_neg, y)
    _, y_two = make_forecasting_data(series, window_size=2, horizon=2, target=[0, 2])
    assert y_two.shape == (7, 2, 2)
    np.testing.assert_array_equal(y_two[0], series[2:4][:, [0, 2]])


def test_forecasting_pandas_series_with_datetime_index():
    index = pd.date_range("2000-01-01", periods=24, freq="MS")
    series = pd.Series(np.arange(24.0), index=index, name="sales")
    X, y = make_forecasting_data(series, window_size=12)
    assert X.shape == (12, 12, 1)
    np.testing.assert_array_equal(y, np.arange(12.0, 24.0))
    _, y_named = make_forecasting_data(series, window_size=12, target="sales")
    np.testing.assert_array_equal(y_named, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forecasting_zero_copy_on_float_arrays(dtype):
    series = np.arange(100, dtype=dtype).reshape(50, 2)
    X, y = make_forecasting_data(series, window_size=10, horizon=2, step=3)
    assert X.dtype == dtype and y.dtype == dtype
    assert np.shares_memory(X, series)
    assert not X.flags.writeable
    assert not np.shares_memory(y, series)  # y is a small owned copy
    univariate = np.arange(50, dtype=dtype)
    X1, _ = make_forecasting_data(univariate, window_size=10)
    assert np.shares_memory(X1, univariate)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float16, np.uint8, bool])
def test_forecasting_other_numeric_becomes_float32(dtype):
    series = (np.arange(20) % 2).astype(dtype)
    X, y = make_forecasting_data(series, window_size=3)
    assert X.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(
        X[:, :, 0], np.stack([series[i : i + 3] for i in range(17)])
    )


def test_forecasting_mixed_dtype_dataframe():
    df = pd.DataFrame({"a": np.arange(10), "b": np.arange(10.0) / 2})
    X, y = make_forecasting_data(df, window_size=2, target="b")
    assert X.dtype == np.float32
    np.testing.assert_array_equal(X[3], [[3, 1.5], [4, 2.0]])
    np.testing.assert_array_equal(y, np.arange(2, 10) / 2)


def test_forecasting_does_not_copy_a_long_series():
    series = np.random.default_rng(0).standard_normal(200_000)
    tracemalloc.start()
    try:
        X, y = make_forecasting_data(series, window_size=256)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert X.shape == (200_000 - 256, 256, 1)
    assert X.nbytes > 400e6  # what materialized windows would take
    # y (one value per window) and a boolean finiteness mask are all it allocates
    assert peak < 3 * series.nbytes
    assert np.shares_memory(X, series)


def test_forecasting_leaves_input_unchanged():
    df = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10) * 2})
    df_before = df.copy()
    arr = np.arange(30.0).reshape(15, 2)
    arr_before = arr.copy()
    make_forecasting_data(df, window_size=3, target="a")
    make_forecasting_data(arr, window_size=3, horizon=2, step=2, target=[1])
    pd.testing.assert_frame_equal(df, df_before)
    np.testing.assert_array_equal(arr, arr_before)
    assert arr.flags.writeable


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"window_size": 0}, ValueError, "window_size must be an int >= 1"),
        ({"window_size": -3}, ValueError, "window_size must be an int >= 1"),
        ({"window_size": 2.5}, TypeError, "window_size must be an int"),
        ({"window_size": True}, TypeError, "window_size must be an int"),
        ({"window_size": 3, "horizon": 0}, ValueError, "horizon must be an int"),
        ({"window_size": 3, "horizon": 1.0}, TypeError, "horizon must be an int"),
        ({"window_size": 3, "step": 0}, ValueError, "step must be an int >= 1"),
        ({"window_size": 3, "step": -1}, ValueError, "step must be an int >= 1"),
        ({"window_size": 3, "step": "2"}, TypeError, "step must be an int"),
        ({"window_size": 10}, ValueError, r"window_size \+ horizon \(10 \+ 1\)"),
        ({"window_size": 8, "horizon": 3}, ValueError, "must not exceed"),
        ({"window_size": 3, "target": 5}, ValueError, "target column 5 is out"),
        ({"window_size": 3, "target": "a"}, TypeError, "int column index"),
        ({"window_size": 3, "target": []}, ValueError, "empty"),
    ],
)
def test_forecasting_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_forecasting_data(np.arange(10.0), **kwargs)


@pytest.mark.parametrize(
    "series, kwargs, error, match",
    [
        (np.array([1.0, np.nan, 3.0, 4.0]), {}, ValueError, "NaN or infinity.*row 1"),
        (np.array([1.0, 2.0, np.inf, 4.0]), {}, ValueError, "NaN or infinity.*row 2"),
        (np.zeros((4, 2, 2)), {}, ValueError, "series must be 1-D.*3-D"),
        (np.array(5.0), {}, ValueError, "series must be 1-D.*0-D"),
        (np.array(["a", "b", "c", "d"]), {}, TypeError, "real numbers"),
        (np.arange(4) + 1j, {}, TypeError, "real numbers"),
        (
            pd.DataFrame({"x": [1.0, 2, 3, 4], "s": list("abcd")}),
            {},
            TypeError,
            r"columns \['s'\] have non-numeric",
        ),
        (
            pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [0.0, 1, 2, 3]}),
            {"target": "z"},
            ValueError,
            "target 'z' is not a column of series",
        ),
        (
            pd.Series([1.0, 2, 3, 4], name="y"),
            {"target": "x"},
            ValueError,
            "target 'x' is unknown",
        ),
        (
            pd.DataFrame([[1.0, 2.0]] * 4, columns=["a", "a"]),
            {"target": "a"},
            ValueError,
            "names 2 columns",
        ),
        (pd.Series([1.0, None, 3, 4]), {}, ValueError, "NaN or infinity"),
        (np.empty((4, 0)), {}, ValueError, "no columns"),
    ],
)
def test_forecasting_bad_series(series, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_forecasting_data(series, 2, **kwargs)


# -- future-known covariates ---------------------------------------------------


def test_forecasting_future_covariates_layout():
    # the target, one past-only covariate and one future-known covariate
    series = np.column_stack([np.arange(8.0), 100 + np.arange(8.0)])
    future = 10 * np.arange(8.0)
    X, y = make_forecasting_data(
        series, 3, horizon=2, target=0, future_covariates=future
    )
    assert X.shape == (4, 5, 4) and y.shape == (4, 2)
    for i in range(4):
        past, ahead = slice(i, i + 3), slice(i + 3, i + 5)
        np.testing.assert_array_equal(X[i, :3, :2], series[past])
        np.testing.assert_array_equal(X[i, 3:, :2], 0)  # unknown: masked
        np.testing.assert_array_equal(X[i, :, 2], future[i : i + 5])
        np.testing.assert_array_equal(X[i, :, 3], [0, 0, 0, 1, 1])  # the flag
        np.testing.assert_array_equal(y[i], series[ahead, 0])


def test_forecasting_future_covariates_step_dataframe_and_dtype():
    df = pd.DataFrame({"load": np.arange(10, dtype=np.float32)})
    calendar = pd.DataFrame(
        {"weekend": np.arange(10) % 7 >= 5, "hour": np.arange(10) % 24}
    )
    X, y = make_forecasting_data(
        df, 4, horizon=3, step=2, target="load", future_covariates=calendar
    )
    assert X.shape == (2, 7, 4) and X.dtype == np.float32
    np.testing.assert_array_equal(X[1, :, 1], [0, 0, 0, 1, 1, 0, 0])  # rows 5, 6
    np.testing.assert_array_equal(X[1, :, 2], np.arange(2, 9))
    np.testing.assert_array_equal(y, [[4, 5, 6], [6, 7, 8]])


def test_forecasting_future_covariates_leave_inputs_unchanged():
    series, future = np.arange(10.0), np.ones((10, 2))
    before = series.copy(), future.copy()
    X, _ = make_forecasting_data(series, 3, horizon=2, future_covariates=future)
    X[:] = -1  # the windows are a new array: writing to them is harmless
    np.testing.assert_array_equal(series, before[0])
    np.testing.assert_array_equal(future, before[1])


@pytest.mark.parametrize(
    "future, match",
    [
        (np.ones(9), "has 9 rows but must have 10.*shorter than the series"),
        (np.ones(11), "has 11 rows but must have 10.*Cut them"),
        (np.r_[np.ones(6), np.nan, np.ones(3)], "NaN or infinity \\(first at row 6"),
        (np.ones((10, 2, 1)), "future_covariates must be 1-D.*3-D"),
        (pd.DataFrame({"day": list("abcdefghij")}), "non-numeric"),
    ],
)
def test_forecasting_bad_future_covariates(future, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make_forecasting_data(np.arange(10.0), 3, horizon=2, future_covariates=future)


def test_forecasting_horizon_longer_than_data_with_covariates():
    with pytest.raises(ValueError, match="must not exceed the length of series"):
        make_forecasting_data(
            np.arange(5.0), 3, horizon=4, future_covariates=np.ones(5)
        )


@st.composite
def _forecasting_cases(draw):
    n_rows = draw(st.integers(2, 120))
    n_features = draw(st.integers(1, 3))
    window_size = draw(st.integers(1, n_rows - 1))
    horizon = draw(st.integers(1, n_rows - window_size))
    step = draw(st.integers(1, 12))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    return n_rows, n_features, window_size, horizon, step, dtype


@settings(max_examples=150, deadline=None)
@given(_forecasting_cases())
def test_forecasting_property_windows_are_slices(case):
    n_rows, n_features, window_size, horizon, step, dtype = case
    series = np.random.default_rng(n_rows).standard_normal((n_rows, n_features))
    series = series.astype(dtype)
    X, y = make_forecasting_data(series, window_size, horizon, step=step)
    n_windows = (n_rows - window_size - horizon) // step + 1
    assert X.shape == (n_windows, window_size, n_features)
    expected_y_shape = (n_windows,) + ((horizon,) if horizon > 1 else ())
    expected_y_shape += (n_features,) if n_features > 1 else ()
    assert y.shape == expected_y_shape
    assert np.shares_memory(X, series)
    y3 = y.reshape(n_windows, horizon, n_features)
    for i in range(n_windows):
        start = i * step
        np.testing.assert_array_equal(X[i], series[start : start + window_size])
        after = series[start + window_size : start + window_size + horizon]
        np.testing.assert_array_equal(y3[i], after)


@settings(max_examples=60, deadline=None)
@given(
    n_rows=st.integers(3, 60),
    data=st.data(),
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
)
def test_forecasting_property_nan_anywhere_raises(n_rows, data, bad):
    series = np.arange(n_rows * 2, dtype=float).reshape(n_rows, 2)
    row = data.draw(st.integers(0, n_rows - 1))
    col = data.draw(st.integers(0, 1))
    series[row, col] = bad
    with pytest.raises(ValueError, match=f"NaN or infinity \\(first at row {row}\\)"):
        make_forecasting_data(series, 1, step=data.draw(st.integers(1, 5)))


# -- make_forecasting_data: random and bad inputs --------------------------------------


@st.composite
def series_arrays(draw, dtypes=DTYPES, min_rows=1, max_rows=30):
    dtype = draw(st.sampled_from(dtypes))
    n_rows = draw(st.integers(min_rows, max_rows))
    n_cols = draw(st.integers(1, 3))
    one_d = n_cols == 1 and draw(st.booleans())
    shape = (n_rows,) if one_d else (n_rows, n_cols)
    return draw(hnp.arrays(dtype, shape, elements=finite_elements(dtype)))


def as_float_2d(series):
    values = np.asarray(series)
    if values.dtype not in (np.float32, np.float64):
        values = values.astype(np.float32)
    return values.reshape(len(values), -1)


@FAST
@given(
    series=series_arrays(),
    window_size=st.integers(1, 12),
    horizon=st.integers(1, 4),
    step=st.integers(1, 4),
)
def test_make_forecasting_data_windows_and_targets(series, window_size, horizon, step):
    series_copy = copy_input(series)
    n_rows = len(series)
    if window_size + horizon > n_rows:
        with pytest.raises(ValueError, match="window_size"):
            make_forecasting_data(series, window_size, horizon, step=step)
        assert_unchanged(series, series_copy)
        return
    X, y = make_forecasting_data(series, window_size, horizon, step=step)
    values = as_float_2d(series)
    n_cols = values.shape[1]
    n_windows = (n_rows - window_size - horizon) // step + 1
    assert X.shape == (n_windows, window_size, n_cols)
    assert X.dtype == values.dtype and y.dtype == values.dtype
    single = n_cols == 1
    expected_y_shape = (n_windows,) + ((horizon,) if horizon > 1 else ())
    expected_y_shape += () if single else (n_cols,)
    assert y.shape == expected_y_shape
    for i in range(n_windows):
        start = i * step
        np.testing.assert_array_equal(X[i], values[start : start + window_size])
        future = values[start + window_size : start + window_size + horizon]
        if horizon == 1:
            future = future[0]
        if single:
            future = future[..., 0]
        np.testing.assert_array_equal(y[i], future)
    assert_unchanged(series, series_copy)


@FAST
@given(data=st.data(), series=series_arrays(dtypes=FLOAT_DTYPES, min_rows=2))
def test_make_forecasting_data_rejects_nan_and_inf(data, series):
    series = data.draw(with_nonfinite(series))
    window_size = data.draw(st.integers(1, len(series) - 1))
    series_copy = copy_input(series)
    with pytest.raises(ValueError, match="NaN or infinity") as excinfo:
        make_forecasting_data(series, window_size)
    assert_names(excinfo, "series")
    assert_unchanged(series, series_copy)


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        ({"window_size": 0}, ValueError, "window_size"),
        ({"window_size": -3}, ValueError, "window_size"),
        ({"window_size": 2.0}, TypeError, "window_size"),
        ({"window_size": True}, TypeError, "window_size"),
        ({"window_size": "3"}, TypeError, "window_size"),
        ({"window_size": None}, TypeError, "window_size"),
        ({"window_size": 10}, ValueError, "window_size"),
        ({"window_size": 50}, ValueError, "window_size"),
        ({"window_size": 2, "horizon": 0}, ValueError, "horizon"),
        ({"window_size": 2, "horizon": 1.5}, TypeError, "horizon"),
        ({"window_size": 2, "step": 0}, ValueError, "step"),
        ({"window_size": 2, "step": np.float64(1)}, TypeError, "step"),
        ({"window_size": 2, "target": 5}, ValueError, "target"),
        ({"window_size": 2, "target": "a"}, TypeError, "target"),
        ({"window_size": 2, "target": []}, ValueError, "target"),
    ],
)
def test_make_forecasting_data_bad_parameters(kwargs, exc, name):
    series = np.arange(10.0)
    with pytest.raises(exc) as excinfo:
        make_forecasting_data(series, **kwargs)
    assert_names(excinfo, name)
    np.testing.assert_array_equal(series, np.arange(10.0))


@pytest.mark.parametrize(
    "series, exc",
    [
        (np.arange(6).astype(complex), TypeError),
        (np.array(list("abcdef")), TypeError),
        (np.array(list("abcdef"), dtype=object), TypeError),
        (np.arange(6).astype("datetime64[D]"), TypeError),
        (pd.DataFrame({"a": list("abcdef"), "b": range(6)}), TypeError),
        (np.ones((6, 2, 2)), ValueError),
        (np.float64(3.0), ValueError),
        (None, ValueError),
        (np.array([]), ValueError),
        (np.ones((6, 0)), ValueError),
        (pd.DataFrame({"a": [1.0, None, 3, 4, 5, 6]}), ValueError),
        (
            pd.DataFrame({"a": pd.array([1, None, 3, 4, 5, 6], dtype="Int64")}),
            ValueError,
        ),
        pytest.param(
            [[1.0, 2.0], [3.0]],
            ValueError,
        ),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, type) else v.__name__,
)
def test_make_forecasting_data_bad_series(series, exc):
    with pytest.raises(exc) as excinfo:
        make_forecasting_data(series, 1)
    assert_names(excinfo, "series")


# --------------------------------------------------------------------------
# SlidingWindowTransformer


@parametrize_with_checks(
    [SlidingWindowTransformer(), SlidingWindowTransformer(3, padding="constant")],
    expected_failed_checks=lambda est: WINDOW_EXPECTED_FAILED_CHECKS,
    xfail_strict=True,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_transformer_exact_windows_edge_padding():
    X = np.arange(6.0).reshape(-1, 1)
    Xt = SlidingWindowTransformer(window_size=3).fit_transform(X)
    expected = [[0, 0, 0], [0, 0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
    np.testing.assert_array_equal(Xt[:, :, 0], expected)
    assert Xt.dtype == np.float32
    assert not Xt.flags.writeable


@pytest.mark.parametrize(
    "params, pad_row",
    [
        ({"padding": "edge"}, "first"),
        ({"padding": "constant"}, [0.0, 0.0]),
        ({"padding": "constant", "fill_value": -7.5}, [-7.5, -7.5]),
        ({"padding": "nan"}, [np.nan, np.nan]),
    ],
)
def test_transformer_padding_modes(params, pad_row):
    X = np.arange(1.0, 21.0).reshape(10, 2)
    pad = X[0] if pad_row == "first" else np.asarray(pad_row)
    Xt = SlidingWindowTransformer(window_size=4, **params).fit_transform(X)
    assert Xt.shape == (10, 4, 2)
    np.testing.assert_array_equal(Xt, _reference_windows(X, 4, pad))
    # row t has exactly window_size - 1 - t padding rows in front
    for t in range(3):
        np.testing.assert_array_equal(Xt[t, : 3 - t], np.broadcast_to(pad, (3 - t, 2)))


def test_transformer_window_larger_than_series():
    X = np.array([[1.0], [2.0]])
    Xt = SlidingWindowTransformer(window_size=5).fit_transform(X)
    assert Xt.shape == (2, 5, 1)
    np.testing.assert_array_equal(Xt[:, :, 0], [[1, 1, 1, 1, 1], [1, 1, 1, 1, 2]])


def test_transformer_window_size_one_is_identity():
    X = np.random.default_rng(0).standard_normal((7, 3))
    Xt = SlidingWindowTransformer(window_size=1).fit_transform(X)
    np.testing.assert_allclose(Xt[:, 0, :], X.astype(np.float32))


def test_transformer_is_a_view_on_one_padded_copy():
    n_rows, window_size, n_features = 1000, 50, 3
    X = np.random.default_rng(0).standard_normal((n_rows, n_features))
    Xt = SlidingWindowTransformer(window_size).fit_transform(X)
    buffer = _root_buffer(Xt)
    assert buffer.shape == (n_rows + window_size - 1, n_features)
    assert buffer.dtype == np.float32
    assert np.shares_memory(Xt, buffer)
    assert Xt.nbytes == n_rows * window_size * n_features * 4
    assert buffer.nbytes * 40 < Xt.nbytes


def test_transformer_allocates_no_windows():
    X = np.random.default_rng(0).standard_normal((100_000, 2)).astype(np.float32)
    transformer = SlidingWindowTransformer(window_size=64).fit(X)
    tracemalloc.start()
    try:
        Xt = transformer.transform(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert Xt.nbytes == 100_000 * 64 * 2 * 4
    assert peak < 2 * X.nbytes  # the padded copy of the series, nothing more


@settings(max_examples=100, deadline=None)
@given(
    n_rows=st.integers(1, 40),
    n_features=st.integers(1, 3),
    window_size=st.integers(1, 50),
    padding=st.sampled_from(["edge", "constant", "nan"]),
)
def test_transformer_property_no_look_ahead(n_rows, n_features, window_size, padding):
    X = np.random.default_rng(n_rows).standard_normal((n_rows, n_features))
    X = X.astype(np.float32)
    Xt = SlidingWindowTransformer(
        window_size, padding=padding, fill_value=3.0
    ).fit_transform(X)
    assert Xt.shape == (n_rows, window_size, n_features)
    for t in range(n_rows):
        real = min(t + 1, window_size)  # how many steps of true history
        # the window ends at row t and holds only rows <= t, in order
        np.testing.assert_array_equal(
            Xt[t, window_size - real :], X[t + 1 - real : t + 1]
        )
        pad = Xt[t, : window_size - real]
        if padding == "edge":
            np.testing.assert_array_equal(pad, np.broadcast_to(X[0], pad.shape))
        elif padding == "constant":
            assert np.all(pad == 3.0)
        else:
            assert np.all(np.isnan(pad))


def test_transformer_dataframe_with_datetime_index():
    index = pd.date_range("2024-01-01", periods=8, freq="D")
    df = pd.DataFrame(
        {"load": np.arange(8.0), "temp": np.arange(8.0) * 10}, index=index
    )
    transformer = SlidingWindowTransformer(window_size=2).fit(df)
    assert transformer.n_features_in_ == 2
    np.testing.assert_array_equal(transformer.feature_names_in_, ["load", "temp"])
    Xt = transformer.transform(df)
    np.testing.assert_array_equal(Xt[3], [[2.0, 20.0], [3.0, 30.0]])
    with pytest.raises(ValueError, match="feature names should match"):
        transformer.transform(df[["temp", "load"]])


def test_transformer_int_input_and_input_unchanged():
    X = np.arange(12).reshape(6, 2)
    before = X.copy()
    Xt = SlidingWindowTransformer(window_size=2, padding="constant").fit_transform(X)
    assert Xt.dtype == np.float32
    np.testing.assert_array_equal(Xt[0], [[0, 0], [0, 1]])
    np.testing.assert_array_equal(X, before)

    Xf = np.arange(12.0, dtype=np.float32).reshape(6, 2)
    Xt = SlidingWindowTransformer(window_size=3).fit_transform(Xf)
    assert not np.shares_memory(Xt, Xf)
    np.testing.assert_array_equal(Xf, np.arange(12.0).reshape(6, 2))


def test_transformer_reads_1d_input_as_one_univariate_series():
    series = np.arange(5.0)
    expected = SlidingWindowTransformer(3).fit_transform(series.reshape(-1, 1))
    np.testing.assert_array_equal(
        SlidingWindowTransformer(3).fit_transform(series), expected
    )
    named = pd.Series(series, name="load")
    transformer = SlidingWindowTransformer(3).fit(named)
    assert list(transformer.feature_names_in_) == ["load"]
    np.testing.assert_array_equal(transformer.transform(named), expected)


def test_transformer_rejects_3d_input_and_other_widths():
    transformer = SlidingWindowTransformer(window_size=2)
    with pytest.raises(ValueError, match="got a 3-D array of shape"):
        transformer.fit(np.zeros((4, 3, 2)))
    transformer.fit(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="got a 3-D array"):
        transformer.transform(np.zeros((4, 3, 2)))
    with pytest.raises(ValueError, match="expecting 2 features"):
        transformer.transform(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="expecting 2 features"):
        transformer.transform(np.zeros(4))


def test_transformer_rejects_nan_input():
    with pytest.raises(ValueError, match="NaN"):
        SlidingWindowTransformer(2).fit(np.array([[1.0], [np.nan]]))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"window_size": 0}, "'window_size' parameter"),
        ({"window_size": 2.0}, "'window_size' parameter"),
        ({"padding": "reflect"}, "'padding' parameter"),
        ({"fill_value": "zero"}, "'fill_value' parameter"),
    ],
)
def test_transformer_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        SlidingWindowTransformer(**params).fit(np.zeros((3, 1)))


def test_transformer_unfitted_transform_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SlidingWindowTransformer().transform(np.zeros((3, 1)))


def test_transformer_in_pipeline_with_time_series_split():
    # y[t] depends on rows t and t-1 only; with rows misaligned (or a window
    # not ending at its row) a linear model could not recover it
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 2))
    y = 3 * X[:, 0] + np.concatenate([[X[0, 0]], X[:-1, 0]]) - X[:, 1]
    model = make_pipeline(
        SlidingWindowTransformer(window_size=4),
        FunctionTransformer(lambda W: W.reshape(len(W), -1)),
        Ridge(alpha=1e-6),
    )
    scores = cross_val_score(model, X, y, cv=TimeSeriesSplit(n_splits=3))
    assert scores.shape == (3,)
    # only the first row of each test fold lacks its true history
    assert np.all(scores > 0.95)
    model.fit(X, y)
    np.testing.assert_allclose(model.predict(X), y, atol=1e-3)


# -- set_output ------------------------------------------------------------------


def test_set_output_pandas_gives_a_univariate_series_one_column_per_step():
    series = pd.Series(np.arange(6.0), name="y")
    windower = SlidingWindowTransformer(3).set_output(transform="pandas")
    out = windower.fit_transform(series)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["y_t-2", "y_t-1", "y_t"]
    np.testing.assert_array_equal(
        out.to_numpy(), SlidingWindowTransformer(3).fit_transform(series)[:, :, 0]
    )
    assert list(windower.get_feature_names_out()) == ["y_t-2", "y_t-1", "y_t"]


def test_set_output_pandas_in_a_pipeline_with_an_estimator():
    series = pd.DataFrame({"v": np.sin(np.arange(40.0))})
    target = np.cos(np.arange(40.0))
    from sksequence import GRURegressor

    pipe = make_pipeline(
        SlidingWindowTransformer(4),
        GRURegressor(hidden_size=2, max_epochs=1, random_state=0),
    ).set_output(transform="pandas")
    assert pipe.fit(series, target).predict(series).shape == (40,)


def test_set_output_pandas_refuses_windows_of_several_features_clearly():
    windower = SlidingWindowTransformer(3).set_output(transform="pandas")
    with pytest.raises(ValueError, match="3-D .* DataFrame cannot hold"):
        windower.fit_transform(np.ones((5, 2)))
    with pytest.raises(ValueError, match="no 2-D column names"):
        windower.get_feature_names_out()
    assert windower.set_output(transform="default").transform(np.ones((5, 2))).ndim == 3


# -- a list of series (a panel): the windows of each, concatenated -----------


def test_forecasting_list_of_series_concatenates_each_series_windows():
    short, long_ = np.arange(6.0), 100 + np.arange(9.0).reshape(-1, 1)
    X, y, groups = make_forecasting_data(
        [short, long_], window_size=3, horizon=2, return_groups=True
    )
    X0, y0 = make_forecasting_data(short, window_size=3, horizon=2)
    X1, y1 = make_forecasting_data(long_, window_size=3, horizon=2)
    np.testing.assert_array_equal(X, np.concatenate([X0, X1]))
    np.testing.assert_array_equal(y, np.concatenate([y0, y1]))
    np.testing.assert_array_equal(groups, [0] * len(X0) + [1] * len(X1))
    # no window mixes the two series: each holds values of one only
    assert ((X[:, :, 0] >= 100).all(axis=1) | (X[:, :, 0] < 100).all(axis=1)).all()


def test_forecasting_list_with_step_target_and_future_covariates():
    frames = [
        pd.DataFrame({"load": np.arange(n, dtype=float), "temp": np.ones(n)})
        for n in (7, 10)
    ]
    future = [np.arange(7.0), np.arange(10.0)]
    X, y, groups = make_forecasting_data(
        frames,
        window_size=2,
        horizon=2,
        target="load",
        step=2,
        future_covariates=future,
        return_groups=True,
    )
    for g, (frame, fut) in enumerate(zip(frames, future)):
        Xg, yg = make_forecasting_data(
            frame, 2, 2, target="load", step=2, future_covariates=fut
        )
        np.testing.assert_array_equal(X[groups == g], Xg)
        np.testing.assert_array_equal(y[groups == g], yg)


def test_forecasting_return_groups_on_one_series_and_lists_of_numbers():
    X, y, groups = make_forecasting_data(np.arange(6.0), 2, return_groups=True)
    np.testing.assert_array_equal(groups, np.zeros(4))
    # a list of numbers (or of lists) is still one series, as before
    X_list, _ = make_forecasting_data([0.0, 1, 2, 3, 4, 5], 2)
    np.testing.assert_array_equal(X_list, X)
    X_nested, _ = make_forecasting_data([[0.0, 1], [2, 3], [4, 5]], 2)
    assert X_nested.shape == (1, 2, 2)


@pytest.mark.parametrize(
    "series, kwargs, match",
    [
        ([], {}, "series is an empty list"),
        ([np.arange(10.0), np.arange(3.0)], {}, r"length of series\[1\] \(3 time"),
        (
            [np.arange(10.0), np.ones((10, 2))],
            {},
            r"series\[1\] gives windows of 2 features, series\[0\] of 1",
        ),
        ([np.arange(10.0), np.array([1.0, np.nan, 3, 4, 5])], {}, r"series\[1\] co"),
        (
            [np.arange(10.0), np.arange(10.0)],
            {"future_covariates": np.arange(10.0)},
            "future_covariates must be a list of as many",
        ),
        (
            [np.arange(10.0), np.arange(10.0)],
            {"future_covariates": [np.arange(10.0)]},
            "got list of 1",
        ),
        ([np.arange(10.0), np.array(["a"] * 10)], {}, r"series\[1\] must hold real"),
    ],
)
def test_forecasting_bad_lists_of_series(series, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make_forecasting_data(series, 3, **kwargs)


# -- SlidingWindowTransformer: random and bad inputs -----------------------------------


@FAST
@given(
    series=series_arrays(max_rows=20),
    window_size=st.integers(1, 12),
    padding=st.sampled_from(["edge", "constant", "nan"]),
    fill_value=st.floats(-1e3, 1e3),
)
def test_sliding_window_transformer_windows(series, window_size, padding, fill_value):
    series_copy = copy_input(series)
    swt = SlidingWindowTransformer(window_size, padding=padding, fill_value=fill_value)
    out = swt.fit_transform(series)
    values = np.asarray(series, dtype=np.float32).reshape(len(series), -1)
    n_rows, n_cols = values.shape
    assert out.shape == (n_rows, window_size, n_cols)
    assert out.dtype == np.float32
    pad = {"edge": values[:1], "constant": [[fill_value]], "nan": [[np.nan]]}[padding]
    front = np.broadcast_to(
        np.asarray(pad, dtype=np.float32), (window_size - 1, n_cols)
    )
    padded = np.concatenate([front, values])
    for t in range(n_rows):
        np.testing.assert_array_equal(out[t], padded[t : t + window_size])
    np.testing.assert_array_equal(swt.transform(series), out)
    assert_unchanged(series, series_copy)


@FAST
@given(
    data=st.data(),
    series=series_arrays(dtypes=FLOAT_DTYPES, max_rows=20),
    window_size=st.integers(1, 12),
    padding=st.sampled_from(["edge", "constant", "nan"]),
)
def test_sliding_window_transformer_rejects_nan_and_inf(
    data, series, window_size, padding
):
    bad = data.draw(with_nonfinite(series))
    bad_copy = copy_input(bad)
    swt = SlidingWindowTransformer(window_size, padding=padding)
    with pytest.raises(ValueError, match="NaN|infinity") as excinfo:
        swt.fit(bad)
    assert_names(excinfo, "X")
    swt.fit(series)
    with pytest.raises(ValueError, match="NaN|infinity"):
        swt.transform(bad)
    assert_unchanged(bad, bad_copy)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"window_size": 0}, "window_size"),
        ({"window_size": 2.0}, "window_size"),
        ({"window_size": "2"}, "window_size"),
        ({"padding": "zeros"}, "padding"),
        ({"padding": "constant", "fill_value": "0"}, "fill_value"),
        pytest.param(
            {"window_size": True},
            "window_size",
        ),
    ],
)
def test_sliding_window_transformer_bad_parameters(params, name):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        SlidingWindowTransformer(**params).fit_transform(np.ones((5, 1)))
    assert_names(excinfo, name)


@pytest.mark.parametrize(
    "X",
    [
        np.ones((5, 2, 2)),
        np.ones((5, 2, 2)).tolist(),
        np.array([["a"], ["b"]], dtype=object),
        np.ones((5, 1), dtype=complex),
        np.ones((0, 1)),
    ],
    ids=["3-D", "3-D list", "strings", "complex", "empty"],
)
def test_sliding_window_transformer_bad_input(X):
    with pytest.raises(ValueError):
        SlidingWindowTransformer(2).fit(X)


def test_sliding_window_transformer_feature_mismatch_and_not_fitted():
    with pytest.raises(NotFittedError):
        SlidingWindowTransformer(2).transform(np.ones((5, 2)))
    swt = SlidingWindowTransformer(2).fit(np.ones((5, 2)))
    with pytest.raises(ValueError, match="features"):
        swt.transform(np.ones((5, 3)))


def test_sliding_window_transformer_overflow_is_rejected():
    with np.errstate(over="ignore"), pytest.raises(ValueError, match="X"):
        SlidingWindowTransformer(2).fit_transform(np.full((5, 1), 1e300))
