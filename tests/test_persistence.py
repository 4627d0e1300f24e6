"""Tests of sksequence.save / sksequence.load (pickle-free persistence)."""

import base64
import functools
import io
import json
import os
import pathlib
import pickle
import re
import subprocess
import sys
import warnings
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_array_equal
from pandas.testing import assert_frame_equal
from shared_settings import CLASSIFIERS, REGRESSORS, TINY_SAVE, cycled_labels
from sklearn.exceptions import NotFittedError

import sksequence
from sksequence import load, save

# the six public estimators, listed once in shared_settings
RNNRegressor, LSTMRegressor, GRURegressor = REGRESSORS
RNNClassifier, LSTMClassifier, GRUClassifier = CLASSIFIERS

rng = np.random.default_rng(0)
X3 = rng.normal(size=(24, 5, 2))
X2 = rng.normal(size=(24, 6))
RAGGED = [rng.normal(size=(n, 2)) for n in (3, 5, 4, 6) * 5]
y1 = X3[:, -1, 0] * 10 + 3
y2 = np.c_[y1, X3[:, 0, 1] * 0.01]


_labels = functools.partial(cycled_labels, n=len(X3))


CASES = {
    "rnn-reg-1d": (RNNRegressor(**TINY_SAVE), X3, y1),
    "lstm-reg-2d": (LSTMRegressor(**TINY_SAVE), X3, y2),
    "gru-reg-2d-X": (GRURegressor(**TINY_SAVE), X2, X2[:, -1]),
    "rnn-clf-str": (RNNClassifier(**TINY_SAVE), X3, _labels(["down", "up", "flat"])),
    "lstm-clf-int": (LSTMClassifier(**TINY_SAVE), X3, _labels([3, -1, 7])),
    "gru-clf-bool": (GRUClassifier(**TINY_SAVE), X3, _labels([True, False])),
    "rnn-clf-float": (RNNClassifier(**TINY_SAVE), X3, _labels([0.0, 2.0, 5.0])),
    "lstm-peephole": (LSTMRegressor(peephole=True, **TINY_SAVE), X3, y1),
    "gru-classic": (GRUClassifier(reset_after=False, **TINY_SAVE), X3, _labels([0, 1])),
    # the classifiers' embedding before "dilated": its files still load
    "gru-conv": (GRUClassifier(embedding="conv", **TINY_SAVE), X3, _labels([0, 1])),
    # the classifiers' readout before "mean_max": its files still load
    "gru-pool": (GRUClassifier(readout="pool", **TINY_SAVE), X3, _labels([0, 1])),
    # the classifiers before batch_norm: their files still load
    "gru-no-bn": (GRUClassifier(batch_norm=False, **TINY_SAVE), X3, _labels([0, 1])),
    # trained with the opt-in augmentation, which saves as a parameter only
    "gru-warp": (GRUClassifier(time_warp=0.3, **TINY_SAVE), X3, _labels([0, 1])),
    "gru-shift": (GRUClassifier(time_shift=0.5, **TINY_SAVE), X3, _labels([0, 1])),
    "rnn-options": (
        RNNRegressor(
            hidden_size=4,
            max_epochs=2,
            nonlinearity="relu",
            num_layers=2,
            bidirectional=True,
            optimizer=torch.optim.SGD,
            early_stopping=False,
            gradient_clip=None,
            device=torch.device("cpu"),
            callbacks=[],
            random_state=np.random.RandomState(3),
        ),
        X3,
        y2,
    ),
    "gru-gaussian-2d": (GRURegressor(loss="gaussian", **TINY_SAVE), X3, y2),
    "rnn-quantile-seq-ragged": (
        RNNRegressor(
            loss="quantile", quantiles=[0.05, 0.95], return_sequences=True, **TINY_SAVE
        ),
        RAGGED,
        [x[:, 0] * 2 for x in RAGGED],
    ),
    "gru-gaussian-calibrated": (
        GRURegressor(loss="gaussian", calibration="holdout", **TINY_SAVE),
        X3,
        y2,
    ),
    "lstm-quantile-calibrated": (
        LSTMRegressor(loss="quantile", calibration="holdout", **TINY_SAVE),
        X3,
        y1,
    ),
    "lstm-seq-ragged": (
        LSTMRegressor(return_sequences=True, **TINY_SAVE),
        RAGGED,
        [x[:, 0] * 2 for x in RAGGED],
    ),
    "gru-clf-seq-ragged": (
        GRUClassifier(return_sequences=True, **TINY_SAVE),
        RAGGED,
        [np.where(x[:, 1] > 0, "pos", "neg") for x in RAGGED],
    ),
}


def _fit(case):
    from sklearn.base import clone

    est, X, y = CASES[case]
    with warnings.catch_warnings():
        # the calibrated cases hold out 5 of 24 samples, on purpose tiny
        warnings.filterwarnings("ignore", "calibration='holdout' measured")
        return clone(est).fit(X, y), X, y


def _roundtrip(est, tmp_path, **kwargs):
    path = tmp_path / "model.skseq"
    save(est, path)
    return load(path, **kwargs)


