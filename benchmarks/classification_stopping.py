"""Where a classifier's training could stop: test accuracy at every epoch.

Fits ``<Cell>Classifier(random_state=seed, n_threads=1)`` with every other
parameter at the package's defaults on sequences scaled by a
:class:`~sksequence.SequenceScaler` (the pipeline of
``benchmarks/classification.py``), recording the training loss and the test
accuracy after every epoch (a skorch callback runs the network on the test
set; nothing of it reaches training). A stopping rule can then be judged
offline: the rule "stop once the training loss is at most ``floor``" is
applied to each recorded run, and its accuracy is the one recorded at the
epoch it stops at -- exact, since without a holdout the weights are the
last epoch's. The sets are the five of ``benchmarks/classification.py``
with fewer than 500 training sequences (PLAID keeps its holdout), in
archive order; the tuning half is GunPoint, ArrowHead and OSULeaf.

Run from the repository's root::

    python benchmarks/classification_stopping.py --cell GRU --seeds 5

The floor 3e-4 of ``early_stopping="auto"`` (``AUTO_FITTED_LOSS``) was
chosen from this output on the tuning half, recorded before the floor
existed (``docs/benchmarks/classification_stopping.txt``); with the floor in
place the ``current`` rows are the defaults' own stopping. The classifiers'
floor 1e-3 (``AUTO_FITTED_CROSS_ENTROPY``) was chosen from it again once
``readout="mean_max"`` was the default, recorded with the floor at 3e-4
(``docs/benchmarks/classification_run9.txt``); a recording stops at the
current floor, so only floors at or above it can be judged.
"""

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

SETS = ("GunPoint", "ItalyPowerDemand", "ArrowHead", "OSULeaf", "ACSF1")
FLOORS = (1e-2, 3e-3, 1e-3, 3e-4)


def record(cell, name, seeds):
    """Training loss and test accuracy per epoch, and the final score."""
    import torch
    from skorch.callbacks import Callback

    import sksequence

    sys.path.insert(0, os.path.dirname(__file__))
    from quality import npz

    class TestAccuracy(Callback):
        def __init__(self, X, codes):
            self.X, self.codes = torch.as_tensor(X, dtype=torch.float32), codes

        def on_epoch_end(self, net, **kwargs):
            module = net.module_
            training = module.training
            module.eval()
            with torch.no_grad():
                out = module(self.X)
            module.train(training)
            accuracy = float((out.argmax(-1).numpy() == self.codes).mean())
            net.history.record("test_acc", accuracy)

    torch.set_num_threads(1)
    X, y, X_test, y_test = npz(name)
    scaler = sksequence.SequenceScaler().fit(X)
    X, X_test = scaler.transform(X), scaler.transform(X_test)
    codes = np.searchsorted(np.unique(y), y_test)
    Classifier = getattr(sksequence, f"{cell}Classifier")
    runs = []
    for seed in range(seeds):
        clf = Classifier(
            random_state=seed,
            n_threads=1,
            callbacks=[("test_acc", TestAccuracy(X_test, codes))],
        ).fit(X, y)
        history = clf.net_.history
        # the epoch early stopping ends has no test_acc (it stops first)
        runs.append(
            dict(
                loss=np.array(history[:, "train_loss"]),
                acc=np.array(history[:, "test_acc"] if len(history) > 1 else []),
                final=float(clf.score(X_test, y_test)),
            )
        )
    return runs


def stop_at(run, floor):
    """Epoch (1-based) and accuracy of ``run`` stopped by ``floor``."""
    hit = np.nonzero(run["loss"] <= floor)[0]
    if not len(hit) or hit[0] + 1 >= len(run["loss"]):
        return len(run["loss"]), run["final"]
    return hit[0] + 1, float(run["acc"][hit[0]])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", choices=("GRU", "LSTM", "RNN"), default="GRU")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    args = parser.parse_args(argv)
    print(f"{args.cell}Classifier defaults, seeds 0..{args.seeds - 1}, 1 thread")
    print(f"{'set':<18} {'rule':<13} {'accuracy':>15} {'epochs':>8}")
    for name in args.sets:
        runs = record(args.cell, name, args.seeds)
        rows = [("current", [(len(r["loss"]), r["final"]) for r in runs])]
        rows += [(f"floor {f:g}", [stop_at(r, f) for r in runs]) for f in FLOORS]
        for rule, stops in rows:
            accs = [a for _, a in stops]
            sd = np.std(accs, ddof=1) if len(accs) > 1 else 0.0
            print(
                f"{name:<18} {rule:<13} {np.mean(accs):>7.3f} ± {sd:.3f} "
                f"{np.mean([e for e, _ in stops]):8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
