"""Plots of gradient flow and attributions (matplotlib, imported lazily)."""

import numpy as np

from ._gradient_flow import GradientFlowResult

__all__ = ["plot_attributions", "plot_gradient_flow"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "The sksequence.inspection plots need matplotlib: pip install matplotlib."
        ) from exc
    return plt


def plot_gradient_flow(result_or_results, ax=None):
    """Plot gradient norms against the time step, on a logarithmic scale.

    Parameters
    ----------
    result_or_results : GradientFlowResult, list of them, or dict
        One result of :func:`gradient_flow`, several (labelled by their
        ``label``, the estimator's class name), or a dict ``{label: result}``.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence.inspection import GradientFlowResult, plot_gradient_flow
    >>> result = GradientFlowResult(
    ...     norms=0.5 ** np.arange(10)[::-1], counts=np.full(10, 5),
    ...     direction_norms=None, wrt="hidden", layer=0, label="toy")
    >>> ax = plot_gradient_flow(result)
    >>> ax.get_yscale()
    'log'
    """
    if isinstance(result_or_results, GradientFlowResult):
        items = [(result_or_results.label, result_or_results)]
    elif isinstance(result_or_results, dict):
        items = list(result_or_results.items())
    else:
        items = [(r.label, r) for r in result_or_results]
    for label, result in items:
        if not isinstance(result, GradientFlowResult):
            raise TypeError(
                f"expected results of gradient_flow; got {type(result).__name__} "
                f"for {label!r}."
            )
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(7, 4))
    for label, result in items:
        ax.plot(np.arange(len(result.norms)), result.norms, label=label or None)
    ax.set_yscale("log")
    ax.set_xlabel("time step t")
    wrt = {result.wrt for _, result in items}
    quantity = "h_t" if wrt == {"hidden"} else "x_t" if wrt == {"input"} else "."
    ax.set_ylabel(f"mean ||dL/d{quantity}||")
    if any(label for label, _ in items):
        ax.legend()
    return ax


def plot_attributions(
    X_one_sequence, attributions, ax=None, *, feature_names=None, cmap="RdBu_r"
):
    """Draw one sequence above a heat map of its attributions.

    Parameters
    ----------
    X_one_sequence : array-like of shape (n_timesteps,) or (n_timesteps, n_features)
        The input sequence (one row of ``X``).
    attributions : array-like of the same shape
        Its attributions, e.g. one row of the result of :func:`attribute`.
    ax : pair of matplotlib Axes, default=None
        ``(ax_series, ax_heatmap)``: where to draw the input series and the
        heat map (features as rows, time steps as columns). A new figure
        with the series above the heat map when None.
    feature_names : list of str, default=None
        Names of the features; ``x0, x1, ...`` when None.
    cmap : str, default="RdBu_r"
        Colormap of the heat map; its range is symmetric around 0, so that
        white means no attribution.

    Returns
    -------
    axes : tuple of matplotlib Axes
        ``(ax_series, ax_heatmap)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence.inspection import plot_attributions
    >>> x = np.sin(np.linspace(0, 6, 30))
    >>> ax_series, ax_heat = plot_attributions(x, x**2)
    >>> ax_heat.get_xlabel()
    'time step'
    """
    X = np.asarray(X_one_sequence, dtype=np.float64)
    A = np.asarray(attributions, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if A.ndim == 1:
        A = A[:, None]
    if X.ndim != 2 or X.shape != A.shape:
        raise ValueError(
            "X_one_sequence and attributions must have the same shape, "
            "(n_timesteps,) or (n_timesteps, n_features); got "
            f"{np.shape(X_one_sequence)} and {np.shape(attributions)}."
        )
    steps, n_features = X.shape
    names = (
        list(feature_names)
        if feature_names is not None
        else [f"x{j}" for j in range(n_features)]
    )
    if len(names) != n_features:
        raise ValueError(
            f"feature_names has {len(names)} names for {n_features} features."
        )
    if ax is None:
        fig, (ax_series, ax_heat) = _pyplot().subplots(
            2, 1, sharex=True, figsize=(8, 2.5 + 0.3 * n_features + 2.0)
        )
    else:
        ax_series, ax_heat = ax
        fig = ax_heat.figure
    t = np.arange(steps)
    for j in range(n_features):
        ax_series.plot(t, X[:, j], label=names[j])
    ax_series.set_ylabel("input")
    if n_features > 1:
        ax_series.legend(loc="upper right", fontsize="small")
    limit = np.max(np.abs(A)) or 1.0
    image = ax_heat.imshow(
        A.T,
        aspect="auto",
        cmap=cmap,
        vmin=-limit,
        vmax=limit,
        interpolation="nearest",
        extent=(-0.5, steps - 0.5, n_features - 0.5, -0.5),
    )
    ax_heat.set_yticks(range(n_features), names)
    ax_heat.set_xlabel("time step")
    ax_heat.set_ylabel("feature")
    ax_series.set_xlim(-0.5, steps - 0.5)
    # a colorbar taken from both axes keeps their time axes aligned
    fig.colorbar(image, ax=[ax_series, ax_heat], label="attribution")
    return ax_series, ax_heat