def _assert_equal_outputs(a, b):
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for part_a, part_b in zip(a, b):
            assert_array_equal(part_a, part_b, strict=True)
    else:
        assert_array_equal(a, b, strict=True)


def _assert_same_params(a, b):
    pa, pb = a.get_params(), b.get_params()
    ra, rb = pa.pop("random_state"), pb.pop("random_state")
    assert pa == pb
    assert {k: type(v) for k, v in pa.items()} == {k: type(v) for k, v in pb.items()}
    if isinstance(ra, np.random.RandomState):
        assert isinstance(rb, np.random.RandomState) and rb is not ra
        state_a, state_b = ra.get_state(), rb.get_state()
        assert_array_equal(state_a[1], state_b[1])
        assert state_a[0] == state_b[0] and state_a[2:] == state_b[2:]
    else:
        assert ra == rb


@pytest.mark.parametrize("case", list(CASES))
def test_round_trip(case, tmp_path):
    est, X, y = _fit(case)
    loaded = _roundtrip(est, tmp_path)

    assert type(loaded) is type(est)
    _assert_same_params(est, loaded)
    _assert_equal_outputs(est.predict(X), loaded.predict(X))
    assert est.score(X, y) == loaded.score(X, y)
    if hasattr(est, "classes_"):
        assert_array_equal(loaded.classes_, est.classes_, strict=True)
        assert loaded.classes_.dtype == est.classes_.dtype
        _assert_equal_outputs(est.predict_proba(X), loaded.predict_proba(X))
        _assert_equal_outputs(est.decision_function(X), loaded.decision_function(X))
        # labels come back with their own type, e.g. str not np.str_ mix-ups
        assert type(loaded.predict(X[:1])[0]) is type(est.predict(X[:1])[0])
    else:
        saved, restored = est.fitted_state_, loaded.fitted_state_
        assert restored.distribution == saved.distribution
        assert restored.levels == saved.levels
        if saved.distribution != "none":
            _assert_equal_outputs(est.predict_quantiles(X), loaded.predict_quantiles(X))
        if saved.calibration is None:
            assert restored.calibration is None
        else:
            assert_array_equal(restored.calibration, saved.calibration, strict=True)
        assert_array_equal(restored.y_mean, saved.y_mean, strict=True)
        assert_array_equal(restored.y_scale, saved.y_scale, strict=True)
        assert restored.y_ndim == saved.y_ndim
    assert_frame_equal(loaded.history_, est.history_)
    assert loaded.n_iter_ == est.n_iter_
    assert loaded.n_features_in_ == est.n_features_in_
    assert loaded.fitted_state_.net_sizes == est.fitted_state_.net_sizes
    assert loaded.fitted_state_.n_channels == est.fitted_state_.n_channels
    assert loaded.fitted_state_.input_2d is est.fitted_state_.input_2d
    assert not hasattr(loaded, "feature_names_in_")
    assert list(loaded.net_.history) == list(est.net_.history)
    for name, tensor in est.net_.module_.state_dict().items():
        assert torch.equal(loaded.net_.module_.state_dict()[name], tensor)


def test_dataframe_feature_names_round_trip(tmp_path):
    frame = pd.DataFrame(X2, columns=[f"t{i}" for i in range(X2.shape[1])])
    est = GRURegressor(**TINY_SAVE).fit(frame, X2[:, -1])
    loaded = _roundtrip(est, tmp_path)
    assert_array_equal(loaded.feature_names_in_, est.feature_names_in_, strict=True)
    assert_array_equal(loaded.predict(frame), est.predict(frame), strict=True)
    # the names are checked on predict, as for the original
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(frame.rename(columns={"t0": "other"}))


def test_optimizer_state_round_trips_and_training_resumes(tmp_path):
    est = LSTMRegressor(hidden_size=4, max_epochs=2, early_stopping=False).fit(X3, y1)
    loaded = _roundtrip(est, tmp_path)
    sa, sb = est.net_.optimizer_.state_dict(), loaded.net_.optimizer_.state_dict()
    assert sa["param_groups"] == sb["param_groups"]
    assert sa["state"].keys() == sb["state"].keys() and len(sa["state"]) > 0
    for key, state in sa["state"].items():
        assert state.keys() == sb["state"][key].keys()
        for name, value in state.items():
            assert torch.equal(value, sb["state"][key][name]), (key, name)

    # continuing training of both nets from the same point gives the same
    # weights only if the Adam moments and step counts were restored
    Xt = torch.from_numpy(X3.astype(np.float32))
    yt = torch.from_numpy(((y1 - y1.mean()) / y1.std()).astype(np.float32)[:, None])
    weights = []
    for net in (est.net_, loaded.net_):
        with torch.random.fork_rng():
            torch.manual_seed(1)
            net.partial_fit(Xt, yt)
        weights.append(net.module_.state_dict())
    for name, tensor in weights[0].items():
        assert torch.equal(tensor, weights[1][name]), name


def test_fit_after_load(tmp_path):
    est, X, y = _fit("rnn-clf-str")
    loaded = _roundtrip(est, tmp_path)
    loaded.fit(X, y)  # refits from scratch with the same parameters and seed
    assert_array_equal(loaded.predict_proba(X), est.predict_proba(X), strict=True)
    assert loaded.n_iter_ == 2
    loaded.set_params(max_epochs=3).fit(X[:10], y[:10])
    assert loaded.n_iter_ == 3


