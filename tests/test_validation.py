"""Tests of the validation layer and of bad-input handling everywhere.

Property-based tests (hypothesis) drive :func:`check_sequences` and
:func:`validate_sequences` with random shapes, dtypes, lengths and NaN/inf
patterns (those of :func:`make_forecasting_data` and
:class:`SlidingWindowTransformer` are in ``test_windowing.py``). Example tests
feed every public estimator the bad inputs of the reliability requirement: each
must raise a ``ValueError``/``TypeError``/``NotFittedError`` whose message names
the offending argument, never a torch or skorch error, and never modify the
caller's arrays.
"""

import functools
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from shared_settings import (
    CLASSIFIERS,
    DTYPES,
    FLOAT_DTYPES,
    REGRESSORS,
    TINY_BAD_INPUT,
    assert_names,
    assert_unchanged,
    copy_input,
    finite_elements,
    with_nonfinite,
)
from sklearn.exceptions import NotFittedError

from sksequence import SequenceScaler
from sksequence._validation import InputSpec, check_sequences, validate_sequences

# the six public estimators, listed once in shared_settings
RNNRegressor, LSTMRegressor, GRURegressor = REGRESSORS
RNNClassifier, LSTMClassifier, GRUClassifier = CLASSIFIERS

pytestmark = pytest.mark.filterwarnings(
    "ignore:invalid value encountered:RuntimeWarning"
)
FAST = settings(max_examples=25, deadline=None)
FIT = settings(max_examples=6, deadline=None)


# -- strategies ---------------------------------------------------------------


@st.composite
def numeric_arrays(draw, ndims=(2, 3), dtypes=DTYPES, max_side=5):
    dtype = draw(st.sampled_from(dtypes))
    ndim = draw(st.sampled_from(ndims))
    shape = draw(
        hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=1, max_side=max_side)
    )
    return draw(hnp.arrays(dtype, shape, elements=finite_elements(dtype)))


@st.composite
def ragged_lists(draw, dtypes=DTYPES, min_n=2, max_n=5):
    """A list (or tuple) of (T_i, F) arrays, at least two lengths differing."""
    n_features = draw(st.integers(1, 3))
    n = draw(st.integers(min_n, max_n))
    lengths = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    assume(len(set(lengths)) > 1)
    one_d = n_features == 1 and draw(st.booleans())
    seqs = []
    for length in lengths:
        dtype = draw(st.sampled_from(dtypes))
        shape = (length,) if one_d else (length, n_features)
        seqs.append(draw(hnp.arrays(dtype, shape, elements=finite_elements(dtype))))
    container = draw(st.sampled_from([list, tuple]))
    return container(seqs)


# -- check_sequences ----------------------------------------------------------


@FAST
@given(X=numeric_arrays())
def test_check_sequences_regular_arrays(X):
    X_copy = copy_input(X)
    out, lengths = check_sequences(X)
    expected = X.astype(np.float32)
    if X.ndim == 2:
        expected = expected[:, :, None]
    assert lengths is None
    assert out.dtype == np.float32
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)
    assert_unchanged(X, X_copy)
    if X.dtype != np.float32:
        assert not np.shares_memory(out, X)


@FAST
@given(X=numeric_arrays(dtypes=[np.float32]))
def test_check_sequences_float32_is_a_view(X):
    out, _ = check_sequences(X)
    assert np.shares_memory(out, X)
    assert out.dtype == np.float32


@FAST
@given(X=numeric_arrays().map(lambda a: a.tolist()))
def test_check_sequences_nested_lists(X):
    out, lengths = check_sequences(X)
    expected = np.asarray(X, dtype=np.float32)
    if expected.ndim == 2:
        expected = expected[:, :, None]
    assert lengths is None
    np.testing.assert_array_equal(out, expected)


@FAST
@given(seqs=ragged_lists())
def test_check_sequences_ragged_pads_with_zeros(seqs):
    seqs_copy = copy_input(seqs)
    out, lengths = check_sequences(seqs)
    n_features = 1 if seqs[0].ndim == 1 else seqs[0].shape[1]
    expected_lengths = [len(s) for s in seqs]
    assert out.dtype == np.float32
    assert out.shape == (len(seqs), max(expected_lengths), n_features)
    assert lengths.dtype == np.int64
    np.testing.assert_array_equal(lengths, expected_lengths)
    for i, seq in enumerate(seqs):
        real = seq.astype(np.float32).reshape(len(seq), n_features)
        np.testing.assert_array_equal(out[i, : len(seq)], real)
        assert not out[i, len(seq) :].any()
    assert_unchanged(seqs, seqs_copy)


