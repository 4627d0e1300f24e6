"""Safe persistence: save fitted estimators without pickle.

A saved estimator is one ZIP archive (written with :mod:`zipfile`; any file
name, ``.skseq`` is a good suffix) holding exactly three members:

``meta.json``
    UTF-8 JSON: the format name and version, the estimator class name, its
    constructor parameters, its fitted attributes, the skorch history and
    the non-tensor part of the optimizer state.
``module.safetensors``
    The torch module's ``state_dict`` in the safetensors format.
``optimizer.safetensors``
    The tensors of the optimizer's ``state_dict`` (moment estimates, step
    counts), named ``"t0"``, ``"t1"``, ... and referenced from
    ``meta.json``.

:func:`load` never unpickles anything: JSON and safetensors are pure data
formats, the class is looked up in a fixed allow-list of the six public
estimators, an optimizer class only by name in :mod:`torch.optim`, and
every value read is type- and shape-checked before use. Members other
than the three above are refused, not read.

Non-tensor values in ``meta.json`` that JSON cannot represent directly are
written as single-key objects (tags): ``{"tuple": [...]}``, ``{"list":
[...]}``, ``{"dict": [[key, value], ...]}`` (keys may be ints),
``{"tensor": "t0"}``, ``{"torch.optim": "Adam"}``, ``{"torch.device":
"cuda:0"}``, ``{"path": "..."}`` and ``{"RandomState": [...]}``.
"""

import json
import os
import pathlib
import tempfile
import warnings
import zipfile

import numpy as np
import pandas as pd
import torch
from safetensors.torch import load as _load_safetensors
from safetensors.torch import save as _save_safetensors
from sklearn.utils.validation import check_is_fitted

from ._base import (
    build_fitted_net,
    is_sequence_classifier,
    module_arguments,
    resolve_device,
)
from ._checkpoint import set_net_state
from ._classifiers import GRUClassifier, LSTMClassifier, RNNClassifier
from ._compat import validate_parameters
from ._fitted import FittedState, check_stored, stored_int
from ._generator import global_generator_user
from ._modules import SequenceModel
from ._regressors import (
    GRURegressor,
    LSTMRegressor,
    RNNRegressor,
    regression_head,
)
from ._version import __version__

__all__ = ["save", "load"]

FORMAT_NAME = "sksequence"
# the newest version this reader reads. A file is written as the oldest
# version that reads it right: version 2 for networks with instance_norm,
# which normalize with the variance floor recorded in ``_instance_norm_eps``
# (files of version 1 with the floor before it) and which a reader of
# version 1 would not apply; version 1 for every other file.
FORMAT_VERSION = 2
_INSTANCE_NORM_FLOOR_VERSION = 2
_BASE_VERSION = 1

_META = "meta.json"
_MODULE = "module.safetensors"
_OPTIMIZER = "optimizer.safetensors"
_MEMBERS = frozenset({_META, _MODULE, _OPTIMIZER})
_MAX_META_BYTES = 1 << 30

# the only classes load() will ever instantiate
_ESTIMATORS = {
    cls.__name__: cls
    for cls in (
        RNNRegressor,
        LSTMRegressor,
        GRURegressor,
        RNNClassifier,
        LSTMClassifier,
        GRUClassifier,
    )
}

# where load() places a model
_LOAD_DEVICES = ("cpu", "cuda")

# dtype kinds allowed for ``classes_``: bool, int, uint, float, str, object (str)
_LABEL_KINDS = frozenset("biufUO")


