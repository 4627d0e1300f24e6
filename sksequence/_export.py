"""Export a fitted estimator for serving without scikit-learn or skorch.

Serving a model
---------------
A fitted sksequence estimator can be written to two self-contained formats
that need neither scikit-learn, skorch nor sksequence to run:

* :func:`export_onnx` writes an `ONNX <https://onnx.ai>`_ graph, to be run by
  ``onnxruntime`` (or any ONNX runtime, from Python, C++, C#, Java, JS...).
  Requires the ``onnx`` package at export time (``pip install
  sksequence[export]``, which also brings ``onnxruntime``).
* :func:`export_torchscript` writes a TorchScript archive, loaded with
  ``torch.jit.load`` (Python) or ``torch::jit::load`` (C++ libtorch).

Both take one float32 input ``X`` of shape ``(batch, time, features)``, with
any batch size and any number of time steps, and return what the estimator
returns:

* regressors: ``predict(X)``, in the units of the training targets (the
  internal target standardization is part of the graph), shaped as
  ``predict`` shapes it (``(batch,)`` for a 1-D ``y``, ``(batch, n_outputs)``
  otherwise; with ``return_sequences=True`` one value per time step). With
  ``loss="gaussian"`` that is the mean, with ``loss="quantile"`` the
  median. ``output="std"`` serves ``predict(X, return_std=True)[1]``
  (``loss="gaussian"``) and ``output="quantiles"`` with ``quantiles=levels``
  serves ``predict_quantiles(X, levels)`` (both distributional losses), the
  calibration included; the metadata's ``"output"`` (and ``"quantiles"``)
  say which;
* classifiers: ``predict_proba(X)``, the softmax probabilities in the order
  of ``classes_``. The labels are stored with the model (ONNX
  ``metadata_props["classes"]``, TorchScript extra file ``sksequence.json``,
  both JSON); the predicted label is ``classes[argmax(proba, axis=-1)]``.

What is exported: every cell (Elman RNN with tanh or relu, LSTM, peephole
LSTM, GRU in both reset conventions), stacked and bidirectional networks,
``return_sequences``, and a ``Pipeline`` of :class:`~sksequence.SequenceScaler`
steps followed by the estimator (the scaling is folded into the graph).

What is not exported:

* variable-length batches. The exported model has no ``lengths`` input:
  every sequence of a batch must have the batch's number of time steps and
  padding would be read as data. Run sequences of different lengths in
  separate batches (grouped by length, or one at a time).
* 2-D input. An estimator fitted on 2-D ``(n_samples, n_timesteps)`` data
  (univariate sequences) is exported for input ``(batch, time, 1)``;
  reshape with ``X[:, :, None]``.
* pandas column names and input validation: the exported model trusts its
  input (float32, no NaN checks).
* other pipeline steps, ``TransformedTargetRegressor`` and other wrappers
  (a ``TypeError`` names the step).

The exported model computes in float32; ``predict`` computes in float64.
They agree to about 1e-7 (absolute, targets of unit scale) for the small
networks of the tests; the difference grows with the network and the number
of time steps but stays at float32 rounding.

Which to choose: ``benchmarks/inference_speed.py`` prints samples per second
of the three paths on one CPU thread. For the GRU/LSTM/RNN cells that ONNX
has as operators, onnxruntime was the fastest (about 19x ``predict`` for
single sequences, 3x for batches of 256); the peephole LSTM and classic GRU
export as an ONNX ``Loop`` over time steps, which onnxruntime runs slowly on
large batches: serve those with TorchScript. ``predict`` itself pays for
input validation and a float64 copy of the network at every call.

TorchScript and the TorchScript-based ONNX exporter used here work with
torch 2.13 but are deprecated upstream (since torch 2.9, in favour of
``torch.export``); an ONNX file, once written, needs no torch at all.

Example (ONNX)::

    import json
    import onnxruntime as ort

    export_onnx(clf, "model.onnx")
    session = ort.InferenceSession("model.onnx")
    proba = session.run(None, {"X": X.astype("float32")})[0]
    meta = session.get_modelmeta().custom_metadata_map
    labels = np.asarray(json.loads(meta["classes"]))[proba.argmax(axis=-1)]
"""