@FAST
@given(data=st.data(), X=numeric_arrays(dtypes=FLOAT_DTYPES))
def test_check_sequences_rejects_nan_and_inf(data, X):
    X = data.draw(with_nonfinite(X))
    X_copy = copy_input(X)
    with pytest.raises(ValueError, match="NaN|infinity") as excinfo:
        check_sequences(X)
    assert_names(excinfo, "X")
    assert_unchanged(X, X_copy)


@FAST
@given(data=st.data(), X=numeric_arrays(dtypes=FLOAT_DTYPES))
def test_check_sequences_allow_nan(data, X):
    X = data.draw(with_nonfinite(X, allowed=[np.nan]))
    out, _ = check_sequences(X, allow_nan=True)
    nan = np.isnan(X) if X.ndim == 3 else np.isnan(X)[:, :, None]
    np.testing.assert_array_equal(np.isnan(out), nan)
    X[np.unravel_index(0, X.shape)] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        check_sequences(X, allow_nan=True)


@FAST
@given(data=st.data(), seqs=ragged_lists(dtypes=FLOAT_DTYPES))
def test_check_sequences_ragged_rejects_nan_and_inf_naming_the_member(data, seqs):
    seqs = list(seqs)
    i = data.draw(st.integers(0, len(seqs) - 1))
    seqs[i] = data.draw(with_nonfinite(seqs[i]))
    seqs_copy = copy_input(seqs)
    with pytest.raises(ValueError, match="NaN|infinity") as excinfo:
        check_sequences(seqs)
    assert_names(excinfo, f"X[{i}]")
    assert_unchanged(seqs, seqs_copy)


def test_check_sequences_ragged_allow_nan():
    seqs = [np.array([[1.0], [np.nan]]), np.ones((3, 1))]
    out, lengths = check_sequences(seqs, allow_nan=True)
    assert np.isnan(out[0, 1, 0])


@pytest.mark.parametrize("input_name", ["X", "series", "X_test"])
def test_check_sequences_input_name_in_messages(input_name):
    with pytest.raises(ValueError, match=re.escape(input_name)):
        check_sequences(np.full((2, 3), np.nan), input_name=input_name)
    with pytest.raises(ValueError, match=re.escape(f"{input_name}[1]")):
        check_sequences([np.ones(2), np.array([np.inf])], input_name=input_name)


def test_check_sequences_overflowing_float64_is_rejected():
    # 1e300 is finite in float64 but inf once cast to float32: never silently inf
    with pytest.raises(ValueError, match="too large"), np.errstate(over="ignore"):
        check_sequences(np.full((2, 3), 1e300))


# -- validate_sequences and n_features_in_ --------------------------------------


@st.composite
def sequence_inputs(draw):
    """(form, X, n_features_per_step): a 2-D, 3-D or ragged X of float64."""
    form = draw(st.sampled_from(["2d", "3d", "ragged"]))
    if form == "ragged":
        seqs = draw(ragged_lists(dtypes=[np.float64]))
        n_features = 1 if seqs[0].ndim == 1 else seqs[0].shape[1]
        return form, seqs, n_features
    X = draw(numeric_arrays(ndims=(int(form[0]),), dtypes=[np.float64]))
    return form, X, 1 if form == "2d" else X.shape[2]


@FAST
@given(inputs=sequence_inputs(), data=st.data())
def test_validate_sequences_n_features_in(inputs, data):
    form, X, n_features = inputs
    est = GRURegressor()
    X3, lengths, spec = validate_sequences(est, X, reset=True)
    expected = X.shape[1] if form == "2d" else n_features
    assert est.n_features_in_ == expected
    assert (lengths is None) == (form != "ragged")
    # the same input is accepted at predict time
    validate_sequences(est, X, reset=False, expected=spec)
    # a different number of features per step never is
    other_f = data.draw(st.integers(1, 4).filter(lambda f: f != n_features))
    with pytest.raises(ValueError, match="features"):
        validate_sequences(est, np.zeros((2, 3, other_f)), reset=False, expected=spec)
    if form == "2d":
        other_t = data.draw(st.integers(1, 6).filter(lambda t: t != X.shape[1]))
        with pytest.raises(ValueError, match="features"):
            validate_sequences(est, np.zeros((2, other_t)), reset=False, expected=spec)
    else:
        # 3-D / ragged fit: the number of time steps may change
        other_t = data.draw(st.integers(1, 6))
        X3, _, _ = validate_sequences(
            est, np.zeros((2, other_t, n_features)), reset=False, expected=spec
        )
        assert X3.shape == (2, other_t, n_features)


