r"""Fit seconds of the GRU classifier's defaults beside its earlier defaults.

``make_pipeline(SequenceScaler(), GRUClassifier(random_state=0))`` with the
package's defaults, and with the defaults before benchmarks/classification.py
(``embedding="patch"``, ``readout="last"``, ``early_stopping=True``, patches
sized from the longest sequence, no ``instance_norm``), and with the
defaults but ``instance_norm=False`` (``no-inorm``, the defaults of the first
run of that benchmark), and with the defaults but ``embedding="conv"``
(``conv``, the one max-pooled convolution before ``"dilated"``), and with
the defaults but ``batch_norm=False`` (``no-bn``, the defaults before the
convolutions were batch-normalized), and with the defaults but every
ragged batch padded to the set's longest sequence (``no-trim``, the
training batches before they were cut to their own longest sequence), and
with the defaults but ``readout="pool"`` (``pool``, the readout before
``"mean_max"``), and with the defaults but a training set counted as
fitted at cross-entropy 3e-4 (``floor-3e-4``, the classifiers' floor before
1e-3), and with the defaults but the learning rate's halving waiting 5
epochs however few optimizer steps they hold (``lr-5-epochs``, before
``AUTO_LR_PATIENCE_STEPS``), on one
thread, one fresh process per fit, the variants alternated (A B C A B C);
median, min and max of the repeats, and the epochs each fit ran. From the
repository's root::

    python benchmarks/classification_fit_times.py GunPoint,ArrowHead 2
    python benchmarks/classification_fit_times.py ArrowHead 3 defaults,no-inorm
    python benchmarks/classification_fit_times.py ArrowHead,OSULeaf 3 defaults,conv
    python benchmarks/classification_fit_times.py GunPoint,OSULeaf 3 defaults,no-bn
    python benchmarks/classification_fit_times.py ArrowHead 3 defaults --cold
    python benchmarks/classification_fit_times.py PLAID 3 defaults,no-trim \
        --max-epochs 10
    python benchmarks/classification_fit_times.py \
        GunPoint,ItalyPowerDemand,ArrowHead,OSULeaf 3 defaults,pool
    python benchmarks/classification_fit_times.py \
        GunPoint,ItalyPowerDemand,ArrowHead,OSULeaf 3 defaults,floor-3e-4
    python benchmarks/classification_fit_times.py \
        GunPoint,ItalyPowerDemand,ArrowHead,OSULeaf,ACSF1 3 defaults,lr-5-epochs

``--max-epochs N`` caps every fit at ``N`` epochs (``max_epochs=N``), for
sets whose full fits take minutes; the seconds per epoch are printed
beside the fit's.

Before the timed fit, each process fits a one-epoch classifier on a tiny
set, untimed, as ``benchmarks/classification.py`` does before its timings
(its ``warm_up``), and prints its seconds (``warm-up``): torch imports its
compiler (``torch._dynamo``) when the first optimizer is built, 1.5-2.5 s
on the benchmark's machine, once per process and not once per fit.
``--cold`` times the first fit of the process instead, that import
included, as the runs of ``docs/benchmarks/classification_fit_times.txt``
and ``classification_fit_times2.txt`` did.
"""

import os
import statistics
import subprocess
import sys

# one fit in a fresh interpreter: prints its seconds and epochs
FIT = r"""
import os, sys, time
os.environ["OMP_NUM_THREADS"] = "1"
sys.path.insert(0, "benchmarks")
import torch
torch.set_num_threads(1)
from quality import npz
from sklearn.pipeline import make_pipeline
import sksequence
from sksequence._constants import AUTO_PATCH_STEPS

name, variant, cold = sys.argv[1], sys.argv[2], sys.argv[3] == "cold"
max_epochs = int(sys.argv[4])
X_train, y_train, _, _ = npz(name)
warm_up = 0.0
if not cold:  # untimed, as benchmarks/classification.py's warm_up
    import numpy as np
    start = time.perf_counter()
    tiny = np.random.default_rng(0).normal(size=(8, 30, 1)).astype(np.float32)
    sksequence.GRUClassifier(max_epochs=1, n_threads=1).fit(tiny, ["a", "b"] * 4)
    warm_up = time.perf_counter() - start
params = {}
if variant == "0.x":
    longest = max(len(x) for x in X_train)
    params = dict(
        embedding="patch", readout="last", early_stopping=True,
        patch_size=-(-longest // AUTO_PATCH_STEPS), instance_norm=False,
    )
elif variant == "no-inorm":
    params = dict(instance_norm=False)
elif variant == "conv":
    params = dict(embedding="conv")
elif variant == "no-bn":
    params = dict(batch_norm=False)
elif variant == "pool":  # the readout before "mean_max"
    params = dict(readout="pool")
elif variant == "floor-3e-4":  # the classifiers' fitted floor before 1e-3
    sksequence.GRUClassifier._auto_fitted_loss = 3e-4
elif variant == "lr-5-epochs":  # the lr halving's patience before its steps' floor
    import sksequence._net as net
    net.AUTO_LR_PATIENCE_STEPS = 0
elif variant == "no-trim":  # batches padded as far as the set's longest sequence
    import sksequence._training as training
    training._trimmed = lambda X: X
if max_epochs:
    params["max_epochs"] = max_epochs
clf = sksequence.GRUClassifier(random_state=0, n_threads=1, **params)
estimator = make_pipeline(sksequence.SequenceScaler(), clf)
start = time.perf_counter()
estimator.fit(X_train, y_train)
print(time.perf_counter() - start, clf.n_iter_, warm_up)
"""
VARIANTS = (
    "defaults",
    "no-inorm",
    "0.x",
    "conv",
    "no-bn",
    "no-trim",
    "pool",
    "floor-3e-4",
    "lr-5-epochs",
)


def fit_seconds(name, variant, cold=False, max_epochs=0):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            FIT,
            name,
            variant,
            "cold" if cold else "warm",
            str(max_epochs),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    seconds, epochs, warm_up = out.stdout.split()
    return float(seconds), int(epochs), float(warm_up)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    cold = "--cold" in argv
    argv = [arg for arg in argv if arg != "--cold"]
    max_epochs = 0
    if "--max-epochs" in argv:
        at = argv.index("--max-epochs")
        max_epochs = int(argv[at + 1])
        del argv[at : at + 2]
    sets, repeats = argv[0].split(","), int(argv[1])
    variants = argv[2].split(",") if len(argv) > 2 else VARIANTS
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        raise SystemExit(f"unknown variants {sorted(unknown)}; choose from {VARIANTS}")
    for name in sets:
        runs = {variant: [] for variant in variants}
        for _ in range(repeats):
            for variant in variants:  # alternated: A B A B
                runs[variant].append(fit_seconds(name, variant, cold, max_epochs))
        for variant, results in runs.items():
            seconds = [s for s, _, _ in results]
            per_epoch = statistics.median(s / e for s, e, _ in results)
            warm_ups = [w for _, _, w in results]
            warm_up = "" if cold else f" warm-up s {statistics.median(warm_ups):.2f}"
            print(
                f"{name:18s} {variant:8s} fit s median "
                f"{statistics.median(seconds):6.2f} (min {min(seconds):.2f}, "
                f"max {max(seconds):.2f}) epochs {[e for _, e, _ in results]}"
                f" s/epoch {per_epoch:.3f}" + warm_up,
                flush=True,
            )


if __name__ == "__main__":
    main()