def test_warm_start_after_load_continues_like_the_original(tmp_path):
    if "warm_start" not in RNNRegressor().get_params():
        pytest.skip("warm_start is not implemented")
    est = GRURegressor(**TINY_SAVE).fit(X3, y1)
    loaded = _roundtrip(est, tmp_path)
    for model in (est, loaded):
        model.set_params(warm_start=True, max_epochs=2).fit(X3, y1)
        assert model.n_iter_ == 4
    assert_array_equal(loaded.predict(X3), est.predict(X3), strict=True)
    assert_frame_equal(
        loaded.history_.drop(columns="dur"), est.history_.drop(columns="dur")
    )


def test_stored_checkpoint_path_is_not_restored(tmp_path):
    # a file must not choose where a later fit writes (a crafted one could
    # name "../../.."): load resets checkpoint and says so
    est = RNNRegressor(checkpoint=tmp_path / "ckpt", **TINY_SAVE).fit(X3, y1)
    path = tmp_path / "m.skseq"
    save(est, path)
    match = (
        r"saved with checkpoint='.*ckpt'; load does not restore it .* checkpoint "
        r"is None. Set it again with estimator.set_params\(checkpoint=\.\.\.\)"
    )
    with pytest.warns(UserWarning, match=match):
        loaded = load(path)
    assert loaded.checkpoint is None
    assert_array_equal(loaded.predict(X3), est.predict(X3), strict=True)
    _edit_meta(path, lambda m: m["params"].update(checkpoint={"path": "../../.."}))
    with pytest.warns(UserWarning, match=r"checkpoint='\.\./\.\./\.\.'"):
        assert load(path).checkpoint is None
    # a file saved without one loads without a word
    est.set_params(checkpoint=None)
    save(est, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load(path).checkpoint is None


def test_load_keeps_global_rng(tmp_path):
    est, X, _ = _fit("gru-reg-2d-X")
    path = tmp_path / "m.skseq"
    save(est, path)
    before = torch.random.get_rng_state()
    load(path)
    assert torch.equal(torch.random.get_rng_state(), before)


def test_device_override(tmp_path):
    est, X, _ = _fit("rnn-reg-1d")
    loaded = _roundtrip(est, tmp_path, device=torch.device("cpu"))
    assert loaded.device == torch.device("cpu")
    assert loaded.net_.device == torch.device("cpu")
    assert_array_equal(loaded.predict(X), est.predict(X), strict=True)
    with pytest.raises(ValueError, match="not a valid torch device"):
        _roundtrip(est, tmp_path, device="no-such-device")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_gpu_model_loads_on_cpu_with_warning(tmp_path):
    est, X, _ = _fit("lstm-reg-2d")
    path = tmp_path / "m.skseq"
    save(est, path)
    _edit_meta(path, lambda meta: meta["params"].update(device="cuda:0"))
    with pytest.warns(UserWarning, match="CUDA is not available"):
        loaded = load(path)
    assert loaded.device == "cpu"
    assert_array_equal(loaded.predict(X), est.predict(X), strict=True)
    with pytest.raises(ValueError, match="cuda"):
        load(path, device="cuda")


def test_pickle_and_joblib_still_work(tmp_path):
    est, X, _ = _fit("lstm-clf-int")
    for loaded in (
        pickle.loads(pickle.dumps(est)),
        joblib.load(joblib.dump(est, tmp_path / "m.joblib")[0]),
    ):
        assert_array_equal(loaded.predict_proba(X), est.predict_proba(X), strict=True)


def test_file_layout_and_overwrite(tmp_path):
    est, _, _ = _fit("rnn-reg-1d")
    path = tmp_path / "m.skseq"
    path.write_text("old content")
    save(est, path)
    save(est, str(path))  # str paths too; overwrites in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.skseq"]  # no temp files
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            "meta.json",
            "module.safetensors",
            "optimizer.safetensors",
        ]
        meta = json.loads(archive.read("meta.json"))
    assert meta["format"] == "sksequence"
    assert meta["format_version"] == 1
    assert meta["class"] == "RNNRegressor"
    assert meta["params"]["hidden_size"] == 4


# -- errors on save --------------------------------------------------------


def test_save_unfitted_raises(tmp_path):
    with pytest.raises(NotFittedError):
        save(LSTMRegressor(), tmp_path / "m.skseq")
    assert not list(tmp_path.iterdir())


def test_save_with_callbacks_raises(tmp_path):
    from skorch.callbacks import PrintLog

    est = RNNRegressor(callbacks=[PrintLog()], **TINY_SAVE).fit(X3, y1)
    with pytest.raises(ValueError, match="callbacks=None"):
        save(est, tmp_path / "m.skseq")
    est.set_params(callbacks=None)
    assert_array_equal(
        _roundtrip(est, tmp_path).predict(X3), est.predict(X3), strict=True
    )


def test_save_custom_optimizer_raises(tmp_path):
    class MyAdam(torch.optim.Adam):
        pass

    est = RNNRegressor(optimizer=MyAdam, **TINY_SAVE).fit(X3, y1)
    with pytest.raises(ValueError, match="torch.optim"):
        save(est, tmp_path / "m.skseq")