@pytest.mark.parametrize("form", ["2d", "3d", "ragged", "dataframe"])
def test_validate_sequences_returns_what_it_learned(form):
    rng = np.random.default_rng(0)
    X = {
        "2d": rng.normal(size=(4, 6)),
        "3d": rng.normal(size=(4, 6, 2)),
        "ragged": [rng.normal(size=(n, 2)) for n in (6, 3, 5)],
        "dataframe": pd.DataFrame(rng.normal(size=(4, 6)), columns=list("abcdef")),
    }[form]
    est = GRURegressor()
    before = est.get_params()
    _, _, spec = validate_sequences(est, X, reset=True)
    assert spec == InputSpec(
        n_channels=1 if form in ("2d", "dataframe") else 2,
        input_2d=form in ("2d", "dataframe"),
        min_timesteps=3 if form == "ragged" else 6,
    )
    # scikit-learn's input attributes only: the fit keeps the rest
    named = {"n_features_in_", "feature_names_in_"} if form == "dataframe" else set()
    assert set(vars(est)) - set(before) == {"n_features_in_"} | named
    assert not hasattr(est, "fitted_state_")


def test_fitted_scaler_keeps_no_network_contract():
    X = np.random.default_rng(0).normal(size=(4, 6, 2))
    for scaler in (SequenceScaler(), SequenceScaler(per_sequence=True)):
        scaler.fit(X)
        assert not hasattr(scaler, "fitted_state_")
        # and still checks new input against what it was fitted on
        with pytest.raises(ValueError, match="expecting 2 features"):
            scaler.transform(X[:, :, :1])


# -- estimators: bad X --------------------------------------------------------------

RNG = np.random.default_rng(0)
X_GOOD = RNG.normal(size=(6, 4, 2))
Y_REG = RNG.normal(size=6)
Y_CLF = np.array(["a", "b"] * 3)


@functools.cache
def fitted(kind):
    """A tiny model fitted once per test session (kind: 'reg' or 'clf')."""
    if kind == "reg":
        return GRURegressor(**TINY_BAD_INPUT).fit(X_GOOD, Y_REG)
    return GRUClassifier(**TINY_BAD_INPUT).fit(X_GOOD, Y_CLF)


def _nan_at(X, index):
    X = X.copy()
    X[index] = np.nan
    return X


BAD_X = [
    pytest.param(_nan_at(X_GOOD, (1, 2, 0)), id="nan"),
    pytest.param(np.where(X_GOOD > 1, np.inf, X_GOOD), id="inf"),
    pytest.param(_nan_at(X_GOOD[:, :, 0], (0, 0)), id="2-D nan"),
    pytest.param(pd.DataFrame(_nan_at(X_GOOD[:, :, 0], (3, 1))), id="frame nan"),
    pytest.param(X_GOOD[..., None], id="4-D"),
    pytest.param(np.ones((6, 0, 2)), id="0 steps"),
    pytest.param(np.ones((6, 4, 0)), id="0 features"),
    pytest.param([np.ones((n, 1 + n % 2)) for n in range(1, 7)], id="ragged features"),
    pytest.param(
        [np.ones((n, 2)) for n in range(1, 6)] + [np.full((3, 2), np.nan)],
        id="ragged nan",
    ),
    pytest.param(
        [np.ones((n, 2)) for n in range(1, 6)] + [np.array([["a", "b"]])],
        id="ragged strings",
    ),
    pytest.param(
        [np.ones((n, 2)) for n in range(1, 6)] + [np.ones((2, 2), dtype=complex)],
        id="ragged complex",
    ),
    pytest.param(
        [np.ones((n, 2)) for n in range(1, 6)] + [np.ones((2, 1, 2))],
        id="ragged 3-D member",
    ),
    pytest.param(
        [np.ones((n, 2)) for n in range(1, 6)] + [np.ones((0, 2))],
        id="ragged empty member",
    ),
    pytest.param(
        np.full((6, 4), "a", dtype=object),
        id="object strings",
    ),
    pytest.param(
        np.full((6, 4, 1), "a"),
        id="unicode strings",
    ),
    pytest.param(
        X_GOOD.astype(complex),
        id="complex",
    ),
    pytest.param(
        np.ones((0, 4, 2)),
        id="empty",
    ),
    pytest.param(
        np.ones((6, 0)),
        id="2-D 0 columns",
    ),
    pytest.param(
        np.ones(6),
        id="1-D",
    ),
    pytest.param(
        None,
        id="None",
    ),
    pytest.param(
        [np.ones((3, 1))] * 3 + [np.ones((3, 2))] * 3,
        id="same-length list, inconsistent features",
    ),
]


