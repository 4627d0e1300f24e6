"""Per-time-step, per-feature attributions of predictions, through Captum."""

import warnings

import numpy as np
import torch

from .._base import network_output
from .._constants import IG_TOLERANCE
from .._readout import Readout, ReadoutModel
from .._validation import check_sequences
from ._common import (
    analysis_batches,
    analysis_copy,
    check_supported,
    gradient_context,
    validated_input,
)

__all__ = ["attribute", "ATTRIBUTION_METHODS"]

# method name -> Captum class name, and whether the method takes baselines
ATTRIBUTION_METHODS = {
    "integrated_gradients": ("IntegratedGradients", True),
    "saliency": ("Saliency", False),
    "input_x_gradient": ("InputXGradient", False),
    "feature_ablation": ("FeatureAblation", True),
}


def _captum_attr():
    """Import :mod:`captum.attr` lazily, with a helpful message if missing."""
    try:
        from captum import attr
    except ImportError as exc:
        raise ImportError(
            "sksequence.inspection.attribute needs Captum, an optional "
            "dependency. Install it with: pip install sksequence[explain] "
            "(or: pip install captum)."
        ) from exc
    return attr


def attribute(
    estimator, X, method="integrated_gradients", *, target=None, baseline=None, **kwargs
):
    """Attribute each prediction to the time steps and features of its input.

    Built on `Captum <https://captum.ai>`_ (install with
    ``pip install sksequence[explain]``). The attributed quantity is, for
    **regressors**, the prediction in the units of ``y`` (the network output
    times the internal target scale, plus the mean), and for **classifiers**
    the *logit* (pre-softmax score) of a class; for binary problems, the
    logit of the chosen class, not the difference of the two.

    Parameters
    ----------
    estimator : fitted sksequence regressor or classifier
        ``return_sequences=True`` is not supported.
    X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
        Sequences, in any form ``predict`` accepts.
    method : {"integrated_gradients", "saliency", "input_x_gradient", \
"feature_ablation"}, default="integrated_gradients"
        * ``"integrated_gradients"``: Captum's ``IntegratedGradients``; the
          attributions of a sequence sum to its output minus the output of
          ``baseline`` (completeness), up to the integration error
          (``n_steps=50`` by default; raise it for a tighter sum). A
          :class:`UserWarning` says when the sum misses the change of the
          output by more than 5 % of its mean size, and how many steps were
          used: a network that is steep near the baseline (the classifiers'
          ``instance_norm``, where a flat zero baseline has no scale) needs
          more steps, and one trained on sequences of very different scales
          (the floor of its normalization is fitted to the smallest) is
          steep at that scale: pass a ``baseline`` that is not flat, e.g. a
          typical training sequence.
        * ``"saliency"``: the gradient of the output with respect to the
          input; Captum returns its absolute value (``abs=True``) unless
          ``abs=False`` is passed.
        * ``"input_x_gradient"``: input times gradient.
        * ``"feature_ablation"``: the output minus the output with the
          value(s) replaced by ``baseline``. Each (time step, feature) is
          ablated on its own by default; ``feature_mask="timestep"`` ablates
          all features of a step together, and then every feature of a step
          carries the whole step's attribution (Captum's convention for
          groups). Any Captum ``feature_mask`` tensor is accepted too.
    target : int, label, array-like of labels or None, default=None
        Regressors: the output column to attribute (None for a single
        output). Classifiers: the class label(s) whose logit is attributed,
        one for all sequences or one per sequence; None attributes each
        sequence's predicted class.
    baseline : float, array-like or None, default=None
        Reference input of ``"integrated_gradients"`` and the replacement
        value of ``"feature_ablation"``: a scalar or an array broadcastable
        to the (padded) shape of ``X``. None means zeros. Not used by the
        gradient methods.
    **kwargs
        Passed on to the Captum method's ``attribute`` (e.g. ``n_steps``,
        ``internal_batch_size``, ``perturbations_per_eval``, ``abs``).

    Returns
    -------
    attributions : ndarray of the shape of ``X``, or list of ndarrays
        Float64. For variable-length input, a list with one array of shape
        ``(n_timesteps_i, n_features)`` per sequence: padding is trimmed (it
        plays no part in any prediction, and its attribution is exactly 0).

    See Also
    --------
    plot_attributions : Heat map of one sequence's attributions.
    gradient_flow : Gradient norms through time, for diagnosing training.

    Notes
    -----
    Runs on a float64 copy of the network, on the estimator's device (with
    cuDNN disabled there, since its RNN backward runs only in training mode).
    The estimator is not changed.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import GRURegressor
    >>> from sksequence.inspection import attribute
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(32, 6, 2))
    >>> y = X[:, 2, 1]
    >>> est = GRURegressor(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    >>> attribute(est, X, "saliency").shape
    (32, 6, 2)
    """
    check_supported(estimator, "attribute")
    if method not in ATTRIBUTION_METHODS:
        raise ValueError(
            f"method must be one of {sorted(ATTRIBUTION_METHODS)}; got {method!r}."
        )
    if estimator.return_sequences:
        raise ValueError(
            "attribute does not support estimators with return_sequences=True "
            "(one output per time step)."
        )
    class_name, takes_baseline = ATTRIBUTION_METHODS[method]
    if baseline is not None and not takes_baseline:
        raise ValueError(f"method={method!r} takes no baseline; pass baseline=None.")
    attr = _captum_attr()
    X3, lengths = validated_input(estimator, X)
    n, steps, n_features = X3.shape
    device = estimator.net_.device
    state = estimator.fitted_state_
    classifier = state.is_classifier
    # what is attributed: the prediction in y's units, or a class's logit
    forward = ReadoutModel(
        analysis_copy(estimator), Readout(state, "decision", squeeze=False).to(device)
    )
    targets = _target_indices(estimator, X3, lengths, target, classifier)
    base = _baseline_array(baseline, X3) if takes_baseline else None
    if isinstance(kwargs.get("feature_mask"), str):
        if kwargs["feature_mask"] != "timestep":
            raise ValueError(
                "feature_mask must be 'timestep' or a Captum mask tensor; got "
                f"{kwargs['feature_mask']!r}."
            )
        if method != "feature_ablation":
            raise ValueError(
                "feature_mask='timestep' is for method='feature_ablation'."
            )
        mask = torch.arange(steps, device=device).view(1, steps, 1)
        kwargs["feature_mask"] = mask.expand(1, steps, n_features).contiguous()
    if kwargs.get("return_convergence_delta"):
        raise ValueError(
            "return_convergence_delta is not supported: attribute returns the "
            "attributions only, and warns when they do not add up to the "
            "change of the output."
        )
    kwargs.pop("return_convergence_delta", None)
    explainer = getattr(attr, class_name)(forward)
    check_sum = method == "integrated_gradients"
    parts, misses, changes = [], [], []
    with gradient_context(device), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Input Tensor .* did not already")
        for rows, xb, lb in analysis_batches(X3, lengths, device):
            call = dict(kwargs, target=targets[rows].to(device))
            if lb is not None:
                call["additional_forward_args"] = (lb,)
            if base is not None:
                call["baselines"] = torch.as_tensor(
                    np.array(base[rows], dtype=np.float64), device=device
                )
            if check_sum:
                call["return_convergence_delta"] = True
            result = explainer.attribute(xb, **call)
            if check_sum:
                result, delta = result
                # delta = sum of attributions - (f(x) - f(baseline))
                misses.append(delta.abs().detach().cpu().numpy())
                total = result.sum(dim=tuple(range(1, result.dim())))
                changes.append((total - delta).abs().detach().cpu().numpy())
            parts.append(result.detach().cpu().numpy())
    if check_sum:
        _warn_if_incomplete(
            np.concatenate(misses), np.concatenate(changes), kwargs.get("n_steps", 50)
        )
    out = np.concatenate(parts).astype(np.float64, copy=False)
    if lengths is not None:
        return [
            _like_item(row[:length], item) for row, length, item in zip(out, lengths, X)
        ]
    if np.ndim(X) == 2:  # univariate sequences, one per row
        return out[:, :, 0]
    return out