def test_save_subclass_raises(tmp_path):
    class MyRegressor(RNNRegressor):
        pass

    est = MyRegressor(**TINY_SAVE).fit(X3, y1)
    with pytest.raises(ValueError, match="six public"):
        save(est, tmp_path / "m.skseq")


# -- errors on load: missing, foreign, corrupted, tampered ----------------------


def _saved(tmp_path_factory, case):
    """Bytes of a valid file of ``CASES[case]`` fitted, and the estimator."""
    est, _, _ = _fit(case)
    path = tmp_path_factory.mktemp("saved") / "m.skseq"
    save(est, path)
    return path.read_bytes(), est


@pytest.fixture(scope="module")
def saved_bytes(tmp_path_factory):
    """Bytes of a valid file and the estimator it holds (a classifier: its
    cells read convolutions of the steps, ``embedding="dilated"``)."""
    return _saved(tmp_path_factory, "lstm-clf-int")


@pytest.fixture(scope="module")
def saved_patch_bytes(tmp_path_factory):
    """The same for a regressor, whose cells read patches of steps
    (``embedding="patch"``): ``patch_size_`` is a size of its weights."""
    return _saved(tmp_path_factory, "lstm-reg-2d")


def _members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write_members(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _edit_meta(path, edit):
    members = _members(pathlib.Path(path).read_bytes())
    meta = json.loads(members["meta.json"])
    edit(meta)
    members["meta.json"] = json.dumps(meta).encode()
    _write_members(path, members)


def _tampered(tmp_path, saved_bytes, edit):
    path = tmp_path / "tampered.skseq"
    path.write_bytes(saved_bytes[0])
    _edit_meta(path, edit)
    return path


def test_valid_fixture_loads(saved_bytes, tmp_path):
    path = tmp_path / "m.skseq"
    path.write_bytes(saved_bytes[0])
    assert_array_equal(load(path).predict(X3), saved_bytes[1].predict(X3))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such.skseq"):
        load(tmp_path / "no-such.skseq")


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip file at all", b"PK\x03\x04garbage", "truncated"],
)
def test_foreign_or_corrupted_file(content, saved_bytes, tmp_path):
    if content == "truncated":
        content = saved_bytes[0][: len(saved_bytes[0]) // 2]
    path = tmp_path / "bad.skseq"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not a valid sksequence file"):
        load(path)


def test_foreign_zip(tmp_path):
    path = tmp_path / "other.zip"
    _write_members(path, {"readme.txt": b"hello"})
    with pytest.raises(ValueError, match="expected the members"):
        load(path)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda m: m.update(format="something-else"), "the format is"),
        (lambda m: m.update(format_version="1"), "invalid format_version"),
        (lambda m: m.update(format_version=3), "version 3.*Upgrade sksequence"),
        (lambda m: m.pop("class"), "class None is not one of"),
        (lambda m: m.update({"class": "os.system"}), "'os.system' is not one of"),
        (
            lambda m: m.update({"class": "sksequence._base.SequenceEstimator"}),
            "is not one of",
        ),
        (lambda m: m.update({"class": "SequenceScaler"}), "is not one of"),
        (lambda m: m["params"].update(evil=1), r"unknown \['evil'\]"),
        (lambda m: m["params"].pop("hidden_size"), r"missing \['hidden_size'\]"),
        (lambda m: m["params"].update(hidden_size=-3), "hidden_size"),
        (lambda m: m["params"].update(hidden_size=8), "does not fit the network"),
        (
            lambda m: m["params"].update(optimizer={"torch.optim": "os.system"}),
            "not an optimizer class of torch.optim",
        ),
        (lambda m: m["params"].update(lr=[1, 2]), "untagged JSON array"),
        (lambda m: m["fitted"].pop("n_iter_"), "entry 'n_iter_' is missing"),
        (lambda m: m["fitted"].update(n_features_in_=True), "must be int"),
        (lambda m: m["fitted"].update(_net_sizes=[2, 5]), "classes_ does not match"),
        (
            lambda m: m["fitted"].update(classes_={"dtype": "V8", "values": [1, 2]}),
            "dtype 'V8' is not allowed",
        ),
        (lambda m: m["optimizer"].update(extra=1), "unknown value with keys"),
        (
            lambda m: m.update(
                optimizer=json.loads(
                    json.dumps(m["optimizer"]).replace('"t0"', '"t999"')
                )
            ),
            "tensor 't999' is missing",
        ),
        (
            lambda m: m["params"].update(hidden_size={"tensor": "t0"}),
            "tensor reference was found where none is allowed",
        ),
    ],
)
def test_tampered_meta_is_rejected(edit, match, saved_bytes, tmp_path):
    path = _tampered(tmp_path, saved_bytes, edit)
    with pytest.raises(ValueError, match=match):
        load(path)