@pytest.mark.parametrize("X", BAD_X)
@pytest.mark.parametrize(
    "make, y", [(GRURegressor, Y_REG), (LSTMClassifier, Y_CLF)], ids=["reg", "clf"]
)
def test_fit_bad_x(make, y, X):
    X_copy = copy_input(X) if X is not None else None
    with pytest.raises(ValueError) as excinfo:
        make(**TINY_BAD_INPUT).fit(X, y)
    assert_names(excinfo, "X")
    if X is not None and not isinstance(X, pd.DataFrame):
        assert_unchanged(X, X_copy)


@pytest.mark.parametrize("X", BAD_X)
@pytest.mark.parametrize("method", ["predict", "score"])
@pytest.mark.parametrize("kind", ["reg", "clf"])
def test_predict_bad_x(kind, method, X):
    est = fitted(kind)
    args = (X,) if method == "predict" else (X, Y_REG if kind == "reg" else Y_CLF)
    with pytest.raises(ValueError) as excinfo:
        getattr(est, method)(*args)
    assert_names(excinfo, "X")


@FAST
@given(data=st.data(), form=st.sampled_from(["2d", "3d", "ragged"]))
@pytest.mark.parametrize("kind", ["reg", "clf"])
def test_predict_with_nan_raises(kind, data, form):
    est = fitted(kind)
    if form == "ragged":
        X = [X_GOOD[i, : 1 + i % 4].copy() for i in range(6)]
        i = data.draw(st.integers(0, 5))
        X[i] = data.draw(with_nonfinite(X[i]))
    else:
        X = data.draw(with_nonfinite(X_GOOD if form == "3d" else X_GOOD[:, :, :1]))
    X_copy = copy_input(X)
    for method in ("predict", "predict_proba", "decision_function"):
        if hasattr(est, method):
            with pytest.raises(ValueError, match="NaN|infinity") as excinfo:
                getattr(est, method)(X)
            assert_names(excinfo, "X" if form != "ragged" else f"X[{i}]")
    assert_unchanged(X, X_copy)


@pytest.mark.parametrize("kind", ["reg", "clf"])
def test_predict_feature_mismatch(kind):
    est = fitted(kind)
    for X in (X_GOOD[:, :, :1], np.ones((2, 4, 3)), [np.ones((2, 1)), np.ones((3, 1))]):
        with pytest.raises(ValueError, match="features"):
            est.predict(X)


@pytest.mark.parametrize("kind", ["reg", "clf"])
def test_one_univariate_sequence_is_not_read_as_one_step_sequences(kind):
    # (T, 1) is 2-D: by the 2-D rule, T sequences of 1 step each, which a
    # model fitted on (n, T, 1) never saw; it once returned T answers
    X = RNG.normal(size=(6, 5, 1))
    y = Y_REG if kind == "reg" else Y_CLF
    est = (GRURegressor if kind == "reg" else GRUClassifier)(**TINY_BAD_INPUT)
    est.fit(X, y)
    x = X[0]
    methods = ["predict"] + (["predict_proba", "decision_function"] * (kind == "clf"))
    for method in methods:
        with pytest.raises(ValueError, match=r"\(5, 1\).*reads as 5 sequences of 1"):
            getattr(est, method)(x)
    with pytest.raises(ValueError, match=r"x\[None\].*\[x\].*\(n_samples, 1, n_"):
        est.predict(x)
    # the ways to pass one sequence give its answer
    expected = est.predict(X)[:1]
    np.testing.assert_array_equal(est.predict(x[None]), expected)
    np.testing.assert_array_equal(est.predict([x]), expected)
    # ordinary 2-D input (n, T) still reads as n univariate sequences
    np.testing.assert_array_equal(est.predict(X[:, :, 0]), est.predict(X))
    # and sequences of one step are passed in 3-D
    assert est.predict(X[:, :1]).shape == (6,)
    # one row reads the same either way: allowed (MAPIE probes a model with it)
    assert est.predict(np.ones((1, 1))).shape == (1,)


