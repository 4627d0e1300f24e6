"""Tests of sksequence.inspection: gradient flow and attributions."""

import copy
import sys
import warnings

import numpy as np
import pytest
import torch
from shared_settings import CLASSIFIERS, REGRESSORS

from sksequence._validation import validate_sequences
from sksequence.inspection import (
    GradientFlowResult,
    attribute,
    gradient_flow,
    plot_attributions,
    plot_gradient_flow,
)
from sksequence.inspection._gradient_flow import unrolled_forward

# the six public estimators, listed once in shared_settings
RNNRegressor, LSTMRegressor, GRURegressor = REGRESSORS
RNNClassifier, LSTMClassifier, GRUClassifier = CLASSIFIERS

pytest.importorskip("captum")

METHODS = ["integrated_gradients", "saliency", "feature_ablation"]
STEP, FEATURE = 3, 1  # the only input the synthetic target depends on


@pytest.fixture(scope="module")
def needle():
    """A GRU regressor that learned y = 3 x[step 3, feature 1] + 10 (R² > 0.9)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(460, 8, 3)).astype(np.float32)
    y = 3.0 * X[:, STEP, FEATURE] + 10.0
    est = GRURegressor(hidden_size=12, max_epochs=25, lr=1e-2, random_state=0)
    est.fit(X[:400], y[:400])
    assert est.score(X[400:], y[400:]) > 0.9
    return est, X[400:]


@pytest.mark.parametrize("method", METHODS)
def test_attributions_find_the_step_that_matters(needle, method):
    est, X = needle
    A = attribute(est, X[:30], method)
    assert A.shape == (30, 8, 3)
    mass = np.abs(A).sum(axis=0)
    assert np.unravel_index(mass.argmax(), mass.shape) == (STEP, FEATURE)
    assert mass[STEP, FEATURE] > 0.4 * mass.sum()


def test_integrated_gradients_completeness_in_user_units(needle):
    est, X = needle
    X = X[:20]
    baseline = np.full_like(X, 0.3)
    A = attribute(est, X, baseline=baseline, n_steps=100)
    expected = est.predict(X) - est.predict(baseline)  # units of y (scale 3)
    np.testing.assert_allclose(A.sum(axis=(1, 2)), expected, atol=1e-4 * 3)
    # the default baseline is zeros
    A0 = attribute(est, X, n_steps=100)
    expected0 = est.predict(X) - est.predict(np.zeros_like(X))
    np.testing.assert_allclose(A0.sum(axis=(1, 2)), expected0, atol=1e-4 * 3)


def test_feature_ablation_by_timestep(needle):
    est, X = needle
    A = attribute(est, X[:10], "feature_ablation", feature_mask="timestep")
    # every feature of a step carries the whole step's attribution
    np.testing.assert_allclose(A, A[:, :, :1].repeat(3, axis=2))
    mass = np.abs(A[:, :, 0]).sum(axis=0)
    assert mass.argmax() == STEP


def test_attribute_does_not_change_the_estimator(needle):
    est, X = needle
    module = est.net_.module_
    module.zero_grad(set_to_none=True)  # training leaves the last step's grads
    before = est.predict(X)
    state = copy.deepcopy(est.net_.module_.state_dict())
    torch_rng, np_rng = torch.get_rng_state(), np.random.get_state()
    for method in METHODS:
        attribute(est, X[:5], method)
    gradient_flow(est, X[:5], est.predict(X[:5]))
    np.testing.assert_array_equal(est.predict(X), before)
    assert all(p.grad is None for p in module.parameters())
    assert not module.training
    for key, value in module.state_dict().items():
        assert torch.equal(value, state[key])
    assert torch.equal(torch.get_rng_state(), torch_rng)
    assert np.random.get_state()[1].tolist() == np_rng[1].tolist()


def test_classifier_attributes_the_predicted_class_by_default():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 6, 2)).astype(np.float32)
    level = (X[:, 2, 0] > 0).astype(int) + (X[:, 2, 0] > 1)
    labels = np.array(["low", "mid", "high"])[level]
    # a smooth network (no relu or max of the convolutional front and the
    # pooled readout), whose integrated gradients sum to the logit change
    # within the tolerance below
    est = GRUClassifier(
        hidden_size=6, max_epochs=3, random_state=0, embedding="patch", readout="last"
    ).fit(X, labels)
    pred = est.predict(X)
    for method in ("saliency", "integrated_gradients"):
        default = attribute(est, X, method)
        np.testing.assert_array_equal(default, attribute(est, X, method, target=pred))
    # a fixed class, given by its label, is the logit of that class
    A = attribute(est, X, "integrated_gradients", target="high", n_steps=100)
    _assert_sums_to_the_logit_change(est, X, A, "high")
    with pytest.raises(ValueError, match="not in classes_"):
        attribute(est, X, "saliency", target="unknown")


def test_integrated_gradients_sum_to_the_change_through_conv_and_pooling():
    """The default classifier's dilated convolutional front and pooled
    readout (relu, maxima: kinks on the path), its two directions, and its
    instance normalization (steep near the flat zero baseline, where a
    sequence's scale goes to zero) still give attributions that add up to
    the change of the logit, once the path has enough steps (2000 missed
    one sequence of 60 by 1.07e-3)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 6, 2)).astype(np.float32)
    labels = np.where(X[:, 2, 0] > 0, "up", "down")
    est = GRUClassifier(hidden_size=6, max_epochs=3, random_state=0).fit(X, labels)
    assert (est.embedding, est.readout, est.instance_norm) == (
        "dilated",
        "mean_max",
        True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # converged: no warning
        A = attribute(est, X, "integrated_gradients", target="up", n_steps=4000)
    _assert_sums_to_the_logit_change(est, X, A, "up")
    # too few steps: the sum misses the change, and the user is told
    with pytest.warns(UserWarning, match=r"did not converge with n_steps=5\b"):
        attribute(est, X, "integrated_gradients", target="up", n_steps=5)
    with pytest.raises(ValueError, match="return_convergence_delta"):
        attribute(est, X, "integrated_gradients", return_convergence_delta=True)


def _assert_sums_to_the_logit_change(est, X, A, label):
    """Integrated gradients from a zero baseline add up to the change of the
    logit of ``label`` between the baseline and ``X``."""
    module = copy.deepcopy(est.net_.module_).double()
    with torch.no_grad():
        logits = module(torch.as_tensor(X, dtype=torch.float64))
        logits0 = module(torch.zeros(X.shape, dtype=torch.float64))
    k = list(est.classes_).index(label)
    np.testing.assert_allclose(
        A.sum(axis=(1, 2)), (logits - logits0)[:, k].numpy(), atol=1e-3
    )


@pytest.mark.parametrize("method", METHODS)
def test_variable_length_padding_plays_no_part(method):
    rng = np.random.default_rng(2)
    X = [rng.normal(size=(n, 2)) for n in (7, 3, 5, 1)]
    y = [x[0, 0] for x in X]
    est = LSTMRegressor(hidden_size=5, max_epochs=2, random_state=0).fit(X, y)
    A = attribute(est, X, method)
    assert isinstance(A, list)
    assert [a.shape for a in A] == [x.shape for x in X]
    for x, a in zip(X, A):  # the same as for the sequence alone, unpadded
        alone = attribute(est, x[None], method)[0]
        np.testing.assert_allclose(a, alone, rtol=1e-9, atol=1e-12)
    # gradient norms average each step over the sequences that have it
    result = gradient_flow(est, X, y, wrt="input")
    np.testing.assert_array_equal(result.counts, [4, 3, 3, 2, 2, 1, 1])


def test_univariate_2d_input_and_multi_output_target():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 5))
    Y = np.c_[X[:, 1], -X[:, 4]]
    est = RNNRegressor(hidden_size=4, max_epochs=2, random_state=0).fit(X, Y)
    assert attribute(est, X, "saliency", target=1).shape == (30, 5)
    with pytest.raises(ValueError, match="target"):
        attribute(est, X, "saliency")
    with pytest.raises(ValueError, match="takes no baseline"):
        attribute(est, X, "saliency", target=0, baseline=0.0)
    with pytest.raises(ValueError, match="method must be one of"):
        attribute(est, X, "shap", target=0)