def test_tampered_tensors_are_rejected(saved_bytes, tmp_path):
    from safetensors.torch import save as save_tensors

    members = _members(saved_bytes[0])
    path = tmp_path / "m.skseq"
    state = saved_bytes[1].net_.module_.state_dict()
    for bad in (
        {**state, "head.weight": torch.zeros(9, 9)},  # wrong shape
        {**state, "head.weight": state["head.weight"].double()},  # wrong dtype
        {k: v for k, v in state.items() if k != "head.bias"},  # missing weight
        {**state, "extra": torch.zeros(1)},  # unexpected weight
    ):
        bad = {k: v.contiguous() for k, v in bad.items()}
        _write_members(path, {**members, "module.safetensors": save_tensors(bad)})
        with pytest.raises(ValueError, match="does not fit the network"):
            load(path)
    _write_members(path, {**members, "optimizer.safetensors": b"\x00" * 20})
    with pytest.raises(ValueError, match="not a valid safetensors file"):
        load(path)


class _Payload:
    """Creates a sentinel file when unpickled, as malicious pickles would."""

    def __init__(self, sentinel):
        self.sentinel = str(sentinel)

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.sentinel),))


def test_crafted_pickle_payload_never_runs(saved_bytes, tmp_path):
    sentinel = tmp_path / "SENTINEL"
    payload = pickle.dumps(_Payload(sentinel))
    # the payload is live: unpickling it does create the sentinel
    pickle.loads(payload)
    assert sentinel.exists()
    sentinel.unlink()

    torch_file = io.BytesIO()
    torch.save({"weights": _Payload(sentinel)}, torch_file)
    members = _members(saved_bytes[0])
    path = tmp_path / "crafted.skseq"
    crafted = [
        # a pickle member beside the valid ones, as a careless loader reads
        ({**members, "model.pkl": payload}, "expected the members"),
        ({**members, "module.pt": torch_file.getvalue()}, "expected the members"),
        # the weights replaced by a torch.save (pickle) file
        (
            {**members, "module.safetensors": torch_file.getvalue()},
            "not a valid safetensors file",
        ),
        ({**members, "meta.json": payload}, "not valid UTF-8 JSON"),
    ]
    for archive_members, match in crafted:
        _write_members(path, archive_members)
        with pytest.raises(ValueError, match=match):
            load(path)
        assert not sentinel.exists()
    # a pickle hidden in the JSON as base64, under a made-up tag
    encoded = base64.b64encode(payload).decode()
    for edit in (
        lambda m: m["params"].update(random_state={"pickle": encoded}),
        lambda m: m["fitted"]["classes_"].update(dtype="O", values=[encoded, "a"]),
        lambda m: m.update(net_history={"pickle": encoded}),
    ):
        path = _tampered(tmp_path, saved_bytes, edit)
        with pytest.raises(ValueError, match="not a valid sksequence file"):
            load(path)
        assert not sentinel.exists()
    # the whole file is a pickle
    path.write_bytes(payload)
    with pytest.raises(ValueError, match="not a valid sksequence file"):
        load(path)
    assert not sentinel.exists()


def test_public_api():
    assert sksequence.save is save and sksequence.load is load
    assert {"save", "load"} <= set(sksequence.__all__)


def test_file_from_before_validation_split_loads_as_trained(saved_bytes, tmp_path):
    # files written before the parameter existed were trained on the tail
    path = _tampered(
        tmp_path, saved_bytes, lambda m: m["params"].pop("validation_split")
    )
    assert load(path).validation_split == "tail"


def test_file_from_before_patches_loads_reading_every_step(saved_bytes, tmp_path):
    def older(meta):
        meta["params"].pop("patch_size")
        meta["fitted"].pop("patch_size_")

    restored = load(_tampered(tmp_path, saved_bytes, older))
    assert (restored.patch_size, restored.patch_size_) == (1, 1)
    assert restored.net_.module_.patch_size == 1


def test_file_from_before_instance_norm_loads_without_it(saved_patch_bytes, tmp_path):
    # files written before the parameter existed fed every sequence as it came
    assert saved_patch_bytes[1].instance_norm is False
    path = _tampered(
        tmp_path, saved_patch_bytes, lambda m: m["params"].pop("instance_norm")
    )
    restored = load(path)
    assert restored.instance_norm is False
    assert restored.net_.module_.instance_norm is False


