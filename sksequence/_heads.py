"""Distribution heads: what a regression network predicts per target.

A head is one class, as each loss of scikit-learn's ``sklearn/_loss/loss.py``
owns its link and its name: the network's raw outputs ``(..., width *
n_outputs)`` become a distribution here, and everything that depends on
which distribution it is asks the head:

* :attr:`Head.width` -- values per target (blocks of ``n_outputs`` on the
  last axis), and :meth:`Head.link`, the torch module that maps raw values
  to them (a positive standard deviation, quantiles that never cross);
* :meth:`Head.criterion` -- the training loss;
* :attr:`Head.location_block` -- the block that ``predict`` returns (the
  values, the mean, or the median); :meth:`Head.quantile_link` and
  :attr:`Head.std_block` -- what ``predict_quantiles``, ``predict_interval``
  and ``return_std`` read (through :class:`sksequence._readout.Readout`);
* :meth:`Head.calibration_factors`, :meth:`Head.calibration_link` and
  :meth:`Head.calibration_shape` --
  the calibration of the spread on held-out samples (see
  :mod:`sksequence._calibration`) and how files store it.

``FittedState.head`` is the fitted estimator's head; the regressors'
``loss`` parameter names it (:data:`HEADS`), and the network's module is
built from its :attr:`Head.name` and width. A new distribution is one
subclass here, added to :data:`HEADS`.

Torch floor: the heads know nothing of scikit-learn. What maps outputs is a
torch module without trainable parameters (:meth:`Head.link`,
:meth:`Head.calibration_link`, :meth:`Head.quantile_link`: scriptable, so
that an exported model serves what ``predict`` reads); the calibration's
measurement (:meth:`Head.calibration_factors`) is NumPy.
"""

import numpy as np
import torch
from scipy.special import ndtri
from torch import Tensor, nn

from ._calibration import MIN_FACTOR, weighted_quantile
from ._constants import AUTO_FITTED_LOSS, MIN_STD

__all__ = ["HEADS", "GaussianHead", "Head", "PointHead", "QuantileHead"]


class Head:
    """A distribution the network predicts per target (the point head: the
    value itself).

    Parameters
    ----------
    levels : tuple of float or None
        Quantile levels, increasing and holding 0.5: those a quantile head
        predicts, those a Gaussian head reports by default. None for the
        point head.
    """

    #: ``FittedState.distribution``: how the network's module names the head
    name = "none"
    #: the regressors' ``loss`` parameter that trains this head
    loss = "squared_error"
    #: what the network predicts, for messages
    predicts = "a mean only"
    #: whether there is a spread (to predict quantiles of, to calibrate)
    distributional = False
    #: the training loss at which ``early_stopping="auto"`` without a
    #: holdout counts the training set as fitted (a loss that is 0 only
    #: where every prediction is exact); None: the loss has no such value
    fitted_loss = AUTO_FITTED_LOSS

    def __init__(self, levels=None):
        self.levels = None if levels is None else tuple(levels)

    def __repr__(self):
        levels = "" if self.levels is None else f"levels={self.levels}"
        return f"{type(self).__name__}({levels})"

    @staticmethod
    def width_for(n_quantiles):
        """Values per target of a module built with ``n_quantiles``."""
        return 1

    @property
    def width(self):
        """Values the network predicts per target (blocks on the last axis)."""
        return self.width_for(len(self.levels or ()))

    @property
    def location_block(self):
        """Index of the block ``predict`` returns: the values, or the mean."""
        return 0

    @staticmethod
    def link(output_size):
        """The torch module mapping raw outputs ``(..., width * output_size)``
        to the distribution's values (scriptable, no parameters)."""
        return nn.Identity()

    def criterion(self, per_step):
        """The training loss (a class or an instance, as skorch takes it)."""
        # imported here: _modules imports this module to build its head
        from ._modules import MaskedMSELoss, MeanSquaredError

        # padded steps of per-step targets are NaN and must stay out of the loss
        return MaskedMSELoss if per_step else MeanSquaredError

    def available_levels(self, levels):
        """``levels`` the head has quantiles at (validated, in (0, 1))."""
        return levels

    #: index of the block holding the standard deviation; None: no such block
    std_block = None

    def quantile_link(self, levels):
        """The torch module mapping calibrated blocks (..., width, n_outputs)
        to the quantiles at ``levels`` on the network's scale, shape
        (..., n_outputs, n_levels)."""
        raise ValueError(f"a model fitted with loss={self.loss!r} has no quantiles")

    def calibration_shape(self, n_outputs):
        """Shape of the factors on the spread; None: nothing to calibrate."""
        return None

    def calibration_factors(self, blocks, y, weights):
        """Factors on the spread that calibrate ``blocks`` on targets ``y``.

        Parameters
        ----------
        blocks : ndarray of shape (n, width, n_outputs)
            The network's uncalibrated outputs on held-out samples, on its
            scale (see :meth:`~sksequence._fitted.FittedState.blocks`).
        y : ndarray of shape (n, n_outputs)
            The held-out targets, on the network's scale.
        weights : ndarray of shape (n,) or None
            Sample weights of the held-out samples.

        Returns
        -------
        calibration : ndarray of shape :meth:`calibration_shape`
        """
        raise NotImplementedError

    def calibration_link(self, calibration):
        """The torch module mapping blocks (..., width, n_outputs) to the
        blocks with the spread multiplied by ``calibration`` (factors of
        :meth:`calibration_shape`; None: the identity). The location never
        moves."""
        return nn.Identity()