def save(estimator, path):
    """Save a fitted sksequence estimator to ``path`` without pickle.

    The file is a ZIP archive with ``meta.json`` (class name, constructor
    parameters, fitted attributes, training history, format version),
    ``module.safetensors`` (the network weights) and
    ``optimizer.safetensors`` (the optimizer's tensors). It is written to a
    temporary file next to ``path`` and then moved into place, so an
    interrupted save never leaves a half-written file at ``path``.

    Parameters
    ----------
    estimator : RNNRegressor, LSTMRegressor, GRURegressor, RNNClassifier, \
LSTMClassifier or GRUClassifier
        A fitted estimator of one of the six public classes (not a
        subclass). ``callbacks`` must be None or empty: callbacks are
        arbitrary Python objects, which this format does not store.
        ``optimizer`` must be a string or a class defined in
        :mod:`torch.optim`.
    path : str or os.PathLike
        Destination file; overwritten if it exists. Any name works;
        ``.skseq`` is a good suffix.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    ValueError
        If the estimator holds something that cannot be stored safely: user
        callbacks, an optimizer outside :mod:`torch.optim`, a class outside
        the six public estimators, labels that are neither numbers, booleans
        nor strings.

    See Also
    --------
    load : Load an estimator saved by this function.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sksequence import GRURegressor, load, save
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(32, 6, 2))
    >>> y = X[:, -1, 0]
    >>> reg = GRURegressor(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "model.skseq")
    ...     save(reg, path)
    ...     loaded = load(path, device="cpu")
    >>> np.array_equal(loaded.predict(X), reg.predict(X))
    True
    """
    cls = type(estimator)
    if _ESTIMATORS.get(cls.__name__) is not cls:
        raise ValueError(
            "save supports the six public sksequence estimators "
            f"({', '.join(sorted(_ESTIMATORS))}); got {cls.__module__}."
            f"{cls.__qualname__}. Use pickle or joblib for other objects."
        )
    check_is_fitted(estimator)

    meta = {
        "format": FORMAT_NAME,
        "format_version": (
            _INSTANCE_NORM_FLOOR_VERSION if estimator._instance_norm else _BASE_VERSION
        ),
        "sksequence_version": __version__,
        "torch_version": torch.__version__,
        "class": cls.__name__,
        "params": _encode_params(estimator.get_params(deep=False)),
        "fitted": _fitted_attributes(estimator),
        "net_history": _encode(list(estimator.net_.history), None, "net_.history"),
    }
    optimizer_tensors = {}
    meta["optimizer"] = _encode(
        estimator.net_.optimizer_.state_dict(), optimizer_tensors, "optimizer state"
    )
    module_tensors = {
        name: tensor.detach().cpu().contiguous()
        for name, tensor in estimator.net_.module_.state_dict().items()
    }
    meta_bytes = json.dumps(meta, indent=1).encode("utf-8")
    _write_atomically(
        path,
        {
            _META: meta_bytes,
            _MODULE: _save_safetensors(module_tensors),
            _OPTIMIZER: _save_safetensors(optimizer_tensors),
        },
    )


