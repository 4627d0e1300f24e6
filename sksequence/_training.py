"""The skorch floor: the training loop and the batches it runs over.

:class:`SequenceNet` is skorch's ``NeuralNet`` with less Python per batch,
divergence and interruption handling; :class:`TensorBatchIterator` and
:class:`IndexSplit` feed it tensors without a ``DataLoader``. skorch is
imported only by the skorch-floor modules (``_net``, ``_training``,
``_callbacks``, ``_checkpoint``).
"""

import contextlib
import math
import warnings

import pandas as pd
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from skorch.dataset import Dataset
from skorch.utils import TeeGenerator
from torch.nn.parallel import DistributedDataParallel

from ._constants import DEVICE_DATA_FRACTION
from ._modules import loss_normalizer, synced_statistics
from .distributed import ONE_PROCESS
from .exceptions import DivergenceError

__all__ = [
    "IndexSplit",
    "SequenceNet",
    "Shard",
    "TensorBatchIterator",
    "history_frame",
    "net_input",
    "place_on_device",
]


# the key of the sample weights in the dict of inputs handed to the net:
# skorch's documented idiom (its FAQ, "I want to use sample_weight"), as dicts
# in X are split and batched with their samples; written by net_input only,
# read by the loss through _weights and by the module as its sample_weight
# argument (the batch statistics of batch_norm; docs/design.rst, "Sample
# weights")
WEIGHT_KEY = "sample_weight"


def _weights(x):
    """The sample weights that travel with the inputs ``x``, or None: the
    one place that knows where they ride."""
    return x.get(WEIGHT_KEY) if isinstance(x, dict) else None


def _index(X, idx):
    if isinstance(X, dict):
        return {key: value[idx] for key, value in X.items()}
    return X[idx]


