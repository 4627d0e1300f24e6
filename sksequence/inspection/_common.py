"""Helpers shared by the inspection tools: the estimator and input they take,
the copy of the network they run and its batches, and backward through a
recurrent network in eval mode."""

import contextlib

import torch
from sklearn.utils.validation import check_is_fitted

from .._base import is_sequence_estimator
from .._constants import INSPECTION_BATCH_SIZE
from .._modules import batches, frozen_copy
from .._validation import validate_sequences

__all__ = [
    "analysis_batches",
    "analysis_copy",
    "check_supported",
    "gradient_context",
    "validated_input",
]


def check_supported(estimator, caller):
    """Refuse anything but a fitted sksequence estimator."""
    if not is_sequence_estimator(estimator):
        raise TypeError(
            f"{caller} needs a fitted sksequence estimator (e.g. GRURegressor, "
            f"LSTMClassifier); got {type(estimator).__name__}. For a pipeline, "
            "pass its last step and transform X with the steps before it."
        )
    check_is_fitted(estimator)


def validated_input(estimator, X):
    """``(X3, lengths)`` exactly as ``predict`` would see them (never modifies X)."""
    X3, lengths, _ = validate_sequences(estimator, X, reset=False)
    return X3, lengths


def analysis_copy(estimator):
    """The fitted network as the inspection tools run it: a float64
    :func:`~sksequence._modules.frozen_copy` on the estimator's device, so
    that the estimator's own module is never touched."""
    net = estimator.net_
    return frozen_copy(net.module_, device=net.device, dtype=torch.float64)


def analysis_batches(X3, lengths, device):
    """``(rows, X_batch, lengths_batch)`` in float64 on ``device``, in
    batches of ``INSPECTION_BATCH_SIZE`` (they keep every step's activations
    for the backward pass)."""
    return batches(
        X3,
        lengths,
        batch_size=INSPECTION_BATCH_SIZE,
        dtype=torch.float64,
        device=device,
    )


def gradient_context(device):
    """Allow backward through an RNN in eval mode on every device.

    cuDNN's RNN backward runs only in training mode; with cuDNN disabled,
    PyTorch's native kernels compute the same gradients in eval mode. The
    CPU needs nothing.
    """
    if torch.device(device).type == "cuda":
        return torch.backends.cudnn.flags(enabled=False)
    return contextlib.nullcontext()