import contextlib
import json
import os
import warnings
from typing import Final

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._constants import ONNX_OPSET
from ._heads import HEADS
from ._modules import frozen_copy
from ._readout import Readout, ReadoutModel
from ._validation import check_quantiles

__all__ = ["export_onnx", "export_torchscript"]

INPUT_NAME = "X"
OUTPUT_NAME = "y"
#: what an exported model can serve (``output=``), named as the estimators'
#: methods name it: ``predict``, ``predict_proba``, ``return_std``'s std and
#: ``predict_quantiles``' quantiles
SERVED_OUTPUTS = ("predict", "predict_proba", "std", "quantiles")
# name of the JSON metadata file inside a TorchScript archive
TORCHSCRIPT_METADATA = "sksequence.json"


# -- the served module: scaling, the fitted network, its readout --------------


class _Affine(nn.Module):
    """``(x - offset) / scale`` in float32, as :class:`SequenceScaler` does."""

    center: Final[bool]
    divide: Final[bool]

    def __init__(self, offset, scale):
        super().__init__()
        self.center = offset is not None
        self.divide = scale is not None
        self.register_buffer("offset", _float32(0.0 if offset is None else offset))
        self.register_buffer("scale", _float32(1.0 if scale is None else scale))

    def forward(self, X):
        if self.center:
            X = X - self.offset
        if self.divide:
            X = X / self.scale
        return X


class _ServingModel(nn.Module):
    """Input scaling -> the fitted network -> its readout.

    Parameters
    ----------
    scalers : list of _Affine
    model : ReadoutModel
        The fitted :class:`SequenceModel` (float32, frozen; read without
        lengths) and its float32 :class:`~sksequence._readout.Readout`: the
        outputs ``predict`` (or ``predict_proba``) returns, or the standard
        deviations or quantiles its estimator's methods return.
    """

    def __init__(self, scalers, model):
        super().__init__()
        self.scalers = nn.ModuleList(scalers)
        self.model = model

    def forward(self, X):
        for scaler in self.scalers:
            X = scaler(X)
        # dropout is the identity at inference
        return self.model(X)


@contextlib.contextmanager
def _quiet_export():
    """Silence torch's warnings about the export path chosen here.

    torch >= 2.9 flags TorchScript and the TorchScript-based ONNX exporter
    as deprecated (documented in the module docstring), and the ONNX
    exporter warns that recurrent layers may not run at other batch sizes:
    not so here, the initial states are zeros shaped from the input (the
    tests run batch sizes other than the example's). The tracer's warnings
    about ``nn.RNNBase``'s shape checks are moot too: those checks hold for
    every input with the network's number of features.
    """
    with warnings.catch_warnings():
        for message in (
            r"`torch\.jit\.\w+` is deprecated",
            "You are using the legacy TorchScript-based ONNX export",
            "The feature will be removed",
        ):
            warnings.filterwarnings(
                "ignore", message=message, category=DeprecationWarning
            )
        warnings.filterwarnings(
            "ignore",
            message="Exporting a model to ONNX with a batch_size other than 1",
            category=UserWarning,
        )
        warnings.filterwarnings(
            "ignore",
            category=torch.jit.TracerWarning,
            module=r"torch\.nn\.modules\.rnn",
        )
        yield


def _float32(values):
    return torch.as_tensor(np.asarray(values, dtype=np.float32))


# -- from estimator to module --------------------------------------------------