def test_one_step_sequences_stay_allowed_where_fit_saw_them():
    # a model that trained on one-step sequences reads (n, 1) as it always has
    X = RNG.normal(size=(6, 1, 1))
    est = GRURegressor(**TINY_BAD_INPUT).fit(X, Y_REG)
    np.testing.assert_array_equal(est.predict(X[:, :, 0]), est.predict(X))
    # a ragged fit's shortest sequence counts
    ragged = [RNG.normal(size=(n, 1)) for n in (1, 3, 4, 2, 5, 3)]
    est = GRURegressor(**TINY_BAD_INPUT).fit(ragged, Y_REG)
    assert est.predict(np.ones((4, 1))).shape == (4,)


def test_one_sequence_given_to_a_2d_fit_says_how_to_pass_it():
    X = RNG.normal(size=(6, 5))
    est = GRURegressor(**TINY_BAD_INPUT).fit(X, Y_REG)
    match = r"X has 1 features, but GRURegressor is expecting 5 .*x\[None\]"
    with pytest.raises(ValueError, match=match):
        est.predict(X[0][:, None])
    np.testing.assert_array_equal(est.predict(X[0][None]), est.predict(X)[:1])


def test_sequence_scaler_still_scales_one_sequence():
    # scaling is per value: reading (T, 1) as T one-step sequences is harmless
    X = RNG.normal(size=(6, 5, 1))
    scaler = SequenceScaler().fit(X)
    np.testing.assert_allclose(scaler.transform(X[0]), scaler.transform(X)[0])


# -- estimators: bad y --------------------------------------------------------------


@pytest.mark.parametrize(
    "y",
    [
        pytest.param(np.r_[np.nan, Y_REG[1:]], id="nan"),
        pytest.param(np.r_[np.inf, Y_REG[1:]], id="inf"),
        pytest.param(None, id="None"),
        pytest.param(
            Y_REG[:5],
            id="length mismatch",
        ),
        pytest.param(
            Y_CLF,
            id="strings",
        ),
        pytest.param(
            Y_REG.astype(complex),
            id="complex",
        ),
        pytest.param(
            np.ones((6, 2, 2)),
            id="3-D",
        ),
        pytest.param(
            np.array([]),
            id="empty",
        ),
    ],
)
@pytest.mark.parametrize("make", [GRURegressor, RNNRegressor])
def test_regressor_fit_bad_y(make, y):
    y_copy = copy_input(y) if y is not None else None
    with pytest.raises(ValueError) as excinfo:
        make(**TINY_BAD_INPUT).fit(X_GOOD, y)
    assert_names(excinfo, "y")
    if y is not None:
        assert_unchanged(y, y_copy)


@pytest.mark.parametrize(
    "y, exc",
    [
        pytest.param(np.r_[np.nan, np.ones(5)], ValueError, id="nan"),
        pytest.param(None, ValueError, id="None"),
        pytest.param(np.ones((6, 2)), ValueError, id="2-D"),
        pytest.param(
            np.ones(6),
            ValueError,
            id="one class",
        ),
        pytest.param(
            Y_CLF[:5],
            ValueError,
            id="length mismatch",
        ),
        pytest.param(
            Y_REG,
            ValueError,
            id="continuous",
        ),
        pytest.param(
            np.array(["a", 1] * 3, dtype=object),
            (ValueError, TypeError),
            id="mixed str/int labels",
        ),
        pytest.param(
            np.array(["a", None] * 3, dtype=object),
            (ValueError, TypeError),
            id="None labels",
        ),
    ],
)
@pytest.mark.parametrize("make", [GRUClassifier, LSTMClassifier])
def test_classifier_fit_bad_y(make, y, exc):
    with pytest.raises(exc) as excinfo:
        make(**TINY_BAD_INPUT).fit(X_GOOD, y)
    assert_names(excinfo, "y")


