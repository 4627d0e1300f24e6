"""
===============================
Classifying GunPoint with a GRU
===============================

GunPoint is a small benchmark of the UCR archive: each sequence is the
horizontal position of an actor's hand over 150 time steps, while the actor
either draws a replica gun from a holster and points it, or points with the
finger alone: two classes, labelled ``"1"`` and ``"2"``. The official split
has only 50 training and 150 test sequences. We train a
:class:`~sksequence.GRUClassifier` on the training part and compare its test
accuracy with published results.
"""

# %%
# The data
# --------
# The loader returns float32 arrays of shape ``(n_samples, 150, 1)`` and the
# labels as strings.

import matplotlib.pyplot as plt
from sklearn.pipeline import make_pipeline

from sksequence import GRUClassifier, SequenceScaler
from sksequence.datasets import load_gunpoint

X_train, X_test, y_train, y_test = load_gunpoint(return_X_y=True)
print("train:", X_train.shape, "test:", X_test.shape)

# %%
# Shorter sequences
# -----------------
# The hand moves slowly compared with the sampling rate, so keeping every
# third time step (50 steps instead of 150) loses little of the shape. It
# makes training about three times faster, and a recurrent network has fewer
# steps to carry its memory across.
step = 3
X_train_short, X_test_short = X_train[:, ::step], X_test[:, ::step]

# %%
# The model
# ---------
# A :class:`~sksequence.SequenceScaler` standardizes the one feature over all
# samples and time steps. (The UCR series are already z-normalized one by
# one, so here it changes little, but it keeps the pipeline safe for raw
# data.) The GRU reads each sequence in patches of 2 steps
# (``patch_size="auto"`` keeps the recurrence near 32 steps): causal
# convolutions at four dilations turn each step into features and a patch
# is read as their maximum and mean (``embedding="dilated"``), and it
# classifies the sequence from the mean and maximum of its states over
# the sequence (``readout="mean_max"``).
#
# ``early_stopping="auto"`` (the classifiers' default) holds out nothing:
# a holdout of 50 sequences would be ten, too few to judge an epoch by, and
# on larger sets the held-out loss stopped classifiers before they fit
# their training set. It trains on all 50 and stops when the training loss
# has not improved for ``n_iter_no_change="auto"`` epochs (20 epochs or 150
# optimizer steps, whichever is longer: here 38 epochs of four batches of
# ``batch_size=16``, the default). Only the
# hidden size is set, to half the default: it is enough for one feature and
# trains faster.
clf = make_pipeline(
    SequenceScaler(),
    GRUClassifier(hidden_size=32, random_state=0),
)
clf.fit(X_train_short, y_train)
accuracy = clf.score(X_test_short, y_test)

rows = [
    ("1-NN Euclidean", 0.913),
    ("1-NN DTW", 0.907),
    ("FCN", 1.000),
    ("ResNet", 0.991),
    ("GRU (this example)", accuracy),
]
print("\nTest accuracy on the official GunPoint split")
for name, value in rows:
    source = "computed" if name.startswith("GRU") else "published"
    print(f"  {name:<20} {value:.3f}   {source}")

# %%
# The GRU beats both nearest-neighbour baselines and is level with the
# convolutional networks (FCN, ResNet), which are built to detect local
# shapes, such as the small dips of the hand when the gun is drawn or put
# back, wherever they occur: the GRU's convolutional front does the same
# within each patch. Results of small networks on 50 training sequences vary from
# seed to seed by a percent or two.
#
# Example series and learning curve
# ---------------------------------
# At the top, a few training sequences per class; below, the training loss
# per epoch (``history_`` of the fitted classifier, a DataFrame indexed by
# epoch), down until it stopped improving.
gru = clf[-1]
history = gru.history_
fig, (ax_series, ax_loss) = plt.subplots(2, 1, figsize=(7, 7))
for color, label in zip(["C0", "C1"], gru.classes_):
    for i, series in enumerate(X_train[y_train == label][:4]):
        ax_series.plot(
            series[:, 0],
            color=color,
            alpha=0.7,
            label=f"class {label}" if i == 0 else None,
        )
ax_series.set_xlabel("time step")
ax_series.set_title("GunPoint training series")
ax_series.legend()
ax_loss.plot(history.index, history["train_loss"], label="training loss")
ax_loss.set_yscale("log")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("cross-entropy")
ax_loss.set_title(f"Learning curve (test accuracy {accuracy:.3f})")
ax_loss.legend()
fig.tight_layout()

# sphinx_gallery_start_ignore
# Run as a script, the example also saves its figure (tests/test_examples.py
# checks it); the gallery page shows it above.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

out_dir = Path(os.environ.get("SKSEQUENCE_EXAMPLES_OUT", Path(__file__).parent))
fig.savefig(out_dir / "gunpoint.png", dpi=100)
# sphinx_gallery_end_ignore
