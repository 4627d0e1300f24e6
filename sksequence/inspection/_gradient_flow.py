"""Gradient flow: how strongly the loss reaches back to each time step.

The recurrence is re-run step by step on a float64 copy of the fitted
network by the engine of :mod:`sksequence._cells`, with a zero "probe"
tensor added to the hidden state ``h_t`` of the inspected layer at every
step (:meth:`~sksequence._modules.SequenceModel.probed`). The gradient of the
loss with respect to that probe is the *total* derivative ``dL/dh_t`` --
through the output head and through every later step of the recurrence
(and the layers above) -- which the fused :class:`torch.nn.RNN` kernels
never expose: the per-step outputs they return are leaves of the head only,
not inputs of the next step.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from .._base import network_target
from .._modules import patched_lengths, per_sample_loss
from ._common import (
    analysis_batches,
    analysis_copy,
    check_supported,
    validated_input,
)

__all__ = ["GradientFlowResult", "gradient_flow"]


@dataclass(frozen=True, repr=False)
class GradientFlowResult:
    """Per-time-step gradient norms returned by :func:`gradient_flow`.

    Attributes
    ----------
    norms : ndarray of shape (n_timesteps,)
        Mean over the sequences that have step ``t`` of the Euclidean norm of
        the gradient of their loss with respect to the measured quantity at
        step ``t`` (``h_t`` of one layer, both directions concatenated, or
        the input ``x_t``).
    counts : ndarray of shape (n_timesteps,)
        Number of sequences averaged at each step (all of them unless the
        lengths vary).
    direction_norms : ndarray of shape (n_directions, n_timesteps) or None
        With ``wrt="hidden"``: the same mean norm for each direction's half
        of ``h_t`` (row 0 forward, row 1 backward). None with ``wrt="input"``.
    wrt : {"hidden", "input"}
        What the gradient was taken with respect to.
    layer : int
        The (non-negative) index of the inspected recurrent layer, or None
        with ``wrt="input"``.
    label : str
        Name used in plot legends (the estimator's class name).
    """

    norms: np.ndarray
    counts: np.ndarray
    direction_norms: np.ndarray | None
    wrt: str
    layer: int | None
    label: str = field(default="")

    def __repr__(self):
        return (
            f"GradientFlowResult(label={self.label!r}, wrt={self.wrt!r}, "
            f"layer={self.layer}, n_timesteps={len(self.norms)})"
        )

    def to_frame(self):
        """The norms as a DataFrame.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``timestep`` (0-based), ``grad_norm`` and ``n_sequences``;
            for bidirectional layers also ``grad_norm_forward`` and
            ``grad_norm_backward``.
        """
        frame = pd.DataFrame(
            {
                "timestep": np.arange(len(self.norms)),
                "grad_norm": self.norms,
                "n_sequences": self.counts,
            }
        )
        if self.direction_norms is not None and len(self.direction_norms) == 2:
            frame["grad_norm_forward"] = self.direction_norms[0]
            frame["grad_norm_backward"] = self.direction_norms[1]
        return frame


def gradient_flow(estimator, X, y, *, wrt="hidden", layer=-1):
    """Norm of the loss gradient at every time step of a fitted estimator.

    The direct measurement of vanishing (or exploding) gradients: for each
    sequence, the gradient of its loss with respect to the hidden state
    ``h_t`` of one recurrent layer (the top one by default) -- or, with
    ``wrt="input"``, with respect to the input ``x_t`` -- at every time step
    ``t``; its Euclidean norm is then averaged over the sequences.

    * **Loss**: the estimator's training criterion on its internal targets
      (mean squared error of the standardized targets for regressors,
      cross-entropy of the encoded labels for classifiers), applied to each
      sequence on its own, so the values do not depend on how many
      sequences are passed. With ``return_sequences=True`` it is the mean
      over that sequence's real steps.
    * **dL/dh_t** is the total derivative: through the output head and
      through all later steps (and, for a lower layer, the layers above).
      It is obtained by re-running the recurrence step by step, in float64,
      on a copy of the network and adding a zero tensor to ``h_t`` at every
      step; the gradient with respect to that tensor is ``dL/dh_t``. For the
      LSTM, ``h_t`` is the hidden state (gradients reaching the cell state
      ``c_t`` count only through their effect on ``h_t``'s successors).
    * **Bidirectional** layers: ``h_t`` is the concatenation of the forward
      and backward states, ``norms`` the norm of the whole gradient. The
      forward half is read by the head at the last step and its gradient
      decays towards the *start*; the backward half is read after the first
      step and its gradient decays towards the *end*. ``direction_norms``
      holds each half on its own.
    * **Variable lengths**: only real steps count; ``norms[t]`` is the mean
      over the sequences that have a step ``t`` (``counts[t]`` of them).

    The estimator is not changed: no training, its module keeps its mode,
    no gradient is left on its parameters, and no random numbers are drawn.

    Parameters
    ----------
    estimator : fitted sksequence estimator
        Any regressor or classifier of sksequence (RNN, LSTM with or without
        peepholes, GRU of either convention, stacked, bidirectional,
        ``return_sequences``).
    X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
        Sequences, in any form ``predict`` accepts.
    y : array-like or list
        Their targets, in the form used in ``fit``.
    wrt : {"hidden", "input"}, default="hidden"
        Differentiate with respect to the hidden state ``h_t`` of ``layer``
        or to the input ``x_t``.
    layer : int, default=-1
        Which recurrent layer's hidden state (``-1``: the top one, whose
        states the head reads). Ignored with ``wrt="input"``.

    Returns
    -------
    result : GradientFlowResult
        ``result.norms`` has shape (n_timesteps,); ``result.to_frame()``
        gives a DataFrame with columns ``timestep`` and ``grad_norm``. When
        the estimator reads patches (``patch_size_ > 1``), the hidden states
        are one per patch: ``wrt="hidden"`` then gives one norm per
        recurrent step, ``ceil(n_timesteps / patch_size_)`` of them.

    See Also
    --------
    plot_gradient_flow : Plot one or several results on a log scale.
    attribute : Per-time-step, per-feature attributions of a prediction.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import RNNRegressor
    >>> from sksequence.inspection import gradient_flow
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(32, 20, 1))
    >>> y = X[:, 0, 0]
    >>> est = RNNRegressor(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    >>> result = gradient_flow(est, X, y)
    >>> result.norms.shape
    (20,)
    >>> list(result.to_frame().columns)
    ['timestep', 'grad_norm', 'n_sequences']
    """
    check_supported(estimator, "gradient_flow")
    if wrt not in ("hidden", "input"):
        raise ValueError(f"wrt must be 'hidden' or 'input'; got {wrt!r}.")
    X3, lengths = validated_input(estimator, X)
    target = network_target(estimator, y, X3, lengths)
    device = estimator.net_.device
    module = analysis_copy(estimator)
    num_layers = module.rnn.num_layers
    if wrt == "hidden":
        if not isinstance(layer, (int, np.integer)) or not (
            -num_layers <= layer < num_layers
        ):
            raise ValueError(
                f"layer must be an int in [{-num_layers}, {num_layers - 1}] for "
                f"this {num_layers}-layer network; got {layer!r}."
            )
        layer = int(layer) % num_layers
    else:
        layer = None
    n, steps = X3.shape[:2]
    if wrt == "hidden":  # one hidden state per patch of patch_size_ steps
        steps = int(patched_lengths(torch.tensor(steps), module.patch_size))
    directions = module.num_directions
    hidden = module.rnn.hidden_size
    sums = np.zeros(steps)
    direction_sums = np.zeros((directions, steps))
    counts = np.zeros(steps, dtype=np.int64)
    with torch.enable_grad():
        for rows, xb, lb in analysis_batches(X3, lengths, device):
            tb = torch.as_tensor(target[rows], device=device)
            if tb.is_floating_point():
                tb = tb.to(torch.float64)
            if wrt == "input":
                leaf = xb.requires_grad_(True)
                probe = None
            else:
                leaf = probe = xb.new_zeros(
                    len(xb), steps, directions * hidden, requires_grad=True
                )
            out = unrolled_forward(module, xb, lb, probe_layer=layer, probe=probe)
            loss = per_sample_loss(out, tb, estimator.net_.criterion_).sum()
            (grad,) = torch.autograd.grad(loss, leaf)
            if wrt == "hidden" and lb is not None:
                lb = patched_lengths(lb, module.patch_size)
            valid = _valid_steps(len(xb), steps, lb, device)
            step_norms = torch.where(valid, grad.norm(dim=2), 0.0)
            sums += step_norms.sum(0).cpu().numpy()
            counts += valid.sum(0).cpu().numpy()
            if probe is not None:
                halves = grad.unflatten(2, (directions, hidden)).norm(dim=3)
                halves = torch.where(valid.unsqueeze(2), halves, 0.0)
                direction_sums += halves.sum(0).T.cpu().numpy()
    return GradientFlowResult(
        norms=sums / counts,
        counts=counts,
        direction_norms=direction_sums / counts if wrt == "hidden" else None,
        wrt=wrt,
        layer=layer,
        label=type(estimator).__name__,
    )


def _valid_steps(batch, steps, lengths, device):
    """Boolean (batch, steps): True at real (not padded) steps."""
    idx = torch.arange(steps, device=device)
    if lengths is None:
        return idx.expand(batch, steps) >= 0
    return idx < lengths.to(device).unsqueeze(1)


def unrolled_forward(module, X, lengths=None, *, probe_layer=None, probe=None):
    """``module(X, lengths)`` recomputed one step at a time, with a probe.

    The network run by the engine (:meth:`SequenceModel.probed
    <sksequence._modules.SequenceModel.probed>`); ``probe`` (batch, patches,
    num_directions * hidden) is added to ``h_t`` of layer ``probe_layer``.
    Equal to ``module(X, lengths)`` when ``probe`` is zero or None.
    """
    return module.probed(
        X, lengths, probe=probe, probe_layer=-1 if probe_layer is None else probe_layer
    )