def test_missing_captum_says_how_to_install(needle, monkeypatch):
    est, X = needle
    monkeypatch.setitem(sys.modules, "captum", None)
    with pytest.raises(ImportError, match=r"pip install sksequence\[explain\]"):
        attribute(est, X[:2])


def _relu_identity_rnn(bidirectional, a, X, y, lengths_list=None):
    """An Elman RNN in its linear (ReLU, positive states) regime.

    ``h_t = W x_t + b + a h_{t-1}`` with all terms positive, ``y = V h + c``.
    """
    fit_X = lengths_list if lengths_list is not None else X
    est = RNNRegressor(
        nonlinearity="relu",
        hidden_size=4,
        bidirectional=bidirectional,
        max_epochs=1,
        random_state=0,
    ).fit(fit_X, y)
    module = est.net_.module_
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, param in module.rnn.named_parameters():
            if name.startswith("weight_hh"):
                param.copy_(a * torch.eye(4))
            elif name.startswith("weight_ih"):
                param.copy_(0.1 + 0.4 * torch.rand(param.shape, generator=gen))
            else:
                param.fill_(0.1)
        module.head.weight.copy_(torch.randn(module.head.weight.shape, generator=gen))
    return est


@pytest.mark.parametrize("a", [0.75, 1.125])  # exact in float32
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("ragged", [False, True])
def test_gradient_flow_matches_analytic_linear_rnn(a, bidirectional, ragged):
    rng = np.random.default_rng(4)
    T = 12
    X = rng.uniform(size=(10, T, 2))  # positive inputs keep the states positive
    lengths = np.array([12, 5, 9, 12, 1, 3, 12, 7, 10, 2]) if ragged else np.full(10, T)
    seqs = [x[:n] for x, n in zip(X, lengths)]
    y = rng.normal(size=10)
    est = _relu_identity_rnn(bidirectional, a, X, y, seqs if ragged else None)
    data = seqs if ragged else X
    # residuals of the standardized target: dl/dy_hat = 2 r for l = r^2; the
    # network's targets are float32
    y_std = ((y - est.fitted_state_.y_mean) / est.fitted_state_.y_scale).astype(
        np.float32
    )
    r = (
        est.predict(data) - est.fitted_state_.y_mean
    ) / est.fitted_state_.y_scale - y_std
    V = est.net_.module_.head.weight.detach().double().numpy()[0]
    W = est.net_.module_.rnn.weight_ih_l0.detach().double().numpy()
    t = np.arange(T)
    live = t[None, :] < lengths[:, None]
    fwd = a ** (lengths[:, None] - 1 - t)  # h_t reaches the head at the end
    bwd = a ** t[None, :].repeat(10, 0)  # the backward state is read after step 0
    Vf, Vb = V[:4], V[4:]
    coef = 2 * np.abs(r)[:, None]

    result = gradient_flow(est, data, y)
    if bidirectional:
        per_seq = coef * np.hypot(np.linalg.norm(Vf) * fwd, np.linalg.norm(Vb) * bwd)
        np.testing.assert_allclose(
            result.direction_norms[1],
            (coef * np.linalg.norm(Vb) * bwd * live).sum(0) / live.sum(0),
            rtol=1e-9,
        )
    else:
        per_seq = coef * np.linalg.norm(V) * fwd
    expected = (per_seq * live).sum(0) / live.sum(0)
    np.testing.assert_allclose(result.norms, expected, rtol=1e-9)
    np.testing.assert_array_equal(result.counts, live.sum(0))
    if not bidirectional:
        # dl/dx_t = W^T dl/dh_t
        inp = gradient_flow(est, data, y, wrt="input")
        per_seq = coef * np.linalg.norm(W.T @ V) * fwd
        np.testing.assert_allclose(
            inp.norms, (per_seq * live).sum(0) / live.sum(0), rtol=1e-9
        )
        if a < 1 and not ragged:  # the Elman gradient vanishes geometrically
            assert result.norms[0] / result.norms[-1] == pytest.approx(a ** (T - 1))


