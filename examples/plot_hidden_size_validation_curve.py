"""
================================================
Choosing the hidden size with a validation curve
================================================

``hidden_size``, the dimension of the hidden state :math:`h_t`, is the main
capacity knob of a recurrent network: too small and the model cannot
represent the dynamics (underfitting), too large and it has room to fit the
noise of a small training set (overfitting) and costs more to train. As every
sksequence parameter it is a plain constructor argument, so scikit-learn's
:func:`~sklearn.model_selection.validation_curve` (or
:class:`~sklearn.model_selection.GridSearchCV`) tunes it directly.
"""

# %%
# A nonlinear, noisy series
# -------------------------
# 200 steps of a noisy nonlinear autoregressive process with a periodic
# input, cut into windows of 10 past values by
# :func:`~sksequence.make_forecasting_data`; the target is the next value.
# With so few windows, capacity is easy to overdo.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import TimeSeriesSplit, validation_curve

from sksequence import GRURegressor, make_forecasting_data

rng = np.random.default_rng(0)
n = 200
series = np.zeros(n)
for t in range(2, n):
    series[t] = (
        0.8 * np.tanh(2 * series[t - 1])
        - 0.5 * series[t - 2] * np.exp(-(series[t - 1] ** 2))
        + 0.5 * np.sin(0.3 * t)
        + 0.4 * rng.normal()
    )
X, y = make_forecasting_data(series.astype(np.float32), window_size=10)
print(f"X: {X.shape}, y: {y.shape}")

# %%
# The validation curve
# --------------------
# Each hidden size is scored on the folds of a
# :class:`~sklearn.model_selection.TimeSeriesSplit`, which always validates
# on windows that come *after* those it trains on (overlapping windows make a
# shuffled split leak the future). Early stopping is switched off so that
# the curve shows the effect of capacity alone: each fit trains until its
# *training* loss stops improving, or for 80 epochs.
hidden_sizes = [1, 2, 4, 8, 16, 32, 64]
model = GRURegressor(max_epochs=80, lr=1e-2, early_stopping=False, random_state=0)
train_scores, valid_scores = validation_curve(
    model,
    X,
    y,
    param_name="hidden_size",
    param_range=hidden_sizes,
    cv=TimeSeriesSplit(n_splits=3),
    scoring="r2",
)
for size, tr, va in zip(hidden_sizes, train_scores, valid_scores):
    print(
        f"hidden_size={size:>3}: train R^2 {tr.mean():.3f}, valid R^2 {va.mean():.3f}"
    )
best = hidden_sizes[int(np.argmax(valid_scores.mean(axis=1)))]
print("best hidden_size:", best)

# %%
# Reading the curve
# -----------------
# One or two hidden units underfit: training and validation scores are both
# low. A few units fit the dynamics best. Beyond that, the training score
# keeps climbing while the validation score falls: the larger states fit the
# noise of 190 windows (overfitting). Prefer the smallest size near the top
# of the validation curve: it generalizes as well and trains faster.
#
# Early stopping, weight decay and dropout flatten the right side of the
# curve (see :ref:`sphx_glr_auto_examples_plot_overfitting_regularization.py`).
# To search several parameters at once (``hidden_size`` with
# ``weight_decay`` or ``dropout``), use
# :class:`~sklearn.model_selection.GridSearchCV` with the same ``cv``.
fig, ax = plt.subplots(figsize=(7, 4.2))
for scores, label in [(train_scores, "training"), (valid_scores, "validation")]:
    mean, std = scores.mean(axis=1), scores.std(axis=1)
    ax.plot(hidden_sizes, mean, marker="o", label=label)
    ax.fill_between(hidden_sizes, mean - std, mean + std, alpha=0.2)
ax.set_xscale("log", base=2)
ax.set_xticks(hidden_sizes, [str(s) for s in hidden_sizes])
ax.set_xlabel("hidden_size")
ax.set_ylabel("R²")
ax.set_title("GRURegressor: validation curve over hidden_size (TimeSeriesSplit)")
ax.legend()
fig.tight_layout()

# sphinx_gallery_start_ignore
# Run as a script, the example also saves its figure (tests/test_examples.py
# checks it); the gallery page shows it above.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

out_dir = Path(os.environ.get("SKSEQUENCE_EXAMPLES_OUT", Path(__file__).parent))
fig.savefig(out_dir / "hidden_size_validation_curve.png", dpi=100)
# sphinx_gallery_end_ignore
