"""
===========================================
Variable-length sequences: padding for free
===========================================

Real sequences rarely share one length: sentences, sessions, patients'
visits. The sequence estimators accept a plain Python **list of arrays of
different lengths**. They pad the batch internally and *pack* it (PyTorch's
:func:`~torch.nn.utils.rnn.pack_padded_sequence`), so the network stops
reading each sequence at its own last step: a prediction is exactly the one
the sequence would get on its own.

The usual shortcut, padding every sequence with zeros to the longest length
and passing a 3-D array, makes the padding part of the data: the network
reads the zeros, has to learn to ignore them, and its prediction for a
sequence changes with the amount of padding.
"""

# %%
# Ragged data
# -----------
# 600 univariate sequences of 5 to 40 steps. The target is the sum of the
# last three values: it sits at the *end* of each sequence, which is where
# zero padding hides it.

import matplotlib.pyplot as plt
import numpy as np

from sksequence import GRURegressor

rng = np.random.default_rng(0)
lengths = rng.integers(5, 41, size=600)
sequences = [rng.normal(size=(n, 1)).astype(np.float32) for n in lengths]
y = np.array([s[-3:, 0].sum() for s in sequences])
train, test = slice(0, 450), slice(450, None)
X_train, X_test = sequences[train], sequences[test]
print("lengths of the first five sequences:", [len(s) for s in sequences[:5]])

# %%
# A list in, packed batches inside
# --------------------------------
# Nothing to do but pass the list.
params = dict(hidden_size=16, max_epochs=30, lr=5e-3, random_state=0)
ragged = GRURegressor(**params).fit(X_train, y[train])
print(f"list input:        test R^2 = {ragged.score(X_test, y[test]):.3f}")

# %%
# Predictions do not depend on the batch
# --------------------------------------
# Predict each test sequence on its own and within the whole test set (where
# it is padded to the longest test sequence). The two agree to float64
# rounding: padding never reaches an output. (Predictions run in float64,
# see :ref:`the user guide <variable_length>`.)
alone = np.array([ragged.predict([s])[0] for s in X_test])
together = ragged.predict(X_test)
print(f"max |alone - in a batch| = {np.max(np.abs(alone - together)):.1e}")

# %%
# The zero-padding shortcut
# -------------------------
# Pad every sequence at the end with zeros up to 40 steps and train the same
# model on the 3-D array. Its last steps are mostly padding, so the target
# has to be found somewhere in the middle.


def zero_pad(seqs, length):
    out = np.zeros((len(seqs), length, 1), dtype=np.float32)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out


padded = GRURegressor(**params).fit(zero_pad(X_train, 40), y[train])
print(
    f"zero-padded input: test R^2 = {padded.score(zero_pad(X_test, 40), y[test]):.3f}"
)

# %%
# And its predictions move with the amount of padding: the same sequences,
# padded to 60 steps instead of 40, get other predictions.
shift = padded.predict(zero_pad(X_test, 60)) - padded.predict(zero_pad(X_test, 40))
print(f"zero-padded model, max change when padded to 60: {np.max(np.abs(shift)):.2f}")

# %%
# The figure shows predicted against true targets, by sequence length: the
# packed model is equally good for short and long sequences; the zero-padded
# one is worst for the short sequences, those with the most padding.
fig, axes = plt.subplots(
    2, 1, figsize=(7, 7), sharex=True, sharey=True, layout="constrained"
)
cases = [
    ("list of sequences (packed)", together),
    ("zero-padded 3-D array", padded.predict(zero_pad(X_test, 40))),
]
for ax, (title, pred) in zip(axes, cases):
    points = ax.scatter(y[test], pred, c=lengths[test], cmap="viridis", s=14)
    lims = [y.min(), y.max()]
    ax.plot(lims, lims, color="0.5", lw=1)
    r2 = 1 - np.sum((pred - y[test]) ** 2) / np.sum((y[test] - y[test].mean()) ** 2)
    ax.set_title(f"{title}: R² = {r2:.2f}")
    ax.set_ylabel("prediction")
axes[-1].set_xlabel("true sum of the last 3 values")
fig.colorbar(points, ax=axes, label="sequence length")

# sphinx_gallery_start_ignore
# Run as a script, the example also saves its figure (tests/test_examples.py
# checks it); the gallery page shows it above.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

out_dir = Path(os.environ.get("SKSEQUENCE_EXAMPLES_OUT", Path(__file__).parent))
fig.savefig(out_dir / "variable_length.png", dpi=100)
# sphinx_gallery_end_ignore
