"""Tests of export_onnx / export_torchscript: served outputs equal predict."""

import functools
import importlib.util
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from shared_settings import CLASSIFIERS, REGRESSORS, TINY_EXPORT, cycled_labels
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sksequence import SequenceScaler
from sksequence._export import export_onnx, export_torchscript

# the six public estimators, listed once in shared_settings
RNNRegressor, LSTMRegressor, GRURegressor = REGRESSORS
RNNClassifier, LSTMClassifier, GRUClassifier = CLASSIFIERS

pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.load` is deprecated:DeprecationWarning"
)

HAVE_ONNX = importlib.util.find_spec("onnx") is not None

N_FEATURES = 2
T_TRAIN = 5
# (batch, time): batch sizes 1, 7 and 64 at lengths other than the training one
SHAPES = [(1, 1), (7, 11), (64, 3)]

rng = np.random.default_rng(0)
X3 = rng.normal(size=(40, T_TRAIN, N_FEATURES))
y1 = X3[:, -1, 0] * 3.0 + 1.0
y2 = np.c_[y1, X3[:, 0, 1] * 0.5 - 2.0]
y_steps = np.cumsum(X3[:, :, 0], axis=1)  # one target per step
labels_steps = np.where(X3[:, :, 1] > 0, "up", "down")


_labels = functools.partial(cycled_labels, n=len(X3))


def _pipeline(*steps):
    return Pipeline([(f"step{i}", step) for i, step in enumerate(steps)])


# name -> (estimator, X, y); X shifted and scaled where a scaler is folded in
CASES = {
    "rnn-reg": (RNNRegressor(nonlinearity="relu", **TINY_EXPORT), X3, y1),
    "lstm-reg-2outputs": (LSTMRegressor(**TINY_EXPORT), X3, y2),
    "gru-reg": (GRURegressor(**TINY_EXPORT), X3, y1),
    "rnn-clf-str": (RNNClassifier(**TINY_EXPORT), X3, _labels(["down", "up", "flat"])),
    "lstm-clf-int": (LSTMClassifier(**TINY_EXPORT), X3, _labels([3, -1, 7])),
    "gru-clf-bool": (GRUClassifier(**TINY_EXPORT), X3, _labels([True, False])),
    "lstm-peephole": (LSTMRegressor(peephole=True, **TINY_EXPORT), X3, y1),
    "gru-classic-clf": (
        GRUClassifier(reset_after=False, **TINY_EXPORT),
        X3,
        _labels([0, 1]),
    ),
    "lstm-bi2-clf": (
        LSTMClassifier(num_layers=2, bidirectional=True, **TINY_EXPORT),
        X3,
        _labels(["a", "b", "c"]),
    ),
    "peephole-bi2": (
        LSTMRegressor(peephole=True, num_layers=2, bidirectional=True, **TINY_EXPORT),
        X3,
        y2,
    ),
    "classic-gru-bi2-seq": (
        GRURegressor(
            reset_after=False,
            num_layers=2,
            bidirectional=True,
            return_sequences=True,
            **TINY_EXPORT,
        ),
        X3,
        y_steps,
    ),
    "gru-seq-2outputs": (
        GRURegressor(return_sequences=True, **TINY_EXPORT),
        X3,
        np.stack([y_steps, -y_steps], axis=-1),
    ),
    "peephole-seq-clf": (
        LSTMClassifier(peephole=True, return_sequences=True, **TINY_EXPORT),
        X3,
        labels_steps,
    ),
    "rnn-bi-seq-clf": (
        RNNClassifier(bidirectional=True, return_sequences=True, **TINY_EXPORT),
        X3,
        labels_steps,
    ),
    "pipeline-scaler": (
        _pipeline(SequenceScaler(), GRURegressor(**TINY_EXPORT)),
        X3 * 50.0 + 300.0,
        y1,
    ),
    "pipeline-2-scalers-passthrough": (
        _pipeline(
            SequenceScaler(with_std=False),
            "passthrough",
            SequenceScaler(with_mean=False),
            LSTMClassifier(peephole=True, **TINY_EXPORT),
        ),
        X3 * 20.0 - 7.0,
        _labels([0, 1]),
    ),
    # distributional heads serve predict: the mean, the median
    "gru-gaussian-2outputs": (GRURegressor(loss="gaussian", **TINY_EXPORT), X3, y2),
    "lstm-quantile-seq": (
        LSTMRegressor(
            loss="quantile", quantiles=(0.2, 0.8), return_sequences=True, **TINY_EXPORT
        ),
        X3,
        y_steps,
    ),
    # patches of 3 steps: a time axis of any length, multiple of 3 or not
    "gru-patches": (GRUClassifier(patch_size=3, **TINY_EXPORT), X3, _labels([0, 1, 2])),
    "peephole-patches": (
        LSTMRegressor(patch_size=4, peephole=True, **TINY_EXPORT),
        X3,
        y1,
    ),
}


def _is_classifier(est):
    return hasattr(est, "classes_")


def _reference(est, X):
    return est.predict_proba(X) if _is_classifier(est) else est.predict(X)


def _inputs(X_train, shapes=SHAPES, seed=1):
    """float32 inputs of the given shapes, distributed like the training data."""
    gen = np.random.default_rng(seed)
    center, spread = X_train.mean(), X_train.std()
    return [
        (gen.normal(size=(b, t, N_FEATURES)) * spread + center).astype(np.float32)
        for b, t in shapes
    ]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """name -> (fitted estimator, X_train, ONNX path, TorchScript path)."""
    folder = tmp_path_factory.mktemp("export")
    out = {}
    for name, (est, X, y) in CASES.items():
        est.fit(X, y)
        onnx_path = export_onnx(est, folder / f"{name}.onnx") if HAVE_ONNX else None
        ts_path = export_torchscript(est, folder / f"{name}.pt")
        out[name] = (est, X, onnx_path, ts_path)
    return out


def _onnxruntime():
    pytest.importorskip("onnx")
    return pytest.importorskip("onnxruntime")


def _final(est):
    return est.steps[-1][1] if isinstance(est, Pipeline) else est


@pytest.mark.parametrize("name", list(CASES))
def test_onnx_matches_predict(exported, name):
    ort = _onnxruntime()
    est, X_train, path, _ = exported[name]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for X in _inputs(X_train):
        served = session.run(None, {"X": X})[0]
        expected = _reference(est, X)
        assert served.dtype == np.float32
        assert served.shape == expected.shape
        assert_allclose(served, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", list(CASES))
def test_torchscript_matches_predict(exported, name):
    est, X_train, _, path = exported[name]
    served_model = torch.jit.load(str(path))
    for X in _inputs(X_train):
        with torch.no_grad():
            served = served_model(torch.from_numpy(X)).numpy()
        expected = _reference(est, X)
        assert served.shape == expected.shape
        assert_allclose(served, expected, rtol=1e-5, atol=1e-5)


# the spread, served as the regressors' methods return it:
# (case, output, quantiles)
SPREAD = {
    "gaussian-std": ("gru-gaussian-2outputs", "std", None),
    "gaussian-quantiles": ("gru-gaussian-2outputs", "quantiles", (0.05, 0.5, 0.99)),
    # levels the network learned, in any order
    "quantile-seq-quantiles": ("lstm-quantile-seq", "quantiles", (0.8, 0.2)),
}


def _served(fmt, est, path, **kwargs):
    """Export ``est`` as ``fmt``; returns ``(serve(X) -> ndarray, metadata)``."""
    if fmt == "onnx":
        ort = _onnxruntime()
        export_onnx(est, path, **kwargs)
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        meta = session.get_modelmeta().custom_metadata_map["sksequence"]
        return (lambda X: session.run(None, {"X": X})[0]), json.loads(meta)
    files = {"sksequence.json": ""}
    model = torch.jit.load(
        str(export_torchscript(est, path, **kwargs)), _extra_files=files
    )
    return (lambda X: model(torch.from_numpy(X)).detach().numpy()), json.loads(
        files["sksequence.json"]
    )


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
@pytest.mark.parametrize("name, output, quantiles", SPREAD.values(), ids=SPREAD)
def test_exported_spread_matches_predict(
    exported, tmp_path, fmt, name, output, quantiles
):
    """output="std" serves predict(X, return_std=True)[1], output="quantiles"
    serves predict_quantiles(X, quantiles), at any batch size and length."""
    est, X_train, _, _ = exported[name]
    serve, meta = _served(
        fmt, est, tmp_path / "spread", output=output, quantiles=quantiles
    )
    assert meta["output"] == output
    assert meta.get("quantiles") == (None if quantiles is None else list(quantiles))
    for X in _inputs(X_train):
        if output == "std":
            expected = est.predict(X, return_std=True)[1]
        else:
            expected = est.predict_quantiles(X, quantiles=quantiles)
        served = serve(X)
        assert served.shape == expected.shape
        assert_allclose(served, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("export", [export_onnx, export_torchscript])
def test_outputs_an_estimator_cannot_serve_are_refused_clearly(
    export, exported, tmp_path
):
    point, gaussian, quantile, clf = (
        exported[name][0]
        for name in (
            "gru-reg",
            "gru-gaussian-2outputs",
            "lstm-quantile-seq",
            "gru-clf-bool",
        )
    )
    refused = [
        (
            point,
            "std",
            None,
            "output='std' needs a model fitted with loss='gaussian'; "
            "this one was fitted with loss='squared_error'",
        ),
        (quantile, "std", None, "needs a model fitted with loss='gaussian';"),
        (point, "quantiles", (0.1,), "loss='gaussian' or loss='quantile'"),
        (gaussian, "quantiles", None, r"needs the levels.*quantiles=\(0.1, 0.5, 0.9\)"),
        (gaussian, "quantiles", (0.0, 0.5), "strictly between 0 and 1"),
        (gaussian, "quantiles", (1.5,), "strictly between 0 and 1"),
        (
            quantile,
            "quantiles",
            (0.1,),
            r"learned the quantiles at levels \[0.2, 0.5, 0.8\]",
        ),
        (gaussian, None, (0.1,), "read only with output='quantiles'"),
        (gaussian, "mean", None, "'mean' is not an output an exported model serves"),
        (clf, "predict", None, "an exported classifier serves predict_proba"),
        (point, "predict_proba", None, "a regressor has no class probabilities"),
    ]
    for est, output, quantiles, match in refused:
        with pytest.raises(ValueError, match=match):
            export(est, tmp_path / "m", output=output, quantiles=quantiles)
    assert not (tmp_path / "m").exists()


def test_onnx_signature_and_metadata(exported):
    ort = _onnxruntime()
    for est, _, path, _ in exported.values():
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        (inp,) = session.get_inputs()
        assert inp.name == "X"
        assert inp.type == "tensor(float)"
        assert inp.shape == ["batch", "time", N_FEATURES]
        props = session.get_modelmeta().custom_metadata_map
        meta = json.loads(props["sksequence"])
        final = _final(est)
        assert meta["estimator"] == type(final).__name__
        assert meta["pipeline"] == isinstance(est, Pipeline)
        assert meta["return_sequences"] == final.return_sequences
        if _is_classifier(final):
            assert json.loads(props["classes"]) == final.classes_.tolist()
            assert meta["output"] == "predict_proba"
        else:
            assert "classes" not in props
            assert meta["output"] == "predict"


def test_onnx_labels_from_metadata_equal_predict(exported):
    ort = _onnxruntime()
    est, X_train, path, _ = exported["rnn-clf-str"]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    classes = json.loads(session.get_modelmeta().custom_metadata_map["classes"])
    assert classes == ["down", "flat", "up"]
    (X,) = _inputs(X_train, [(32, 9)])
    proba = session.run(None, {"X": X})[0]
    labels = np.asarray(classes)[proba.argmax(axis=1)]
    np.testing.assert_array_equal(labels, est.predict(X))


def test_torchscript_metadata(exported):
    est, _, _, path = exported["lstm-clf-int"]
    files = {"sksequence.json": ""}
    torch.jit.load(str(path), _extra_files=files)
    meta = json.loads(files["sksequence.json"])
    assert meta["classes"] == [-1, 3, 7]
    assert meta["estimator"] == "LSTMClassifier"
    assert meta["n_features"] == N_FEATURES


@pytest.mark.slow
def test_torchscript_loads_without_sksequence(exported):
    """The archive needs torch only: sksequence and sklearn made unimportable."""
    est, X_train, _, path = exported["peephole-bi2"]
    (X,) = _inputs(X_train, [(3, 7)])
    expected = est.predict(X)
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["sksequence"] = None
        sys.modules["sklearn"] = None
        sys.modules["skorch"] = None
        import torch
        X = torch.tensor({X.tolist()!r})
        print(torch.jit.load({str(path)!r})(X).tolist())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={"OMP_NUM_THREADS": "1", "PATH": ""},
        check=True,
    )
    served = np.asarray(json.loads(result.stdout.strip().splitlines()[-1]))
    assert_allclose(served, expected, rtol=1e-5, atol=1e-5)


def test_univariate_2d_fit_exports_one_feature(tmp_path):
    """Fitted on 2-D (n, T) data, the model serves (batch, time, 1) input."""
    ort = _onnxruntime()
    X2 = X3[:, :, 0]
    reg = GRURegressor(**TINY_EXPORT).fit(X2, y1)
    path = export_onnx(reg, tmp_path / "uni.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape == ["batch", "time", 1]
    X_new = X2[:9].astype(np.float32)
    served = session.run(None, {"X": X_new[:, :, None]})[0]
    assert_allclose(served, reg.predict(X_new), rtol=1e-5, atol=1e-5)
    scripted = torch.jit.load(str(export_torchscript(reg, tmp_path / "uni.pt")))
    served = scripted(torch.from_numpy(X_new[:, :, None])).numpy()
    assert_allclose(served, reg.predict(X_new), rtol=1e-5, atol=1e-5)


def test_example_X_and_opset(tmp_path):
    onnx = pytest.importorskip("onnx")
    reg = LSTMRegressor(peephole=True, **TINY_EXPORT).fit(X3, y1)
    path = export_onnx(reg, tmp_path / "m.onnx", example_X=X3[:4], opset=18)
    model = onnx.load(str(path))
    assert {op.domain: op.version for op in model.opset_import}[""] == 18
    with pytest.raises(ValueError, match="n_features = 2"):
        export_onnx(reg, tmp_path / "bad.onnx", example_X=X3[:, :, :1])


@pytest.mark.parametrize("export", [export_onnx, export_torchscript])
def test_unfitted_raises(export, tmp_path):
    with pytest.raises(NotFittedError):
        export(GRURegressor(), tmp_path / "m")
    with pytest.raises(NotFittedError):
        export(_pipeline(SequenceScaler(), LSTMClassifier()), tmp_path / "m")
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("export", [export_onnx, export_torchscript])
def test_unsupported_raises(export, exported, tmp_path):
    est = exported["gru-reg"][0]
    other = _pipeline(FunctionTransformer(), est)
    with pytest.raises(TypeError, match="'step0' \\(FunctionTransformer\\)"):
        export(other, tmp_path / "m")
    with pytest.raises(TypeError, match="LinearRegression"):
        export(LinearRegression().fit(X3[:, 0], y1), tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_per_sequence_scaler_in_a_pipeline_is_refused_clearly(tmp_path):
    X = np.random.default_rng(0).normal(size=(12, 6, 1)).astype(np.float32)
    pipe = make_pipeline(
        SequenceScaler(per_sequence=True), GRURegressor(**TINY_EXPORT)
    ).fit(X, X[:, -1, 0])
    with pytest.raises(ValueError, match=r"per_sequence=True.*pipeline\[-1\]"):
        export_onnx(pipe, tmp_path / "model.onnx")
