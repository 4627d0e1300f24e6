"""The skorch floor: routing of parameters, batches, history."""

import numpy as np
import pytest
import torch
from shared_settings import sequence_sum
from skorch.callbacks import Callback
from skorch.dataset import Dataset

from sksequence import GRUClassifier, GRURegressor, LSTMClassifier
from sksequence._training import SequenceNet, TensorBatchIterator, place_on_device


@pytest.fixture
def data():
    return sequence_sum(70, 6, 2, last=1, first=1.0, dtype=np.float32)


def test_net_is_built_in_fit_from_top_level_parameters(data):
    X, y = data
    reg = GRURegressor(
        hidden_size=5,
        num_layers=2,
        dropout=0.1,
        bidirectional=True,
        lr=0.02,
        batch_size=16,
        max_epochs=2,
        weight_decay=1e-4,
        random_state=0,
    )
    assert not hasattr(reg, "net_")
    reg.fit(X, y)
    net = reg.net_
    assert isinstance(net, SequenceNet)
    rnn = net.module_.rnn
    assert (rnn.hidden_size, rnn.num_layers, rnn.bidirectional) == (5, 2, True)
    assert rnn.dropout == 0.1 and net.module_.dropout.p == 0.1
    assert net.optimizer_.param_groups[0]["lr"] == 0.02
    assert net.batch_size == 16
    assert dict(net.callbacks_)["gradient_clip"].gradient_clip_value == 1.0
    assert reg.get_params()["hidden_size"] == 5  # parameters are never rewritten


def test_epoch_loss_is_the_batch_weighted_mean_of_deferred_batch_losses(data):
    X, y = data
    reg = GRURegressor(hidden_size=4, max_epochs=3, batch_size=16, random_state=0)
    history = reg.fit(X, y).net_.history
    for epoch in history:
        train = [b for b in epoch["batches"] if "train_loss" in b]
        assert len(train) == epoch["train_batch_count"] == 4  # 63 train samples
        assert all(isinstance(b["train_loss"], float) for b in train)
        sizes = [b["train_batch_size"] for b in train]
        expected = np.average([b["train_loss"] for b in train], weights=sizes)
        assert epoch["train_loss"] == pytest.approx(expected)
        assert epoch["valid_batch_count"] == 1


def test_batches_are_one_index_each_and_cover_the_data():
    X = torch.arange(50.0).reshape(25, 2, 1)
    y = torch.arange(25.0)
    torch.manual_seed(0)
    batches = list(TensorBatchIterator(Dataset(X, y), batch_size=7, shuffle=True))
    assert [len(b[0]) for b in batches] == [7, 7, 7, 4]
    seen = torch.cat([b[1] for b in batches])
    assert sorted(seen.tolist()) == list(range(25))
    for Xb, yb in batches:  # X and y stay aligned
        assert torch.equal(Xb[:, 0, 0], 2 * yb)
    ordered = list(TensorBatchIterator(Dataset(X, y), batch_size=10))
    assert torch.equal(torch.cat([b[1] for b in ordered]), y)


def test_data_stays_in_place_on_the_cpu():
    X, y = torch.zeros(4, 3, 1), torch.zeros(4, 1)
    X2, y2 = place_on_device(X, y, torch.device("cpu"))
    assert X2 is X and y2 is y


def test_ragged_input_travels_as_a_dict_of_tensors():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 1)) for n in (3, 5, 4, 6) * 5]
    clf = LSTMClassifier(hidden_size=3, max_epochs=1, random_state=0)
    clf.fit(X, [len(x) > 4 for x in X])
    # all 20 trained on (a classifier's "auto" holds out nothing), in batches of 16
    assert not clf.early_stopping_
    assert clf.net_.history[-1, "train_batch_count"] == 2