def _warn_if_incomplete(misses, changes, n_steps):
    """Warn when integrated gradients do not add up to the output's change:
    the path integral was not resolved with ``n_steps`` steps."""
    scale = float(np.mean(changes))
    bad = misses > IG_TOLERANCE * scale
    if scale > 0 and bad.any():
        warnings.warn(
            f"integrated gradients did not converge with n_steps={n_steps}: on "
            f"{int(bad.sum())} of {len(misses)} sequences the attributions' sum "
            f"misses the change of the output by more than {IG_TOLERANCE:.0%} of "
            f"its mean size (worst {misses.max():.3g}, mean change {scale:.3g}). "
            "Pass a larger n_steps (e.g. 4x) for attributions that add up.",
            UserWarning,
            stacklevel=3,
        )


def _like_item(values, item):
    """Trimmed attributions of one sequence, 1-D when the sequence was 1-D."""
    return values[:, 0] if np.ndim(item) == 1 else values


def _baseline_array(baseline, X3):
    """The baseline as a float64 array of X3's shape (a broadcast view)."""
    if baseline is None:
        return np.broadcast_to(np.float64(0.0), X3.shape)
    if isinstance(baseline, (list, tuple)) and len(baseline) == len(X3):
        padded, _ = check_sequences(baseline, input_name="baseline")
        if padded.shape == X3.shape:
            return padded.astype(np.float64)
    arr = np.asarray(baseline, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == X3.shape[1] and X3.shape[2] == 1:
        arr = arr[:, :, None]  # 2-D baseline of univariate sequences
    try:
        return np.broadcast_to(arr, X3.shape)
    except ValueError as exc:
        raise ValueError(
            f"baseline of shape {arr.shape} does not broadcast to the shape of X "
            f"{X3.shape} (n_samples, n_timesteps, n_features)."
        ) from exc


def _target_indices(estimator, X3, lengths, target, classifier):
    """Output index to attribute for each sequence, as an int64 tensor."""
    n = len(X3)
    if classifier:
        if target is None:  # each sequence's predicted class, as predict
            return network_output(estimator, X3, lengths).argmax(dim=-1)
        labels = np.asarray(target)
        if labels.ndim == 0:
            labels = np.full(n, labels)
        if labels.shape != (n,):
            raise ValueError(
                f"target must be one class label or one per sequence ({n}); got "
                f"shape {labels.shape}."
            )
        unknown = np.setdiff1d(labels, estimator.classes_)
        if len(unknown):
            raise ValueError(
                f"target holds labels not in classes_ {list(estimator.classes_)!r}: "
                f"{list(unknown)!r}."
            )
        return torch.as_tensor(np.searchsorted(estimator.classes_, labels))
    n_outputs = estimator.fitted_state_.n_outputs
    if target is None:
        if n_outputs > 1:
            raise ValueError(
                f"{type(estimator).__name__} has {n_outputs} outputs: pass "
                "target=<output column index> to choose one."
            )
        target = 0
    if isinstance(target, (bool, np.bool_)) or not isinstance(
        target, (int, np.integer)
    ):
        raise TypeError(f"target must be an output column index; got {target!r}.")
    if not -n_outputs <= target < n_outputs:
        raise ValueError(f"target={target} is out of range for {n_outputs} output(s).")
    return torch.full((n,), int(target) % n_outputs, dtype=torch.int64)