def load(path, *, device=None):
    """Load an estimator saved by :func:`save`, without unpickling anything.

    Everything read is validated before it is used: the archive must hold
    exactly ``meta.json``, ``module.safetensors`` and
    ``optimizer.safetensors``; the format version must not be newer than
    this package's; the class must be one of the six public estimators;
    the parameter names must be those of that class and their values must
    pass its parameter validation (an optimizer must be a concrete class
    of :mod:`torch.optim`); the fitted attributes must have the expected
    types and consistent sizes, and the numbers predictions use (target
    scaling, calibration, weights) must be finite (scales positive); the
    sizes the file asks for must be those of the stored weights, checked
    before the network is built, so that no file makes ``load`` allocate
    more than it holds; the optimizer state's tensors must have the shapes
    of their parameters' state; the device must be a CPU or a CUDA one.
    The complete list is in the user guide (:ref:`load-validation`).

    Restored: the constructor parameters but ``checkpoint``, ``n_features_in_``,
    ``feature_names_in_`` (when fitted on a DataFrame), ``n_iter_``,
    ``history_``, ``classes_`` (same dtype) or the target scaling of a
    regressor (and the calibration of its spread), and ``net_`` with its
    module weights, its optimizer state and its skorch history
    (``net_.history``). Predictions of the loaded
    estimator are bit-identical to the original's on the same device.
    Not restored: the internal state of skorch callbacks (early stopping
    counters, best weights kept in memory), which :meth:`fit` rebuilds
    anyway, the random number generator state of the training loop, and
    ``checkpoint``: a file must not choose where a later :meth:`fit`
    writes, so it is None (with a ``UserWarning`` when the file named a
    directory; ``set_params(checkpoint=...)`` sets it again).

    Parameters
    ----------
    path : str or os.PathLike
        File written by :func:`save`.
    device : str, torch.device or None, default=None
        Where to place the network, e.g. ``"cpu"`` to load a model trained
        on a GPU on a machine without one. It also becomes the estimator's
        ``device`` parameter, used by a later :meth:`fit`. None: the saved
        ``device``; if that is a CUDA device and CUDA is not available, the
        CPU is used instead, ``device`` is set to ``"cpu"`` and a
        ``UserWarning`` says so.

    Returns
    -------
    estimator : RNNRegressor, LSTMRegressor, GRURegressor, RNNClassifier, \
LSTMClassifier or GRUClassifier
        The fitted estimator.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a valid sksequence file (foreign, corrupted or
        tampered with), was written by a newer format version, or
        ``device`` is invalid, unavailable, or neither a CPU nor a CUDA
        device.

    See Also
    --------
    save : Save a fitted estimator.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sksequence import LSTMClassifier, load, save
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(32, 6, 1))
    >>> y = np.where(X[:, :, 0].mean(axis=1) > 0, "up", "down")
    >>> clf = LSTMClassifier(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "model.skseq")
    ...     save(clf, path)
    ...     loaded = load(path)
    >>> loaded.classes_
    array(['down', 'up'], dtype='<U4')
    >>> np.array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    True
    """
    members = _read_archive(path)
    try:
        meta = json.loads(members[_META].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _invalid(path, f"{_META} is not valid UTF-8 JSON ({exc})") from exc
    _check(isinstance(meta, dict), path, f"{_META} must hold a JSON object")
    _check_format(meta, path)

    name = meta.get("class")
    _check(
        isinstance(name, str) and name in _ESTIMATORS,
        path,
        f"class {name!r} is not one of {sorted(_ESTIMATORS)}",
    )
    cls = _ESTIMATORS[name]
    try:
        params = _decode_params(meta.get("params"), cls)
        # a file must not choose where a later fit writes: never restored
        stored_checkpoint = params["checkpoint"]
        params["checkpoint"] = None
        estimator = cls(**params)
        validate_parameters(estimator)
        _restore_fitted(estimator, meta.get("fitted"))
        net_history = _decode(meta.get("net_history"), None)
        for row in check_stored(net_history, list, "net_history"):
            check_stored(row, dict, "a net_history row")
        optimizer_state = _decode(
            meta.get("optimizer"), _tensors(members[_OPTIMIZER], _OPTIMIZER)
        )
        module_state = _tensors(members[_MODULE], _MODULE)
    except KeyError as exc:
        raise _invalid(path, f"the entry {exc} is missing") from exc
    except (TypeError, ValueError, IndexError, RecursionError) as exc:
        raise _invalid(path, str(exc)) from exc
    try:
        # before anything is allocated: the sizes the file asks for are
        # those of the tensors it holds
        _check_module_state(estimator, module_state)
    except ValueError as exc:
        raise _invalid(
            path, f"the saved state does not fit the network ({exc})"
        ) from exc

    torch_device = _target_device(estimator, device, path)
    with (
        global_generator_user(),
        torch.random.fork_rng(
            devices=[torch_device.index or 0] if torch_device.type == "cuda" else []
        ),
    ):
        # initialize() draws random initial weights; keep the caller's RNG
        net = build_fitted_net(estimator, torch_device)
        net.initialize()
    try:
        _check_optimizer_state(net.optimizer_, optimizer_state)
        set_net_state(
            net, module=module_state, optimizer=optimizer_state, history=net_history
        )
    except (TypeError, ValueError, KeyError, IndexError, RuntimeError) as exc:
        raise _invalid(
            path, f"the saved state does not fit the network ({exc})"
        ) from exc
    estimator.net_ = net
    if stored_checkpoint is not None:
        warnings.warn(
            f"{os.fspath(path)!r} was saved with checkpoint="
            f"{str(stored_checkpoint)!r}; load does not restore it (a file "
            "must not choose where a later fit writes), so checkpoint is None. "
            "Set it again with estimator.set_params(checkpoint=...) to "
            "checkpoint later fits.",
            UserWarning,
            stacklevel=2,
        )
    return estimator


# -- writing -------------------------------------------------------------


def _encode_params(params):
    out = {}
    for key, value in params.items():
        if key == "callbacks" and value:
            raise ValueError(
                "Cannot save an estimator with callbacks: they are arbitrary Python "
                "objects that this format does not store. Set callbacks=None before "
                "saving (estimator.set_params(callbacks=None); the fitted network "
                "does not need them) and pass them again when you fit later."
            )
        if key == "optimizer" and not isinstance(value, str):
            name = getattr(value, "__name__", None)
            if not (
                isinstance(name, str)
                and name in torch.optim.__all__
                and getattr(torch.optim, name) is value
            ):
                raise ValueError(
                    f"Cannot save optimizer={value!r}: only optimizer names and "
                    "classes defined in torch.optim (e.g. torch.optim.Adam) can be "
                    "saved. Use pickle or joblib for custom optimizers."
                )
            out[key] = {"torch.optim": name}
            continue
        out[key] = _encode(value, None, f"parameter {key!r}")
    return out


def _encode(obj, tensors, what):
    """JSON-ready form of ``obj``; tensors go to ``tensors`` (None: refuse)."""
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, torch.Tensor) and tensors is not None:
        key = f"t{len(tensors)}"
        tensors[key] = obj.detach().cpu().contiguous()
        return {"tensor": key}
    if isinstance(obj, torch.device):
        return {"torch.device": str(obj)}
    if isinstance(obj, pathlib.PurePath):
        return {"path": str(obj)}
    if isinstance(obj, np.random.RandomState):
        kind, keys, pos, has_gauss, cached = obj.get_state(legacy=True)
        return {"RandomState": [keys.tolist(), pos, has_gauss, cached]}
    if isinstance(obj, (list, tuple)):
        tag = "list" if isinstance(obj, list) else "tuple"
        return {tag: [_encode(item, tensors, what) for item in obj]}
    if isinstance(obj, dict):
        return {
            "dict": [
                [_encode(k, tensors, what), _encode(v, tensors, what)]
                for k, v in obj.items()
            ]
        }
    raise ValueError(
        f"Cannot save {what}: values of type {type(obj).__name__} are not "
        "supported by sksequence.save. Use pickle or joblib instead."
    )