CONFIGS = [
    (RNNRegressor, {}),
    (RNNClassifier, {"nonlinearity": "relu", "num_layers": 2}),
    (LSTMRegressor, {"peephole": True, "bidirectional": True}),
    (LSTMClassifier, {"bidirectional": True}),
    (GRURegressor, {"reset_after": False, "num_layers": 2}),
    (GRUClassifier, {}),
    (GRURegressor, {"return_sequences": True}),
    (LSTMClassifier, {"return_sequences": True, "peephole": True}),
]


@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize(("cls", "params"), CONFIGS)
def test_gradient_flow_every_estimator(cls, params, ragged):
    rng = np.random.default_rng(5)
    lengths = rng.integers(2, 7, size=12) if ragged else np.full(12, 6)
    X = [rng.normal(size=(n, 2)) for n in lengths]
    seq = params.get("return_sequences", False)
    if "Classifier" in cls.__name__:
        y = [(x[:, 0] > 0).astype(int) if seq else int(x[0, 0] > 0) for x in X]
        if not seq:
            y[:2] = [0, 1]
    else:
        y = [x[:, 1] if seq else x[0, 1] for x in X]
    data = X if ragged else np.stack(X)
    target = y if (ragged or not seq) else np.stack(y)
    est = cls(hidden_size=3, max_epochs=1, random_state=0, **params)
    est.fit(data, target)
    # the step-by-step recurrence reproduces the module exactly
    X3, L, _ = validate_sequences(est, data, reset=False)
    module = copy.deepcopy(est.net_.module_).double().eval()
    xt = torch.as_tensor(X3, dtype=torch.float64)
    lt = None if L is None else torch.as_tensor(L)
    with torch.no_grad():
        torch.testing.assert_close(
            unrolled_forward(module, xt, lt), module(xt, lt), rtol=1e-12, atol=1e-12
        )
    for wrt in ("hidden", "input"):
        result = gradient_flow(est, data, target, wrt=wrt)
        assert result.norms.shape == (X3.shape[1],)
        assert np.all(np.isfinite(result.norms)) and np.all(result.norms > 0)
        np.testing.assert_array_equal(
            result.counts, (np.arange(6) < lengths[:, None]).sum(0)
        )
    frame = result.to_frame()
    assert list(frame.columns[:2]) == ["timestep", "grad_norm"]
    hidden = gradient_flow(est, data, target, layer=0)
    # the classifiers' bidirectional="auto": both, unless return_sequences
    bidirectional = params.get(
        "bidirectional", "Classifier" in cls.__name__ and not seq
    )
    assert est.net_.module_.num_directions == 1 + bidirectional
    assert hidden.direction_norms.shape == (1 + bidirectional, X3.shape[1])
    if bidirectional:
        assert "grad_norm_backward" in hidden.to_frame()


