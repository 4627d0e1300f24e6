"""The readout: one module maps the network's outputs to the user's terms for
predict, export and attribution."""

import numpy as np
import pytest
import torch
from scipy.special import ndtri, softmax
from shared_settings import TINY_EXPORT

from sksequence import GRUClassifier, GRURegressor, LSTMRegressor
from sksequence._export import _serving_model
from sksequence._fitted import FittedState
from sksequence._heads import GaussianHead, PointHead, QuantileHead
from sksequence._readout import Readout, cached_readout
from sksequence.inspection import attribute

pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)

LEVELS = (0.1, 0.5, 0.9)
N_OUTPUTS = 2

rng = np.random.default_rng(0)
X = rng.normal(size=(48, 5, 2))
Y2 = np.c_[X[:, -1, 0] * 3.0 + 1.0, X[:, 0, 1] - 2.0]


def _state(head, calibration=None, y_ndim=2):
    return FittedState(n_channels=2, input_2d=False, n_outputs=N_OUTPUTS).with_outputs(
        head=head,
        y_mean=np.array([1.5, -2.0]),
        y_scale=np.array([0.25, 3.0]),
        y_ndim=y_ndim,
        calibration=calibration,
    )


def _raw(head, n=7):
    """Raw network outputs whose blocks are a valid distribution (a positive
    std, increasing quantiles)."""
    blocks = np.sort(np.abs(rng.normal(size=(n, head.width, N_OUTPUTS))), axis=1)
    return torch.as_tensor(blocks.reshape(n, -1))


def _read(state, out, output="predict", **kwargs):
    readout = Readout(state, output, **kwargs)
    scripted = torch.jit.script(Readout(state, output, **kwargs))
    values = readout(out).numpy()
    np.testing.assert_array_equal(scripted(out).numpy(), values)  # scriptable
    return values


def test_point_head_unscales_and_squeezes_as_y_was():
    state = _state(PointHead())
    out = _raw(PointHead())
    expected = out.numpy() * state.y_scale + state.y_mean
    np.testing.assert_allclose(_read(state, out), expected, rtol=1e-15)
    one = FittedState(n_channels=2, input_2d=False, n_outputs=1).with_outputs(
        y_mean=np.array([3.0]), y_scale=np.array([2.0]), y_ndim=1
    )
    assert _read(one, out[:, :1]).shape == (7,)
    assert _read(one, out[:, :1], squeeze=False).shape == (7, 1)


def test_classifier_reads_probabilities_or_logits_and_keeps_its_axis():
    state = FittedState(n_channels=2, input_2d=False, n_outputs=3).with_outputs(
        classes=np.array(["a", "b", "c"])
    )
    logits = torch.as_tensor(rng.normal(size=(5, 3)))
    np.testing.assert_allclose(_read(state, logits), softmax(logits.numpy(), -1))
    np.testing.assert_array_equal(_read(state, logits, "decision"), logits.numpy())


def test_gaussian_std_and_quantiles_are_calibrated_in_the_units_of_y():
    factors = np.array([1.5, 0.5])
    state = _state(GaussianHead(LEVELS), calibration=factors)
    out = _raw(state.head)
    mean, std = out.numpy().reshape(-1, 2, N_OUTPUTS).transpose(1, 0, 2)
    expected_std = std * factors * state.y_scale
    np.testing.assert_allclose(_read(state, out, "std"), expected_std, rtol=1e-14)
    location = mean * state.y_scale + state.y_mean
    np.testing.assert_allclose(_read(state, out), location, rtol=1e-15)
    quantiles = location[..., None] + expected_std[..., None] * ndtri(LEVELS)
    read = _read(state, out, "quantiles", levels=LEVELS)
    assert read.shape == (7, N_OUTPUTS, 3)
    np.testing.assert_allclose(read, quantiles, rtol=1e-13)