def _fitted_attributes(est):
    fitted = {
        "n_features_in_": int(est.n_features_in_),
        "n_iter_": int(est.n_iter_),
        "patch_size_": int(est.patch_size_),
        "early_stopping_": bool(est.early_stopping_),
        "history_": _encode_history(est.history_),
        **est.fitted_state_.to_dict(),
    }
    if hasattr(est, "feature_names_in_"):
        fitted["feature_names_in_"] = [str(name) for name in est.feature_names_in_]
    if "classes_" in fitted:
        fitted["classes_"] = _encode_labels(fitted["classes_"])
    return fitted


def _encode_history(frame):
    return {
        "index_name": frame.index.name,
        "index": [int(i) for i in frame.index],
        "columns": {str(col): frame[col].astype(float).tolist() for col in frame},
    }


def _encode_labels(classes):
    classes = np.asarray(classes)
    values = classes.tolist()
    ok = classes.ndim == 1 and classes.dtype.kind in _LABEL_KINDS
    if ok and classes.dtype.kind == "O":
        ok = all(isinstance(v, str) for v in values)
    if not ok:
        raise ValueError(
            f"Cannot save classes_ of dtype {classes.dtype}: sksequence.save stores "
            "class labels that are booleans, integers, floats or strings."
        )
    return {"dtype": classes.dtype.str, "values": values}


def _write_atomically(path, members):
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".sksequence-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w") as archive:
            for name, data in members.items():
                compression = zipfile.ZIP_DEFLATED if name == _META else None
                archive.writestr(name, data, compress_type=compression)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# -- reading -------------------------------------------------------------


def _invalid(path, reason):
    return ValueError(f"{os.fspath(path)!r} is not a valid sksequence file: {reason}.")


def _check(condition, path, reason):
    if not condition:
        raise _invalid(path, reason)