def test_ragged_x_y_length_mismatch_raises():
    X = [np.ones((n, 2)) for n in (3, 5, 4, 2)]
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        GRURegressor(**TINY_BAD_INPUT).fit(X, Y_REG[:3])


# -- estimators: parameters -----------------------------------------------------------

BAD_PARAMS = [
    ("hidden_size", 0),
    ("hidden_size", 2.5),
    ("hidden_size", "2"),
    ("num_layers", 0),
    ("dropout", 1.0),
    ("dropout", -0.1),
    ("dropout", float("nan")),
    ("bidirectional", "yes"),
    ("max_epochs", 0),
    ("max_epochs", 1.5),
    ("batch_size", 0),
    ("lr", 0),
    ("lr", -1),
    ("lr", float("nan")),
    ("lr", float("inf")),
    ("optimizer", "bogus"),
    ("weight_decay", -1.0),
    ("weight_decay", float("nan")),
    ("gradient_clip", 0),
    ("early_stopping", "no"),
    ("validation_fraction", 0.0),
    ("validation_fraction", 1.0),
    ("n_iter_no_change", 0),
    ("tol", -1),
    ("tol", float("nan")),
    ("device", 3),
    ("device", "bogus"),
    ("random_state", "x"),
    ("random_state", -1),
    ("verbose", -1),
    ("return_sequences", "no"),
    ("callbacks", "x"),
]
CELL_BAD_PARAMS = [
    (RNNRegressor, "nonlinearity", "sigmoid"),
    (RNNClassifier, "nonlinearity", None),
    (LSTMRegressor, "peephole", "no"),
    (LSTMClassifier, "peephole", 1),
    (GRURegressor, "reset_after", "yes"),
    (GRUClassifier, "reset_after", None),
]


@pytest.mark.parametrize("name, value", BAD_PARAMS)
@pytest.mark.parametrize("make", [RNNRegressor, GRUClassifier])
def test_bad_parameters(make, name, value):
    est = make(**{**TINY_BAD_INPUT, name: value})
    y = Y_REG if make is RNNRegressor else Y_CLF
    with pytest.raises((ValueError, TypeError)) as excinfo:
        est.fit(X_GOOD, y)
    assert_names(excinfo, name)
    assert getattr(est, name) is value  # never rewritten
    assert not hasattr(est, "net_")


@pytest.mark.parametrize("make, name, value", CELL_BAD_PARAMS)
def test_bad_cell_parameters(make, name, value):
    y = Y_CLF if "Classifier" in make.__name__ else Y_REG
    with pytest.raises((ValueError, TypeError)) as excinfo:
        make(**{**TINY_BAD_INPUT, name: value}).fit(X_GOOD, y)
    assert_names(excinfo, name)


@pytest.mark.skipif(
    __import__("torch").cuda.is_available(), reason="needs a machine without CUDA"
)
def test_cuda_device_without_cuda():
    with pytest.raises(ValueError) as excinfo:
        GRURegressor(**{**TINY_BAD_INPUT, "device": "cuda"}).fit(X_GOOD, Y_REG)
    assert_names(excinfo, "device")


def test_unknown_parameter_is_a_type_error():
    with pytest.raises(TypeError, match="hiden_size"):
        GRURegressor(hiden_size=2)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            "num_layers",
        ),
        pytest.param(
            "hidden_size",
        ),
        pytest.param(
            "max_epochs",
        ),
        pytest.param(
            "batch_size",
        ),
    ],
)
def test_bool_for_int_parameter_is_rejected(name):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        RNNClassifier(**{**TINY_BAD_INPUT, name: True}).fit(X_GOOD, Y_CLF)
    assert_names(excinfo, name)


@pytest.mark.parametrize(
    "name, value",
    [
        pytest.param(
            "hidden_size",
            np.int64(2),
        ),
        pytest.param(
            "bidirectional",
            np.True_,
        ),
        ("num_layers", np.int64(2)),
        ("max_epochs", np.int64(1)),
        ("batch_size", np.int32(4)),
        ("n_iter_no_change", np.int64(2)),
        ("lr", np.float32(0.01)),
        ("dropout", np.float32(0.1)),
        ("weight_decay", np.float64(0.1)),
        ("gradient_clip", np.float32(1.0)),
        ("random_state", np.int64(3)),
        ("early_stopping", np.True_),
        ("validation_fraction", np.float32(0.3)),
    ],
)
@pytest.mark.parametrize("make", [GRURegressor, LSTMClassifier])
def test_numpy_scalar_parameters_are_accepted(make, name, value):
    y = Y_REG if make is GRURegressor else Y_CLF
    params = {**TINY_BAD_INPUT, "num_layers": 2, name: value}
    est = make(**params).fit(X_GOOD, y)
    assert est.predict(X_GOOD).shape == (6,)


