"""The skorch floor: turn an estimator's top-level parameters into a skorch net.

:func:`build_net` is a pure routing function: it reads the estimator's
parameters and fitted sizes and returns an uninitialized
:class:`~sksequence._training.SequenceNet`; it never writes to the
estimator. The net itself (training loop, batches), its callbacks and its
checkpoints live in ``_training``, ``_callbacks`` and ``_checkpoint``; these
four modules are the skorch floor, the only ones that import skorch.
"""

import copy

import torch
from skorch.callbacks import Callback, GradientNormClipping

from ._callbacks import ProgressBar, StepEarlyStopping, StepLRPlateau, silent
from ._checkpoint import EpochCheckpoint
from ._constants import (
    AUTO_LR_FACTOR,
    AUTO_LR_PATIENCE,
    AUTO_LR_PATIENCE_STEPS,
    AUTO_PATIENCE_EPOCHS,
    AUTO_PATIENCE_STEPS,
    PREDICT_BATCH_SIZE,
)
from ._modules import SequenceModel
from ._training import IndexSplit, SequenceNet, TensorBatchIterator

__all__ = ["OPTIMIZERS", "build_callbacks", "build_net"]

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}


# the callbacks sksequence adds, by name, and the parameter that adds each
_OWN_CALLBACKS = {
    "gradient_clip": "gradient_clip",
    "early_stopping": "early_stopping and n_iter_no_change",
    "lr_plateau": 'early_stopping="auto" without a holdout',
    "progress_bar": "verbose >= 2",
    "checkpoint": "checkpoint",
}


def build_callbacks(estimator, main=True, fingerprint=None):
    """The ``(name, callback)`` list of the net of ``estimator``.

    Gradient clipping, early stopping, with ``early_stopping="auto"`` and
    no holdout the learning rate's halving on a plateau of the training
    loss, copies of the user's callbacks, a progress bar (``verbose >= 2``)
    and the checkpoint, in that order. A
    process other than the ``main`` one of a data-parallel fit prints
    nothing and writes no checkpoint. ``fingerprint`` is what a checkpoint
    must match (with ``checkpoint`` set).
    """
    callbacks = []
    if estimator.gradient_clip is not None:
        callbacks.append(
            ("gradient_clip", GradientNormClipping(estimator.gradient_clip))
        )
    # as scikit-learn's MLP: stop when the monitored loss has not improved by
    # ``tol`` for ``n_iter_no_change`` epochs; restore the best weights only
    # when a held-out loss chose them.
    monitor = "valid_loss" if estimator.early_stopping_ else "train_loss"
    on_training_loss = (
        estimator.early_stopping == "auto" and not estimator.early_stopping_
    )
    # "auto" counts optimizer steps as well as epochs, for the halving of
    # the learning rate too; a number of the user's is epochs only
    if isinstance(estimator.n_iter_no_change, str):  # "auto"
        patience, min_steps = AUTO_PATIENCE_EPOCHS, AUTO_PATIENCE_STEPS
        lr_min_steps = AUTO_LR_PATIENCE_STEPS
    else:
        patience, min_steps = int(estimator.n_iter_no_change), 0
        lr_min_steps = 0
    callbacks.append(
        (
            "early_stopping",
            StepEarlyStopping(
                monitor=monitor,
                patience=patience,
                threshold=estimator.tol,
                threshold_mode="abs",
                load_best=estimator.early_stopping_,
                sink=print if estimator.verbose and main else silent,
                min_steps=min_steps,
                # "auto" without a holdout: a fitted training set stops too
                floor=estimator._auto_fitted_loss if on_training_loss else None,
            ),
        )
    )
    if on_training_loss:
        # and a noisy training loss gets a smaller step before the patience
        # above runs out on it
        callbacks.append(
            (
                "lr_plateau",
                StepLRPlateau(
                    monitor="train_loss",
                    patience=AUTO_LR_PATIENCE,
                    factor=AUTO_LR_FACTOR,
                    min_steps=lr_min_steps,
                ),
            )
        )
    # ours that run after the user's
    last = []
    if estimator.verbose >= 2 and main:
        last.append(("progress_bar", ProgressBar()))
    if estimator.checkpoint is not None:
        # last, so that it saves what early stopping restored at the end
        last.append(
            (
                "checkpoint",
                EpochCheckpoint(estimator.checkpoint, fingerprint, write=main),
            )
        )
    # a user's callback named as one of ours would make skorch stop at a
    # duplicate it cannot explain
    ours = {name for name, _ in callbacks + last}
    # user callbacks are copied: skorch sets state on the instances it runs
    for i, cb in enumerate(estimator.callbacks or []):
        name, cb = cb if isinstance(cb, tuple) and len(cb) == 2 else (f"user_{i}", cb)
        if not isinstance(cb, Callback) or not isinstance(name, str):
            raise TypeError(
                f"callbacks[{i}] must be a skorch callback or a (name, callback) "
                f"tuple; got {cb!r}."
            )
        if name in ours:
            raise ValueError(
                f"callbacks[{i}] is named {name!r}, the name of the callback "
                f"that sksequence adds for {_OWN_CALLBACKS[name]}; name yours "
                f"otherwise, e.g. ('my_{name}', callback)."
            )
        callbacks.append((name, copy.deepcopy(cb)))
    callbacks += last
    return callbacks


def build_net(
    estimator, *, module, criterion, device, holdout, fingerprint=None, main=True
):
    """Build the (uninitialized) skorch net for ``estimator``.

    Parameters
    ----------
    estimator : sksequence estimator
        Source of the top-level parameters.
    module : dict
        The keyword arguments of :class:`~sksequence._modules.SequenceModel`
        (:func:`sksequence._base.module_arguments`).
    criterion : torch loss class
    device : torch.device
    holdout : callable or None
        ``holdout(y) -> (train, valid)`` indices of the early-stopping
        holdout; None trains on every sample.
    fingerprint : str or None
        What a checkpoint of this run must match (see ``checkpoint``).
    main : bool, default=True
        False in the processes of a data-parallel fit other than process 0:
        they print nothing and write no checkpoint.
    """
    optimizer = estimator.optimizer
    if isinstance(optimizer, str):
        optimizer = OPTIMIZERS[optimizer]
    return SequenceNet(
        module=SequenceModel,
        **{f"module__{key}": value for key, value in module.items()},
        criterion=criterion,
        optimizer=optimizer,
        optimizer__weight_decay=estimator.weight_decay,
        lr=estimator.lr,
        max_epochs=int(estimator.max_epochs),
        batch_size=int(estimator.batch_size),
        iterator_train=TensorBatchIterator,
        iterator_train__shuffle=True,
        iterator_train__device=device,
        # a ragged batch is read to its own longest sequence, unless each
        # step has a target of its own
        iterator_train__trim=not module["return_sequences"],
        iterator_valid=TensorBatchIterator,
        iterator_valid__device=device,
        iterator_valid__trim=not module["return_sequences"],
        iterator_valid__batch_size=max(int(estimator.batch_size), PREDICT_BATCH_SIZE),
        train_split=None if holdout is None else IndexSplit(holdout),
        callbacks=build_callbacks(estimator, main, fingerprint),
        # skorch's table is formatted every epoch even when nothing prints
        **({} if estimator.verbose and main else {"callbacks__print_log": None}),
        device=device,
        verbose=int(estimator.verbose) if main else 0,
    )