def _read_archive(path):
    """Bytes of the three members; nothing else in the archive is read."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such sksequence file: {os.fspath(path)!r}.")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            _check(
                len(names) == len(set(names)) and set(names) == _MEMBERS,
                path,
                f"expected the members {sorted(_MEMBERS)}, found {sorted(names)}",
            )
            for info in archive.infolist():
                if info.filename == _META:
                    _check(
                        info.file_size <= _MAX_META_BYTES,
                        path,
                        f"{_META} is larger than {_MAX_META_BYTES} bytes",
                    )
                else:
                    # tensors are written uncompressed: their size is bounded
                    # by the file's, so no decompression bomb can hide there
                    _check(
                        info.compress_type == zipfile.ZIP_STORED,
                        path,
                        f"{info.filename} is compressed",
                    )
            return {name: archive.read(name) for name in names}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        if isinstance(exc, (FileNotFoundError, IsADirectoryError)):
            raise
        raise _invalid(path, f"not a readable ZIP archive ({exc})") from exc


def _check_format(meta, path):
    _check(
        meta.get("format") == FORMAT_NAME,
        path,
        f"the format is {meta.get('format')!r}, not {FORMAT_NAME!r}",
    )
    version = meta.get("format_version")
    _check(
        isinstance(version, int) and not isinstance(version, bool) and version >= 1,
        path,
        f"invalid format_version {version!r}",
    )
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{os.fspath(path)!r} was written in sksequence file format version "
            f"{version} (by sksequence {meta.get('sksequence_version')!r}); this "
            f"sksequence {__version__} reads versions up to "
            f"{FORMAT_VERSION}. Upgrade sksequence to load it."
        )


def _decode(obj, tensors):
    """Inverse of :func:`_encode`; ``tensors`` maps names to loaded tensors."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        raise ValueError("an untagged JSON array was found")
    check_stored(obj, dict, "a stored value")
    if len(obj) != 1:
        raise ValueError(f"an unknown value with keys {sorted(obj)} was found")
    ((tag, value),) = obj.items()
    if tag == "list":
        return [_decode(item, tensors) for item in check_stored(value, list, tag)]
    if tag == "tuple":
        return tuple(_decode(item, tensors) for item in check_stored(value, list, tag))
    if tag == "dict":
        out = {}
        for pair in check_stored(value, list, tag):
            check_stored(pair, list, "a dict item")
            if len(pair) != 2:
                raise ValueError("a dict item is not a [key, value] pair")
            key = _decode(pair[0], tensors)
            check_stored(key, (str, int, float, bool, type(None)), "a dict key")
            out[key] = _decode(pair[1], tensors)
        return out
    if tag == "tensor":
        if tensors is None:
            raise ValueError("a tensor reference was found where none is allowed")
        check_stored(value, str, "a tensor reference")
        if value not in tensors:
            raise ValueError(f"tensor {value!r} is missing from {_OPTIMIZER}")
        return tensors[value]
    if tag == "torch.device":
        try:
            return torch.device(check_stored(value, str, tag))
        except RuntimeError as exc:
            raise ValueError(f"invalid device {value!r}") from exc
    if tag == "path":
        return pathlib.Path(check_stored(value, str, tag))
    if tag == "torch.optim":
        cls = (
            getattr(torch.optim, value, None) if value in torch.optim.__all__ else None
        )
        # a concrete class: the abstract base (whose step raises
        # NotImplementedError) cannot train, and skorch fails to build it
        if not (
            isinstance(cls, type)
            and issubclass(cls, torch.optim.Optimizer)
            and cls.step is not torch.optim.Optimizer.step
        ):
            raise ValueError(
                f"{value!r} is not an optimizer class of torch.optim that can "
                "train (a concrete one, such as 'Adam')"
            )
        return cls
    if tag == "RandomState":
        check_stored(value, list, tag)
        if len(value) != 4:
            raise ValueError("invalid RandomState")
        keys, pos, has_gauss, cached = value
        keys = np.asarray(check_stored(keys, list, "RandomState keys"))
        if keys.shape != (624,) or keys.dtype.kind != "i":
            raise ValueError("invalid RandomState keys")
        if keys.min() < 0 or keys.max() >= 2**32:
            raise ValueError("invalid RandomState keys")
        state = np.random.RandomState()
        state.set_state(
            (
                "MT19937",
                keys.astype(np.uint32),
                check_stored(pos, int, "RandomState pos"),
                check_stored(has_gauss, int, "RandomState has_gauss"),
                float(check_stored(cached, (int, float), "RandomState gaussian")),
            )
        )
        return state
    raise ValueError(f"unknown value tag {tag!r}")


