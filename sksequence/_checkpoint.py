"""The skorch floor: a net's training state on disk and back.

:class:`EpochCheckpoint` saves the state after epochs; :func:`load_checkpoint`
reads it back and :func:`restore_checkpoint` puts it into a net, through
:func:`set_net_state`, which :func:`sksequence.load` uses too.
"""

import hashlib
import json
import os
import time
import warnings
from pathlib import Path

import torch
from skorch.callbacks import Callback

from ._constants import CHECKPOINT_MIN_INTERVAL, CHECKPOINT_SAVE_RATIO

__all__ = [
    "EpochCheckpoint",
    "checkpoint_path",
    "load_checkpoint",
    "restore_checkpoint",
    "set_net_state",
    "warn_if_longer_run",
]


class EpochCheckpoint(Callback):
    """Save the training state after epochs, atomically.

    One file per run, named after a digest of the run's fingerprint
    (configuration and data), so that the fits of a search or a
    cross-validation can share a directory and each find its own. The file
    holds everything a continuation needs to be identical to an
    uninterrupted run: module and optimizer states, the history, torch's
    random number generator state, early stopping's counters and best
    weights, and the learning rate's plateau counters
    (``early_stopping="auto"`` without a holdout); plus whether early
    stopping has ended the run (``converged``).
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

    With ``write=False`` nothing is written, but a saved state is still
    restored (a data-parallel fit: every process resumes, process 0 saves).
    """

    MIN_INTERVAL = CHECKPOINT_MIN_INTERVAL
    SAVE_RATIO = CHECKPOINT_SAVE_RATIO

    def __init__(self, directory, fingerprint, write=True):
        self.directory = directory
        self.fingerprint = fingerprint
        self.write = write

    def initialize(self):
        self.resume_ = None
        return self

    def _save(self, net, converged):
        if not self.write:
            return
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
        plateau = _lr_plateau(net)
        if plateau is not None:
            state["lr_plateau"] = plateau.lr_scheduler_.state_dict()
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
            # files written before the plateau was saved continue without it
            plateau = _lr_plateau(net)
            if plateau is not None and "lr_plateau" in self.resume_:
                plateau.lr_scheduler_.load_state_dict(self.resume_["lr_plateau"])
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
        if net.stopped_early():
            self._save(net, converged=True)


def _early_stopping(net):
    return dict(net.callbacks_)["early_stopping"]


def _lr_plateau(net):
    return dict(net.callbacks_).get("lr_plateau")


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


def warn_if_longer_run(directory, state, epochs):
    """Warn when the checkpoint ``state`` found by a fit of ``epochs`` epochs
    holds more: that run is restored as it is, not shortened."""
    if state["epochs"] <= epochs:
        return
    path = checkpoint_path(directory, state["fingerprint"])
    warnings.warn(
        f"checkpoint={str(directory)!r} holds this run (same configuration and "
        f"data) trained for {state['epochs']} epochs, more than the {epochs} "
        f"this fit asks for (max_epochs): the {state['epochs']}-epoch model is "
        f"restored, n_iter_ = {state['epochs']}. To train {epochs} epochs "
        f"afresh, delete {str(path)!r} or pass another checkpoint directory "
        "(or checkpoint=None).",
        UserWarning,
        stacklevel=6,  # past the session, _train, fit and _fit_context
    )


def restore_checkpoint(net, state, *, more_epochs):
    """Load a checkpoint into an initialized net.

    With ``more_epochs``, training will continue: early stopping's state and
    the random number generator are handed to the net's checkpoint callback,
    which sets them when training begins. Without, the net gets the weights
    the run ended with (the best ones, when early stopping kept them).
    """
    set_net_state(
        net,
        module=state["module"],
        optimizer=state["optimizer"],
        history=json.loads(state["history"]),
    )
    saved = state["early_stopping"]
    if more_epochs:
        dict(net.callbacks_)["checkpoint"].resume_ = state
    elif saved["best_weights"] is not None and saved["best_epoch"] != state["epochs"]:
        net.module_.load_state_dict(saved["best_weights"])


def set_net_state(net, *, module, optimizer, history):
    """Put a saved state into an initialized net.

    The one place where a net gets back its training state, for a
    checkpoint (:func:`restore_checkpoint`) and for a saved estimator
    (:func:`sksequence.load`).

    Parameters
    ----------
    net : SequenceNet
        An initialized net of the architecture the state was saved from.
    module : dict of str to torch.Tensor
        The module's ``state_dict``; every weight must be there (strict).
    optimizer : dict
        The optimizer's ``state_dict``.
    history : list of dict
        skorch's history, one dict per epoch; it replaces the net's.
    """
    net.module_.load_state_dict(module)
    net.optimizer_.load_state_dict(optimizer)
    net.history.clear()
    net.history.extend(history)
