"""The readout: a network's outputs in the user's terms, written once.

A fitted network's raw outputs ``(..., width * n_outputs)`` mean what the
fitted state (:class:`sksequence._fitted.FittedState`) says they mean: class
logits, or blocks of a distribution head (:mod:`sksequence._heads`) on the
scale of the standardized targets. :class:`Readout` is the one torch module
that maps them to what the user reads:

* ``"predict"`` -- regressors: the head's location block (the values, the
  mean or the median) ``* y_scale + y_mean``; classifiers: the softmax
  probabilities (``predict_proba``);
* ``"decision"`` -- as ``"predict"`` for regressors; classifiers: the logits
  (``predict`` takes their argmax, ``decision_function`` and the
  attributions read them);
* ``"std"`` -- a Gaussian head's calibrated standard deviation ``* y_scale``;
* ``"quantiles"`` -- the calibrated quantiles at ``levels`` ``* y_scale +
  y_mean``, shape (..., n_outputs, n_levels);

each with the output axis dropped where ``y`` had none (``squeeze``).
``predict`` (in float64, on the outputs of
:func:`~sksequence._modules.predict_in_batches`), the exporters (float32,
scripted or traced after the network) and the attributions (float64,
differentiated) run this module.

Torch floor: the fitted state is read by its attributes; nothing here knows
of scikit-learn.
"""

import weakref
from typing import Final

import numpy as np
import torch
from torch import Tensor, nn

__all__ = ["OUTPUTS", "Readout", "ReadoutModel", "cached_readout"]

#: what a readout reads out (see the module's documentation)
OUTPUTS = ("predict", "decision", "std", "quantiles")


class _Block(nn.Module):
    """Block ``index`` of blocks (..., width, n_outputs)."""

    def __init__(self, index: int):
        super().__init__()
        self.index = index

    def forward(self, blocks: Tensor) -> Tensor:
        return blocks[..., self.index, :]


class Readout(nn.Module):
    """The network's raw outputs mapped to the user's terms.

    Parameters
    ----------
    state : FittedState
        What the outputs mean (read: ``is_classifier``, ``n_outputs``,
        ``head``, ``calibration``, ``y_mean``, ``y_scale``, ``squeeze``).
    output : {"predict", "decision", "std", "quantiles"}, default="predict"
        What to read out (see :mod:`sksequence._readout`).
    levels : tuple of float or None, default=None
        ``output="quantiles"``: the levels, ones the head has
        (``head.available_levels``).
    squeeze : bool or None, default=None
        Drop the output axis; None: where ``y`` had none (``state.squeeze``).
        Classifiers never drop it.

    Notes
    -----
    The buffers are float64; ``.float()`` gives the float32 readout an
    exported model serves. The module is scriptable.
    """

    blocked: Final[bool]
    whole: Final[bool]
    start: Final[int]
    stop: Final[int]
    softmax: Final[bool]
    unscale: Final[bool]
    shift: Final[bool]
    squeeze: Final[bool]
    output_axis: Final[int]
    width: Final[int]
    n_outputs: Final[int]

    def __init__(self, state, output="predict", *, levels=None, squeeze=None):
        super().__init__()
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}; got {output!r}")
        head = state.head
        classifier = state.is_classifier
        self.n_outputs = int(state.n_outputs)
        self.width = 1 if classifier else head.width
        self.softmax = classifier and output == "predict"
        self.unscale = not classifier
        self.shift = output != "std"
        self.output_axis = -2 if output == "quantiles" else -1
        self.squeeze = state.squeeze if squeeze is None else bool(squeeze)
        self.squeeze = self.squeeze and not classifier
        # the location is a slice of the outputs (the graph predict exports
        # has no reshape); the spread is read from calibrated blocks
        self.blocked = output in ("std", "quantiles")
        location = 0 if classifier else head.location_block
        self.start, self.stop = (
            location * self.n_outputs,
            (location + 1) * self.n_outputs,
        )
        self.calibrate = (
            head.calibration_link(state.calibration) if self.blocked else nn.Identity()
        )
        # the location is all of the outputs (a classifier's logits, a point
        # head's values): no slice to take
        self.whole = not self.blocked and self.stop == self.width * self.n_outputs
        if not self.blocked:
            self.select = nn.Identity()
        elif output == "std":
            if head.std_block is None:
                raise ValueError(f"loss={head.loss!r} predicts no standard deviation")
            self.select = _Block(head.std_block)
        else:
            self.select = head.quantile_link(levels)
        shape = (-1, 1) if output == "quantiles" else (-1,)
        for name, values, default in (
            ("y_scale", state.y_scale, 1.0),
            ("y_mean", state.y_mean, 0.0),
        ):
            values = np.full(self.n_outputs, default) if classifier else values
            values = torch.as_tensor(np.asarray(values, dtype=np.float64))
            self.register_buffer(name, values.reshape(shape))

    def forward(self, out: Tensor) -> Tensor:
        if self.blocked:
            blocks = out.unflatten(-1, (self.width, self.n_outputs))
            values = self.select(self.calibrate(blocks))
        elif self.whole:
            values = out
        else:
            values = out[..., self.start : self.stop]
        if self.softmax:
            values = torch.softmax(values, dim=-1)
        if self.unscale:
            values = values * self.y_scale
            if self.shift:
                values = values + self.y_mean
        if self.squeeze:
            values = values.squeeze(self.output_axis)
        return values


class ReadoutModel(nn.Module):
    """A network followed by its readout: ``readout(model(X, lengths))``."""

    def __init__(self, model, readout):
        super().__init__()
        self.model = model
        self.readout = readout

    def forward(self, X: Tensor, lengths: Tensor | None = None) -> Tensor:
        return self.readout(self.model(X, lengths))


# the readouts predict reads through, per fitted state (a new fit or load
# makes a new state); dropped with their state
_READOUTS = weakref.WeakKeyDictionary()


def cached_readout(state, output="predict", levels=None):
    """``Readout(state, output, levels=levels)``, made once per state: the
    readout ``predict`` applies costs a forward pass, not a module build.
    The module is shared: do not move or cast it (build a :class:`Readout`
    for that)."""
    readouts = _READOUTS.setdefault(state, {})
    key = (output, None if levels is None else tuple(levels))
    if key not in readouts:
        readouts[key] = Readout(state, output, levels=levels)
    return readouts[key]