# parameters added after format version 1, with the value that reproduces
# what a file written before them was trained with
_LATER_PARAMS = {
    "validation_split": "tail",
    "patch_size": 1,
    "class_weight": None,
    "loss": "squared_error",
    "quantiles": (0.1, 0.5, 0.9),
    "calibration": None,
    # threads never change a model: files from before it run the policy
    "n_threads": "auto",
    "embedding": "patch",
    "readout": "last",
    "instance_norm": False,
    "batch_norm": False,
    "time_warp": 0.0,
    "time_shift": 0.0,
}


def _decode_params(stored, cls):
    check_stored(stored, dict, "params")
    expected = set(cls().get_params(deep=False))
    later = {key: value for key, value in _LATER_PARAMS.items() if key in expected}
    stored = {**later, **stored}
    unknown, missing = set(stored) - expected, expected - set(stored)
    if unknown or missing:
        raise ValueError(
            f"the parameters do not match {cls.__name__}: unknown "
            f"{sorted(unknown)}, missing {sorted(missing)}"
        )
    params = {key: _decode(value, None) for key, value in stored.items()}
    if params["callbacks"]:
        raise ValueError("callbacks are never saved, yet some were found")
    return params


def _restore_fitted(est, fitted):
    check_stored(fitted, dict, "fitted")
    est.n_features_in_ = stored_int(fitted["n_features_in_"], "n_features_in_", 1)
    est.n_iter_ = stored_int(fitted["n_iter_"], "n_iter_", 0)
    # files from before patches read every time step
    est.patch_size_ = stored_int(fitted.get("patch_size_", 1), "patch_size_", 1)
    # files from before "auto": the parameter was the choice
    est.early_stopping_ = check_stored(
        fitted.get("early_stopping_", est.early_stopping), bool, "early_stopping_"
    )
    if est.return_sequences and est.patch_size_ != 1:
        raise ValueError("patch_size_ must be 1 with return_sequences")
    est.history_ = _decode_history(fitted["history_"])
    if "feature_names_in_" in fitted:
        names = check_stored(fitted["feature_names_in_"], list, "feature_names_in_")
        for name in names:
            check_stored(name, str, "feature_names_in_")
        if len(names) != est.n_features_in_:
            raise ValueError("feature_names_in_ does not match n_features_in_")
        est.feature_names_in_ = np.asarray(names, dtype=object)
    stored = dict(fitted)
    head = None
    if is_sequence_classifier(est):
        stored["classes_"] = _decode_labels(fitted["classes_"])
    else:
        # the head follows from the saved loss and quantiles parameters
        head = regression_head(est)
    est.fitted_state_ = FittedState.from_dict(
        stored,
        n_features_in=est.n_features_in_,
        per_step=bool(est.return_sequences),
        head=head,
    )
    if is_sequence_classifier(est):
        est.classes_ = est.fitted_state_.classes


def _decode_history(stored):
    check_stored(stored, dict, "history_")
    index = check_stored(stored["index"], list, "history_ index")
    for i in index:
        check_stored(i, int, "history_ index")
    columns = check_stored(stored["columns"], dict, "history_ columns")
    for name, values in columns.items():
        check_stored(values, list, f"history_ column {name!r}")
        if len(values) != len(index):
            raise ValueError(f"history_ column {name!r} has the wrong length")
        for v in values:
            check_stored(v, (int, float), f"history_ column {name!r}")
    index_name = stored["index_name"]
    check_stored(index_name, (str, type(None)), "history_ index name")
    frame = pd.DataFrame(
        {
            name: np.asarray(values, dtype=np.float64)
            for name, values in columns.items()
        },
        index=pd.Index(np.asarray(index, dtype=np.int64), name=index_name),
    )
    return frame


