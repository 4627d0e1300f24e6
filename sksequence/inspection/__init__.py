"""Inspection of fitted sequence models.

* :func:`gradient_flow` -- the norm of the loss gradient with respect to the
  hidden state (or the input) at every time step: vanishing gradients,
  measured directly.
* :func:`attribute` -- per-time-step, per-feature attributions of a
  prediction (integrated gradients, saliency, feature ablation; needs
  Captum: ``pip install sksequence[explain]``).
* :func:`plot_gradient_flow`, :func:`plot_attributions` -- their plots
  (need matplotlib).
"""

from ._attribution import attribute
from ._gradient_flow import GradientFlowResult, gradient_flow
from ._plot import plot_attributions, plot_gradient_flow

__all__ = [
    "GradientFlowResult",
    "attribute",
    "gradient_flow",
    "plot_attributions",
    "plot_gradient_flow",
]