def test_quantile_head_widens_around_the_median_and_picks_the_levels():
    factors = np.array([[2.0, 0.5], [1.0, 1.0], [0.5, 3.0]])
    state = _state(QuantileHead(LEVELS), calibration=factors)
    out = _raw(state.head)
    blocks = out.numpy().reshape(-1, 3, N_OUTPUTS)
    median = blocks[:, 1:2]
    widened = np.sort(median + factors * (blocks - median), axis=1)
    expected = np.moveaxis(widened[:, [2, 0]], 1, 2) * state.y_scale[:, None]
    expected += state.y_mean[:, None]
    read = _read(state, out, "quantiles", levels=(0.9, 0.1))
    np.testing.assert_allclose(read, expected, rtol=1e-14)
    np.testing.assert_allclose(
        _read(state, out), median[:, 0] * state.y_scale + state.y_mean, rtol=1e-15
    )


def test_readouts_that_do_not_exist_are_refused():
    with pytest.raises(ValueError, match="output must be one of"):
        Readout(_state(PointHead()), "mean")
    with pytest.raises(ValueError, match="no standard deviation"):
        Readout(_state(QuantileHead(LEVELS)), "std")
    with pytest.raises(ValueError, match="has no quantiles"):
        Readout(_state(PointHead()), "quantiles", levels=LEVELS)


def test_predict_reads_through_one_readout_per_fitted_state():
    state = _state(PointHead())
    assert cached_readout(state) is cached_readout(state)
    assert cached_readout(state.with_outputs(y_ndim=1)) is not cached_readout(state)


# -- predict, export and attribution read the same numbers ---------------------


@pytest.fixture(scope="module", params=["point", "classifier", "gaussian", "quantile"])
def fitted(request):
    if request.param == "classifier":
        labels = np.array(["a", "b", "c"])[np.arange(len(X)) % 3]
        return GRUClassifier(**TINY_EXPORT).fit(X, labels)
    loss = "squared_error" if request.param == "point" else request.param
    # the spread calibrated on a holdout of 12 samples
    calibration = "holdout" if loss != "squared_error" else None
    est = LSTMRegressor if loss == "quantile" else GRURegressor
    return est(
        loss=loss,
        calibration=calibration,
        early_stopping=True,
        validation_fraction=0.25,
        **TINY_EXPORT,
    ).fit(X, Y2)


def _served(est, output=None, levels=None):
    model, *_ = _serving_model(est, output, levels)
    scripted = torch.jit.script(model)
    with torch.no_grad():
        return scripted(torch.as_tensor(X, dtype=torch.float32)).numpy()


def test_export_serves_what_predict_returns(fitted):
    expected = (
        fitted.predict_proba(X) if hasattr(fitted, "classes_") else fitted.predict(X)
    )
    np.testing.assert_allclose(_served(fitted), expected, rtol=1e-5, atol=1e-5)


def test_export_serves_the_spread_predict_returns(fitted):
    head = fitted.fitted_state_.head
    if not head.distributional:
        pytest.skip("no spread")
    assert fitted.fitted_state_.calibration is not None
    levels = (0.1, 0.9)
    np.testing.assert_allclose(
        _served(fitted, "quantiles", levels),
        fitted.predict_quantiles(X, quantiles=levels),
        rtol=1e-5,
        atol=1e-5,
    )
    if isinstance(head, GaussianHead):
        _, std = fitted.predict(X, return_std=True)
        np.testing.assert_allclose(_served(fitted, "std"), std, rtol=1e-5, atol=1e-5)


def test_attribution_attributes_what_predict_reads(fitted):
    # one group of every step and feature, ablated to 0: each attribution is
    # the output at X minus the output at zeros
    mask = torch.zeros(1, *X.shape[1:], dtype=torch.int64)
    zeros = np.zeros_like(X)
    if hasattr(fitted, "classes_"):
        attributed = attribute(
            fitted, X, "feature_ablation", target="b", feature_mask=mask
        )
        logits = fitted.decision_function(X) - fitted.decision_function(zeros)
        np.testing.assert_allclose(attributed[:, 0, 0], logits[:, 1], atol=1e-12)
        return
    for column in range(N_OUTPUTS):
        attributed = attribute(
            fitted, X, "feature_ablation", target=column, feature_mask=mask
        )
        change = fitted.predict(X)[:, column] - fitted.predict(zeros)[:, column]
        np.testing.assert_allclose(attributed[:, 0, 0], change, atol=1e-12)