def _split_pipeline(estimator):
    """``(scalers, final estimator)`` of an estimator or supported Pipeline."""
    from sklearn.pipeline import Pipeline

    from ._base import is_sequence_estimator
    from ._scaling import SequenceScaler

    steps = []
    if isinstance(estimator, Pipeline):
        *steps, (_, estimator) = estimator.steps
    if not is_sequence_estimator(estimator):
        raise TypeError(
            "Only sksequence estimators (RNN/LSTM/GRU regressors and classifiers), "
            "alone or as the last step of a Pipeline, can be exported; got "
            f"{type(estimator).__name__}."
        )
    scalers = []
    for name, step in steps:
        if step is None or step == "passthrough":
            continue
        if not isinstance(step, SequenceScaler):
            raise TypeError(
                f"Cannot export the Pipeline step {name!r} "
                f"({type(step).__name__}): only SequenceScaler steps (and "
                "'passthrough') can precede the estimator in an exported "
                "Pipeline. Apply other preprocessing before calling the "
                "exported model."
            )
        if step.per_sequence:
            raise ValueError(
                f"Cannot export the Pipeline step {name!r}: "
                "SequenceScaler(per_sequence=True) scales each sequence by its "
                "own statistics, which the exported graph does not compute yet. "
                "Export the estimator alone (pipeline[-1]) and apply the "
                "scaler's transform before calling the exported model."
            )
        check_is_fitted(step)
        scalers.append(step)
    check_is_fitted(estimator)
    return scalers, estimator


def _losses(has):
    """The regressors' losses whose heads ``has(head)``, for messages."""
    return " or ".join(f"loss={h.loss!r}" for h in HEADS.values() if has(h))


def _check_output(state, output, quantiles):
    """``(output, levels)`` an estimator fitted as ``state`` can serve: the
    one place the export's ``output=`` and ``quantiles=`` are checked.

    ``output=None`` is what the estimator returns (``predict_proba`` for
    classifiers, ``predict`` for regressors); the levels are validated as
    ``predict_quantiles`` validates them (those a quantile head learned).
    """
    if output is None:
        output = "predict_proba" if state.is_classifier else "predict"
    if output not in SERVED_OUTPUTS:
        raise ValueError(
            f"output={output!r} is not an output an exported model serves; "
            f"pass one of {SERVED_OUTPUTS}, or None for what the estimator "
            "returns (predict_proba for a classifier, predict for a regressor)."
        )
    if state.is_classifier and output != "predict_proba":
        raise ValueError(
            f"output={output!r}: an exported classifier serves predict_proba "
            "(its label is classes[argmax(proba)], the classes are in the "
            "metadata); pass output='predict_proba' or None."
        )
    if not state.is_classifier and output == "predict_proba":
        raise ValueError(
            "output='predict_proba': a regressor has no class probabilities; "
            "pass output='predict', 'std' or 'quantiles'."
        )
    head = state.head
    needs = {
        "std": lambda h: h.std_block is not None,
        "quantiles": lambda h: h.distributional,
    }.get(output)
    if needs is not None and not needs(head):
        raise ValueError(
            f"output={output!r} needs a model fitted with {_losses(needs)}; "
            f"this one was fitted with loss={head.loss!r}, which predicts "
            f"{head.predicts}. Export output='predict', or refit with that loss."
        )
    if output != "quantiles":
        if quantiles is not None:
            raise ValueError(
                f"quantiles={quantiles!r} is read only with output='quantiles' "
                f"(got output={output!r}); leave quantiles=None."
            )
        return output, None
    if quantiles is None:
        raise ValueError(
            "output='quantiles' needs the levels the exported model serves: "
            f"pass quantiles=..., e.g. quantiles={head.levels} (the levels of "
            "fit); each in (0, 1)."
        )
    levels = check_quantiles(quantiles, add_median=False, sort=False)
    return output, head.available_levels(levels)


