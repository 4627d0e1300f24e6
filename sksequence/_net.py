"""The skorch floor: turn an estimator's top-level parameters into a skorch net.

This is the only module that imports skorch. :func:`build_net` is a pure
routing function: it reads the estimator's parameters and fitted sizes and
returns an uninitialized :class:`skorch.NeuralNet`; it never writes to the
estimator.
"""

import copy
import hashlib
import json
import math
import os
import time
import warnings
from pathlib import Path

import pandas as pd
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping
from skorch.dataset import Dataset
from skorch.utils import TeeGenerator

from ._modules import SequenceModel
from .exceptions import DivergenceError

__all__ = [
    "OPTIMIZERS",
    "build_net",
    "checkpoint_path",
    "history_frame",
    "load_checkpoint",
    "net_input",
    "place_on_device",
    "restore_checkpoint",
]

# share of the GPU's free memory that a training set may take to be moved
# there once per fit; larger sets are streamed batch by batch
DEVICE_DATA_FRACTION = 0.25

# n_iter_no_change="auto": wait this many epochs, or this many optimizer
# steps when they are more epochs. On a small data set an epoch is a handful
# of steps, and a recurrent net may sit at chance level for a few hundred
# steps before its loss starts to fall.
AUTO_PATIENCE_EPOCHS = 20
AUTO_PATIENCE_STEPS = 150

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}


def _index(X, idx):
    if isinstance(X, dict):
        return {key: value[idx] for key, value in X.items()}
    return X[idx]


def _to_device(X, device):
    """Copy a CPU batch to ``device`` through pinned memory, asynchronously."""
    if isinstance(X, dict):
        return {key: _to_device(value, device) for key, value in X.items()}
    if X.device.type != "cpu":  # already on a device ("cuda" == "cuda:0")
        return X
    return X.pin_memory().to(device, non_blocking=True)