def test_instance_norm_floor_is_saved_and_old_files_keep_theirs(saved_bytes, tmp_path):
    """A network with instance_norm is saved with the variance floor fitted
    to its training sequences, as format version 2 (which readers of
    version 1 refuse instead of normalizing with their own floor), and is
    loaded with the floor the file holds; a file from before the floor was
    recorded normalizes with the floor it was trained with, (1e-5, 0), and
    keeps it when saved again."""
    from sksequence._constants import (
        INSTANCE_NORM_EPS,
        INSTANCE_NORM_EPS_BEFORE,
        INSTANCE_NORM_LEVEL_EPS,
    )

    data, est = saved_bytes
    meta = json.loads(_members(data)["meta.json"])
    assert meta["format_version"] == 2
    # unit-scale training sequences: the floor of 1e-5
    stored = [INSTANCE_NORM_EPS, INSTANCE_NORM_LEVEL_EPS]
    assert meta["fitted"]["_instance_norm_eps"] == stored

    def floor(eps):
        def edit(meta):
            meta["fitted"]["_instance_norm_eps"] = eps

        return edit

    tiny = X3 * 1e-4
    refloored = load(_tampered(tmp_path, saved_bytes, floor([1e-15, 1e-12])))
    module = refloored.net_.module_
    assert (module.norm_eps, module.norm_level_eps) == (1e-15, 1e-12)
    assert not np.allclose(refloored.predict_proba(tiny), est.predict_proba(tiny))
    with pytest.raises(ValueError, match="_instance_norm_eps"):
        load(_tampered(tmp_path, saved_bytes, floor([-1.0, 0.0])))

    def older(meta):
        meta["format_version"] = 1
        meta["fitted"].pop("_instance_norm_eps")

    old = load(_tampered(tmp_path, saved_bytes, older))
    assert old.fitted_state_.instance_norm_eps == INSTANCE_NORM_EPS_BEFORE
    module = old.net_.module_
    assert (module.norm_eps, module.norm_level_eps) == INSTANCE_NORM_EPS_BEFORE
    again = tmp_path / "again.skseq"
    save(old, again)
    assert load(again).fitted_state_.instance_norm_eps == INSTANCE_NORM_EPS_BEFORE


def test_file_from_before_batch_norm_loads_without_it(tmp_path_factory, tmp_path):
    # files written before the parameter existed held convolutions that
    # nothing normalized
    data, est = _saved(tmp_path_factory, "gru-no-bn")
    path = _tampered(tmp_path, (data, est), lambda m: m["params"].pop("batch_norm"))
    restored = load(path)
    assert restored.batch_norm is False
    assert not any(".norm." in key for key in restored.net_.module_.state_dict())
    X = CASES["gru-no-bn"][1]
    np.testing.assert_array_equal(restored.predict_proba(X), est.predict_proba(X))


@pytest.mark.parametrize(
    "case, name, value",
    [("gru-warp", "time_warp", 0.3), ("gru-shift", "time_shift", 0.5)],
)
def test_file_from_before_an_augmentation_loads_without_it(
    tmp_path_factory, tmp_path, case, name, value
):
    # files written before the parameter existed were trained on the
    # sequences as they came; an augmentation never changes a prediction
    data, est = _saved(tmp_path_factory, case)
    assert getattr(est, name) == value
    path = _tampered(tmp_path, (data, est), lambda m: m["params"].pop(name))
    restored = load(path)
    assert getattr(restored, name) == 0.0
    assert getattr(restored.net_.module_, name) == 0.0
    X = CASES[case][1]
    np.testing.assert_array_equal(restored.predict_proba(X), est.predict_proba(X))


def test_file_from_before_class_weight_loads_unweighted(saved_bytes, tmp_path):
    # saved_bytes holds a classifier; files from before class_weight trained
    # every class alike
    path = _tampered(tmp_path, saved_bytes, lambda m: m["params"].pop("class_weight"))
    assert load(path).class_weight is None


@pytest.fixture(scope="module")
def calibrated_bytes(tmp_path_factory):
    """Bytes of a valid file of a regressor with a calibrated spread."""
    return _saved(tmp_path_factory, "lstm-quantile-calibrated")


def test_file_from_before_calibration_loads_uncalibrated(calibrated_bytes, tmp_path):
    def older(meta):
        meta["params"].pop("calibration")
        meta["fitted"].pop("_calibration")

    restored = load(_tampered(tmp_path, calibrated_bytes, older))
    assert restored.calibration is None and restored.fitted_state_.calibration is None


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda f: f.update(_calibration=[[1.0], [1.0]]), "must hold 3 rows"),
        (lambda f: f.update(_calibration=[[1.0], [1.0], ["x"]]), "must be"),
        (lambda f: f.update(_calibration=[[1.0], [1.0], [-2.0]]), "positive"),
        (lambda f: f.update(_calibration=[[1.0], [1.0], [1e999]]), "finite"),
    ],
)
def test_tampered_calibration_is_rejected(edit, match, calibrated_bytes, tmp_path):
    path = _tampered(tmp_path, calibrated_bytes, lambda m: edit(m["fitted"]))
    with pytest.raises(ValueError, match=match):
        load(path)


def test_calibration_on_a_point_model_is_rejected(tmp_path):
    est, _, _ = _fit("rnn-reg-1d")
    path = tmp_path / "m.skseq"
    save(est, path)
    _edit_meta(path, lambda m: m["fitted"].update(_calibration=[1.0]))
    with pytest.raises(ValueError, match="without a distribution"):
        load(path)


# -- untrusted files: sizes, optimizer state, stored numbers, classes, devices --------

ROOT = pathlib.Path(__file__).resolve().parents[1]

# loads a file in a fresh interpreter (whose peak memory is then that of the
# load alone); prints the error, the memory the load added and its duration
_LOAD_PROBE = """
import json, resource, sys, time
import sksequence
before, start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.time()
try:
    sksequence.load(sys.argv[1])
    error = None
except Exception as exc:
    error = f"{type(exc).__name__}: {exc}"
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps([error, grown / 1024, time.time() - start]))
"""