def _serving_model(estimator, output=None, quantiles=None):
    """The float32 :class:`_ServingModel` of a fitted estimator or Pipeline,
    serving ``output`` (see :func:`_check_output`) through the readout
    (:class:`~sksequence._readout.Readout`).

    Returns ``(model, final_estimator, metadata)``: the metadata as
    :func:`_metadata` writes it.
    """
    scalers, est = _split_pipeline(estimator)
    output, levels = _check_output(est.fitted_state_, output, quantiles)
    readout = "predict" if output == "predict_proba" else output
    model = ReadoutModel(
        frozen_copy(est.net_.module_, device="cpu", dtype=torch.float32),
        Readout(est.fitted_state_, readout, levels=levels).float(),
    )
    affines = [
        _Affine(s.mean_ if s.with_mean else None, s.scale_ if s.with_std else None)
        for s in scalers
    ]
    meta = _metadata(estimator, est, output, levels)
    return _ServingModel(affines, model).eval(), est, meta


def _metadata(estimator, est, output, levels):
    """JSON-able description stored beside the exported model."""
    state = est.fitted_state_
    meta = {
        "estimator": type(est).__name__,
        "pipeline": estimator is not est,
        "n_features": int(state.n_channels),
        "return_sequences": bool(state.per_step),
        "output": output,
        "input": INPUT_NAME,
    }
    if levels is not None:
        meta["quantiles"] = [float(q) for q in levels]
    if state.is_classifier:
        meta["classes"] = np.asarray(state.classes).tolist()
    return meta


def _example_input(example_X, n_features):
    if example_X is None:
        # batch and time > 1: exporters may treat a size-1 axis as a constant
        return torch.zeros(2, 3, n_features)
    X = np.asarray(example_X, dtype=np.float32)
    if X.ndim == 2 and n_features == 1:
        X = X[:, :, None]
    if X.ndim != 3 or X.shape[2] != n_features:
        raise ValueError(
            "example_X must have shape (batch, time, n_features) with "
            f"n_features = {n_features}; got {X.shape}."
        )
    return torch.from_numpy(np.ascontiguousarray(X))


# -- public functions ------------------------------------------------------------

# the parameters both exporters take, written once (substituted below)
_OUTPUT_PARAMETERS = """\
output : {"predict", "predict_proba", "std", "quantiles"} or None, \
default=None
        What the exported model serves, named as the estimator's methods
        name it: ``"predict"`` (regressors), ``"predict_proba"``
        (classifiers), ``"std"``: ``predict(X, return_std=True)[1]``
        (``loss="gaussian"``), ``"quantiles"``: ``predict_quantiles(X,
        quantiles)``, shape ``predict``'s with one more axis last
        (``loss="gaussian"`` or ``"quantile"``). None: ``"predict_proba"``
        for a classifier, ``"predict"`` for a regressor.
    quantiles : sequence of float in (0, 1), default=None
        With ``output="quantiles"`` (and only then; required): the levels,
        in the order served. With ``loss="quantile"`` levels the network
        learned, as in ``predict_quantiles``."""