class TensorBatchIterator:
    """Yield ``(X_batch, y_batch)`` by one tensor index per batch.

    A replacement for :class:`torch.utils.data.DataLoader` over a skorch
    :class:`~skorch.dataset.Dataset` that holds tensors (or a dict of
    tensors): no per-sample ``__getitem__`` and no collate. Shuffling draws
    from torch's global generator (the one of the data's device), which the
    estimators seed inside a :func:`torch.random.fork_rng` block. When the
    data stays on the CPU and ``device`` is a GPU, each batch is gathered on
    the CPU and copied through pinned memory without blocking.
    """

    def __init__(self, dataset, batch_size, shuffle=False, device=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = None if device is None else torch.device(device)

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        n = len(self.dataset)
        data_device = y.device if y is not None else _first(X).device
        order = torch.randperm(n, device=data_device) if self.shuffle else None
        stream = self.device is not None and self.device.type == "cuda"
        for start in range(0, n, self.batch_size):
            stop = min(start + self.batch_size, n)
            idx = order[start:stop] if order is not None else slice(start, stop)
            Xb, yb = _index(X, idx), (None if y is None else y[idx])
            if stream:
                Xb = _to_device(Xb, self.device)
                yb = None if yb is None else _to_device(yb, self.device)
            yield Xb, yb


def _first(X):
    return next(iter(X.values())) if isinstance(X, dict) else X


def place_on_device(X, y, device):
    """Move the training data to a GPU once, when it fits.

    The data set is moved when its (materialized) size is at most
    ``DEVICE_DATA_FRACTION`` of the GPU's free memory; otherwise it stays on
    the CPU and batches are streamed from pinned memory. On the CPU nothing
    changes (and windows stay views).
    """
    if device.type != "cuda":
        return X, y
    tensors = list(X.values()) if isinstance(X, dict) else [X]
    size = sum(t.numel() * t.element_size() for t in [*tensors, y])
    free, _ = torch.cuda.mem_get_info(device)
    if size > DEVICE_DATA_FRACTION * free:
        return X, y
    if isinstance(X, dict):
        return {k: v.to(device) for k, v in X.items()}, y.to(device)
    return X.to(device), y.to(device)


# the events that skorch notifies on every batch
BATCH_EVENTS = ("on_batch_begin", "on_grad_computed", "on_batch_end")


class SequenceNet(NeuralNet):
    """skorch's ``NeuralNet`` with less Python per batch, and three additions.

    Per batch, skorch calls every callback on three events, switches every
    module to training mode again, and converts the batch it is given; when
    a step takes a millisecond (small models, a GPU), that bookkeeping is a
    visible share of it. Here a batch event calls only the callbacks that
    override it, a module's mode is set only when it differs, and the
    training step takes the iterator's tensors as they are. The optimizer
    still receives a closure, as in skorch, and the callbacks see the same
    events with the same arguments.

    * No host-device sync per batch: skorch records ``loss.item()`` after
      every batch, which on a GPU waits for the batch to finish and keeps
      Python from queueing the next one. Here the batch losses stay on the
      device and reach the history in one transfer at the end of the loop;
      callbacks, history keys and per-epoch scores are skorch's own.
    * Interruption (Ctrl-C, ``KeyboardInterrupt``) keeps the weights of the
      last completed epoch and drops the unfinished epoch from the history
      (skorch alone keeps whatever the weights were mid-epoch).
    * Divergence: a non-finite training loss restores the last completed
      epoch's weights and raises
      :class:`~sksequence.exceptions.DivergenceError`.
    """

    def initialize_callbacks(self):
        super().initialize_callbacks()
        self._listeners = {
            event: [
                cb
                for _, cb in self.callbacks_
                if getattr(type(cb), event, None) is not getattr(Callback, event)
            ]
            for event in BATCH_EVENTS
        }
        return self

    def notify(self, method_name, **cb_kwargs):
        listeners = getattr(self, "_listeners", {}).get(method_name)
        if listeners is None:
            return super().notify(method_name, **cb_kwargs)
        getattr(self, method_name)(self, **cb_kwargs)
        for cb in listeners:
            getattr(cb, method_name)(self, **cb_kwargs)

    def _set_training(self, training=True):
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def train_step(self, batch, **fit_params):
        # skorch's step (a closure for the optimizer, the first evaluation
        # returned, gradients announced to the callbacks that want them)
        # without its per-batch conversions: the iterator already yields a
        # pair of tensors on the training device
        Xi, yi = batch
        self._set_training(True)
        step = {}

        def closure():
            self._zero_grad_optimizer()
            y_pred = self.infer(Xi, **fit_params)
            loss = self.criterion_(y_pred, yi)
            loss.backward()
            if self._listeners["on_grad_computed"]:
                self.notify(
                    "on_grad_computed",
                    named_parameters=TeeGenerator(self.get_all_learnable_params()),
                    batch=batch,
                    training=True,
                )
            if not step:
                step.update(loss=loss, y_pred=y_pred)
            return loss

        self._step_optimizer(closure)
        return step

    def __getstate__(self):
        state = super().__getstate__()
        # a per-fit snapshot on the training device: a GPU copy would stop a
        # pickled model from loading on a machine without CUDA
        state.pop("_last_epoch_state", None)
        return state

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        # the batch losses go into one buffer allocated for the epoch: kept
        # as one small tensor per batch until the epoch's end, they pinned
        # the heap between the large transient allocations of the batches,
        # and the resident set grew with every batch (issue #17)
        losses, count = None, 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            loss = step["loss"].detach()
            if losses is None:
                losses = loss.new_empty(len(iterator))
            losses[count] = loss  # a device-side copy: no sync
            count += 1
            self.history.record_batch(prefix + "_batch_size", len(batch[1]))
            self.notify("on_batch_end", batch=batch, training=training, **step)
        if count:
            values = losses[:count].tolist()  # the epoch's one sync
            for row, value in zip(self.history[-1]["batches"][-len(values) :], values):
                row[prefix + "_loss"] = value
            if training and not all(map(math.isfinite, values)):
                self._restore_last_epoch()
                raise DivergenceError(
                    f"Training diverged in epoch {len(self.history) + 1}: the "
                    "training loss became NaN or infinite. The model keeps the "
                    "weights of the last finite epoch. Lower lr (now "
                    f"{self.lr}), keep gradient clipping on (gradient_clip), or "
                    "check the scale of X."
                )
        self.history.record(prefix + "_batch_count", count)

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        super().on_train_begin(net, X=X, y=y, **kwargs)
        self.interrupted_ = False
        self._snapshot()

    def on_epoch_end(self, net, **kwargs):
        super().on_epoch_end(net, **kwargs)
        self._snapshot()

    def _snapshot(self):
        self._last_epoch_state = {
            key: value.detach().clone()
            for key, value in self.module_.state_dict().items()
        }
        self._last_epoch_count = len(self.history)

    def _restore_last_epoch(self):
        self.module_.load_state_dict(self._last_epoch_state)
        del self.history[self._last_epoch_count :]

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # the epoch this call ends with, unless stopped (for the checkpoint)
        self.final_epoch_ = len(self.history) + (
            self.max_epochs if epochs is None else epochs
        )
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt:
            # skorch's EarlyStopping stops training by raising it too
            if not self._stopped_early():
                self._restore_last_epoch()
                self.interrupted_ = True
            raise  # skorch ends training and runs on_train_end

    def _stopped_early(self):
        return any(
            isinstance(cb, EarlyStopping)
            and cb.misses_ >= getattr(cb, "patience_", cb.patience)
            for _, cb in self.callbacks_
        )


class StepEarlyStopping(EarlyStopping):
    """skorch's ``EarlyStopping`` with a patience of at least ``min_steps`` steps.

    The patience in epochs is ``max(patience, ceil(min_steps / steps))``,
    ``steps`` being the number of optimizer steps of the last epoch; it is
    kept in ``patience_``.
    """

    def __init__(
        self,
        monitor="valid_loss",
        patience=5,
        threshold=1e-4,
        threshold_mode="rel",
        lower_is_better=True,
        sink=print,
        load_best=False,
        min_steps=0,
    ):
        super().__init__(
            monitor=monitor,
            patience=patience,
            threshold=threshold,
            threshold_mode=threshold_mode,
            lower_is_better=lower_is_better,
            sink=sink,
            load_best=load_best,
        )
        self.min_steps = min_steps

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.patience_ = self.patience

    def on_epoch_end(self, net, **kwargs):
        steps = net.history[-1].get("train_batch_count") or 1
        self.patience_ = max(self.patience, math.ceil(self.min_steps / steps))
        base, self.patience = self.patience, self.patience_
        try:
            super().on_epoch_end(net, **kwargs)
        finally:
            self.patience = base


class EpochCheckpoint(Callback):
    """Save the training state after epochs, atomically.

    One file per run, named after a digest of the run's fingerprint
    (configuration and data), so that the fits of a search or a
    cross-validation can share a directory and each find its own. The file
    holds everything a continuation needs to be identical to an
    uninterrupted run: module and optimizer states, the history, torch's
    random number generator state, and early stopping's counters and best
    weights; plus whether early stopping has ended the run (``converged``).
    It is written with :func:`torch.save` to a temporary file then renamed,
    so a process killed at any moment leaves the previous checkpoint intact;
    it is read back with ``torch.load(weights_only=True)``, which never runs
    code from the file.

    The last epoch of a fit is always saved; before it, an epoch is saved
    when at least ``MIN_INTERVAL`` seconds and ``SAVE_RATIO`` times the last
    save's duration have passed since the last save (or the start): every
    epoch of a long training, but no file writing that would take more than
    a tenth of the time of short ones, such as the many brief fits of a
    search.
    """

    MIN_INTERVAL = 1.0  # seconds
    SAVE_RATIO = 9  # time training / time saving, at least

    def __init__(self, directory, fingerprint):
        self.directory = directory
        self.fingerprint = fingerprint

    def initialize(self):
        self.resume_ = None
        return self

    def _save(self, net, converged):
        started = time.perf_counter()
        path = checkpoint_path(self.directory, self.fingerprint)
        path.parent.mkdir(parents=True, exist_ok=True)
        stopper = _early_stopping(net)
        state = {
            "fingerprint": self.fingerprint,
            "epochs": len(net.history),
            "converged": converged,
            "module": net.module_.state_dict(),
            "optimizer": net.optimizer_.state_dict(),
            "history": json.dumps(list(net.history)),
            "rng": _rng_state(net.device),
            "early_stopping": {
                "misses": stopper.misses_,
                "threshold": float(stopper.dynamic_threshold_),
                "best_epoch": stopper.best_epoch_,
                "best_weights": stopper.best_model_weights_,
            },
        }
        tmp = path.with_name(path.name + ".tmp")
        torch.save(state, tmp)
        os.replace(tmp, path)
        self.saved_at_ = time.perf_counter()
        self.save_seconds_ = self.saved_at_ - started

    def on_train_begin(self, net, **kwargs):
        self.saved_at_, self.save_seconds_ = time.perf_counter(), 0.0
        # after early stopping reset its counters (it runs before us)
        if self.resume_ is not None:
            stopper, saved = _early_stopping(net), self.resume_["early_stopping"]
            stopper.misses_ = saved["misses"]
            stopper.dynamic_threshold_ = saved["threshold"]
            stopper.best_epoch_ = saved["best_epoch"]
            stopper.best_model_weights_ = saved["best_weights"]
            _set_rng_state(self.resume_["rng"], net.device)
            self.resume_ = None

    def on_epoch_end(self, net, **kwargs):
        waited = time.perf_counter() - self.saved_at_
        last = len(net.history) >= getattr(net, "final_epoch_", 0)
        due = max(self.MIN_INTERVAL, self.SAVE_RATIO * self.save_seconds_)
        if last or waited >= due:
            self._save(net, converged=False)

    def on_train_end(self, net, **kwargs):
        # early stopping skipped our on_epoch_end of its last epoch and has
        # restored the best weights by now (it runs before us); a run that
        # ran out of epochs or was interrupted is saved as it was after its
        # last completed epoch, ready to continue
        if net._stopped_early():
            self._save(net, converged=True)


def _early_stopping(net):
    return dict(net.callbacks_)["early_stopping"]


def _rng_state(device):
    state = {"cpu": torch.get_rng_state()}
    if torch.device(device).type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _set_rng_state(state, device):
    torch.set_rng_state(state["cpu"])
    if "cuda" in state and torch.device(device).type == "cuda":
        torch.cuda.set_rng_state(state["cuda"], device)


def checkpoint_path(directory, fingerprint):
    """The file of the run with ``fingerprint`` in ``directory``."""
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()[:16]
    return Path(directory) / f"checkpoint-{digest}.pt"


def load_checkpoint(directory, fingerprint):
    """The checkpoint of the run ``fingerprint`` (None when there is none)."""
    path = checkpoint_path(directory, fingerprint)
    if not path.exists():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a damaged or foreign file: say which
        raise ValueError(
            f"checkpoint={str(directory)!r}: {path} could not be read ({exc}). "
            "Delete it to start over."
        ) from exc
    if state.get("fingerprint") != fingerprint:
        raise ValueError(
            f"checkpoint={str(directory)!r}: {path} holds a training run of "
            "another configuration or data set than its name says (a renamed "
            "or copied file?). Delete it to start over."
        )
    return state


def restore_checkpoint(net, state, *, more_epochs):
    """Load a checkpoint into an initialized net.

    With ``more_epochs``, training will continue: early stopping's state and
    the random number generator are handed to the net's checkpoint callback,
    which sets them when training begins. Without, the net gets the weights
    the run ended with (the best ones, when early stopping kept them).
    """
    net.module_.load_state_dict(state["module"])
    net.optimizer_.load_state_dict(state["optimizer"])
    net.history.clear()
    net.history.extend(json.loads(state["history"]))
    saved = state["early_stopping"]
    if more_epochs:
        dict(net.callbacks_)["checkpoint"].resume_ = state
    elif saved["best_weights"] is not None and saved["best_epoch"] != state["epochs"]:
        net.module_.load_state_dict(saved["best_weights"])


class IndexSplit:
    """skorch's ``train_split`` from a plan that picks the held-out samples.

    ``plan(y)`` returns ``(train, valid)`` index slices or int arrays for the
    targets ``y`` (a NumPy array); see :class:`sksequence._split.HoldoutSplit`.
    A slice keeps the data a view (windows of one series stay zero-copy); an
    index array gathers its samples.
    """

    def __init__(self, plan):
        self.plan = plan

    def __call__(self, dataset, y=None, **fit_params):
        X, y = dataset.X, dataset.y
        datasets = []
        for idx in self.plan(y.cpu().numpy()):
            if not isinstance(idx, slice):
                idx = torch.as_tensor(idx, device=y.device)
            datasets.append(Dataset(_index(X, idx), y[idx]))
        return tuple(datasets)


def net_input(X, lengths):
    """The object handed to the net: a tensor, or a dict when lengths vary.

    ``X`` may be a read-only view (memmap, sliding windows); torch only reads
    it, so the tensor shares its memory instead of copying the whole array.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not")
        X = torch.from_numpy(X)
    if lengths is None:
        return X
    return {"X": X, "lengths": torch.from_numpy(lengths)}


class ProgressBar(Callback):
    """A tqdm bar over the training batches of each epoch (``verbose >= 2``).

    skorch's own ``ProgressBar`` reads each batch's loss from the history,
    which :class:`SequenceNet` fills once per epoch; this bar counts batches
    and shows the previous epoch's loss instead.
    """

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        from tqdm.auto import tqdm

        total = math.ceil(len(dataset_train) / net.batch_size)
        epoch = len(net.history)
        self.bar_ = tqdm(total=total, desc=f"epoch {epoch}", leave=False, unit="batch")
        if epoch > 1:
            self.bar_.set_postfix(train_loss=f"{net.history[-2, 'train_loss']:.4g}")

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            self.bar_.update(1)

    def on_epoch_end(self, net, **kwargs):
        self.bar_.close()

    def on_train_end(self, net, **kwargs):
        bar = getattr(self, "bar_", None)
        if bar is not None:
            bar.close()  # an interrupted epoch


def _silent(*args, **kwargs):
    """A picklable sink that discards callback messages."""


def _callbacks(estimator):
    callbacks = []
    if estimator.gradient_clip is not None:
        callbacks.append(
            ("gradient_clip", GradientNormClipping(estimator.gradient_clip))
        )
    # as scikit-learn's MLP: stop when the monitored loss has not improved by
    # ``tol`` for ``n_iter_no_change`` epochs; restore the best weights only
    # when a held-out loss chose them.
    monitor = "valid_loss" if estimator.early_stopping else "train_loss"
    if isinstance(estimator.n_iter_no_change, str):  # "auto"
        patience, min_steps = AUTO_PATIENCE_EPOCHS, AUTO_PATIENCE_STEPS
    else:
        patience, min_steps = int(estimator.n_iter_no_change), 0
    callbacks.append(
        (
            "early_stopping",
            StepEarlyStopping(
                monitor=monitor,
                patience=patience,
                threshold=estimator.tol,
                threshold_mode="abs",
                load_best=estimator.early_stopping,
                sink=print if estimator.verbose else _silent,
                min_steps=min_steps,
            ),
        )
    )
    # user callbacks are copied: skorch sets state on the instances it runs
    for i, cb in enumerate(estimator.callbacks or []):
        name, cb = cb if isinstance(cb, tuple) and len(cb) == 2 else (f"user_{i}", cb)
        if not isinstance(cb, Callback) or not isinstance(name, str):
            raise TypeError(
                f"callbacks[{i}] must be a skorch callback or a (name, callback) "
                f"tuple; got {cb!r}."
            )
        callbacks.append((name, copy.deepcopy(cb)))
    if estimator.verbose >= 2:
        callbacks.append(("progress_bar", ProgressBar()))
    if estimator.checkpoint is not None:
        # last, so that it saves what early stopping restored at the end
        callbacks.append(
            (
                "checkpoint",
                EpochCheckpoint(estimator.checkpoint, estimator._fingerprint()),
            )
        )
    return callbacks


def build_net(estimator, *, input_size, output_size, criterion, device, holdout):
    """Build the (uninitialized) skorch net for ``estimator``.

    Parameters
    ----------
    estimator : sksequence estimator
        Source of the top-level parameters.
    input_size, output_size : int
        Sizes derived from the training data.
    criterion : torch loss class
    device : torch.device
    holdout : callable or None
        ``holdout(y) -> (train, valid)`` indices of the early-stopping
        holdout; None trains on every sample.
    """
    optimizer = estimator.optimizer
    if isinstance(optimizer, str):
        optimizer = OPTIMIZERS[optimizer]
    module_params = {
        f"module__{key}": value for key, value in estimator._module_params().items()
    }
    return SequenceNet(
        module=SequenceModel,
        module__input_size=input_size,
        module__output_size=output_size,
        **module_params,
        criterion=criterion,
        optimizer=optimizer,
        optimizer__weight_decay=estimator.weight_decay,
        lr=estimator.lr,
        max_epochs=int(estimator.max_epochs),
        batch_size=int(estimator.batch_size),
        iterator_train=TensorBatchIterator,
        iterator_train__shuffle=True,
        iterator_train__device=device,
        iterator_valid=TensorBatchIterator,
        iterator_valid__device=device,
        iterator_valid__batch_size=max(int(estimator.batch_size), 1024),
        train_split=None if holdout is None else IndexSplit(holdout),
        callbacks=_callbacks(estimator),
        # skorch's table is formatted every epoch even when nothing prints
        **({} if estimator.verbose else {"callbacks__print_log": None}),
        device=device,
        verbose=int(estimator.verbose),
    )


def history_frame(net):
    """Per-epoch history of a fitted net as a pandas DataFrame.

    Indexed by ``epoch`` (1, 2, ...), with columns ``train_loss``,
    ``valid_loss`` (when a validation split is used) and ``dur`` (seconds).
    """
    keys = ["epoch", "train_loss", "valid_loss", "dur"]
    rows = [{k: row[k] for k in keys if k in row} for row in net.history]
    frame = pd.DataFrame(rows, columns=keys if not rows else None)
    return frame.set_index("epoch")
