"""The torch floor: a recurrent stack followed by a linear output head.

Nothing here knows about scikit-learn or skorch. :class:`SequenceModel` maps
a batch of sequences ``(batch, time, features)`` either to one output vector
per sequence -- the top layer's hidden state at the last valid time step
(both directions for bidirectional stacks) through dropout and a linear
head, ``y = V h_T + c`` -- or, with ``return_sequences=True``, to one output
vector per time step, ``y_t = V h_t + c`` (the Elman formulation).
Variable-length batches are packed (or, for the peephole LSTM, masked), so
padding never reaches an output. The losses here ignore padded steps.

A distributional head predicts more than one value per target: with
``distribution="gaussian"`` a mean and a standard deviation, with
``distribution="quantile"`` several quantiles, each block of ``output_size``
values laid out one after the other on the last axis (the heads of
:mod:`sksequence._heads`), trained by :class:`GaussianNLLLoss` and
:class:`PinballLoss`.
"""

import copy
import math
import weakref
from typing import Final

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._cells import ClassicGRU, PeepholeLSTM, RecurrentStack
from ._constants import (
    CONV_DILATIONS,
    CONV_KERNEL,
    IGNORE_INDEX,
    INSTANCE_NORM_EPS,
    INSTANCE_NORM_LEVEL_EPS,
    PREDICT_BATCH_SIZE,
    WARP_KNOTS,
)
from ._heads import HEADS

__all__ = [
    "EMBEDDINGS",
    "READOUTS",
    "RECURRENT_LAYERS",
    "GaussianNLLLoss",
    "MaskedMSELoss",
    "MeanSquaredError",
    "SequenceCrossEntropyLoss",
    "SequenceModel",
    "batches",
    "frozen_copy",
    "inference_copy",
    "loss_normalizer",
    "patch",
    "PinballLoss",
    "patched_lengths",
    "per_sample_loss",
    "predict_in_batches",
    "standardized",
    "synced_statistics",
    "time_shifted",
    "time_warped",
]

RECURRENT_LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}

# how the time steps of a patch become the cells' input x_t: the patch's
# values side by side, a learned causal convolution max-pooled over it, or
# causal convolutions at several dilations max- and mean-pooled over it
EMBEDDINGS = ("patch", "conv", "dilated")

# what the head reads: the top layer's state at the last valid step, that
# state beside the mean and the maximum of the states over the valid steps,
# or the mean and the maximum alone; with how many states' width each
READOUT_WIDTHS = {"last": 1, "pool": 3, "mean_max": 2}
READOUTS = tuple(READOUT_WIDTHS)


