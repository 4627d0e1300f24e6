"""The skorch floor: turn an estimator's top-level parameters into a skorch net.

This is the only module that imports skorch. :func:`build_net` is a pure
routing function: it reads the estimator's parameters and fitted sizes and
returns an uninitialized :class:`skorch.NeuralNet`; it never writes to the
estimator.
"""

import copy
import math

import pandas as pd
import torch
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, GradientNormClipping
from skorch.dataset import Dataset

from ._modules import SequenceModel

__all__ = ["build_net", "net_input", "history_frame", "OPTIMIZERS"]

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


class TensorBatchIterator:
    """Yield ``(X_batch, y_batch)`` by one tensor index per batch.

    A replacement for :class:`torch.utils.data.DataLoader` over a skorch
    :class:`~skorch.dataset.Dataset` that holds tensors (or a dict of
    tensors): no per-sample ``__getitem__`` and no collate. Shuffling draws
    from torch's global generator, which the estimators seed inside a
    :func:`torch.random.fork_rng` block.
    """

    def __init__(self, dataset, batch_size, shuffle=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        n = len(self.dataset)
        order = torch.randperm(n) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            stop = min(start + self.batch_size, n)
            idx = order[start:stop] if order is not None else slice(start, stop)
            yield _index(X, idx), (None if y is None else y[idx])


class TailSplit:
    """Hold out the *last* ``fraction`` of the samples for validation.

    Sequence data sets are usually ordered in time (and windows overlap), so
    a shuffled split would leak the future into training.
    """

    def __init__(self, fraction):
        self.fraction = fraction

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = max(1, int(round(self.fraction * n)))
        n_train = n - n_valid
        X, y = dataset.X, dataset.y
        head, tail = slice(0, n_train), slice(n_train, n)
        return (
            Dataset(_index(X, head), y[head]),
            Dataset(_index(X, tail), y[tail]),
        )


def net_input(X, lengths):
    """The object handed to the net: a tensor, or a dict when lengths vary."""
    X = torch.from_numpy(X)
    if lengths is None:
        return X
    return {"X": X, "lengths": torch.from_numpy(lengths)}


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
    callbacks.append(
        (
            "early_stopping",
            EarlyStopping(
                monitor=monitor,
                patience=estimator.n_iter_no_change,
                threshold=estimator.tol,
                threshold_mode="abs",
                load_best=estimator.early_stopping,
                sink=print if estimator.verbose else _silent,
            ),
        )
    )
    # user callbacks are copied: skorch sets state on the instances it runs
    for i, cb in enumerate(estimator.callbacks or []):
        name, cb = cb if isinstance(cb, tuple) else (f"user_{i}", cb)
        callbacks.append((name, copy.deepcopy(cb)))
    return callbacks


def build_net(estimator, *, input_size, output_size, criterion, device):
    """Build the (uninitialized) skorch net for ``estimator``.

    Parameters
    ----------
    estimator : sksequence estimator
        Source of the top-level parameters.
    input_size, output_size : int
        Sizes derived from the training data.
    criterion : torch loss class
    device : torch.device
    """
    optimizer = estimator.optimizer
    if isinstance(optimizer, str):
        optimizer = OPTIMIZERS[optimizer]
    module_params = {
        f"module__{key}": value for key, value in estimator._module_params().items()
    }
    return NeuralNet(
        module=SequenceModel,
        module__input_size=input_size,
        module__output_size=output_size,
        **module_params,
        criterion=criterion,
        optimizer=optimizer,
        optimizer__weight_decay=estimator.weight_decay,
        lr=estimator.lr,
        max_epochs=estimator.max_epochs,
        batch_size=estimator.batch_size,
        iterator_train=TensorBatchIterator,
        iterator_train__shuffle=True,
        iterator_valid=TensorBatchIterator,
        iterator_valid__batch_size=max(estimator.batch_size, 1024),
        train_split=TailSplit(estimator.validation_fraction)
        if estimator.early_stopping
        else None,
        callbacks=_callbacks(estimator),
        device=device,
        verbose=int(estimator.verbose),
    )


def history_frame(net):
    """Per-epoch history of a fitted net as a pandas DataFrame."""
    keys = ["epoch", "train_loss", "valid_loss", "dur"]
    rows = [{k: row[k] for k in keys if k in row} for row in net.history]
    return pd.DataFrame(rows).set_index("epoch")
