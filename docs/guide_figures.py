"""Draw the figures of the user guide's classification and explanation pages.

The PNGs are committed (the docs build does not train a model)::

    OMP_NUM_THREADS=1 python docs/guide_figures.py

* ``classification_gunpoint.png``: GunPoint's training sequences, one panel
  per class, and the classifier's probability of the class "gun" on the
  test sequences;
* ``attribution_bump.png``: the input of one sequence of the recipe on the
  "Explaining predictions" page and its integrated-gradients attributions.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sksequence import GRUClassifier, SequenceScaler  # noqa: E402
from sksequence.datasets import load_gunpoint  # noqa: E402

OUT = Path(__file__).resolve().parent / "_static" / "images"


def classification():
    data = load_gunpoint()
    names = {"1": "gun", "2": "point"}
    y_train = np.array([names[c] for c in data.y_train])
    y_test = np.array([names[c] for c in data.y_test])
    clf = make_pipeline(SequenceScaler(), GRUClassifier(random_state=0))
    clf.fit(data.X_train, y_train)
    gun = list(clf[-1].classes_).index("gun")
    proba = clf.predict_proba(data.X_test)[:, gun]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    for ax, label in zip(axes[:2], ("gun", "point")):
        for seq in data.X_train[y_train == label, :, 0]:
            ax.plot(seq, color="C0" if label == "gun" else "C1", alpha=0.4, lw=1)
        ax.set_title(f'training sequences of class "{label}"')
        ax.set_xlabel("time step")
    axes[0].set_ylabel("hand position")
    bins = np.linspace(0, 1, 21)
    for label, color in (("gun", "C0"), ("point", "C1")):
        axes[2].hist(
            proba[y_test == label], bins=bins, color=color, alpha=0.7, label=label
        )
    axes[2].set_title(f"test: P(gun), accuracy {clf.score(data.X_test, y_test):.3f}")
    axes[2].set_xlabel('predict_proba, column "gun"')
    axes[2].legend(title="true class")
    fig.tight_layout()
    fig.savefig(OUT / "classification_gunpoint.png", dpi=100)


def attribution():
    from sksequence.inspection import attribute, plot_attributions

    rng = np.random.default_rng(0)
    n, n_steps = 400, 30
    X = rng.normal(scale=0.5, size=(n, n_steps, 3))
    has_bump = rng.random(n) < 0.5
    where = rng.integers(8, 22, size=n)
    t = np.arange(n_steps)
    X[has_bump, :, 1] += 2.5 * np.exp(-0.5 * ((t - where[has_bump, None]) / 1.2) ** 2)
    y = np.where(has_bump, "bump", "flat")
    clf = GRUClassifier(hidden_size=16, random_state=0).fit(X[:300], y[:300])
    i = 300 + int(np.flatnonzero(has_bump[300:])[0])
    values = attribute(clf, X[i : i + 1], "integrated_gradients", n_steps=64)
    fig, axes = plt.subplots(2, 1, sharex=True, figsize=(8, 4.5), layout="constrained")
    plot_attributions(X[i], values[0], ax=axes)
    axes[0].set_title(f"one test sequence (predicted: {clf.predict(X[i : i + 1])[0]})")
    fig.savefig(OUT / "attribution_bump.png", dpi=100)


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:] or ["classification", "attribution"]:
        globals()[name]()