def test_a_ragged_batch_is_cut_to_its_own_longest_sequence():
    X = torch.randn(6, 40, 2)
    lengths = torch.tensor([5, 9, 3, 40, 7, 8])
    weights = torch.arange(6.0)
    data = Dataset({"X": X, "lengths": lengths, "sample_weight": weights}, y=None)
    cut = list(TensorBatchIterator(data, batch_size=3, trim=True))
    assert [b[0]["X"].shape[1] for b in cut] == [9, 40]
    torch.testing.assert_close(cut[0][0]["X"], X[:3, :9])
    torch.testing.assert_close(cut[0][0]["sample_weight"], weights[:3])
    torch.testing.assert_close(cut[1][0]["lengths"], lengths[3:])
    # without trim (sequence targets), and equal lengths, batches stay whole
    whole = list(TensorBatchIterator(data, batch_size=3))
    assert [b[0]["X"].shape[1] for b in whole] == [40, 40]
    equal = TensorBatchIterator(Dataset(X, torch.zeros(6)), batch_size=3, trim=True)
    assert [b[0].shape for b in equal] == [(3, 40, 2), (3, 40, 2)]


@pytest.mark.parametrize("cls", [GRUClassifier, LSTMClassifier])
def test_cutting_ragged_batches_changes_no_fit(cls, monkeypatch):
    """The steps past a batch's longest sequence are read by no output: a fit
    whose batches are cut gives the fit whose batches keep them."""
    import sksequence._training as training

    rng = np.random.default_rng(0)
    # one long sequence pads the set; most batches are far shorter
    X = [rng.normal(size=(n, 1)) for n in [60] + [8, 12, 10, 15] * 6]
    y = np.arange(len(X)) % 2
    params = {"hidden_size": 6, "max_epochs": 4, "random_state": 0, "n_threads": 1}
    cut = cls(**params).fit(X, y)
    seen = []
    monkeypatch.setattr(
        training, "_trimmed", lambda b: seen.append(b["X"].shape[1]) or b
    )
    whole = cls(**params).fit(X, y)
    assert set(seen) == {60}  # the untrimmed batches were as long as the set
    np.testing.assert_allclose(
        cut.predict_proba(X), whole.predict_proba(X), rtol=0, atol=1e-5
    )


def test_verbose_2_adds_a_batch_progress_bar(data, capsys):
    X, y = data
    GRURegressor(hidden_size=4, max_epochs=2, batch_size=16, verbose=2).fit(X, y)
    captured = capsys.readouterr()
    assert "batch" in captured.err  # tqdm writes to stderr
    assert "train_loss" in captured.out  # the per-epoch table stays
    GRURegressor(hidden_size=4, max_epochs=2, verbose=1).fit(X, y)
    assert capsys.readouterr().err == ""


def test_per_epoch_weight_snapshot_is_not_pickled(data):
    import pickle

    X, y = data
    reg = GRURegressor(hidden_size=4, max_epochs=1).fit(X, y)
    assert hasattr(reg.net_, "_last_epoch_state")
    # a GPU-side snapshot would stop a pickled model loading without CUDA
    assert not hasattr(pickle.loads(pickle.dumps(reg)).net_, "_last_epoch_state")


class _Events(Callback):
    """Records the batch events it hears (and the module's mode at gradients)."""

    def __init__(self):
        self.seen = []

    def on_batch_begin(self, net, training=False, **kwargs):
        self.seen.append(("begin", training))

    def on_grad_computed(self, net, named_parameters, **kwargs):
        names = [name for name, _ in named_parameters]
        self.seen.append(("grad", len(names), net.module_.training))


def test_batch_events_reach_exactly_the_callbacks_that_handle_them(data):
    X, y = data
    reg = GRURegressor(
        hidden_size=4, max_epochs=2, batch_size=16, dropout=0.5, random_state=0
    )
    reg.set_params(callbacks=[("events", _Events())]).fit(X, y)
    net = reg.net_
    events = dict(net.callbacks_)["events"]
    listeners = net._listeners
    assert events in listeners["on_batch_begin"]
    assert events in listeners["on_grad_computed"]
    assert events not in listeners["on_batch_end"]  # Callback's no-op
    assert dict(net.callbacks_)["gradient_clip"] in listeners["on_grad_computed"]
    # 4 training + 1 validation batch per epoch; gradients after each training
    # batch, with all 6 learnable tensors; training mode only while training
    n_params = len(list(net.module_.parameters()))
    per_epoch = 4 * [("begin", True), ("grad", n_params, True)] + [("begin", False)]
    assert events.seen == 2 * per_epoch
    assert not net.module_.training  # predict put it in evaluation mode