def _trimmed(X):
    """A ragged batch cut to its own longest sequence.

    A ragged set is one tensor padded to its longest sequence, and a batch
    of it is padded as far; the steps past the batch's longest sequence are
    padding in every sequence of the batch, which no output of a
    per-sequence network reads (the convolutions are causal, and every
    statistic, pooling and recurrence stops at a sequence's length). On
    PLAID (100-1,344 steps, mean 324) a batch of 16 is padded to 617 steps
    on average instead of 1,344. Equal-length batches are returned as they
    are."""
    if not isinstance(X, dict) or "lengths" not in X:
        return X
    steps = int(X["lengths"].max())
    return {**X, "X": X["X"][:, :steps]}


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
    the CPU and copied through pinned memory without blocking. With
    ``trim``, a ragged batch is cut to its own longest sequence
    (:func:`_trimmed`); only for networks with one output per sequence,
    whose targets have no time axis to cut with it.

    ``processes`` is the :class:`sksequence.distributed.DataParallel` strategy
    of the fit (one process by default). Over several processes, a batch
    is ``batch_size * world_size`` samples, every process shuffles with
    process 0's permutation, and each yields its part of every batch as a
    :class:`Shard`.
    """

    def __init__(
        self,
        dataset,
        batch_size,
        shuffle=False,
        device=None,
        processes=ONE_PROCESS,
        trim=False,
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = None if device is None else torch.device(device)
        self.processes = processes
        self.trim = trim

    def __len__(self):
        return math.ceil(
            len(self.dataset) / (self.batch_size * self.processes.world_size)
        )

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        n = len(self.dataset)
        data_device = y.device if y is not None else _first(X).device
        order = torch.randperm(n, device=data_device) if self.shuffle else None
        stream = self.device is not None and self.device.type == "cuda"
        if self.processes.parallel:
            yield from self._shards(X, y, n, order, stream)
            return
        for start in range(0, n, self.batch_size):
            stop = min(start + self.batch_size, n)
            idx = order[start:stop] if order is not None else slice(start, stop)
            Xb, yb = _index(X, idx), (None if y is None else y[idx])
            if self.trim:
                Xb = _trimmed(Xb)
            if stream:
                Xb = _to_device(Xb, self.device)
                yb = None if yb is None else _to_device(yb, self.device)
            yield Xb, yb

    def _shards(self, X, y, n, order, stream):
        processes = self.processes
        if order is not None:  # process 0's, whatever the others drew
            order = processes.broadcast(order)
        weights = _weights(X)
        size = self.batch_size * processes.world_size
        for start in range(0, n, size):
            stop = min(start + size, n)
            batch = (
                order[start:stop]
                if order is not None
                else torch.arange(start, stop, device=y.device)
            )
            part = processes.part(batch)
            # a last batch with fewer samples than processes leaves some
            # without a part: they run one sample with a share of zero, so
            # that they still join the gradient exchange
            empty = len(part) == 0
            if empty:
                part = batch[:1]
            if order is None:  # contiguous: a view, not a gather
                part = slice(int(part[0]), int(part[-1]) + 1)
            Xb, yb = _index(X, part), y[part]
            if self.trim:
                Xb = _trimmed(Xb)
            wb = None if weights is None else weights[part]
            total = loss_normalizer(y[batch], None if wb is None else weights[batch])
            share = loss_normalizer(yb, wb) / total.clamp_min(1e-30)
            share = share.float() * (not empty)
            weight = None if wb is None else wb.sum() * (not empty)
            if stream:
                Xb = _to_device(Xb, self.device)
                yb = _to_device(yb, self.device)
            yield Shard(
                Xb, yb, share=share, size=stop - start, weight=weight, empty=empty
            )


class Shard(tuple):
    """One process's part ``(X, y)`` of a data-parallel batch.

    It unpacks as the pair a one-process batch is, for callbacks; the net
    reads the rest. ``share`` is the part's share of the batch's loss
    normalizer (:func:`~sksequence._modules.loss_normalizer`; 0 for a
    process without samples), so that the batch's loss is the sum over the
    processes of ``share * loss(part)``; ``size`` is the number of samples of
    the whole batch and ``weight`` the part's total sample weight (None when
    unweighted); ``empty``: the process has no part and runs one sample
    that counts nowhere.
    """

    def __new__(cls, X, y, *, share, size, weight=None, empty=False):
        self = super().__new__(cls, (X, y))
        self.share, self.size, self.weight = share, size, weight
        self.empty = empty
        return self


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

    Inside :meth:`data_parallel`, the net trains over several processes
    (see :mod:`sksequence.distributed`): the iterators yield each process's
    :class:`Shard` of every batch, the forward pass of training goes through
    a :class:`~torch.nn.parallel.DistributedDataParallel` wrapper of
    ``module_`` (which stays the plain module), each process's loss is
    weighted by its share, and the epoch's batch losses are summed across
    the processes in the epoch's one sync.
    """

    # the processes of a data-parallel fit, set by ``data_parallel`` only
    # for the duration of the fit: a fitted net pickles without them
    world_ = None

    @property
    def processes(self):
        """The fit's strategy: its processes, or one process outside a block."""
        return ONE_PROCESS if self.world_ is None else self.world_

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

    @contextlib.contextmanager
    def data_parallel(self, processes):
        """Train over the processes of ``processes`` inside this block (one
        process: the plain fit)."""
        # past skorch's __setattr__: the net's state is as it was after
        self.__dict__["world_"] = processes
        self.__dict__["_reseed"] = processes.rank > 0
        # batch statistics over every process's part of the batch
        synced_statistics(self.module_, processes.parallel)
        try:
            yield self
        finally:
            synced_statistics(self.module_, False)
            for key in ("world_", "_parallel_module", "_reseed"):
                self.__dict__.pop(key, None)

    def on_epoch_begin(self, net, **kwargs):
        super().on_epoch_begin(net, **kwargs)
        if self.__dict__.pop("_reseed", False):
            # every process started from the fit's seed (the same weights);
            # from here on, processes other than 0 draw their own dropout
            # masks (process 0 draws as a one-process fit does; everyone
            # shuffles with its permutation)
            torch.manual_seed(int(torch.randint(2**62, ())) + self.processes.rank)

    def get_iterator(self, dataset, training=False):
        iterator = super().get_iterator(dataset, training=training)
        iterator.processes = self.processes
        return iterator

    def _parallel_forward(self, x, empty=False):
        # created at the first step of a fit, on every process at once (its
        # constructor checks and broadcasts the weights: a collective call)
        ddp = self.__dict__.get("_parallel_module")
        if ddp is None:
            device = torch.device(self.device)
            ddp = DistributedDataParallel(
                self.module_,
                device_ids=[device] if device.type == "cuda" else None,
            )
            # past skorch's __setattr__, which registers modules as parameters
            self.__dict__["_parallel_module"] = ddp
        if empty:
            # the one sample a process without a part runs (its loss has a
            # share of zero) weighs nothing in the batch statistics either
            x = dict(x) if isinstance(x, dict) else {"X": x}
            x[WEIGHT_KEY] = torch.zeros(len(_first(x)), device=_first(x).device)
        return ddp(**x) if isinstance(x, dict) else ddp(x)

    def train_step(self, batch, **fit_params):
        # skorch's step (a closure for the optimizer, the first evaluation
        # returned, gradients announced to the callbacks that want them)
        # without its per-batch conversions: the iterator already yields a
        # pair of tensors on the training device
        Xi, yi = batch
        self._set_training(True)
        step = {}
        processes = self.processes

        def closure():
            self._zero_grad_optimizer()
            if not processes.parallel:
                y_pred = self.infer(Xi, **fit_params)
                loss = self.get_loss(y_pred, yi, X=Xi, training=True)
                loss.backward()
            else:
                y_pred = self._parallel_forward(Xi, batch.empty)
                # this process's part of the batch's loss; DDP averages the
                # gradients over the processes, hence the factor
                loss = self.get_loss(y_pred, yi, X=Xi, training=True) * batch.share
                (loss * processes.world_size).backward()
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

    def validation_step(self, batch, **fit_params):
        step = super().validation_step(batch, **fit_params)
        if self.processes.parallel:
            step["loss"] = step["loss"] * batch.share
        return step

    def get_loss(self, y_pred, y_true, X=None, training=False):
        weights = _weights(X)
        if weights is None:
            return self.criterion_(y_pred, y_true)
        return self.criterion_(y_pred, y_true, weights)

    def __getstate__(self):
        state = super().__getstate__()
        # a per-fit snapshot on the training device: a GPU copy would stop a
        # pickled model from loading on a machine without CUDA
        state.pop("_last_epoch_state", None)
        state.pop("_parallel_module", None)
        return state

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        # the batch losses go into one buffer allocated for the epoch: kept
        # as one small tensor per batch until the epoch's end, they pinned
        # the heap between the large transient allocations of the batches,
        # and the resident set grew with every batch (issue #17)
        # With sample weights, skorch's per-epoch loss (the mean of the batch
        # losses weighted by "*_batch_size") must weigh each batch by its
        # total weight: the batch weights share the losses' buffer and sync.
        losses, count, weighted = None, 0, False
        parallel = self.processes.parallel
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            loss = step["loss"].detach()
            if losses is None:
                losses = loss.new_zeros(2, len(iterator))
                weighted = _weights(batch[0]) is not None
            losses[0, count] = loss  # device-side copies: no sync
            if weighted:
                losses[1, count] = (
                    batch.weight if parallel else _weights(batch[0]).sum()
                )
            count += 1
            self.history.record_batch(
                prefix + "_batch_size",
                batch.size if parallel else len(batch[1]),
            )
            self.notify("on_batch_end", batch=batch, training=training, **step)
        if count:
            # over several processes: the parts' losses and weights, summed
            losses = self.processes.all_reduce(losses[:, :count])
            values, weights = losses.tolist()  # the epoch's one sync
            rows = self.history[-1]["batches"][-count:]
            for row, value, weight in zip(rows, values, weights):
                row[prefix + "_loss"] = value
                if weighted:
                    row[prefix + "_batch_size"] = weight
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
            if not self.stopped_early():
                self._restore_last_epoch()
                self.interrupted_ = True
            raise  # skorch ends training and runs on_train_end

    def stopped_early(self):
        """Whether early stopping ended the run (its patience ran out, or the
        loss reached its floor); the checkpoint callback records it, and an
        interrupted run asks it."""
        return any(
            isinstance(cb, EarlyStopping)
            and (
                cb.misses_ >= getattr(cb, "patience_", cb.patience)
                or getattr(cb, "reached_floor_", False)
            )
            for _, cb in self.callbacks_
        )


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
        for part, idx in zip(("training", "validation"), self.plan(y.cpu().numpy())):
            if not isinstance(idx, slice):
                idx = torch.as_tensor(idx, device=y.device)
            Xi = _index(X, idx)
            weights = _weights(Xi)
            if weights is not None and not weights.any():
                raise ValueError(
                    f"All sample weights of the early-stopping {part} samples "
                    "are zero, so their loss is undefined. Choose another "
                    "validation_split (e.g. 'stratified' or 'shuffle'), change "
                    "validation_fraction, or set early_stopping=False."
                )
            datasets.append(Dataset(Xi, y[idx]))
        return tuple(datasets)


def net_input(X, lengths, sample_weight=None):
    """The object handed to the net: a tensor, or a dict when lengths vary or
    samples are weighted (the weights under ``WEIGHT_KEY``, read by the loss).

    ``X`` may be a read-only view (memmap, sliding windows); torch only reads
    it, so the tensor shares its memory instead of copying the whole array.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not")
        X = torch.from_numpy(X)
    if lengths is None and sample_weight is None:
        return X
    inputs = {"X": X}
    if lengths is not None:
        inputs["lengths"] = torch.from_numpy(lengths)
    if sample_weight is not None:
        inputs[WEIGHT_KEY] = torch.from_numpy(sample_weight)
    return inputs


def history_frame(net):
    """Per-epoch history of a fitted net as a pandas DataFrame.

    Indexed by ``epoch`` (1, 2, ...), with columns ``train_loss``,
    ``valid_loss`` (when a validation split is used) and ``dur`` (seconds).
    """
    keys = ["epoch", "train_loss", "valid_loss", "dur"]
    rows = [{k: row[k] for k in keys if k in row} for row in net.history]
    frame = pd.DataFrame(rows, columns=keys if not rows else None)
    return frame.set_index("epoch")