def _load_in_a_fresh_interpreter(path, timeout=120):
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_PROBE, str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"},
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "edit, saved",
    [
        pytest.param(
            lambda m: m["params"].update(hidden_size=4096),
            "saved_bytes",
            id="hidden_size",
        ),
        pytest.param(
            lambda m: m["fitted"].update(patch_size_=2_000_000),
            "saved_patch_bytes",
            id="patch_size_",
        ),
        pytest.param(
            lambda m: m["fitted"].update(
                _n_channels=2_000_000, _net_sizes=[2_000_000, 3]
            ),
            "saved_bytes",
            id="features",
        ),
        pytest.param(
            lambda m: m["params"].update(num_layers=1_000_000),
            "saved_bytes",
            id="num_layers",
        ),
    ],
)
def test_sizes_in_a_file_are_checked_before_anything_is_allocated(
    edit, saved, request, tmp_path
):
    # each asked for hundreds of MB (with num_layers, a build that does not
    # end) before the shapes of the stored tensors were compared
    path = _tampered(tmp_path, request.getfixturevalue(saved), edit)
    error, grown_mb, seconds = _load_in_a_fresh_interpreter(path)
    assert error is not None and error.startswith("ValueError"), error
    assert "does not fit the network" in error and "exceeds" in error, error
    assert grown_mb < 50 and seconds < 10, (grown_mb, seconds)


@pytest.mark.parametrize(
    "edit, match, saved",
    [
        (
            lambda m: m["params"].update(hidden_size=5),
            r"weight .* has shape",
            "saved_bytes",
        ),
        (
            lambda m: m["params"].update(num_layers=2),
            r"weights \[.*\] are missing",
            "saved_bytes",
        ),
        (
            # the classifier reads both directions (bidirectional="auto")
            lambda m: m["params"].update(bidirectional=False),
            r"_reverse'\] unexpected",
            "saved_bytes",
        ),
        (
            lambda m: m["params"].update(bidirectional=True),
            "are missing",
            "saved_patch_bytes",
        ),
        (
            lambda m: m["fitted"].update(patch_size_=3),
            r"weight_ih_l0' has shape",
            "saved_patch_bytes",
        ),
        (
            lambda m: m["fitted"].update(_n_channels=3, _net_sizes=[3, 2]),
            r"weight_ih_l0' has shape",
            "saved_patch_bytes",
        ),
        (
            # the convolution, and the head that reads each channel's level
            # and scale (instance_norm), are sized by the channels
            lambda m: m["fitted"].update(_n_channels=3, _net_sizes=[3, 3]),
            r"(embed\.convs\.\d|head)\.weight' has shape",
            "saved_bytes",
        ),
        (
            lambda m: m["params"].update(embedding="patch"),
            r"\['embed.convs.0.weight', 'embed.convs.1.weight', .*\] unexpected",
            "saved_bytes",
        ),
        (
            # the single convolution of the embedding before "dilated"
            lambda m: m["params"].update(embedding="conv"),
            r"\['embed.conv.weight'\] are missing",
            "saved_bytes",
        ),
        (
            # the convolutions' normalization holds weights and averages
            lambda m: m["params"].update(batch_norm=False),
            r"\['embed.norm.bias', .*\] unexpected",
            "saved_bytes",
        ),
        (
            # the head reads the sequences' level and scale: 2 more inputs
            lambda m: m["params"].update(instance_norm=False),
            r"head.weight' has shape",
            "saved_bytes",
        ),
        (
            lambda m: m["params"].update(hidden_size=10**30),
            r"hidden_size \(10{30}\) exceeds",
            "saved_bytes",
        ),
    ],
)
def test_sizes_that_do_not_match_the_tensors_are_refused(
    edit, match, saved, request, tmp_path
):
    saved_bytes = request.getfixturevalue(saved)
    with pytest.raises(ValueError, match="does not fit the network.*" + match):
        load(_tampered(tmp_path, saved_bytes, edit))


def test_quantile_count_that_does_not_match_the_head_is_refused(
    calibrated_bytes, tmp_path
):
    def more_levels(meta):  # 5 levels with 0.5; the head learned 3
        meta["params"].update(quantiles={"tuple": [0.1, 0.2, 0.8, 0.9]})
        meta["params"].update(calibration=None)
        meta["fitted"].pop("_calibration")

    with pytest.raises(
        ValueError, match=r"does not fit the network.*'head\.(weight|bias)'"
    ):
        load(_tampered(tmp_path, calibrated_bytes, more_levels))


def _with_tensors(tmp_path, saved_bytes, member, change):
    """A copy of the file whose ``member`` tensors pass through ``change``."""
    from safetensors.torch import load as load_tensors
    from safetensors.torch import save as save_tensors

    members = _members(saved_bytes[0])
    tensors = change(dict(load_tensors(members[member])))
    members[member] = save_tensors({k: v.contiguous() for k, v in tensors.items()})
    path = tmp_path / "crafted.skseq"
    _write_members(path, members)
    return path


def _adam_moment(meta):
    """The name of the tensor of Adam's first moment of parameter 0."""
    state = dict(meta["optimizer"]["dict"])["state"]
    entry = dict(dict(state["dict"])[0]["dict"])
    return entry["exp_avg"]["tensor"]