class _Modes(Callback):
    def __init__(self):
        self.seen = set()

    def on_batch_end(self, net, training=False, **kwargs):
        modes = {m.training for m in [*net.module_.modules(), net.criterion_]}
        self.seen.add((training, *modes))


def test_modules_train_on_training_batches_and_evaluate_on_validation(data):
    X, y = data
    reg = GRURegressor(hidden_size=4, max_epochs=2, dropout=0.5, random_state=0)
    reg.set_params(callbacks=[("modes", _Modes())]).fit(X, y)
    assert dict(reg.net_.callbacks_)["modes"].seen == {(True, True), (False, False)}


def test_silent_estimator_builds_no_epoch_table(data):
    # skorch's PrintLog formats a table every epoch even when it prints nothing
    X, y = data
    silent = GRURegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    assert "print_log" not in dict(silent.net_.callbacks_)
    talking = GRURegressor(hidden_size=4, max_epochs=1, verbose=1, random_state=0)
    assert "print_log" in dict(talking.fit(X, y).net_.callbacks_)


SKORCH_FLOOR = {"_net", "_training", "_callbacks", "_checkpoint"}


def _imported_packages(path, *, relative=False):
    """Top-level names of the absolute imports of the module at ``path``;
    with ``relative``, also the package modules it imports (``from . import
    distributed`` and ``from ._net import ...`` both count)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and relative:
            if node.module is None:
                found.update(alias.name for alias in node.names)
            else:
                found.add(node.module.split(".")[0])
    return found


def test_skorch_is_imported_on_the_skorch_floor_only():
    from pathlib import Path

    import sksequence

    package = Path(sksequence.__file__).parent
    importers = {
        path.stem
        for path in package.rglob("*.py")
        if "skorch" in _imported_packages(path)
    }
    assert importers == SKORCH_FLOOR


def test_the_sklearn_template_imports_neither_skorch_nor_distributed():
    """``_base`` (the fit/predict template) hands the session a plain spec:
    which process trains, writes checkpoints or prints is the session's
    (``_session`` and the strategies in ``distributed``), not the base's."""
    from pathlib import Path

    import sksequence

    base = Path(sksequence.__file__).parent / "_base.py"
    imported = _imported_packages(base, relative=True)
    assert "_session" in imported  # the template does hand over to it
    assert not imported & {"skorch", "distributed"}


def test_auto_early_stopping_without_holdout_stops_once_the_training_set_is_fitted():
    """early_stopping="auto" without a holdout stops when the
    training loss reaches AUTO_FITTED_CROSS_ENTROPY; early_stopping=False
    trains on while the loss still improves by tol."""
    from sksequence._constants import AUTO_FITTED_CROSS_ENTROPY

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 6, 1)).astype(np.float32)
    y = np.where(X[:, 0, 0] > 0, "up", "down")  # the first step decides
    # without batch statistics, whose noise (batches of 16 of 40 sequences)
    # keeps this loss jumping around the floor until the patience runs out
    params = dict(
        hidden_size=8, max_epochs=300, random_state=0, n_threads=1, batch_norm=False
    )
    auto = GRUClassifier(**params).fit(X, y)
    loss = auto.history_["train_loss"].to_numpy()
    assert auto.early_stopping_ is False
    assert loss[-1] <= AUTO_FITTED_CROSS_ENTROPY < loss[:-1].min()
    assert auto.net_.stopped_early()
    plain = GRUClassifier(early_stopping=False, **params).fit(X, y)
    assert plain.n_iter_ > auto.n_iter_
    assert plain.history_["train_loss"].iloc[len(loss) - 1] <= AUTO_FITTED_CROSS_ENTROPY


