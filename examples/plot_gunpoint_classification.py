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
# data.) The GRU reads each sequence, in patches of 2 steps
# (``patch_size="auto"`` keeps the recurrence within 32 steps), and
# classifies it from its last hidden state.
#
# With only 50 training sequences, early stopping needs care: it validates
# on few sequences, and the loss of a recurrent classifier can sit at chance
# level for tens of epochs before it falls. The defaults are set for such
# data (see the user guide's "Defaults" page): ``validation_fraction=0.2``
# (the default) holds out ten sequences, five of each class
# (``validation_split="auto"``: stratified for classifiers), and
# ``n_iter_no_change="auto"``
# (the default) waits 20 epochs or 150 optimizer steps, whichever is
# longer: here 50 epochs of three batches of ``batch_size=16`` (the
# default). The weights of the best epoch are restored at the end. Only the
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
# The GRU beats both nearest-neighbour baselines. The convolutional networks
# (FCN, ResNet) do better still: they are built to detect local shapes, such
# as the small dips of the hand when the gun is drawn or put back, wherever
# they occur. Results of small networks on 50 training sequences vary from
# seed to seed by a percent or two.
#
# Example series and learning curve
# ---------------------------------
# At the top, a few training sequences per class; below, the loss per
# epoch on the training sequences and on the ten held-out ones
# (``history_`` of the fitted classifier, a DataFrame indexed by epoch).
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
ax_loss.plot(history.index, history["train_loss"], label="train")
ax_loss.plot(history.index, history["valid_loss"], label="validation")
best_epoch = history["valid_loss"].idxmin()  # the index is the epoch number
ax_loss.axvline(best_epoch, color="0.6", ls="--", label="best epoch (restored)")
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