def export_onnx(
    estimator, path, *, output=None, quantiles=None, example_X=None, opset=None
):
    """Write a fitted estimator as an ONNX model.

    The graph has one float32 input ``"X"`` of shape ``(batch, time,
    n_features)``, where ``batch`` and ``time`` are dynamic, and one output
    ``"y"``: by default what ``predict`` returns for a regressor (in the
    units of the training targets) or ``predict_proba`` for a classifier;
    ``output`` chooses a regressor's standard deviation or quantiles
    instead. See the module documentation, "Serving a model", for what is
    and is not exported.

    The model's ``metadata_props`` hold ``"classes"`` (classifiers: the
    JSON-encoded ``classes_``) and ``"sksequence"`` (JSON: estimator class,
    ``n_features``, ``return_sequences``, ``output``, and with
    ``output="quantiles"`` the ``quantiles``).

    Parameters
    ----------
    estimator : fitted sksequence estimator or Pipeline
        An RNN/LSTM/GRU regressor or classifier, or a ``Pipeline`` of
        :class:`~sksequence.SequenceScaler` steps ending with one.
    path : str or path-like
        Where to write the ``.onnx`` file.
    {output_parameters}
    example_X : array-like of shape (batch, time, n_features), default=None
        Input used to trace the network; zeros of shape ``(2, 3,
        n_features)`` by default. It fixes neither the batch size nor the
        number of time steps.
    opset : int, default=None
        ONNX opset version; None uses 17.

    Returns
    -------
    path : str or path-like
        ``path``, as given.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator (or a scaler of the Pipeline) is not fitted.
    TypeError
        If ``estimator`` is not a sksequence estimator or a Pipeline of
        ``SequenceScaler`` steps ending with one.
    ValueError
        If ``example_X`` does not have ``n_features`` features, or if the
        estimator has no such ``output`` (see ``output``), or ``quantiles``
        are not levels in (0, 1) it can serve.
    ImportError
        If the ``onnx`` package is not installed.

    See Also
    --------
    export_torchscript : The same model as a TorchScript archive.

    Examples
    --------
    >>> import json
    >>> import numpy as np
    >>> import onnxruntime as ort  # doctest: +SKIP
    >>> from sksequence import GRUClassifier, export_onnx
    >>> X = np.random.default_rng(0).normal(size=(20, 5, 2))
    >>> clf = GRUClassifier(hidden_size=4, max_epochs=1, random_state=0)
    >>> clf = clf.fit(X, np.arange(20) % 2 == 0)
    >>> export_onnx(clf, "clf.onnx")  # doctest: +SKIP
    'clf.onnx'
    >>> session = ort.InferenceSession("clf.onnx")  # doctest: +SKIP
    >>> proba = session.run(None, {"X": X.astype(np.float32)})[0]  # doctest: +SKIP
    >>> meta = session.get_modelmeta().custom_metadata_map  # doctest: +SKIP
    >>> json.loads(meta["classes"])  # doctest: +SKIP
    [False, True]
    """
    model, est, meta = _serving_model(estimator, output, quantiles)
    n_features = est.fitted_state_.n_channels
    X = _example_input(example_X, n_features)
    try:
        import onnx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "export_onnx needs the 'onnx' package: pip install onnx onnxruntime "
            "(or pip install sksequence[export])."
        ) from exc
    time_axis = {0: "batch", 1: "time"}
    output_axes = dict(time_axis) if est.return_sequences else {0: "batch"}
    with _quiet_export(), torch.no_grad():
        if model.model.model.masked:
            # a traced Python loop would be unrolled to the example's length:
            # script the model so that the engine's time loop becomes an ONNX
            # Loop (the fused torch layers are traced into ONNX's own
            # RNN/LSTM/GRU operators, which onnxruntime runs fastest)
            model = torch.jit.script(model)
        torch.onnx.export(
            model,
            (X,),
            os.fspath(path),
            dynamo=False,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: time_axis, OUTPUT_NAME: output_axes},
            opset_version=ONNX_OPSET if opset is None else int(opset),
        )
    proto = onnx.load(os.fspath(path))
    props = {"sksequence": json.dumps(meta)}
    if "classes" in meta:
        props["classes"] = json.dumps(meta["classes"])
    onnx.helper.set_model_props(proto, props)
    proto.doc_string = _doc_string(meta)
    onnx.save(proto, os.fspath(path))
    return path