@pytest.mark.parametrize(
    "Estimator, extra, floor",
    [
        (GRUClassifier, {}, "AUTO_FITTED_CROSS_ENTROPY"),
        (GRURegressor, {}, "AUTO_FITTED_LOSS"),
        (GRURegressor, {"loss": "quantile"}, "AUTO_FITTED_LOSS"),
        # a log-likelihood has no value that means "fitted"
        (GRURegressor, {"loss": "gaussian"}, None),
    ],
)
def test_auto_fitted_floor_is_the_estimators_own(Estimator, extra, floor):
    """A classifier's cross-entropy and a regressor's mean squared error or
    pinball loss count as fitted at their own floors, a Gaussian
    log-likelihood never; a holdout or early_stopping=False sets none."""
    import sksequence._constants as constants

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 5, 1)).astype(np.float32)
    y = np.where(X[:, 0, 0] > 0, 1, 0)
    params = dict(hidden_size=4, max_epochs=1, random_state=0, n_threads=1, **extra)
    # the regressors' default is early_stopping=True
    auto = Estimator(early_stopping="auto", **params).fit(X, y)
    assert auto.early_stopping_ is False  # 20 samples: no holdout
    stopping = dict(auto.net_.callbacks_)["early_stopping"]
    assert stopping.floor == (None if floor is None else getattr(constants, floor))
    assert constants.AUTO_FITTED_CROSS_ENTROPY != constants.AUTO_FITTED_LOSS
    for other in (dict(early_stopping=False), dict(early_stopping=True)):
        net = Estimator(**params, **other).fit(X, y).net_
        assert dict(net.callbacks_)["early_stopping"].floor is None


def test_auto_early_stopping_trains_a_gaussian_regressor_past_the_floor():
    """A Gaussian negative log-likelihood passes below AUTO_FITTED_LOSS (it
    goes negative) long before the means fit: early_stopping="auto" does
    not stop there, and the fit ends far better than it was at that epoch."""
    from sksequence._constants import AUTO_FITTED_LOSS

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 12, 1)).astype(np.float32)
    y = X[:, -3:, 0].sum(axis=1) + 0.05 * rng.normal(size=200)
    reg = GRURegressor(
        loss="gaussian",
        early_stopping="auto",
        max_epochs=40,
        random_state=0,
        n_threads=1,
    ).fit(X, y)
    loss = reg.history_["train_loss"].to_numpy()
    crossed = int(np.argmax(loss <= AUTO_FITTED_LOSS))
    assert loss[crossed] <= AUTO_FITTED_LOSS  # it did cross the floor
    assert reg.n_iter_ > crossed + 10  # and trained on
    # to a far better likelihood: the median of the last ten epochs, since
    # one epoch's loss at lr=1e-2 swings by 0.3-1.0 (on one machine's
    # arithmetic the last epoch was a swing up, -1.04 after -1.82)
    assert np.median(loss[-10:]) < loss[crossed] - 1.0
    assert reg.score(X, y) > 0.99


def test_auto_early_stopping_without_holdout_halves_the_lr_on_a_plateau():
    """early_stopping="auto" without a holdout multiplies the learning rate by
    AUTO_LR_FACTOR each time the training loss has not improved for
    AUTO_LR_PATIENCE epochs; early_stopping=False and a holdout keep it."""
    from sksequence._constants import AUTO_LR_FACTOR, AUTO_LR_PATIENCE

    X = np.zeros((40, 6, 1), dtype=np.float32)  # nothing to learn from:
    y = np.tile(["a", "b", "b", "b"], 10)  # the loss plateaus at the prior's
    # 10 steps an epoch: AUTO_LR_PATIENCE epochs are more than the steps'
    # floor (AUTO_LR_PATIENCE_STEPS, next test)
    params = dict(
        hidden_size=4, max_epochs=40, batch_size=4, random_state=0, n_threads=1
    )
    auto = GRUClassifier(**params).fit(X, y)
    assert auto.early_stopping_ is False
    lr = auto.net_.optimizer_.param_groups[0]["lr"]
    halvings = round(np.log(lr / 1e-2) / np.log(AUTO_LR_FACTOR))
    assert halvings >= 2 and lr == pytest.approx(1e-2 * AUTO_LR_FACTOR**halvings)
    assert halvings <= 40 // (AUTO_LR_PATIENCE + 1)  # never more often
    assert "lr_plateau" in dict(auto.net_.callbacks_)
    plain = GRUClassifier(early_stopping=False, **params).fit(X, y)
    assert plain.net_.optimizer_.param_groups[0]["lr"] == 1e-2
    held = GRUClassifier(early_stopping=True, **params).fit(X, y)
    assert held.net_.optimizer_.param_groups[0]["lr"] == 1e-2
    assert "lr_plateau" not in dict(held.net_.callbacks_)


