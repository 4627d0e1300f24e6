"""The skorch floor: one training session, from a plain spec and the data.

:func:`train` is what ``fit`` hands its validated data to: it checks that
the checkpoint directory can be written (in the one process that writes),
seeds torch inside a block that restores the caller's generators, builds (or
continues) the net, resumes a checkpoint of the same run, places the data on the
device and trains, on one process or over the processes of a
:func:`~sksequence.distributed.data_parallel` block. It returns what fit
records: the net, its history and the early-stopping holdout. The
estimators (the scikit-learn floor) only describe the session
(:class:`TrainingSpec`) and hand over the data (:class:`TrainingData`);
they never reach into the net for its split.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch

from . import distributed
from ._checkpoint import load_checkpoint, restore_checkpoint, warn_if_longer_run
from ._generator import global_generator_user
from ._threads import intra_op_threads
from ._training import history_frame, net_input, place_on_device
from ._validation import check_checkpoint_directory

__all__ = ["TrainingData", "TrainingResult", "TrainingSpec", "train"]


@dataclass(frozen=True)
class TrainingData:
    """The validated training data, one field per per-sample quantity.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_features), float32
        The sequences (may be a read-only view: it is not copied).
    y : ndarray
        The targets as the network is trained on them.
    lengths : ndarray of shape (n_samples,) or None
        Valid steps per sequence; None when all have ``n_timesteps``.
    sample_weight : ndarray of shape (n_samples,) or (n_samples, n_timesteps)
        The float32 weights the loss reads; None when all samples weigh
        the same.
    """

    X: np.ndarray
    y: np.ndarray
    lengths: np.ndarray | None = None
    sample_weight: np.ndarray | None = None


@dataclass(frozen=True)
class TrainingSpec:
    """How to train: values and the two callables the estimator supplies.

    Parameters
    ----------
    build : callable
        ``build(device, seed, main)``: the uninitialized skorch net (its
        early-stopping holdout drawn with ``seed``; ``main=False`` in the
        data-parallel processes that neither print nor save).
    threads : callable
        ``threads(module)``: the intra-op threads to train ``module`` with.
    device : torch.device
        Where to train (a data-parallel fit trains ``cuda`` on
        ``cuda:{local_rank}``).
    seed : int
        The torch seed of the session (process 0's in a data-parallel fit).
    epochs : int
        Epochs to train (in all, when resuming a checkpoint).
    random_state : object, default=None
        The estimator's ``random_state``, for the warning of a seeded fit
        that overlapped another thread's.
    net : SequenceNet or None, default=None
        A fitted net to continue (``warm_start``, ``partial_fit``); None
        builds a new one.
    checkpoint : str, path or None, default=None
        The checkpoint directory (checked writable when the session starts);
        ``fingerprint`` names the run's file.
    fingerprint : str or None, default=None
    """

    build: Callable
    threads: Callable
    device: torch.device
    seed: int
    epochs: int
    random_state: object = None
    net: object = None
    checkpoint: object = None
    fingerprint: str | None = None


class TrainingResult:
    """What a session hands back to fit.

    Attributes
    ----------
    net : SequenceNet
        The trained net (the plain module, on the training device).
    history : pandas.DataFrame
        One row per epoch (:func:`~sksequence._training.history_frame`).
    n_iter : int
        Number of epochs in the history.
    interrupted : bool
        Whether training was interrupted (the net keeps the last completed
        epoch).
    holdout : slice, ndarray or None
        The early-stopping holdout of the data (a slice or sorted indices);
        None when nothing was held out.
    """

    def __init__(self, net, y):
        self.net = net
        self.history = history_frame(net)
        self.n_iter = len(net.history)
        self.interrupted = bool(getattr(net, "interrupted_", False))
        self._y = y

    @cached_property
    def holdout(self):
        # drawn when asked (the split's plan is deterministic): a classifier
        # never reads it (its split warns when drawn); a regressor keeps it
        # for its calibration and RecurrentForecaster's correction weight (a
        # slice for its default tail split)
        split = self.net.train_split
        if split is None:
            return None
        return split.plan(self._y)[1]


def train(spec, data):
    """Run one training session.

    Parameters
    ----------
    spec : TrainingSpec
    data : TrainingData

    Returns
    -------
    result : TrainingResult
    """
    processes = distributed.strategy()
    if spec.checkpoint is not None and processes.is_main:  # the one that writes
        check_checkpoint_directory(spec.checkpoint)
    device = processes.device(spec.device)
    seed = processes.seed(spec.seed)  # e.g. random_state=None: one for all
    cuda_devices = [device.index or 0] if device.type == "cuda" else []
    epochs = spec.epochs
    with (
        global_generator_user(spec.random_state, fit=True),
        torch.random.fork_rng(devices=cuda_devices),
    ):
        torch.manual_seed(seed)
        if spec.net is not None:
            net = spec.net
        else:
            net = spec.build(device, seed, processes.is_main).initialize()
            if spec.checkpoint is not None:
                state = load_checkpoint(spec.checkpoint, spec.fingerprint)
                if state is not None:
                    warn_if_longer_run(spec.checkpoint, state, epochs)
                    more = max(epochs - state["epochs"], 0)
                    epochs = 0 if state["converged"] else more
                    restore_checkpoint(net, state, more_epochs=epochs > 0)
        if epochs > 0:
            X_net, y_net = place_on_device(
                net_input(data.X, data.lengths, data.sample_weight),
                torch.from_numpy(data.y),
                device,
            )
            threads = spec.threads(net.module_)
            with intra_op_threads(threads), net.data_parallel(processes):
                net.partial_fit(X_net, y_net, epochs=epochs)
            # process 0 has written its last checkpoint: the next fit of any
            # process may read it
            processes.barrier()
    # a fitted module computes what prediction does (batch normalization by
    # its running averages) for whoever calls it; training sets it back
    net.module_.eval()
    return TrainingResult(net, data.y)