def test_bad_callback_items_are_rejected():
    with pytest.raises((ValueError, TypeError)) as excinfo:
        GRURegressor(**{**TINY_BAD_INPUT, "callbacks": ["x", 3]}).fit(X_GOOD, Y_REG)
    assert_names(excinfo, "callbacks")


def test_early_stopping_needs_two_samples():
    with pytest.raises(ValueError) as excinfo:
        GRURegressor(hidden_size=2, max_epochs=1).fit(X_GOOD[:1], Y_REG[:1])
    assert_names(excinfo, "early_stopping")


# -- estimators: not fitted ---------------------------------------------------------


@pytest.mark.parametrize(
    "make, methods",
    [
        (GRURegressor, ["predict", "score"]),
        (LSTMRegressor, ["predict"]),
        (RNNClassifier, ["predict", "predict_proba", "decision_function", "score"]),
        (GRUClassifier, ["predict_proba"]),
    ],
)
def test_not_fitted(make, methods):
    est = make(**TINY_BAD_INPUT)
    for method in methods:
        args = (X_GOOD,) if method != "score" else (X_GOOD, Y_REG)
        with pytest.raises(NotFittedError):
            getattr(est, method)(*args)


# -- classifiers: unseen labels at score --------------------------------------------


def test_score_with_unseen_labels_counts_them_wrong():
    clf = fitted("clf")
    assert clf.score(X_GOOD, np.full(6, "z")) == 0.0
    y = np.array(["a", "z"] * 3)
    expected = np.mean(clf.predict(X_GOOD) == y)
    assert clf.score(X_GOOD, y) == pytest.approx(expected)
    clf_int = GRUClassifier(**TINY_BAD_INPUT).fit(X_GOOD, np.arange(6) % 2)
    assert clf_int.score(X_GOOD, np.full(6, 7)) == 0.0


def test_score_with_unseen_labels_of_another_type():
    # as every scikit-learn classifier: accuracy_score refuses to compare
    # strings with numbers, with a clear ValueError
    with pytest.raises(ValueError, match="Mix of label input types"):
        fitted("clf").score(X_GOOD, np.arange(6))


def test_return_sequences_score_with_unseen_labels():
    Y = np.array([["a", "b", "a", "b"]] * 6)
    clf = GRUClassifier(**TINY_BAD_INPUT, return_sequences=True).fit(X_GOOD, Y)
    assert clf.score(X_GOOD, np.full((6, 4), "z")) == 0.0
    assert clf.score(X_GOOD, np.zeros((6, 4), dtype=int)) == 0.0


@pytest.mark.parametrize(
    "y",
    [
        pytest.param(np.array([["a"]]), id="broadcastable (1, 1)"),
        pytest.param(np.array([["a", "b", "a", "b"]] * 6).T, id="transposed"),
    ],
)
def test_return_sequences_classifier_score_checks_y_shape(y):
    Y = np.array([["a", "b", "a", "b"]] * 6)
    clf = GRUClassifier(**TINY_BAD_INPUT, return_sequences=True).fit(X_GOOD, Y)
    with pytest.raises(ValueError, match=r"\by\b"):
        clf.score(X_GOOD, y)


def test_return_sequences_regressor_score_checks_y_shape():
    Y = RNG.normal(size=(6, 4))
    reg = GRURegressor(**TINY_BAD_INPUT, return_sequences=True).fit(X_GOOD, Y)
    with pytest.raises(ValueError, match=r"\by\b"):
        reg.score(X_GOOD, Y.T)


# -- fit never modifies the caller's data -------------------------------------------


