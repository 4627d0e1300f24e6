"""
=====================================================
Long memory: the adding problem for RNN, LSTM and GRU
=====================================================

The *adding problem* (Hochreiter and Schmidhuber, 1997) is the classic test of
long-range memory. Each sequence has two channels: random numbers in
``[0, 1)`` and a marker that is 1 at exactly two time steps, one in each half
of the sequence, and 0 elsewhere. The target is the sum of the two marked
numbers. Nothing but memory helps: the first marked number must be kept for
up to ``T`` steps, while ``T - 2`` distracting numbers stream past.

We train a :class:`~sksequence.RNNRegressor`, an
:class:`~sksequence.LSTMRegressor` and a :class:`~sksequence.GRURegressor`
of the same hidden size on sequences of ``T = 50`` steps and look at *why*
the plain RNN fails: the gradient that reaches early time steps vanishes.
"""

# %%
# The data
# --------
# Predicting the mean (1.0) for every sequence has a mean squared error equal
# to the variance of the target, about ``2 / 12 = 0.167``: that is the score
# of a model that has learned nothing.
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from sksequence import GRURegressor, LSTMRegressor, RNNRegressor


def adding_problem(n_samples, n_timesteps, rng):
    X = np.zeros((n_samples, n_timesteps, 2), dtype=np.float32)
    X[:, :, 0] = rng.uniform(size=(n_samples, n_timesteps))
    first = rng.integers(0, n_timesteps // 2, size=n_samples)
    second = rng.integers(n_timesteps // 2, n_timesteps, size=n_samples)
    rows = np.arange(n_samples)
    X[rows, first, 1] = 1.0
    X[rows, second, 1] = 1.0
    y = X[rows, first, 0] + X[rows, second, 0]
    return X, y


T = 50
rng = np.random.default_rng(0)
X_train, y_train = adding_problem(1500, T, rng)
X_test, y_test = adding_problem(1000, T, rng)
baseline = np.mean((y_test - y_train.mean()) ** 2)
print(f"MSE of always predicting the mean: {baseline:.3f}")

# %%
# Three models, one budget
# ------------------------
# Same hidden size, learning rate, epochs and seed for all three. Early
# stopping holds out the last 20% of the training sequences; its patience is
# set to the number of epochs so that every model trains for the whole budget
# and ``history_`` records a validation loss for every epoch (in units of the
# target variance: the regressors standardize ``y`` internally, so 1.0 means
# "no better than the mean"). ``patch_size=1`` makes each model read all
# 50 steps one at a time (by default sequences this long are read in
# patches of 2 steps, which halves the path the gradient has to cross).
params = dict(
    hidden_size=16,
    max_epochs=20,
    lr=1e-2,
    validation_fraction=0.2,
    n_iter_no_change=20,
    patch_size=1,  # every step: the cells themselves, not patches of steps
    random_state=0,
)
models = {
    "RNN": RNNRegressor(**params),
    "LSTM": LSTMRegressor(**params),
    "GRU": GRURegressor(**params),
}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    mse = np.mean((model.predict(X_test) - y_test) ** 2)
    print(f"{name:>4}: test MSE {mse:.4f}  ({time.perf_counter() - start:.1f} s)")

# %%
# Where the gradient goes
# -----------------------
# Why does the RNN stay at the baseline? To learn to keep the first marked
# number, the loss must send a signal back to the step where it appeared.
# The size of that signal is the gradient of the prediction with respect to
# the input at step ``t``, :math:`\|\partial \hat y / \partial x_t\|`. In an
# Elman RNN it is a product of ``T - t`` Jacobians
# :math:`\operatorname{diag}(f'(\cdot))\,U`, which shrinks geometrically when
# their norm is below one. The LSTM's cell state and the GRU's update gate
# give it an additive path, :math:`c_t = f_t \odot c_{t-1} + \dots`, along
# which it can survive. We measure it on the trained networks
# (``model.net_.module_`` is the torch module), averaged over test
# sequences.


def input_gradient(model, X):
    module = model.net_.module_.eval()
    x = torch.tensor(X, requires_grad=True)
    module(x).sum().backward()
    return x.grad.norm(dim=2).mean(dim=0).numpy()


gradients = {name: input_gradient(m, X_test[:200]) for name, m in models.items()}
for name, grad in gradients.items():
    print(f"{name:>4}: |dy/dx_t| at t=0: {grad[0]:.1e}, at t=T-1: {grad[-1]:.1e}")

# %%
# The top panel shows the validation loss per epoch; the bottom one the
# gradient reaching each time step, on a log scale. The RNN's gradient from
# the first half of the sequence is orders of magnitude below that from the
# last steps: it only ever learns from the recent past, so it predicts
# roughly "second marked number + 0.5". The LSTM and the GRU keep the
# gradient alive over all 50 steps and solve the task.
#
# Gradient *clipping* (``gradient_clip``, on by default at norm 1.0) guards
# against the opposite problem, gradients that *explode*; it rescales large
# gradients but cannot enlarge vanishing ones.
fig, (ax_loss, ax_grad) = plt.subplots(2, 1, figsize=(7, 7))
for name, model in models.items():
    ax_loss.plot(model.history_.index, model.history_["valid_loss"], label=name)
    ax_grad.semilogy(np.arange(T), gradients[name], label=name)
ax_loss.axhline(1.0, color="0.5", ls="--", lw=1, label="predict the mean")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("validation MSE (standardized y)")
ax_loss.set_title(f"Adding problem, T = {T}")
ax_loss.legend()
ax_grad.axvline(T // 2, color="0.8", lw=1)
ax_grad.set_xlabel("time step t")
ax_grad.set_ylabel("mean |d prediction / d x_t|")
ax_grad.set_title("Gradient reaching each input step")
ax_grad.legend()
fig.tight_layout()

# sphinx_gallery_start_ignore
# Run as a script, the example also saves its figure (tests/test_examples.py
# checks it); the gallery page shows it above.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

out_dir = Path(os.environ.get("SKSEQUENCE_EXAMPLES_OUT", Path(__file__).parent))
fig.savefig(out_dir / "long_memory.png", dpi=100)
# sphinx_gallery_end_ignore