def patch(
    X: torch.Tensor, lengths: torch.Tensor | None, size: int
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Read ``size`` consecutive time steps as one: ``(B, T, F)`` to
    ``(B, ceil(T / size), size * F)``.

    The recurrence then runs over ``size`` times fewer steps, each input
    vector ``x_t`` holding the values of one patch in time order. Steps past
    the end (of ``T``, or of a sequence's length) are zeros, so a sequence's
    patches do not depend on the batch it is in. ``lengths`` (or None)
    becomes the number of patches of each sequence.
    """
    if size == 1:
        return X, lengths
    batch, steps, features = X.shape[0], X.shape[1], X.shape[2]
    X = nn.functional.pad(X, (0, 0, 0, (size - steps % size) % size))
    if lengths is not None:
        # zero the steps past each sequence's end inside its last patch
        X = X * valid_steps(lengths, X.shape[1], X)
        lengths = patched_lengths(lengths, size)
    return X.reshape(batch, -1, size * features), lengths


def patched_lengths(lengths: torch.Tensor, size: int) -> torch.Tensor:
    """The number of patches of ``size`` steps that sequences of ``lengths``
    (a tensor, or an int for one length) are read in: ``ceil(lengths / size)``."""
    return torch.div(lengths + size - 1, size, rounding_mode="floor")


def valid_steps(lengths: Tensor, steps: int, like: Tensor) -> Tensor:
    """``(batch, steps, 1)`` mask of the steps inside each sequence of
    ``lengths``, in ``like``'s dtype and device."""
    time = torch.arange(steps, device=like.device)
    inside = time < lengths.to(like.device).unsqueeze(1)
    return inside.unsqueeze(-1).to(like.dtype)


def standardized(
    X: Tensor,
    lengths: Tensor | None = None,
    eps: float = INSTANCE_NORM_EPS,
    level_eps: float = INSTANCE_NORM_LEVEL_EPS,
) -> tuple[Tensor, Tensor]:
    """Each sequence z-normalized on its own, and its level and log scale.

    ``X'[b, t] = (X[b, t] - mu_b) / sigma_b`` per feature, with ``mu_b`` the
    mean of sequence ``b`` over its valid steps (the first ``lengths[b]``;
    all without lengths) and ``sigma_b = sqrt(var_b + eps + level_eps *
    mu_b**2)``, its variance ``var_b`` floored relative to its level (a
    constant sequence becomes zeros whatever its level, the rounding of its
    mean included), so that padding changes neither; padded steps stay
    zeros.

    Returns
    -------
    X : Tensor of shape (batch, time, features)
    stats : Tensor of shape (batch, 2 * features)
        ``mu_b`` beside ``log sigma_b``: what the normalization took away,
        for the head to read.
    """
    if lengths is None:
        mean = X.mean(dim=1, keepdim=True)
        var = ((X - mean) ** 2).mean(dim=1, keepdim=True)
        inside = None
    else:
        inside = valid_steps(lengths, X.shape[1], X)
        count = inside.sum(dim=1, keepdim=True)
        mean = (X * inside).sum(dim=1, keepdim=True) / count
        var = (((X - mean) * inside) ** 2).sum(dim=1, keepdim=True) / count
    var = var + eps + level_eps * mean**2
    X = (X - mean) * torch.rsqrt(var)
    if inside is not None:
        X = X * inside
    stats = torch.cat((mean.squeeze(1), 0.5 * torch.log(var.squeeze(1))), dim=-1)
    return X, stats


def time_shifted(X: Tensor, lengths: Tensor | None, fraction: float) -> Tensor:
    """Each sequence rotated by a random number of steps: a training-time
    augmentation for sequences whose starting point is arbitrary.

    Sequence ``b`` of ``L_b`` valid steps is read from step ``s_b``, wrapping
    around to its first step after its last: step ``t`` of the result is
    step ``(t + s_b) mod L_b`` of the input, with ``s_b`` drawn uniformly
    from ``0, ..., floor(fraction * (L_b - 1))`` (any start with
    ``fraction=1``). Values are moved, never changed or interpolated. Steps
    past a sequence's end (``lengths``; none without) are left as they are,
    and ``X`` itself is not modified.
    """
    batch, steps = X.shape[0], X.shape[1]
    time = torch.arange(steps, device=X.device).unsqueeze(0)
    if lengths is None:
        length = torch.full((batch, 1), steps, device=X.device, dtype=torch.long)
    else:
        length = lengths.to(X.device, torch.long).clamp(min=1).unsqueeze(1)
    most = torch.floor(fraction * (length - 1).to(X.dtype))
    shift = torch.floor(
        torch.rand(batch, 1, device=X.device, dtype=X.dtype) * (most + 1)
    ).long()
    inside = time < length
    source = torch.where(inside, torch.remainder(time + shift, length), time)
    return torch.gather(X, 1, source.unsqueeze(-1).expand(-1, -1, X.shape[2]))


def time_warped(
    X: Tensor, lengths: Tensor | None, strength: float, knots: int = WARP_KNOTS
) -> Tensor:
    """Each sequence read at a random, smoothly varying speed: a training-time
    augmentation (time warping, Um et al. 2017; Iwana & Uchida 2021).

    Sequence ``b`` is resampled at positions ``p_b(t)`` that run from its
    first valid step to its last, ``p_b(0) = 0`` and ``p_b(L_b - 1) = L_b -
    1``, at the speed ``1 + strength * z``, with ``z`` standard normal at
    ``knots`` points evenly spread over the sequence's own valid steps and
    linear in between (at least 0.1, so time never runs backwards): some
    stretches are read faster, others slower, and the values in between are
    interpolated linearly. A pattern keeps its shape and its order and moves
    by a few steps, as it does between two recordings of the same class.
    Steps past a sequence's end (``lengths``; none without) are left as they
    are, and ``X`` itself is not modified.
    """
    batch, steps = X.shape[0], X.shape[1]
    time = torch.arange(steps, device=X.device, dtype=X.dtype).unsqueeze(0)
    if lengths is None:
        last = torch.full((batch, 1), steps - 1, device=X.device, dtype=X.dtype)
    else:
        last = (lengths.to(X.device, X.dtype) - 1).unsqueeze(1)
    inside = time <= last
    # where each step is inside its own sequence, in knot units
    where = (time / last.clamp(min=1)).clamp(max=1.0) * (knots - 1)
    left = where.floor().clamp(max=knots - 2).long()
    frac = where - left.to(X.dtype)
    speeds = 1 + strength * torch.randn(batch, knots, device=X.device, dtype=X.dtype)
    speed = (
        torch.gather(speeds, 1, left) * (1 - frac)
        + torch.gather(speeds, 1, left + 1) * frac
    )
    speed = speed.clamp(min=0.1) * inside.to(X.dtype)
    # positions: the speeds' running sum, from 0 to each sequence's last step
    position = torch.cumsum(speed, dim=1) - speed[:, :1]
    end = torch.gather(position, 1, last.long().clamp(min=0))
    position = position * (last / end.clamp(min=1e-6))
    position = torch.minimum(position, last)
    below = position.floor().long().clamp(min=0)
    above = torch.minimum(below + 1, last.long())
    frac = (position - below.to(X.dtype)).unsqueeze(-1)
    features = X.shape[2]
    low = torch.gather(X, 1, below.unsqueeze(-1).expand(-1, -1, features))
    high = torch.gather(X, 1, above.unsqueeze(-1).expand(-1, -1, features))
    warped = low + frac * (high - low)
    return torch.where(inside.unsqueeze(-1), warped, X)


class PatchEmbedding(nn.Module):
    """:func:`patch` as a module: each patch's values side by side."""

    patch_size: Final[int]

    def __init__(self, patch_size=1):
        super().__init__()
        self.patch_size = patch_size

    def forward(
        self,
        X: Tensor,
        lengths: Tensor | None = None,
        sample_weight: Tensor | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        return patch(X, lengths, self.patch_size)


class StepBatchNorm(nn.Module):
    """Batch normalization of per-step features ``(B, T, C)`` over the batch
    and the valid steps.

    ``Z' = (Z - mu) / sqrt(var + eps) * gamma + beta`` per feature (torch's
    ``BatchNorm1d``), where in training ``mu`` and ``var`` are the mean and
    the biased variance of the feature over every valid step of every
    sequence of the batch (the first ``lengths[b]`` steps of sequence ``b``,
    all without lengths: steps past a sequence's end count in neither;
    each step weighing its sequence's ``sample_weight``), and the running
    averages that prediction uses are updated (``momentum``; the unbiased
    variance, as torch keeps it). In evaluation mode the running averages
    normalize, so a prediction does not depend on its batch. The same
    parameter and buffer names as torch's ``BatchNorm1d``.

    ``synced`` (set by :func:`synced_statistics` for data-parallel
    training): the statistics are those of the whole batch, every process's
    part summed over the default process group, as torch's
    ``SyncBatchNorm`` computes them, so that the processes' normalization
    is that of one process reading the whole batch.
    """

    momentum: Final[float]
    eps: Final[float]
    synced: bool

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.synced = False
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(
        self,
        Z: Tensor,
        lengths: Tensor | None = None,
        sample_weight: Tensor | None = None,
    ) -> Tensor:
        if not self.training:
            mean, var = self.running_mean, self.running_var
        else:
            mean, var, count = self._batch_statistics(Z, lengths, sample_weight)
            with torch.no_grad():
                unbiased = var * count / (count - 1).clamp(min=1)
                momentum = self.momentum
                self.running_mean.lerp_(mean.to(self.running_mean.dtype), momentum)
                self.running_var.lerp_(unbiased.to(self.running_var.dtype), momentum)
                self.num_batches_tracked.add_(1)
        return (Z - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias

    def _batch_statistics(
        self, Z: Tensor, lengths: Tensor | None, sample_weight: Tensor | None
    ) -> tuple[Tensor, Tensor, Tensor]:
        """The mean and biased variance of each feature over the valid steps,
        each step weighing its sequence's ``sample_weight`` (or its own, per
        step: a sample of weight k counts as k copies, one of weight 0 not
        at all; a batch of zero weights counts every step once), and the
        weights' total; with ``synced``, over every process's part of the
        batch."""
        if lengths is None and sample_weight is None and not self.synced:
            count = torch.tensor(
                Z.shape[0] * Z.shape[1], dtype=Z.dtype, device=Z.device
            )
            mean = Z.mean(dim=(0, 1))
            return mean, ((Z - mean) ** 2).mean(dim=(0, 1)), count
        if lengths is None:
            valid = torch.ones_like(Z[:, :, :1])
        else:
            valid = valid_steps(lengths, Z.shape[1], Z)
        weights = valid
        if sample_weight is not None:
            # (batch,) per sequence, or (batch, time) per step
            weights = valid * sample_weight.to(Z.dtype).reshape(Z.shape[0], -1, 1)
        counts = self._summed(torch.stack((weights.sum(), valid.sum())))
        weighted = counts[0] > 0
        weights = torch.where(weighted, weights, valid)
        count = torch.where(weighted, counts[0], counts[1])
        mean = self._summed((Z * weights).sum(dim=(0, 1))) / count
        var = self._summed((((Z - mean) ** 2) * weights).sum(dim=(0, 1))) / count
        return mean, var, count

    def _summed(self, sums: Tensor) -> Tensor:
        """``sums`` added up over the processes with ``synced``."""
        if self.synced:
            return self._all_reduced(sums)
        return sums

    @torch.jit.unused
    def _all_reduced(self, sums: Tensor) -> Tensor:
        # autograd's all-reduce: each process's gradient reaches every part
        # of the batch its statistics read, as in torch's SyncBatchNorm
        from torch.distributed.nn.functional import all_reduce

        return all_reduce(sums)


class _NoNorm(nn.Module):
    """:class:`StepBatchNorm`'s place when there is none: ``Z`` unchanged
    (no weights, so files written without the normalization keep their keys)."""

    def forward(
        self,
        Z: Tensor,
        lengths: Tensor | None = None,
        sample_weight: Tensor | None = None,
    ) -> Tensor:
        return Z


def step_norm(channels: int, batch_norm: bool) -> nn.Module:
    """:class:`StepBatchNorm` of ``channels`` features, or none."""
    return StepBatchNorm(channels) if batch_norm else _NoNorm()


def synced_statistics(module: nn.Module, synced: bool) -> None:
    """Make every :class:`StepBatchNorm` of ``module`` compute its batch
    statistics over all processes (``synced=True``: data-parallel training,
    where every process runs each batch's forward) or over its own input."""
    for layer in module.modules():
        if isinstance(layer, StepBatchNorm):
            layer.synced = synced


class ConvEmbedding(nn.Module):
    """A causal 1-D convolution over time, then the maximum over each patch.

    ``(B, T, F)`` to ``(B, ceil(T / patch_size), channels)``: every step
    becomes ``channels`` features, ``relu(conv(x))`` of itself and the
    ``kernel_size - 1`` steps before it (never a later one, so an output at
    step ``t`` depends on steps up to ``t`` only, as the cells' do), and each
    patch of ``patch_size`` steps is read as the maximum of each feature over
    it. Unlike :func:`patch`, where a feature is one position inside the
    patch, a pattern gives the same features wherever in the patch it falls
    (the shift invariance of LSTM-FCN's and the convolutional-recurrent
    classifiers' front ends), and the cells read ``channels`` values per
    step however long the patch. Steps past a sequence's end are zeros
    before the pooling, so a sequence's features do not depend on its batch.
    With ``batch_norm`` the convolution's output is batch-normalized before
    the relu (:class:`StepBatchNorm`: ``relu(BN(conv(x)))``, the block of
    the fully convolutional classifiers of Wang et al. 2017).
    """

    patch_size: Final[int]
    kernel_size: Final[int]

    def __init__(
        self,
        input_size,
        channels,
        patch_size=1,
        kernel_size=CONV_KERNEL,
        batch_norm=False,
    ):
        super().__init__()
        self.patch_size = patch_size
        self.kernel_size = kernel_size
        # a bias before the normalization is subtracted again (and Adam
        # would turn its zero gradient's rounding noise into steps)
        self.conv = nn.Conv1d(input_size, channels, kernel_size, bias=not batch_norm)
        self.norm = step_norm(channels, batch_norm)

    def forward(
        self,
        X: Tensor,
        lengths: Tensor | None = None,
        sample_weight: Tensor | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        padded = nn.functional.pad(X.transpose(1, 2), (self.kernel_size - 1, 0))
        # (B, T, channels) in memory too, before the relu: the relu, the mask,
        # the patches' maximum and their backward passes then run over
        # contiguous memory (over the convolution's (B, channels, T) seen
        # through a transpose, they copied and strode: the relu's backward
        # alone took 13 % of a training step on OSULeaf). Same values.
        Z = self.conv(padded).transpose(1, 2).contiguous()
        Z = torch.relu(self.norm(Z, lengths, sample_weight))
        return pooled_patches(Z, lengths, self.patch_size, with_mean=False)


class DilatedEmbedding(nn.Module):
    """Causal convolutions at several dilations, then each patch's maximum
    and mean.

    ``(B, T, F)`` to ``(B, ceil(T / patch_size), 2 * channels)``. The
    ``channels`` features of a step are split between the ``dilations``:
    ``relu(conv_d(x))`` reads ``kernel_size`` steps ``d`` apart, the step
    itself and earlier ones only (a receptive field of ``(kernel_size - 1) * d
    + 1`` steps: 7, 13, 25 and 49 for the defaults), so that one layer sees
    patterns at several time scales, as the dilations of MiniRocket's random
    kernels do. Each patch is read as the maximum of each feature over it
    (where a pattern is strongest) beside its mean over the patch's valid
    steps (how much of the patch matches, the differentiable counterpart of
    MiniRocket's proportion of positive values). Steps past a sequence's
    end are zeros and count in no mean, so a sequence's features do not
    depend on its batch. With ``batch_norm`` the convolutions' outputs are
    batch-normalized before the relu, as in :class:`ConvEmbedding`.
    """

    patch_size: Final[int]

    def __init__(
        self,
        input_size,
        channels,
        patch_size=1,
        kernel_size=CONV_KERNEL,
        dilations=CONV_DILATIONS,
        batch_norm=False,
    ):
        super().__init__()
        self.patch_size = patch_size
        # every dilation gets at least one channel; the first the remainder
        dilations = tuple(dilations)[: max(1, channels)]
        share = channels // len(dilations)
        sizes = [share] * len(dilations)
        sizes[0] += channels - share * len(dilations)
        # padded on both sides, the first T outputs are the causal ones
        self.convs = nn.ModuleList(
            nn.Conv1d(
                input_size,
                size,
                kernel_size,
                dilation=dilation,
                padding=(kernel_size - 1) * dilation,
                bias=not batch_norm,  # as in ConvEmbedding
            )
            for size, dilation in zip(sizes, dilations, strict=True)
        )
        self.norm = step_norm(sum(sizes), batch_norm)

    def forward(
        self,
        X: Tensor,
        lengths: Tensor | None = None,
        sample_weight: Tensor | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        steps = X.shape[1]
        X = X.transpose(1, 2)
        Z = torch.cat([conv(X)[:, :, :steps] for conv in self.convs], dim=1)
        # contiguous (B, T, channels) before the relu, as in ConvEmbedding
        Z = Z.transpose(1, 2).contiguous()
        Z = torch.relu(self.norm(Z, lengths, sample_weight))
        return pooled_patches(Z, lengths, self.patch_size, with_mean=True)


def pooled_patches(
    Z: Tensor, lengths: Tensor | None, size: int, with_mean: bool
) -> tuple[Tensor, Tensor | None]:
    """``Z`` (B, T, C), non-negative, read in patches of ``size`` steps: the
    maximum of each feature over each patch, and with ``with_mean`` its mean
    over the patch's valid steps beside it (``2 * C`` features). Steps past
    a sequence's end (``lengths``; none without) count in neither.
    ``lengths`` becomes the number of patches of each sequence."""
    inside: Tensor | None = None
    if lengths is not None:
        inside = valid_steps(lengths, Z.shape[1], Z)
        # >= 0 after relu: a zero never wins a maximum
        Z = Z * inside
    elif with_mean and size > 1:
        # only a mean counts steps; read from Z, so that an ONNX trace keeps
        # the time axis dynamic
        inside = torch.ones_like(Z[:1, :, :1])
    if size == 1:
        return (torch.cat((Z, Z), dim=-1) if with_mean else Z), lengths
    steps = Z.shape[1]
    extra = (size - steps % size) % size
    Z = nn.functional.pad(Z, (0, 0, 0, extra))
    # shapes read from Z, so that an ONNX trace keeps its axes dynamic
    Z = Z.reshape(Z.shape[0], -1, size, Z.shape[2])
    pooled = Z.amax(dim=2)
    if inside is not None and with_mean:
        counts = nn.functional.pad(inside, (0, 0, 0, extra))
        counts = counts.reshape(counts.shape[0], -1, size, 1).sum(dim=2)
        # a patch past a sequence's end (all zeros) stays zeros
        mean = Z.sum(dim=2) / counts.clamp(min=1)
        pooled = torch.cat((pooled, mean), dim=-1)
    if lengths is not None:
        lengths = patched_lengths(lengths, size)
    return pooled, lengths


class SequenceModel(nn.Module):
    """Recurrent stack (RNN, LSTM, peephole LSTM or GRU) + linear head.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
        Recurrent layer family.
    input_size : int
        Number of features per time step.
    hidden_size : int
        Size of the hidden state of every layer.
    output_size : int
        Size of the output vector (targets or class logits).
    num_layers : int, default=1
        Number of stacked recurrent layers.
    dropout : float, default=0.0
        Dropout probability between stacked layers and on the hidden states
        before the head.
    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards.
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation ``f`` of the Elman RNN; only used when ``cell="rnn"``.
    peephole : bool, default=False
        Peephole connections (:class:`~sksequence._cells.PeepholeLSTM`);
        only used when ``cell="lstm"``.
    reset_after : bool, default=True
        GRU convention: the reset gate acts after the recurrent product
        (:class:`torch.nn.GRU`, cuDNN) or, if False, before it
        (:class:`~sksequence._cells.ClassicGRU`, Cho et al. 2014); only used
        when ``cell="gru"``.
    return_sequences : bool, default=False
        Output ``(batch, time, output_size)``, one vector per step, instead
        of ``(batch, output_size)``.
    patch_size : int, default=1
        Consecutive time steps read as one recurrent step (see
        :func:`patch`); ``input_size`` stays the number of features of one
        time step. Must be 1 with ``return_sequences``.
    distribution : {"none", "gaussian", "quantile"}, default="none"
        What the head predicts per target (a name of
        :data:`sksequence._heads.HEADS`):
        ``output_size`` values, or a mean and a standard deviation
        (``2 * output_size``), or ``n_quantiles`` increasing quantiles
        (``n_quantiles * output_size``).
    n_quantiles : int, default=1
        Number of quantiles; only used with ``distribution="quantile"``.
    embedding : {"patch", "conv", "dilated"}, default="patch"
        How each patch of ``patch_size`` steps becomes the cells' input
        ``x_t``: its values side by side (:func:`patch`), ``hidden_size``
        features of a causal convolution max-pooled over the patch
        (:class:`ConvEmbedding`), or ``hidden_size`` features of causal
        convolutions at several dilations, max- and mean-pooled over the
        patch (``2 * hidden_size`` inputs, :class:`DilatedEmbedding`).
    readout : {"last", "pool", "mean_max"}, default="last"
        What the head reads per sequence: the top layer's state at the last
        valid step; or that state beside the mean and the maximum of the
        top layer's states over the valid steps (three times as wide); or
        the mean and the maximum alone (twice as wide), which read every
        step alike. Must be ``"last"`` with ``return_sequences``, where each
        step has its own output.
    instance_norm : bool, default=False
        Each sequence z-normalized on its own before the embedding
        (:func:`standardized`), and its per-feature level and log scale
        given to the head beside the states (``2 * input_size`` more
        inputs): the cells see the shape of a sequence whatever its
        amplitude, and the head still sees the amplitude. Must be False
        with ``return_sequences``, where a step's output may not depend on
        later steps.
    batch_norm : bool, default=False
        The convolutions' outputs batch-normalized before their relu
        (:class:`StepBatchNorm`, over the batch and the valid steps in
        training, by running averages in evaluation). Needs ``embedding``
        ``"conv"`` or ``"dilated"``.
    time_warp : float, default=0.0
        In training only, each (standardized) sequence is read at a random,
        smoothly varying speed whose spread is ``time_warp``
        (:func:`time_warped`); evaluation reads it as it is. Must be 0
        with ``return_sequences``, whose steps have their own targets.
    time_shift : float, default=0.0
        In training only, each sequence is rotated by a random number of
        steps, up to ``time_shift`` of its length (:func:`time_shifted`);
        evaluation reads it as it is. Between 0 and 1; must be 0 with
        ``return_sequences``.
    instance_norm_eps : (float, float), default=(1e-5, 1e-12)
        ``eps`` and ``level_eps`` of :func:`standardized`: the variance
        floor of ``instance_norm``, absolute and relative to the squared
        level. A fitted estimator's are in its ``fitted_state_``, ``eps``
        fitted to its training sequences.

    The module compiles with TorchScript (:func:`torch.jit.script`), which
    is how it is exported; :meth:`probed` runs the same network through the
    step-by-step engine of :mod:`sksequence._cells` with a probe on the
    hidden states.
    """

    masked: Final[bool]
    return_sequences: Final[bool]
    patch_size: Final[int]
    num_directions: Final[int]
    output_size: Final[int]
    embedding: Final[str]
    readout: Final[str]
    every_step: Final[bool]
    instance_norm: Final[bool]
    norm_eps: Final[float]
    norm_level_eps: Final[float]
    time_warp: Final[float]
    time_shift: Final[float]

    def __init__(
        self,
        cell,
        input_size,
        hidden_size,
        output_size,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        nonlinearity="tanh",
        peephole=False,
        reset_after=True,
        return_sequences=False,
        patch_size=1,
        distribution="none",
        n_quantiles=1,
        embedding="patch",
        readout="last",
        instance_norm=False,
        batch_norm=False,
        time_warp=0.0,
        time_shift=0.0,
        instance_norm_eps=(INSTANCE_NORM_EPS, INSTANCE_NORM_LEVEL_EPS),
    ):
        super().__init__()
        if cell not in RECURRENT_LAYERS:
            raise ValueError(
                f"cell must be one of {sorted(RECURRENT_LAYERS)}; got {cell!r}"
            )
        if return_sequences and patch_size != 1:
            raise ValueError("return_sequences needs patch_size=1")
        if embedding not in EMBEDDINGS:
            raise ValueError(
                f"embedding must be one of {EMBEDDINGS}; got {embedding!r}"
            )
        if readout not in READOUTS:
            raise ValueError(f"readout must be one of {READOUTS}; got {readout!r}")
        if batch_norm and embedding == "patch":
            raise ValueError(
                "batch_norm normalizes the convolutions of embedding='conv' or "
                "'dilated'; embedding='patch' has none"
            )
        if return_sequences and readout != "last":
            raise ValueError("return_sequences needs readout='last'")
        if return_sequences and instance_norm:
            raise ValueError("return_sequences needs instance_norm=False")
        if return_sequences and time_warp:
            # a warped sequence's steps would no longer match their targets
            raise ValueError("return_sequences needs time_warp=0")
        if not time_warp >= 0:
            raise ValueError(f"time_warp must be at least 0; got {time_warp!r}")
        if return_sequences and time_shift:
            raise ValueError("return_sequences needs time_shift=0")
        if not 0 <= time_shift <= 1:
            raise ValueError(f"time_shift must be in [0, 1]; got {time_shift!r}")
        if distribution not in HEADS:
            raise ValueError(
                f"distribution must be one of {tuple(HEADS)}; got {distribution!r}"
            )
        self.output_size = output_size
        self.cell = cell
        self.return_sequences = return_sequences
        self.patch_size = patch_size
        self.embedding = embedding
        self.readout = readout
        self.instance_norm = bool(instance_norm)
        self.norm_eps, self.norm_level_eps = map(float, instance_norm_eps)
        self.time_warp = float(time_warp)
        self.time_shift = float(time_shift)
        # the sequence's level and log scale, per feature
        n_stats = 2 * input_size if instance_norm else 0
        # the top layer's state at every step is read by the head
        self.every_step = return_sequences or readout != "last"
        if embedding == "conv":
            self.embed = ConvEmbedding(
                input_size, hidden_size, patch_size, batch_norm=batch_norm
            )
            input_size = hidden_size
        elif embedding == "dilated":
            self.embed = DilatedEmbedding(
                input_size, hidden_size, patch_size, batch_norm=batch_norm
            )
            input_size = 2 * hidden_size
        else:
            self.embed = PatchEmbedding(patch_size)
            input_size = input_size * patch_size
        # torch warns about inter-layer dropout on a single layer
        inter_layer_dropout = dropout if num_layers > 1 else 0.0
        custom = None
        if cell == "lstm" and peephole:
            custom = PeepholeLSTM
        elif cell == "gru" and not reset_after:
            custom = ClassicGRU
        self.masked = custom is not None  # masks padding instead of packing
        if custom is not None:
            self.rnn = custom(
                input_size,
                hidden_size,
                num_layers=num_layers,
                dropout=inter_layer_dropout,
                bidirectional=bidirectional,
            )
        else:
            kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
            self.rnn = RECURRENT_LAYERS[cell](
                input_size,
                hidden_size,
                num_layers=num_layers,
                batch_first=True,
                dropout=inter_layer_dropout,
                bidirectional=bidirectional,
                **kwargs,
            )
        self.num_directions = 2 if bidirectional else 1
        # no dropout kernels at all when it is off (they cost launches on a GPU)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        head = HEADS[distribution]
        width = head.width_for(n_quantiles)
        states = hidden_size * self.num_directions * READOUT_WIDTHS[readout]
        self.head = nn.Linear(states + n_stats, width * output_size)
        # raw values -> the distribution's (no parameters: files keep their keys)
        self.link = head.link(output_size)

    def recurrent_states(
        self,
        X: Tensor,
        lengths: Tensor | None = None,
        sample_weight: Tensor | None = None,
    ) -> tuple[Tensor | None, Tensor, Tensor | None]:
        """Top-layer outputs per step and at each sequence's end.

        ``X`` is the input as :meth:`normalized` returns it;
        ``sample_weight`` weighs the sequences in the batch statistics of
        ``batch_norm`` (training only).

        Returns
        -------
        outputs : Tensor of shape (batch, patches, num_directions * hidden) or None
            ``h_t`` at every step (zeros at padded steps); computed only when
            ``return_sequences`` is set or a pooling ``readout`` reads them.
        last : Tensor of shape (batch, num_directions * hidden)
            The forward state at the last valid step, concatenated with the
            backward state after reading the whole sequence backwards.
        lengths : Tensor of shape (batch,) or None
            The number of valid steps (patches) of each sequence.
        """
        # the cells' inputs, one x_t per patch, and the patched lengths
        X, lengths = self.embed(X, lengths, sample_weight)
        total_length = X.shape[1]
        if self.masked:
            outputs, h_n = self.rnn(X, lengths)
        elif lengths is not None:
            packed = pack_padded_sequence(
                X, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            outputs, h_n = self.rnn(packed)
            if self.every_step:
                outputs, _ = pad_packed_sequence(
                    outputs, batch_first=True, total_length=total_length
                )
        else:
            outputs, h_n = self.rnn(X)
        if isinstance(h_n, tuple):  # LSTMs return (h_n, c_n)
            h_n = h_n[0]
        return (outputs if self.every_step else None), self._last(h_n), lengths

    def _last(self, h_n: Tensor) -> Tensor:
        """``(batch, num_directions * hidden)``: the top layer's final states."""
        if self.num_directions == 1:
            return h_n[-1]
        # forward state at the end, backward state at the start
        return torch.cat((h_n[-2], h_n[-1]), dim=-1)

    def normalized(
        self, X: Tensor, lengths: Tensor | None = None
    ) -> tuple[Tensor, Tensor | None]:
        """``X`` as the embedding reads it, and what the head reads beside
        the states: each sequence standardized and its statistics with
        ``instance_norm``, else ``X`` itself and None."""
        if self.instance_norm:
            return standardized(X, lengths, self.norm_eps, self.norm_level_eps)
        return X, None

    def _readout(
        self,
        outputs: Tensor | None,
        last: Tensor,
        lengths: Tensor | None,
        stats: Tensor | None = None,
    ) -> Tensor:
        states = last
        if outputs is not None:
            if self.return_sequences:
                states = outputs
            elif self.readout == "mean_max":
                states = torch.cat(_pooled(outputs, lengths), dim=-1)
            else:  # readout="pool": the last state beside them
                states = torch.cat((last, *_pooled(outputs, lengths)), dim=-1)
        states = self.dropout(states)
        if stats is not None:
            states = torch.cat((states, stats), dim=-1)
        return self.link(self.head(states))

    def forward(
        self,
        X: Tensor,
        lengths: Tensor | None = None,
        sample_weight: Tensor | None = None,
    ) -> Tensor:
        """Map ``X`` (batch, time, features) to (batch[, time], output_size).

        ``sample_weight`` (batch,), or (batch, time) per step, weighs the
        sequences in the batch statistics of ``batch_norm`` in training, as
        the loss weighs them; nothing else reads it."""
        X, stats = self.normalized(X, lengths)
        if self.training and self.time_shift > 0:
            X = time_shifted(X, lengths, self.time_shift)
        if self.training and self.time_warp > 0:
            X = time_warped(X, lengths, self.time_warp)
        outputs, last, lengths = self.recurrent_states(X, lengths, sample_weight)
        return self._readout(outputs, last, lengths, stats)

    def engine(self):
        """The recurrent stack as a :class:`~sksequence._cells.RecurrentStack`.

        The stack itself for the custom cells; for the fused torch layers, a
        copy of their weights in the step-by-step engine.
        """
        if isinstance(self.rnn, RecurrentStack):
            return self.rnn
        return RecurrentStack.from_native(self.rnn)

    def probed(self, X, lengths=None, *, probe=None, probe_layer=-1):
        """``self(X, lengths)`` computed by the engine, with a probe.

        Parameters
        ----------
        X : Tensor of shape (batch, time, features)
        lengths : Tensor of shape (batch,) or None
        probe : Tensor of shape (batch, patches, num_directions * hidden) or None
            Added to ``h_t`` of layer ``probe_layer`` (forward half, then
            backward half) before the next step, the next layer or the head
            use it; its gradient is ``dL/dh_t``.
        probe_layer : int, default=-1
            Non-negative index of the probed layer.

        Returns
        -------
        out : Tensor of shape (batch[, time], output_size)
            Equal to ``self(X, lengths)`` when ``probe`` is zero (or None).
        """
        X, stats = self.normalized(X, lengths)
        X, lengths = self.embed(X, lengths)
        outputs, h_n, _ = self.engine().run(X, lengths, probe, probe_layer)
        if not self.every_step:
            outputs = None
        return self._readout(outputs, self._last(h_n), lengths, stats)


def _pooled(outputs: Tensor, lengths: Tensor | None) -> tuple[Tensor, Tensor]:
    """The mean and the maximum of ``outputs`` (batch, time, hidden) over
    each sequence's valid steps (the first ``lengths``; all without)."""
    if lengths is None:
        return outputs.mean(dim=1), outputs.amax(dim=1)
    inside = valid_steps(lengths, outputs.shape[1], outputs)
    mean = (outputs * inside).sum(dim=1) / inside.sum(dim=1)
    # the padded steps can never be a maximum: -inf in place of their zeros
    highest = outputs.masked_fill(inside == 0, float("-inf")).amax(dim=1)
    return mean, highest


def _per_element(weights, like):
    """Per-sample (or per-step) ``weights`` with trailing axes to broadcast
    over ``like``'s elements (outputs, steps)."""
    while weights.ndim < like.ndim:
        weights = weights.unsqueeze(-1)
    return weights


def _weighted_mean(losses, weights, valid=None):
    """``sum(w * loss) / sum(w)`` over the valid elements.

    ``weights`` (batch,) or (batch, time) is broadcast over the trailing
    axes of ``losses``; a batch whose weights are all zero has loss 0 (and
    no gradient), not 0 / 0.
    """
    weights = _per_element(weights, losses).to(losses.dtype).expand_as(losses)
    if valid is not None:
        weights = torch.where(valid, weights, 0.0)
    total = weights.sum()
    return (weights * losses).sum() / total.clamp_min(torch.finfo(total.dtype).tiny)


class _MaskedLoss(nn.Module):
    """A loss per target element, averaged over the finite targets.

    NaN targets mark padded steps and stay out of the loss. With
    ``sample_weight`` (batch,) or (batch, time), the weighted mean over
    every valid element, each weighted by its sequence's (or step's) weight:
    an integer weight ``k`` counts a sequence ``k`` times. Subclasses define
    :meth:`elementwise`, shaped as ``y_true``.
    """

    def elementwise(self, y_pred, y_true, valid):
        raise NotImplementedError

    def _losses(self, y_pred, y_true):
        valid = ~torch.isnan(y_true)
        # nan_to_num: a NaN inside torch.where would still poison the gradient
        losses = self.elementwise(y_pred, y_true.nan_to_num(), valid)
        return torch.where(valid, losses, 0.0), valid

    def forward(self, y_pred, y_true, sample_weight=None):
        # a masked sum, not boolean indexing: indexing by a mask waits for
        # the GPU to count the mask before the next kernel can be queued
        losses, valid = self._losses(y_pred, y_true)
        if sample_weight is not None:
            return _weighted_mean(losses, sample_weight, valid)
        return losses.sum() / valid.sum()

    def per_sample(self, y_pred, y_true):
        """The loss of each sample on its own, shape (batch,)."""
        losses, valid = self._losses(y_pred, y_true)
        dims = tuple(range(1, y_true.ndim))
        return losses.sum(dims) / valid.sum(dims)


class MaskedMSELoss(_MaskedLoss):
    """Mean squared error over the finite targets; NaN marks padded steps."""

    def elementwise(self, y_pred, y_true, valid):
        return torch.where(valid, y_pred - y_true, 0.0).square()


class MeanSquaredError(nn.MSELoss):
    """:class:`torch.nn.MSELoss`, or its weighted mean over samples."""

    def forward(self, y_pred, y_true, sample_weight=None):
        if sample_weight is None:
            return super().forward(y_pred, y_true)
        return _weighted_mean((y_pred - y_true).square(), sample_weight)

    def per_sample(self, y_pred, y_true):
        """The loss of each sample on its own, shape (batch,)."""
        return MaskedMSELoss().per_sample(y_pred, y_true)


class GaussianNLLLoss(_MaskedLoss):
    """Negative log-likelihood of the targets under the predicted Gaussians.

    ``y_pred`` holds the means, then the standard deviations (the
    :class:`~sksequence._heads.GaussianHead`), on its last axis:
    ``log(std) + (y - mean)**2 / (2 * std**2) + log(2 * pi) / 2`` per target.
    """

    def elementwise(self, y_pred, y_true, valid):
        n = y_true.shape[-1]
        mean, std = y_pred[..., :n], y_pred[..., n:]
        z = torch.where(valid, (y_true - mean) / std, 0.0)
        return std.log() + 0.5 * z.square() + 0.5 * math.log(2 * math.pi)


class PinballLoss(_MaskedLoss):
    """Pinball (quantile) loss, averaged over the levels, per target.

    ``y_pred`` holds one block of quantiles per level of ``levels``, in
    that order, on its last axis (the
    :class:`~sksequence._heads.QuantileHead`). For a level ``tau`` and error
    ``e = y - q``, the loss is ``max(tau * e, (tau - 1) * e)``: minimized
    by the ``tau``-quantile of ``y``. Twice its mean over many evenly spread
    levels approximates the CRPS.

    Parameters
    ----------
    levels : sequence of float in (0, 1)
    """

    def __init__(self, levels):
        super().__init__()
        # not in state_dict (the estimator's parameters say which levels);
        # a buffer so that it follows the criterion to the device
        self.register_buffer(
            "levels", torch.as_tensor(levels, dtype=torch.float32), persistent=False
        )

    def elementwise(self, y_pred, y_true, valid):
        quantiles = y_pred.unflatten(-1, (len(self.levels), y_true.shape[-1]))
        error = y_true.unsqueeze(-2) - quantiles
        levels = self.levels.to(error.dtype).unsqueeze(-1)
        losses = torch.maximum(levels * error, (levels - 1) * error)
        return losses.mean(dim=-2)


class SequenceCrossEntropyLoss(nn.CrossEntropyLoss):
    """Cross-entropy for logits (batch, C) or per-step logits (batch, T, C).

    Per-step targets (batch, T) use ``-100`` for padded steps, which are
    ignored. With ``sample_weight`` (batch,) or (batch, T), the weighted
    mean over the labelled samples or steps.
    """

    def __init__(self):
        super().__init__(ignore_index=IGNORE_INDEX)

    def forward(self, y_pred, y_true, sample_weight=None):
        if sample_weight is not None:
            losses = self._unreduced(y_pred, y_true)
            return _weighted_mean(losses, sample_weight, y_true != IGNORE_INDEX)
        if y_pred.ndim == 3:
            y_pred, y_true = y_pred.flatten(0, 1), y_true.flatten()
        return super().forward(y_pred, y_true)

    @staticmethod
    def _unreduced(y_pred, y_true):
        """Cross-entropy per sample (batch,) or per step (batch, T), 0 if ignored."""
        if y_pred.ndim == 2:
            return nn.functional.cross_entropy(y_pred, y_true, reduction="none")
        return nn.functional.cross_entropy(
            y_pred.flatten(0, 1),
            y_true.flatten(),
            ignore_index=IGNORE_INDEX,
            reduction="none",
        ).view(y_true.shape)

    def per_sample(self, y_pred, y_true):
        """The loss of each sample on its own (the mean over its real steps)."""
        losses = self._unreduced(y_pred, y_true)
        if y_pred.ndim == 2:
            return losses
        return losses.sum(1) / (y_true != IGNORE_INDEX).sum(1)


def per_sample_loss(y_pred, y_true, criterion=None):
    """The training criterion applied to each sample on its own: (batch,).

    ``criterion`` is the net's criterion instance (its ``per_sample``); by
    default, float targets are regression targets (:class:`MaskedMSELoss`,
    equal to :class:`torch.nn.MSELoss` without NaN) and integer targets are
    class codes (:class:`SequenceCrossEntropyLoss`).
    """
    if criterion is None:
        criterion = (
            MaskedMSELoss()
            if y_true.is_floating_point()
            else SequenceCrossEntropyLoss()
        )
    return criterion.per_sample(y_pred, y_true)


def loss_normalizer(y_true, sample_weight=None):
    """What the training criterion divides its sum by, for targets ``y_true``.

    The number of target elements that enter the loss (finite regression
    targets, labels other than the padding label), or with ``sample_weight``
    their total weight. A criterion's value on a batch is ``sum / normalizer``,
    so the loss of a batch split into parts is the sum of the parts' losses,
    each times its share ``normalizer(part) / normalizer(batch)``: what
    data-parallel training uses to weigh uneven parts.
    """
    if y_true.is_floating_point():
        valid = ~torch.isnan(y_true)
    else:
        valid = y_true != IGNORE_INDEX
    if sample_weight is None:
        return valid.sum()
    weights = _per_element(sample_weight, valid).to(torch.float64)
    return torch.where(valid, weights, 0.0).sum()


# float64 inference copies of the modules that predicted, each with the
# weights' state it was made from; dropped with its module
_INFERENCE_COPIES = weakref.WeakKeyDictionary()


def _weights_state(module, device):
    """What an inference copy must match: the tensors and their versions.

    Every in-place change of a parameter or buffer (an optimizer step,
    ``load_state_dict``, a checkpoint restored) bumps its version counter;
    replacing one changes its identity.
    """
    # the submodules' own dicts: parameters() and buffers() walk the tree
    # twice through generators, a tenth of predicting one sequence
    tensors = [
        t
        for sub in module.modules()
        for named in (sub._parameters, sub._buffers)
        for t in named.values()
        if t is not None
    ]
    return str(device), tuple((id(t), t.data_ptr(), t._version) for t in tensors)


def inference_dtype(device):
    """float64 on the CPU; float32 on a GPU.

    In float64 a sequence's prediction does not depend on the batch it is
    in (below 1e-15), which scikit-learn's checks ask for and the CPU runs
    at half the float32 speed. Most GPUs run float64 at 1/32-1/64 of their
    float32 speed, so there predictions are float32: they may differ by
    ~1e-6 (relative) with the batch they are computed in.
    """
    return torch.float64 if torch.device(device).type == "cpu" else torch.float32


def frozen_copy(module, *, device, dtype):
    """A frozen copy of ``module``: on ``device``, in ``dtype``, in eval mode,
    its parameters not requiring gradients.

    Predict, export and the inspection tools run such a copy, so that the
    fitted module (weights, ``.grad``, train/eval mode) is never touched;
    only gradients with respect to inputs or states are ever computed.
    """
    copy_ = copy.deepcopy(module).to(device=device, dtype=dtype).eval()
    for param in copy_.parameters():
        param.requires_grad_(False)
    return copy_


def inference_copy(module, device="cpu"):
    """The :func:`frozen_copy` of ``module`` for prediction, made once per
    weights' state, in :func:`inference_dtype`.

    The copy is reused while the weights are unchanged, so that ``predict``
    costs a forward pass and not a deep copy; any change to them (a further
    epoch of training, loaded weights) makes a new one.
    """
    state = _weights_state(module, device)
    cached = _INFERENCE_COPIES.get(module)
    if cached is not None and cached[0] == state:
        return cached[1]
    copy_ = frozen_copy(module, device=device, dtype=inference_dtype(device))
    _INFERENCE_COPIES[module] = (state, copy_)
    return copy_


def batches(X, lengths=None, *, batch_size, dtype, device="cpu"):
    """NumPy sequences as tensors, batch by batch.

    Yields ``(rows, X_batch, lengths_batch)``: the slice of the batch's
    samples, its sequences as a ``dtype`` tensor on ``device`` (only one
    batch is copied at a time, so ``X`` may be a read-only or strided view)
    and its lengths as a CPU tensor (None for equal lengths). Predict and
    the inspection tools run their batches through here.
    """
    for start in range(0, max(len(X), 1), batch_size):
        rows = slice(start, start + batch_size)
        xb = torch.as_tensor(np.asarray(X[rows]), dtype=dtype).to(device)
        lb = None if lengths is None else torch.as_tensor(lengths[rows])
        yield rows, xb, lb


def predict_in_batches(
    module, X, lengths=None, *, batch_size=PREDICT_BATCH_SIZE, device="cpu"
):
    """Evaluate ``module`` on NumPy sequences, batch by batch.

    Inference runs on a copy of the module (:func:`inference_copy`, made
    once per state of the weights), in float64 on the CPU: float32 GEMMs
    round differently for different batch sizes (up to ~1e-7 after a
    recurrence), so a float32 prediction of a sequence would depend on which
    other sequences share its batch. In float64 that dependence is ~1e-15,
    below anything the float64 results returned to the user can show. On a
    GPU the copy is float32 (see :func:`inference_dtype`).

    Parameters
    ----------
    module : SequenceModel
    X : ndarray of shape (n_samples, n_timesteps, n_features)
        May be a read-only or strided view; only one batch is copied at a time.
    lengths : ndarray of shape (n_samples,) or None
    batch_size : int
    device : torch.device or str

    Returns
    -------
    out : torch.Tensor of shape (n_samples[, n_timesteps], output_size), float64,
        on the CPU
    """
    inference = inference_copy(module, device)
    dtype = inference_dtype(device)
    with torch.no_grad():
        outs = [
            inference(xb, lb).to(device="cpu", dtype=torch.float64)
            for _, xb, lb in batches(
                X, lengths, batch_size=batch_size, dtype=dtype, device=device
            )
        ]
    # one batch: no concatenation
    return outs[0] if len(outs) == 1 else torch.cat(outs)