def test_gradient_flow_checks_arguments(needle):
    est, X = needle
    y = est.predict(X)
    with pytest.raises(ValueError, match="wrt"):
        gradient_flow(est, X, y, wrt="cell")
    with pytest.raises(ValueError, match="layer"):
        gradient_flow(est, X, y, layer=1)
    with pytest.raises(TypeError, match="sksequence estimator"):
        gradient_flow(object(), X, y)


def test_plots(needle):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    est, X = needle
    y = est.predict(X)
    results = {
        "hidden": gradient_flow(est, X, y),
        "input": gradient_flow(est, X, y, wrt="input"),
    }
    ax = plot_gradient_flow(results)
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["hidden", "input"]
    assert isinstance(results["hidden"], GradientFlowResult)
    A = attribute(est, X[:1], "saliency")
    ax_series, ax_heat = plot_attributions(X[0], A[0], feature_names=["a", "b", "c"])
    assert len(ax_series.lines) == 3
    assert ax_heat.images[0].get_array().shape == (3, 8)
    with pytest.raises(ValueError, match="same shape"):
        plot_attributions(X[0], A[0, :, :2])
    plt.close("all")


def test_gradient_flow_with_patches_has_one_hidden_state_per_patch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 10, 2)).astype(np.float32)
    y = X[:, 0, 0]
    est = GRURegressor(patch_size=3, hidden_size=4, max_epochs=2, random_state=0)
    est.fit(X, y)
    hidden = gradient_flow(est, X, y)
    assert hidden.norms.shape == (4,)  # ceil(10 / 3) recurrent steps
    assert gradient_flow(est, X, y, wrt="input").norms.shape == (10,)
    ragged = [X[0, :5], X[1]]  # 2 and 4 patches
    assert gradient_flow(est, ragged, y[:2]).counts.tolist() == [2, 2, 1, 1]


@pytest.mark.parametrize("loss", ["gaussian", "quantile"])
def test_distributional_models_attribute_their_prediction(loss):
    """Attributions and gradient flow read the mean (median) and the loss
    the network trained with."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 6, 2))
    y = X[:, 2, 0]
    est = GRURegressor(loss=loss, hidden_size=6, max_epochs=3, random_state=0)
    est.fit(X, y)
    A = attribute(est, X[:4], n_steps=100)
    # completeness: attributions sum to prediction minus the baseline's
    expected = est.predict(X[:4]) - est.predict(np.zeros_like(X[:4]))
    np.testing.assert_allclose(A.sum(axis=(1, 2)), expected, atol=1e-4)
    flow = gradient_flow(est, X, y)
    assert flow.norms.shape == (6,) and np.all(np.isfinite(flow.norms))