def test_auto_lr_halving_waits_at_least_min_steps_optimizer_steps():
    """With one optimizer step an epoch the halving waits
    AUTO_LR_PATIENCE_STEPS epochs without a better training loss, not
    AUTO_LR_PATIENCE: five epochs of a small set are five noisy steps (with
    n_iter_no_change="auto"; a number of the user's counts epochs)."""
    from sksequence._constants import (
        AUTO_LR_FACTOR,
        AUTO_LR_PATIENCE,
        AUTO_LR_PATIENCE_STEPS,
    )

    X = np.zeros((40, 6, 1), dtype=np.float32)
    y = np.tile(["a", "b", "b", "b"], 10)
    clf = GRUClassifier(
        hidden_size=4, max_epochs=200, batch_size=40, random_state=0, n_threads=1
    ).fit(X, y)
    assert set(clf.net_.history[:, "train_batch_count"]) == {1}
    lrs = np.array([e["event_lr"] for e in clf.net_.history if "event_lr" in e])
    halved = np.flatnonzero(lrs[1:] != lrs[:-1]) + 1  # epochs at a new rate
    assert len(halved) >= 2
    np.testing.assert_allclose(lrs[halved] / lrs[halved - 1], AUTO_LR_FACTOR)
    # torch halves after `patience` epochs without improvement, plus the one
    # that set the best loss
    assert halved[0] > AUTO_LR_PATIENCE_STEPS
    assert np.diff(halved).min() >= AUTO_LR_PATIENCE_STEPS + 1
    plateau = dict(clf.net_.callbacks_)["lr_plateau"]
    assert plateau.lr_scheduler_.patience == AUTO_LR_PATIENCE_STEPS
    # a patience of the user's is epochs, for the halving too
    mine = GRUClassifier(
        hidden_size=4,
        max_epochs=60,
        batch_size=40,
        n_iter_no_change=60,
        random_state=0,
        n_threads=1,
    ).fit(X, y)
    plateau = dict(mine.net_.callbacks_)["lr_plateau"]
    assert plateau.lr_scheduler_.patience == AUTO_LR_PATIENCE
    assert mine.net_.optimizer_.param_groups[0]["lr"] < 1e-2  # it halved


class _Mark(Callback):
    """Records ``mark`` in the history after each epoch."""

    def on_epoch_end(self, net, **kwargs):
        net.history.record("mark", 1)


@pytest.mark.parametrize(
    "name, params",
    [
        ("gradient_clip", {}),
        ("early_stopping", {}),
        ("lr_plateau", {}),
        ("progress_bar", {"verbose": 2}),
        ("checkpoint", {"checkpoint": "CHECKPOINT"}),
    ],
)
def test_a_callback_named_as_one_of_ours_is_an_error_that_says_so(
    name, params, tmp_path
):
    if "checkpoint" in params:
        params = {"checkpoint": tmp_path}
    X = np.zeros((8, 4, 1), dtype=np.float32)
    y = np.tile(["a", "b"], 4)
    mine = (name, _Mark())
    clf = GRUClassifier(max_epochs=1, hidden_size=2, callbacks=[mine], **params)
    with pytest.raises(ValueError, match=f"callbacks\\[0\\] is named '{name}'.*my_"):
        clf.fit(X, y)


def test_a_callback_may_take_the_name_of_one_of_ours_that_is_not_added():
    # skorch's Checkpoint is often named "checkpoint"; ours is off by default
    X = np.zeros((8, 4, 1), dtype=np.float32)
    y = np.tile(["a", "b"], 4)
    mine = ("checkpoint", _Mark())
    clf = GRUClassifier(max_epochs=1, hidden_size=2, callbacks=[mine]).fit(X, y)
    assert clf.net_.history[-1, "mark"] == 1  # it ran


def test_step_lr_plateau_passes_torch_only_its_own_arguments():
    from sksequence._callbacks import StepLRPlateau

    cb = StepLRPlateau(patience=3, factor=0.25, min_steps=30, cooldown=1)
    assert cb.kwargs == {"patience": 3, "factor": 0.25, "cooldown": 1}
    assert cb.get_params()["min_steps"] == 30