class PointHead(Head):
    """The value itself, by mean squared error (``loss="squared_error"``)."""


class GaussianHead(Head):
    """A mean and a standard deviation per target, by the Gaussian negative
    log-likelihood (``loss="gaussian"``).

    The standard deviation is ``softplus(raw) + MIN_STD``, positive by
    construction. Its calibration is one factor per target on the standard
    deviation, ``s**2 = mean(z**2)`` of the held-out ``z = (y - mean) /
    std``.
    """

    name = "gaussian"
    loss = "gaussian"
    predicts = "a mean and a standard deviation"
    distributional = True
    # a log-likelihood falls below any floor (below 0) while the means are
    # still far off: at 3e-4 a fit stopped at R^2 0.956 that went on to
    # 0.997 (tests/test_net.py)
    fitted_loss = None

    @staticmethod
    def width_for(n_quantiles):
        return 2

    @staticmethod
    def link(output_size):
        return _GaussianLink(output_size)

    def criterion(self, per_step):
        from ._modules import GaussianNLLLoss

        return GaussianNLLLoss

    std_block = 1

    def quantile_link(self, levels):
        return _GaussianQuantiles(ndtri(np.asarray(levels, dtype=np.float64)))

    def calibration_shape(self, n_outputs):
        return (n_outputs,)

    def calibration_factors(self, blocks, y, weights):
        blocks = np.asarray(blocks, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        z2 = ((y - blocks[:, 0]) / blocks[:, 1]) ** 2
        return np.sqrt(np.average(z2, axis=0, weights=weights))

    def calibration_link(self, calibration):
        if calibration is None:
            return nn.Identity()
        calibration = np.asarray(calibration, dtype=np.float64)
        # the mean's factor is 1: x * 1.0 is x, the location never moves
        return _Rescaled(np.stack([np.ones_like(calibration), calibration]))


class QuantileHead(Head):
    """Quantiles at ``levels`` per target, jointly, by the pinball loss
    (``loss="quantile"``).

    The first block is raw; each next one adds ``softplus(raw)`` to the one
    before, so the quantiles never cross (monotone by construction, not
    sorted after the fact). Their calibration is one factor per level and
    target on each quantile's distance from the median (1 at the median),
    chosen so that a share ``tau`` of the held-out targets lies below the
    rescaled quantile at level ``tau``.
    """

    name = "quantile"
    loss = "quantile"
    predicts = "quantiles"
    distributional = True

    @staticmethod
    def width_for(n_quantiles):
        return n_quantiles

    @property
    def location_block(self):
        """Index of the median's block."""
        return self.levels.index(0.5)

    @staticmethod
    def link(output_size):
        return _QuantileLink(output_size)

    def criterion(self, per_step):
        from ._modules import PinballLoss

        return PinballLoss(self.levels)

    def available_levels(self, levels):
        """The learned levels at ``levels``; a ``ValueError`` names those
        the network did not learn."""
        learned = np.asarray(self.levels)
        missing = [q for q in levels if not np.isclose(learned, q, atol=1e-9).any()]
        if missing:
            raise ValueError(
                f"This model learned the quantiles at levels {list(self.levels)} "
                f"(loss='quantile'), not at {missing}. Refit with those levels "
                "in quantiles=..., or use loss='gaussian', whose quantiles "
                "exist at every level."
            )
        return tuple(self.levels[int(np.argmin(np.abs(learned - q)))] for q in levels)

    def quantile_link(self, levels):
        return _PickedQuantiles([self.levels.index(q) for q in levels])

    def calibration_shape(self, n_outputs):
        return (len(self.levels), n_outputs)

    def calibration_factors(self, blocks, y, weights):
        blocks = np.asarray(blocks, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        m = self.location_block
        median = blocks[:, m]
        factors = np.ones(blocks.shape[1:])
        for k, tau in enumerate(self.levels):
            if k == m:
                continue
            # distances from the median are nonzero by construction (the head
            # adds positive gaps): negative below the median, positive above
            ratio = (y - median) / (blocks[:, k] - median)
            # above the median y <= q' iff ratio <= c; below it iff ratio >= c
            share = tau if tau > 0.5 else 1 - tau
            factors[k] = weighted_quantile(ratio, share, weights)
        return np.maximum(factors, MIN_FACTOR)

    def calibration_link(self, calibration):
        """Calibrated quantiles are sorted over the levels: every factor is
        positive, so each quantile stays on its side of the median and the
        median keeps its place."""
        if calibration is None:
            return nn.Identity()
        return _WidenedQuantiles(calibration, self.location_block)


class _GaussianLink(nn.Module):
    """The mean, then the standard deviation ``softplus(raw) + MIN_STD``."""

    def __init__(self, output_size: int, min_std: float = MIN_STD):
        super().__init__()
        self.output_size = output_size
        self.min_std = min_std

    def forward(self, raw: Tensor) -> Tensor:
        mean, std = raw[..., : self.output_size], raw[..., self.output_size :]
        return torch.cat((mean, nn.functional.softplus(std) + self.min_std), dim=-1)


class _QuantileLink(nn.Module):
    """Quantiles in increasing order of level: the first block raw, each next
    one the one before plus ``softplus(raw)``."""

    def __init__(self, output_size: int):
        super().__init__()
        self.output_size = output_size

    def forward(self, raw: Tensor) -> Tensor:
        n = self.output_size
        first, gaps = raw[..., :n], raw[..., n:]
        steps = nn.functional.softplus(gaps.unflatten(-1, (-1, n)))
        rest = first.unsqueeze(-2) + steps.cumsum(dim=-2)
        return torch.cat((first, rest.flatten(-2)), dim=-1)


class _Rescaled(nn.Module):
    """Blocks (..., width, n_outputs) times constant factors (width, n_outputs)."""

    def __init__(self, factors):
        super().__init__()
        self.register_buffer("factors", torch.as_tensor(factors))

    def forward(self, blocks: Tensor) -> Tensor:
        return blocks * self.factors


class _WidenedQuantiles(nn.Module):
    """Each quantile's distance from the median times its factor, the
    quantiles then sorted over the levels."""

    def __init__(self, factors, median: int):
        super().__init__()
        self.median = median
        self.register_buffer(
            "factors", torch.as_tensor(np.asarray(factors, dtype=np.float64))
        )

    def forward(self, blocks: Tensor) -> Tensor:
        median = blocks[..., self.median : self.median + 1, :]
        widened = median + self.factors * (blocks - median)
        return torch.sort(widened, dim=-2).values


class _GaussianQuantiles(nn.Module):
    """Quantiles ``mean + std * z`` of the blocks (mean, std) at the levels of
    the standard normal quantiles ``z``: (..., n_outputs, n_levels)."""

    def __init__(self, z):
        super().__init__()
        self.register_buffer("z", torch.as_tensor(z))

    def forward(self, blocks: Tensor) -> Tensor:
        return blocks[..., 0, :, None] + blocks[..., 1, :, None] * self.z


class _PickedQuantiles(nn.Module):
    """The blocks of the levels asked for, as (..., n_outputs, n_levels)."""

    def __init__(self, indices):
        super().__init__()
        self.register_buffer("indices", torch.as_tensor(indices, dtype=torch.int64))

    def forward(self, blocks: Tensor) -> Tensor:
        # transpose, not movedim: the ONNX exporter writes movedim's
        # negative axes into a Transpose as they are, which ONNX refuses
        return blocks.index_select(-2, self.indices).transpose(-2, -1)


# every head, by the name the network's module and FittedState.distribution
# know it by; the regressors' loss parameter names the same classes
HEADS = {head.name: head for head in (PointHead, GaussianHead, QuantileHead)}