@st.composite
def fit_inputs(draw):
    dtype = draw(st.sampled_from(DTYPES))
    form = draw(st.sampled_from(["2d", "3d", "ragged"]))
    elements = finite_elements(dtype)
    if form == "ragged":
        lengths = draw(st.lists(st.integers(1, 5), min_size=4, max_size=6))
        assume(len(set(lengths)) > 1)
        n_features = draw(st.integers(1, 2))
        X = [
            draw(hnp.arrays(dtype, (length, n_features), elements=elements))
            for length in lengths
        ]
        n = len(X)
    else:
        n = draw(st.integers(4, 6))
        shape = (n, draw(st.integers(1, 4)))
        if form == "3d":
            shape += (draw(st.integers(1, 2)),)
        X = draw(hnp.arrays(dtype, shape, elements=elements))
    kind = draw(st.sampled_from(["reg", "clf"]))
    if kind == "reg":
        y_dtype = draw(st.sampled_from([np.float32, np.float64, np.int64]))
        y = draw(hnp.arrays(y_dtype, n, elements=finite_elements(y_dtype)))
    else:
        y = np.array(["a", "b"] * n)[:n]
    return X, y, kind


@FIT
@given(inputs=fit_inputs())
def test_fit_and_predict_never_modify_inputs(inputs):
    X, y, kind = inputs
    X_copy, y_copy = copy_input(X), copy_input(y)
    make = GRURegressor if kind == "reg" else GRUClassifier
    est = make(**TINY_BAD_INPUT).fit(X, y)
    est.predict(X)
    assert_unchanged(X, X_copy)
    assert_unchanged(y, y_copy)


@pytest.mark.parametrize("make, y", [(LSTMRegressor, Y_REG), (RNNClassifier, Y_CLF)])
def test_read_only_float32_inputs(make, y):
    X = X_GOOD.astype(np.float32)
    X.setflags(write=False)
    y = y.copy()
    y.setflags(write=False)
    est = make(**TINY_BAD_INPUT).fit(X, y)
    assert est.predict(X).shape == (6,)
    np.testing.assert_array_equal(X, X_GOOD.astype(np.float32))


# -- pandas' containers of sequences -------------------------------------------


def _panel(lengths, n_features=2):
    """sktime's ``pd-multiindex`` panel and the list of arrays it holds."""
    rng = np.random.default_rng(0)
    seqs = [rng.normal(size=(n, n_features)) for n in lengths]
    index = pd.MultiIndex.from_tuples(
        [(f"case{i}", t) for i, seq in enumerate(seqs) for t in range(len(seq))],
        names=["instance", "time"],
    )
    frame = pd.DataFrame(
        np.concatenate(seqs), index=index, columns=["a", "b"][:n_features]
    )
    return frame, seqs


@pytest.mark.parametrize("lengths", [(4, 6, 5), (5, 5, 5)])
def test_check_sequences_reads_a_multiindex_panel(lengths):
    frame, seqs = _panel(lengths)
    X3, found = check_sequences(frame)
    expected, expected_lengths = check_sequences(seqs)
    np.testing.assert_array_equal(X3, expected)
    assert (found is None) == (expected_lengths is None)
    if found is not None:
        np.testing.assert_array_equal(found, expected_lengths)


def test_check_sequences_reads_a_series_of_ragged_arrays():
    seqs = [np.arange(3.0), np.arange(5.0), np.arange(2.0)]
    X3, lengths = check_sequences(pd.Series(seqs))
    np.testing.assert_array_equal(lengths, [3, 5, 2])
    np.testing.assert_array_equal(X3, check_sequences(seqs)[0])


def test_estimators_fit_and_predict_pandas_containers():
    frame, seqs = _panel((4, 6, 5, 7))
    y = np.array([0.0, 1.0, 2.0, 3.0])
    model = GRURegressor(**TINY_BAD_INPUT).fit(frame, y)
    assert model.n_features_in_ == 2
    np.testing.assert_allclose(model.predict(frame), model.predict(seqs))
    series = pd.Series([seq[:, 0] for seq in seqs])
    clf = GRUClassifier(**TINY_BAD_INPUT).fit(series, ["a", "b", "a", "b"])
    assert clf.predict(series).shape == (4,)


def test_a_panel_with_another_index_says_what_to_pass():
    index = pd.MultiIndex.from_tuples([(0, 0, 0), (0, 0, 1)])
    frame = pd.DataFrame({"a": [1.0, 2.0]}, index=index)
    with pytest.raises(ValueError, match="2-level index \\(instance, time\\)"):
        check_sequences(frame)