def _decode_labels(stored):
    check_stored(stored, dict, "classes_")
    dtype_str = check_stored(stored["dtype"], str, "classes_ dtype")
    values = check_stored(stored["values"], list, "classes_ values")
    try:
        dtype = np.dtype(dtype_str)
    except TypeError as exc:
        raise ValueError(f"invalid classes_ dtype {dtype_str!r}") from exc
    if dtype.kind not in _LABEL_KINDS or dtype.fields is not None:
        raise ValueError(f"classes_ dtype {dtype_str!r} is not allowed")
    for v in values:
        check_stored(v, (bool, int, float, str), "a class label")
    if dtype.kind == "O" and not all(isinstance(v, str) for v in values):
        raise ValueError("object classes_ must be strings")
    classes = np.array(values, dtype=dtype)
    if classes.ndim != 1 or len(classes) < 2:
        raise ValueError("classes_ must hold at least 2 labels")
    return classes


def _tensors(data, member):
    try:
        return _load_safetensors(data)
    except Exception as exc:  # safetensors raises its own SafetensorError
        raise ValueError(f"{member} is not a valid safetensors file ({exc})") from exc


def _check_module_state(estimator, state):
    """Raise ValueError unless ``state`` holds exactly the weights of the
    network ``estimator`` describes, with finite values.

    Checked before the network is built, against a shape-only copy on
    torch's ``"meta"`` device (nothing allocated): the sizes the file asks
    for (``hidden_size``, ``num_layers``, ``patch_size_``, features,
    outputs, quantiles) must be those of the tensors it holds. Each of them
    is a dimension of some tensor (and each layer holds tensors), so the
    largest tensor bounds them first, and the copy stays cheap to build.
    """
    fitted = estimator.fitted_state_
    input_size, output_size = fitted.net_sizes
    largest = max((tensor.numel() for tensor in state.values()), default=0)
    sizes = {
        "hidden_size": estimator.hidden_size,
        # a convolution's weights hold the features; patches' the product
        "the input features": input_size
        * (estimator.patch_size_ if estimator.embedding == "patch" else 1),
        "the outputs (with the quantiles)": fitted.head.width * output_size,
    }
    for what, size in sizes.items():
        if size > largest:
            raise ValueError(
                f"{what} ({size}) exceeds the size of every stored weight "
                f"(the largest holds {largest} values)"
            )
    if estimator.num_layers > len(state):
        raise ValueError(
            f"num_layers={estimator.num_layers} exceeds the {len(state)} stored weights"
        )
    arguments = module_arguments(estimator)
    try:
        with torch.device("meta"):
            expected = SequenceModel(**arguments).state_dict()
    except (RuntimeError, TypeError, ValueError, OverflowError) as exc:
        raise ValueError(
            f"a network of the stored sizes cannot be built ({type(exc).__name__})"
        ) from exc
    if set(state) != set(expected):
        raise ValueError(
            f"weights {sorted(set(expected) - set(state))} are missing and "
            f"{sorted(set(state) - set(expected))} unexpected"
        )
    for name, tensor in state.items():
        ref = expected[name]
        if tensor.shape != ref.shape or tensor.dtype != ref.dtype:
            raise ValueError(
                f"weight {name!r} has shape {tuple(tensor.shape)} and dtype "
                f"{tensor.dtype}; expected {tuple(ref.shape)} and {ref.dtype}"
            )
        if not torch.isfinite(tensor).all():
            raise ValueError(f"weight {name!r} holds NaN or infinite values")