def export_torchscript(estimator, path, *, output=None, quantiles=None):
    """Write a fitted estimator as a TorchScript archive.

    The scripted module maps a float32 tensor ``X`` of shape ``(batch, time,
    n_features)``, any batch size and number of time steps, to what
    ``predict`` returns for a regressor (in the units of the training
    targets) or ``predict_proba`` for a classifier, as a float32 tensor
    (``output`` chooses a regressor's standard deviation or quantiles
    instead). It loads with ``torch.jit.load`` where neither sksequence nor
    scikit-learn is installed. The archive also holds an extra file
    ``"sksequence.json"`` (the classifier's ``classes``, the estimator
    class, ``n_features``, ``return_sequences``, ``output``, and with
    ``output="quantiles"`` the ``quantiles``); read it with
    ``torch.jit.load(path, _extra_files=files)`` where ``files =
    {"sksequence.json": ""}``.

    Parameters
    ----------
    estimator : fitted sksequence estimator or Pipeline
        An RNN/LSTM/GRU regressor or classifier, or a ``Pipeline`` of
        :class:`~sksequence.SequenceScaler` steps ending with one.
    path : str or path-like
        Where to write the archive (conventionally ``.pt``).
    {output_parameters}

    Returns
    -------
    path : str or path-like
        ``path``, as given.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator (or a scaler of the Pipeline) is not fitted.
    TypeError
        If ``estimator`` is not a sksequence estimator or a Pipeline of
        ``SequenceScaler`` steps ending with one.
    ValueError
        If the estimator has no such ``output`` (see ``output``), or
        ``quantiles`` are not levels in (0, 1) it can serve.

    See Also
    --------
    export_onnx : The same model as an ONNX graph.

    Examples
    --------
    >>> import json, os, tempfile
    >>> import numpy as np
    >>> import torch
    >>> from sksequence import GRURegressor, export_torchscript
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(20, 5, 2)), rng.normal(size=20)
    >>> reg = GRURegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "reg.pt")
    >>> _ = export_torchscript(reg, path)
    >>> files = {"sksequence.json": ""}
    >>> served = torch.jit.load(path, _extra_files=files)
    >>> X_new = rng.normal(size=(3, 8, 2)).astype(np.float32)  # another length
    >>> y_new = served(torch.from_numpy(X_new)).numpy()
    >>> y_new.shape
    (3,)
    >>> bool(np.allclose(y_new, reg.predict(X_new), atol=1e-5))
    True
    >>> json.loads(files["sksequence.json"])["estimator"]
    'GRURegressor'

    A regressor fitted with ``loss="gaussian"`` serves its standard
    deviation, or its quantiles at chosen levels, as its methods return them:

    >>> gauss = GRURegressor(loss="gaussian", hidden_size=4, max_epochs=1,
    ...                      random_state=0).fit(X, y)
    >>> _ = export_torchscript(gauss, path, output="quantiles",
    ...                        quantiles=(0.05, 0.95))
    >>> bands = torch.jit.load(path)(torch.from_numpy(X_new)).numpy()
    >>> bands.shape
    (3, 2)
    >>> expected = gauss.predict_quantiles(X_new, quantiles=(0.05, 0.95))
    >>> bool(np.allclose(bands, expected, atol=1e-5))
    True
    >>> _ = export_torchscript(gauss, path, output="std")
    >>> std = torch.jit.load(path)(torch.from_numpy(X_new)).numpy()
    >>> bool(np.allclose(std, gauss.predict(X_new, return_std=True)[1], atol=1e-5))
    True
    """
    model, est, meta = _serving_model(estimator, output, quantiles)
    with _quiet_export():
        torch.jit.save(
            torch.jit.script(model),
            os.fspath(path),
            _extra_files={TORCHSCRIPT_METADATA: json.dumps(meta)},
        )
    return path


_OUTPUT_DOCS = {
    "predict_proba": "class probabilities in the order of metadata 'classes'",
    "predict": "predictions in the units of the training targets",
    "std": "standard deviations in the units of the training targets",
    "quantiles": "quantiles at the levels of metadata 'quantiles' (last axis)",
}


def _doc_string(meta):
    output = _OUTPUT_DOCS[meta["output"]]
    return (
        f"sksequence {meta['estimator']}: input X float32 (batch, time, "
        f"{meta['n_features']}); output y: {output}."
    )


for _exporter in (export_onnx, export_torchscript):
    if _exporter.__doc__:  # None under python -OO
        _exporter.__doc__ = _exporter.__doc__.replace(
            "{output_parameters}", _OUTPUT_PARAMETERS
        )
