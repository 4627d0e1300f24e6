"""
===========================================================
Fighting overfitting: weight decay, dropout, early stopping
===========================================================

A recurrent network with a large hidden state trained on a small, noisy data
set will learn the noise: the training loss keeps falling while the loss on
held-out data turns up. The per-epoch losses in ``history_`` (the *learning
curves*) show it, and the estimators' parameters offer three remedies besides
a smaller ``hidden_size``:

* ``weight_decay``: an L2 penalty on the weights;
* ``dropout``: random zeroing of hidden units during training;
* ``early_stopping``: stop when the held-out loss stops improving, and keep
  the best epoch's weights.
"""

# %%
# A small noisy data set
# ----------------------
# 200 sequences of 20 steps and 3 features; the target depends on the last
# few steps, plus noise of half the signal's standard deviation.

import matplotlib.pyplot as plt
import numpy as np

from sksequence import GRURegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(200, 20, 3)).astype(np.float32)
signal = X[:, -5:, 0].mean(axis=1) + 0.5 * np.tanh(X[:, -1, 1] * X[:, -2, 2])
y = signal + 0.5 * signal.std() * rng.normal(size=len(X))

# %%
# Four fits
# ---------
# Every fit holds out the last 20% of the sequences as a validation set, so
# that ``history_`` records a ``valid_loss`` per epoch. For the first three,
# the patience ``n_iter_no_change`` equals ``max_epochs``: they never stop
# early and their curves run the full 120 epochs. Losses are mean squared
# errors of the standardized target (1.0 = predicting the mean).
common = dict(hidden_size=64, max_epochs=120, lr=3e-3, validation_fraction=0.2)
models = {
    "no regularization": GRURegressor(**common, n_iter_no_change=120),
    "weight_decay=1e-2": GRURegressor(
        **common, n_iter_no_change=120, weight_decay=1e-2
    ),
    "dropout=0.5": GRURegressor(**common, n_iter_no_change=120, dropout=0.5),
    "early stopping (patience 10)": GRURegressor(**common, n_iter_no_change=10),
}
for name, model in models.items():
    model.set_params(random_state=0).fit(X, y)
    h = model.history_
    print(
        f"{name:<29} epochs {model.n_iter_:>3}, best valid loss "
        f"{h.valid_loss.min():.3f} (epoch {h.valid_loss.idxmin()}), "
        f"last {h.valid_loss.iloc[-1]:.3f}"
    )

# %%
# Learning curves
# ---------------
# Without regularization the training loss heads to zero while the
# validation loss, after a minimum in the first epochs, climbs well above it:
# the network memorizes the 160 training sequences. Weight decay keeps the
# weights small: the training loss cannot reach zero and the validation loss
# stays near its minimum. Dropout (here only on the last hidden state, before
# the output layer, since there is one layer) slows the memorization but
# does not stop it. (The training loss with dropout is measured with dropout
# active; the validation loss never uses dropout.) Early stopping ends
# training ``n_iter_no_change`` epochs after the minimum and restores the
# weights of the best epoch (marked); it is on by default.
#
# In practice, combine them: pick ``hidden_size`` and ``weight_decay`` or
# ``dropout`` by cross-validation (see
# :ref:`sphx_glr_auto_examples_plot_hidden_size_validation_curve.py`) and
# leave early stopping on.
fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True, sharey=True)
for ax, (name, model) in zip(axes.flat, models.items()):
    h = model.history_
    ax.plot(h.index, h["train_loss"], label="training loss")
    ax.plot(h.index, h["valid_loss"], label="validation loss")
    best = h["valid_loss"].idxmin()
    ax.plot(best, h["valid_loss"][best], "k*", ms=10, label="best epoch")
    ax.axhline(1.0, color="0.7", ls="--", lw=1)
    ax.set_title(name)
    ax.set_ylim(0, 2)
for ax in axes[1]:
    ax.set_xlabel("epoch")
for ax in axes[:, 0]:
    ax.set_ylabel("MSE (standardized y)")
axes[0, 0].legend(loc="upper right")
fig.tight_layout()

# sphinx_gallery_start_ignore
# Run as a script, the example also saves its figure (tests/test_examples.py
# checks it); the gallery page shows it above.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

out_dir = Path(os.environ.get("SKSEQUENCE_EXAMPLES_OUT", Path(__file__).parent))
fig.savefig(out_dir / "overfitting_regularization.png", dpi=100)
# sphinx_gallery_end_ignore