def _tensors_in(value, name):
    """``(name, tensor)`` of every tensor in a nested dict/list/tuple."""
    if isinstance(value, torch.Tensor):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _tensors_in(item, f"{name}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _tensors_in(item, f"{name}[{i}]")


def _check_optimizer_state(optimizer, saved):
    """Raise ValueError unless ``saved`` is a state of ``optimizer`` (built
    for the loaded network): as many groups and parameters, and each tensor
    of a parameter's state shaped as the optimizer's class shapes it.

    torch's ``load_state_dict`` checks the groups but no state tensor's
    shape: a wrong one would fail at the next ``warm_start`` fit or
    ``partial_fit`` with a raw torch error.
    """
    check_stored(saved, dict, "the optimizer state")
    groups = check_stored(saved.get("param_groups"), list, "the optimizer's groups")
    state = check_stored(saved.get("state"), dict, "the optimizer's state")
    if len(groups) != len(optimizer.param_groups):
        raise ValueError(
            f"the optimizer state has {len(groups)} parameter groups, the "
            f"network's optimizer {len(optimizer.param_groups)}"
        )
    params = {}
    for group, ours in zip(groups, optimizer.param_groups):
        check_stored(group, dict, "an optimizer parameter group")
        keys = check_stored(group.get("params"), list, "an optimizer group's params")
        if len(keys) != len(ours["params"]):
            raise ValueError(
                f"an optimizer group holds {len(keys)} parameters; the "
                f"network's holds {len(ours['params'])}"
            )
        params.update(zip(keys, ours["params"]))
    shapes = None  # of the optimizer's class, found when needed
    for key, entry in state.items():
        if key not in params:
            raise ValueError(f"the optimizer state names an unknown parameter {key!r}")
        param = params[key]
        for name, tensor in _tensors_in(entry, f"state[{key!r}]"):
            shape = tuple(tensor.shape)
            if tensor.is_complex() or tensor.dtype == torch.bool:
                raise ValueError(f"optimizer {name} has dtype {tensor.dtype}")
            if shape in ((), tuple(param.shape)):
                continue  # a step count, or one value per weight (Adam's moments)
            if shapes is None:
                shapes = _optimizer_state_shapes(optimizer)
            if shape not in shapes.get(id(param), ()):
                raise ValueError(
                    f"optimizer {name} has shape {shape}; its parameter has "
                    f"shape {tuple(param.shape)}"
                )


def _optimizer_state_shapes(optimizer):
    """The shapes the state of each parameter takes under ``optimizer``'s
    class, by ``id`` of the parameter: one step of a fresh instance on zero
    copies. For optimizers whose state is not one value per weight
    (``Adafactor``'s row and column statistics, ``LBFGS``' flat vectors)."""
    originals, groups = {}, []
    for group in optimizer.param_groups:
        copies = []
        for param in group["params"]:
            copy = torch.zeros(param.shape, dtype=param.dtype)
            copy.grad = torch.ones_like(copy)
            originals[id(copy)] = id(param)
            copies.append(copy)
        groups.append({**group, "params": copies})
    try:
        fresh = type(optimizer)(groups)
        fresh.step(lambda: torch.zeros(()))
    except Exception:  # no shapes known: the state is refused
        return {}
    return {
        originals[id(copy)]: {
            (),
            tuple(copy.shape),
            *(tuple(t.shape) for _, t in _tensors_in(entry, "")),
        }
        for copy, entry in fresh.state.items()
    }


def _target_device(estimator, device, path):
    """The device to load on; updates ``estimator.device`` accordingly.

    A CPU or a CUDA device: on others (``"meta"``, which holds shapes but no
    values, or devices sksequence does not train on) the model would load
    and fail at predict.
    """
    if device is not None:
        resolved = resolve_device(device)
        if resolved.type not in _LOAD_DEVICES:
            raise ValueError(
                f"device={device!r}: load places a model on the CPU or a CUDA "
                "device, e.g. 'cpu', 'cuda' or 'cuda:0'."
            )
        estimator.device = device
        return resolved
    try:
        saved = torch.device(estimator.device)
    except (RuntimeError, TypeError) as exc:
        raise _invalid(path, f"invalid device {estimator.device!r}") from exc
    if saved.type not in _LOAD_DEVICES:
        raise _invalid(
            path,
            f"the saved device {estimator.device!r} is neither the CPU nor a CUDA "
            "device",
        )
    if saved.type != "cuda" or torch.cuda.is_available():
        return resolve_device(saved)
    warnings.warn(
        f"The estimator was saved with device={estimator.device!r}, but CUDA is "
        "not available here; loading it on the CPU and setting device='cpu'. "
        "Pass device=... to load() to choose.",
        UserWarning,
        stacklevel=3,
    )
    estimator.device = "cpu"
    return torch.device("cpu")