def test_optimizer_tensors_of_the_wrong_shape_are_refused(saved_bytes, tmp_path):
    meta = json.loads(_members(saved_bytes[0])["meta.json"])
    name = _adam_moment(meta)
    shape = tuple(saved_bytes[1].net_.optimizer_.param_groups[0]["params"][0].shape)
    for bad in (torch.zeros(9, 9), torch.zeros(shape[::-1]), torch.zeros(3)):
        path = _with_tensors(
            tmp_path,
            saved_bytes,
            "optimizer.safetensors",
            lambda tensors, bad=bad: {**tensors, name: bad},
        )
        match = (
            f"does not fit the network.*optimizer state\\[0\\]\\['exp_avg'\\] has "
            f"shape {re.escape(str(tuple(bad.shape)))}; its parameter has shape "
            f"{re.escape(str(shape))}"
        )
        with pytest.raises(ValueError, match=match):
            load(path)

    # a step count of another shape too
    def bad_step(tensors):
        step = dict(dict(dict(meta["optimizer"]["dict"])["state"]["dict"])[0]["dict"])
        return {**tensors, step["step"]["tensor"]: torch.zeros(2)}

    path = _with_tensors(tmp_path, saved_bytes, "optimizer.safetensors", bad_step)
    with pytest.raises(ValueError, match=r"\['step'\] has shape \(2,\)"):
        load(path)


def test_optimizers_with_state_of_other_shapes_round_trip(tmp_path):
    # Adafactor keeps row and column statistics, not one value per weight
    est = GRURegressor(optimizer=torch.optim.Adafactor, **TINY_SAVE).fit(X3, y1)
    loaded = _roundtrip(est, tmp_path)
    assert_array_equal(loaded.predict(X3), est.predict(X3), strict=True)
    for model in (est, loaded):
        model.set_params(warm_start=True).fit(X3, y1)
    assert_array_equal(loaded.predict(X3), est.predict(X3), strict=True)


@pytest.mark.parametrize(
    "key, values, match",
    [
        ("_y_scale", [float("nan")], "finite, and _y_scale positive"),
        ("_y_scale", [0.0], "finite, and _y_scale positive"),
        ("_y_scale", [-2.0], "finite, and _y_scale positive"),
        ("_y_scale", [1e999], "finite, and _y_scale positive"),
        ("_y_mean", [float("nan")], "target scaling .* must be finite"),
        ("_y_mean", [-1e999], "target scaling .* must be finite"),
    ],
)
def test_invalid_target_scaling_is_refused(key, values, match, tmp_path):
    est, _, _ = _fit("rnn-reg-1d")
    path = tmp_path / "m.skseq"
    save(est, path)
    _edit_meta(path, lambda m: m["fitted"].update({key: values}))
    with pytest.raises(ValueError, match=match):
        load(path)


def test_weights_that_are_not_finite_are_refused(saved_bytes, tmp_path):
    def poison(tensors):
        return {**tensors, "head.bias": torch.full_like(tensors["head.bias"], np.nan)}

    path = _with_tensors(tmp_path, saved_bytes, "module.safetensors", poison)
    with pytest.raises(ValueError, match="'head.bias' holds NaN or infinite"):
        load(path)


@pytest.mark.parametrize("name", ["Optimizer", "lr_scheduler", "swa_utils"])
def test_optimizer_that_cannot_train_is_refused(name, saved_bytes, tmp_path):
    path = _tampered(
        tmp_path,
        saved_bytes,
        lambda m: m["params"].update(optimizer={"torch.optim": name}),
    )
    with pytest.raises(ValueError, match="not an optimizer class of torch.optim"):
        load(path)


def test_devices_other_than_cpu_and_cuda_are_refused(saved_bytes, tmp_path):
    for device in ("meta", {"torch.device": "meta"}):
        path = _tampered(
            tmp_path, saved_bytes, lambda m, d=device: m["params"].update(device=d)
        )
        with pytest.raises(ValueError, match="neither the CPU nor a CUDA device"):
            load(path)
        assert load(path, device="cpu").predict(X3).shape == (len(X3),)
    path = _tampered(tmp_path, saved_bytes, lambda m: None)
    with pytest.raises(ValueError, match="device='meta': load places a model on"):
        load(path, device="meta")


def test_one_sequence_rule_survives_save_and_load(tmp_path):
    # the fit's shortest sequence is saved: (T, 1) stays refused after load
    X = rng.normal(size=(24, 5, 1))
    est = GRURegressor(**TINY_SAVE).fit(X, X[:, -1, 0])
    path = tmp_path / "m.skseq"
    save(est, path)
    loaded = load(path)
    assert loaded.fitted_state_.min_timesteps == 5
    with pytest.raises(ValueError, match="reads as 5 sequences of 1 time step"):
        loaded.predict(X[0])
    # a file from before it was saved: the length is unknown, read as before
    _edit_meta(path, lambda m: m["fitted"].pop("_min_timesteps"))
    assert load(path).predict(X[0]).shape == (5,)
    _edit_meta(path, lambda m: m["fitted"].update(_min_timesteps=0))
    with pytest.raises(ValueError, match="_min_timesteps must be >= 1"):
        load(path)
