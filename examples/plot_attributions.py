"""
=================================================
Which time steps drive a prediction? Attributions
=================================================

A recurrent classifier reads a whole sequence before it answers; which steps
and which features did it look at? :func:`sksequence.inspection.attribute`
answers per time step and per feature, with the attribution methods of
`Captum <https://captum.ai>`_ (``pip install sksequence[explain]``).

We build a task whose answer we know: three noisy channels, and the class
``"bump"`` when channel ``x1`` carries a short bump somewhere in the middle
of the sequence (at a different place in every sequence), ``"flat"``
otherwise. A model that solved it should attribute its answer to the bump
and to nothing else.
"""

# %%
# The data and the model
# ----------------------

import matplotlib.pyplot as plt
import numpy as np

from sksequence import GRUClassifier
from sksequence.inspection import attribute, plot_attributions

rng = np.random.default_rng(0)
n, n_steps, n_features = 600, 30, 3
X = rng.normal(scale=0.5, size=(n, n_steps, n_features)).astype(np.float32)
has_bump = rng.random(n) < 0.5
where = rng.integers(8, 22, size=n)  # the bump's centre
t = np.arange(n_steps)
bump = 2.5 * np.exp(-0.5 * ((t[None, :] - where[:, None]) / 1.2) ** 2)
X[has_bump, :, 1] += bump[has_bump]
y = np.where(has_bump, "bump", "flat")

n_train = 500
clf = GRUClassifier(hidden_size=16, max_epochs=30, lr=1e-2, random_state=0)
clf.fit(X[:n_train], y[:n_train])
print(f"test accuracy: {clf.score(X[n_train:], y[n_train:]):.3f}")

# %%
# Attributions
# ------------
# For a classifier, ``attribute`` explains the *logit* of a class: by
# default the class it predicts for each sequence. Integrated gradients
# integrate the gradient along the straight path from a baseline (here
# zeros: no signal) to the input; the attributions of a sequence add up to
# its logit minus the logit of the baseline. Feature ablation replaces one
# value at a time by the baseline and records how much the logit drops.
X_test, y_test = X[n_train:], y[n_train:]
ig = attribute(clf, X_test, "integrated_gradients", n_steps=64)
ablation = attribute(clf, X_test, "feature_ablation")

# How much of the attribution falls on the bump (channel x1, within 3 steps
# of its centre), over the test sequences that have one?
centre = where[n_train:]
near = np.abs(t[None, :] - centre[:, None]) <= 3
mask = np.zeros(X_test.shape, dtype=bool)
mask[:, :, 1] = near
rows = y_test == "bump"
for name, values in [("integrated gradients", ig), ("feature ablation", ablation)]:
    mass = np.abs(values[rows])
    share = mass[mask[rows]].sum() / mass.sum()
    print(f"{name}: {share:.0%} of the attribution on the bump")

# %%
# One sequence, two methods
# -------------------------
# The input above, its attributions below (red: pushes towards the
# predicted class, blue: against it). Both methods point at the bump in
# ``x1``; the noise in ``x0`` and ``x2`` gets almost nothing.
i = int(np.flatnonzero(rows)[0])
fig, axes = plt.subplots(2, 2, sharex=True, figsize=(9, 6))
for col, (name, values) in enumerate(
    [("integrated gradients", ig), ("feature ablation", ablation)]
):
    plot_attributions(X_test[i], values[i], ax=axes[:, col])
    axes[0, col].set_title(f"{name} (predicted: {clf.predict(X_test[i : i + 1])[0]})")

# sphinx_gallery_start_ignore
# Run as a script, the example also saves its figure (tests/test_examples.py
# checks it); the gallery page shows it above.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

out_dir = Path(os.environ.get("SKSEQUENCE_EXAMPLES_OUT", Path(__file__).parent))
fig.savefig(out_dir / "attributions.png", dpi=100)
# sphinx_gallery_end_ignore
