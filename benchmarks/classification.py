"""MiniRocket and 1-NN DTW beside the recurrent classifiers' defaults.

What a practitioner compares a first fit with: the strong, cheap baseline of
time-series classification, MiniRocket (aeon's ``MiniRocketClassifier``,
defaults; seconds to fit), and the classic 1-NN DTW (aeon's
``KNeighborsTimeSeriesClassifier(distance="dtw")``, full window), beside

* ``make_pipeline(SequenceScaler(), <Cell>Classifier(random_state=seed))``
  for the GRU, LSTM and Elman RNN cells, every parameter at the package's
  defaults (``n_threads=1``, a runtime setting), and
* the same cells with the defaults they had before this benchmark
  (rows ``<cell> 0.x dflt``: ``embedding="patch"``, ``readout="last"``,
  ``early_stopping=True``, patches sized from the longest sequence), and
* the defaults without the convolutions' batch normalization they had
  before the fifth run (rows ``<cell> no bn``: ``batch_norm=False``), and
* the defaults with the 20 % holdout that ``early_stopping="auto"`` took
  from 500 training sequences before the sixth run, its best epoch
  restored (rows ``<cell> holdout``: ``early_stopping=True``), and
* the defaults with the opt-in training-time augmentation
  ``time_warp=0.2`` (rows ``<cell> warp 0.2``), and
* the defaults with the opt-in training-time augmentation
  ``time_shift=1.0``, every training sequence read from a random start
  (rows ``<cell> shift``), and
* the defaults with the readout they had before the eighth run, the last
  state beside the mean and maximum of the states (rows ``<cell> pool``:
  ``readout="pool"``), and
* the defaults with the embedding they had before ``"dilated"``, one
  causal convolution of 7 steps max-pooled per patch (rows ``<cell> conv``:
  ``embedding="conv"``), and
* the defaults after per-sequence scaling,
  ``SequenceScaler(per_sequence=True, keep_stats=True)``: each sequence
  z-normalized on its own, its level and log scale kept as two features
  (rows ``<cell> per-seq``),

on the benchmark's six classification archives, in this order:
GunPoint, ItalyPowerDemand, ArrowHead, OSULeaf, ACSF1, PLAID. Official
train/test splits, cases in the order of the archive files (ACSF1's and
PLAID's training sets are grouped by class; nothing is shuffled here).
The files are read from ``benchmarks/data/`` (GunPoint and ItalyPowerDemand
from :mod:`sksequence.datasets`), by ``benchmarks/quality.py``'s reader.

Tuning half and report-only half, fixed before the first figure of this
script, and named in its table:

* tuning: GunPoint, ArrowHead, OSULeaf;
* report-only: ItalyPowerDemand, ACSF1, PLAID.

``--sets TuningMix`` adds a tuning set of 567 training sequences built from
the tuning half alone, for the one question no tuning set above could
answer (how ``early_stopping="auto"`` should treat 500 sequences and more):
it trains on the test sets of GunPoint, ArrowHead and OSULeaf (150 + 175 +
242 sequences of 150, 251 and 427 steps, 11 classes named ``set:label``)
and tests on their training sets (286), each part in archive order. Like
PLAID, it is ragged, has 11 classes and is sorted (by source set). It is
not in the default list, and the six sets' table does not include it.

Each half holds one short set the defaults already handle (GunPoint 150
steps; ItalyPowerDemand 24) and two of the long sets where they fall apart
(ArrowHead and OSULeaf: tiny or mid-sized training sets, 251-427 steps;
ACSF1 and PLAID: 1,460 steps sorted by class, and 100-1,344 steps of raw
amplitudes). This differs on purpose from ``benchmarks/quality.py``'s split
for the defaults, whose report half holds all three long, failing sets
(OSULeaf, ACSF1, PLAID): tuned on it, the per-set goals would be chased on
ArrowHead alone. The diagnostics that motivated this benchmark looked at every set
(PLAID's amplitudes, OSULeaf without early stopping), so the report half is
"not tuned on from here on", not "never seen".

Each cell is the mean ± standard deviation over ``--seeds`` model seeds
(``random_state`` 0, 1, ...; MiniRocket's too; 1-NN DTW is deterministic and
runs once), with the mean fit and predict seconds on one thread
(``OMP_NUM_THREADS``, ``NUMBA_NUM_THREADS`` and torch's threads set to 1
before anything is imported). aeon's numba kernels are compiled on a small
generated set before the first timing, so no set pays for the compilation.
MiniRocket needs equal lengths: on PLAID its input is zero-padded to the
longest training sequence (aeon's ``Padder``, fitted on the training set);
DTW and the networks read each sequence at its own length.

From a fresh clone (aeon is an optional benchmark dependency, never a
runtime one; the ``bench`` extra pins the version the published baselines
in ``SOURCES.md`` were computed with)::

    pip install -e ".[bench]"
    python benchmarks/classification.py                 # 5 seeds, ~hours
    python benchmarks/classification.py --seeds 1 --sets GunPoint ItalyPowerDemand
    python benchmarks/classification.py --models minirocket gru gru-seq
"""

import os

# one thread everywhere, before numpy, numba or torch read these
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["NUMBA_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from sksequence._constants import AUTO_PATCH_STEPS  # noqa: E402

SETS = ("GunPoint", "ItalyPowerDemand", "ArrowHead", "OSULeaf", "ACSF1", "PLAID")
# fixed before the first figure; the reason is in the module docstring
TUNING = ("GunPoint", "ArrowHead", "OSULeaf")
REPORT = ("ItalyPowerDemand", "ACSF1", "PLAID")
assert sorted(TUNING + REPORT) == sorted(SETS)
# built from the tuning half (see the docstring); run only when asked for
MIX = "TuningMix"

CELLS = {"gru": "GRU", "lstm": "LSTM", "rnn": "RNN"}
MODELS = (
    "dtw",
    "minirocket",
    *CELLS,
    *(f"{c}-seq" for c in CELLS),
    *(f"{c}-prev" for c in CELLS),
    *(f"{c}-noin" for c in CELLS),
    *(f"{c}-conv" for c in CELLS),
    *(f"{c}-nobn" for c in CELLS),
    *(f"{c}-hold" for c in CELLS),
    *(f"{c}-warp" for c in CELLS),
    *(f"{c}-shift" for c in CELLS),
    *(f"{c}-pool" for c in CELLS),
)
LABELS = {
    "dtw": "1-NN DTW",
    "minirocket": "MiniRocket",
    **{c: f"{p} defaults" for c, p in CELLS.items()},
    **{f"{c}-seq": f"{p} per-seq" for c, p in CELLS.items()},
    **{f"{c}-prev": f"{p} 0.x dflt" for c, p in CELLS.items()},
    **{f"{c}-noin": f"{p} no inorm" for c, p in CELLS.items()},
    **{f"{c}-conv": f"{p} conv" for c, p in CELLS.items()},
    **{f"{c}-nobn": f"{p} no bn" for c, p in CELLS.items()},
    **{f"{c}-hold": f"{p} holdout" for c, p in CELLS.items()},
    **{f"{c}-warp": f"{p} warp 0.2" for c, p in CELLS.items()},
    **{f"{c}-shift": f"{p} shift" for c, p in CELLS.items()},
    **{f"{c}-pool": f"{p} pool" for c, p in CELLS.items()},
}
# the classifiers' defaults before this benchmark (sksequence 0.x): patches of
# the steps side by side, the last state read out, a holdout however small,
# patches sized from the longest training sequence
PREVIOUS_DEFAULTS = {"embedding": "patch", "readout": "last", "early_stopping": True}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="model seeds (default 5)")
    parser.add_argument(
        "--sets",
        nargs="+",
        choices=(*SETS, MIX),
        default=list(SETS),
        help=f"data sets (default: the six; {MIX} only when named)",
    )
    parser.add_argument(
        "--models", nargs="+", choices=MODELS, default=list(MODELS), help="rows"
    )
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1; got {args.seeds}.")
    return args


# -- data -----------------------------------------------------------------------


def load_set(name):
    """``X_train, y_train, X_test, y_test`` in archive order, read as
    ``benchmarks/quality.py`` reads them (:func:`quality.npz`): ``X`` float32
    ``(n, T, 1)``, or a list of ``(T_i, 1)`` arrays for the variable-length
    PLAID."""
    from quality import npz  # the script beside this one

    if name == MIX:
        return tuning_mix(npz)
    return npz(name)


def tuning_mix(npz):
    """The tuning half turned around: its test sets train, its training
    sets test; ragged, labels ``set:label``, each part in archive order."""
    X_train, y_train, X_test, y_test = [], [], [], []
    for part in TUNING:
        Xa, ya, Xb, yb = npz(part)
        X_train += list(Xb)
        y_train += [f"{part}:{label}" for label in yb]
        X_test += list(Xa)
        y_test += [f"{part}:{label}" for label in ya]
    return X_train, np.array(y_train), X_test, np.array(y_test)


def to_aeon(X):
    """aeon's collection layout: ``(n, channels, T)`` or a list of ``(1, T_i)``."""
    if isinstance(X, list):
        return [np.ascontiguousarray(seq.T, dtype=np.float64) for seq in X]
    return np.ascontiguousarray(X.transpose(0, 2, 1), dtype=np.float64)


# -- models: each builds a fresh estimator for a seed -----------------------------


class AeonModel:
    """An aeon classifier on aeon's layout; MiniRocket pads ragged input."""

    def __init__(self, estimator, pad):
        self.estimator, self.pad, self.padder = estimator, pad, None

    def fit(self, X, y):
        X = to_aeon(X)
        if self.pad and isinstance(X, list):
            from aeon.transformations.collection.unequal_length import Padder

            self.padder = Padder(padded_length="max", fill_value=0)
            X = self.padder.fit_transform(X)
        self.estimator.fit(X, y)
        return self

    def predict(self, X):
        X = to_aeon(X)
        if self.padder is not None:
            X = self.padder.transform(X)
        return self.estimator.predict(X)


def build(model, seed, longest=None):
    if model == "dtw":
        from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

        return AeonModel(KNeighborsTimeSeriesClassifier(distance="dtw"), pad=False)
    if model == "minirocket":
        from aeon.classification.convolution_based import MiniRocketClassifier

        return AeonModel(MiniRocketClassifier(random_state=seed), pad=True)
    from sklearn.pipeline import make_pipeline

    import sksequence

    cell, _, variant = model.partition("-")
    scaler = (
        sksequence.SequenceScaler(per_sequence=True, keep_stats=True)
        if variant == "seq"
        else sksequence.SequenceScaler()
    )
    Classifier = getattr(sksequence, CELLS[cell] + "Classifier")
    params = {}
    if variant == "prev":
        params = {
            **PREVIOUS_DEFAULTS,
            "patch_size": -(-longest // AUTO_PATCH_STEPS),
            "instance_norm": False,
        }
    elif variant == "noin":
        params = {"instance_norm": False}
    elif variant == "conv":  # the embedding before "dilated"
        params = {"embedding": "conv"}
    elif variant == "nobn":  # the defaults before batch_norm
        params = {"batch_norm": False}
    elif variant == "hold":  # "auto" from 500 sequences before the sixth run
        params = {"early_stopping": True}
    elif variant == "warp":  # the opt-in augmentation, measured, not a default
        params = {"time_warp": 0.2}
    elif variant == "shift":  # the opt-in augmentation, measured, not a default
        params = {"time_shift": 1.0}
    elif variant == "pool":  # the readout before the eighth run
        params = {"readout": "pool"}
    return make_pipeline(scaler, Classifier(random_state=seed, n_threads=1, **params))


def machine():
    """The CPU and the arithmetic torch runs on it. A seed's figure depends
    on the last bits of the arithmetic, which the CPU and MKL's code path
    for it decide (``MKL_CBWR``): on another machine the tables reproduce
    within the seeds' spread, not to the digit."""
    import platform

    import torch

    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            name = next(
                line.split(":", 1)[1].strip()
                for line in cpuinfo
                if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return (
        f"{name}; torch kernels {torch.backends.cpu.get_cpu_capability()}, "
        f"MKL_CBWR {os.environ.get('MKL_CBWR', 'unset')}"
    )


def warm_up(models):
    """Compile aeon's numba kernels and touch torch, untimed."""
    rng = np.random.default_rng(0)
    y = np.array(["a", "b"] * 4)
    equal = rng.normal(size=(8, 30, 1)).astype(np.float32)
    ragged = [rng.normal(size=(int(n), 1)).astype(np.float32) for n in range(20, 28)]
    for model in models:
        if model in ("dtw", "minirocket"):
            for X in (equal, ragged):
                build(model, 0).fit(X, y).predict(X)
    if any(m not in ("dtw", "minirocket") for m in models):
        import sksequence

        sksequence.GRUClassifier(max_epochs=1, n_threads=1).fit(equal, y).predict(equal)


# -- measuring ----------------------------------------------------------------------


def measure(model, data, seeds):
    """Accuracies (test, train) and fit/predict seconds, one entry per seed."""
    X_train, y_train, X_test, y_test = data
    runs = []
    for seed in [0] if model == "dtw" else range(seeds):
        estimator = build(model, seed, longest=max(len(x) for x in X_train))
        start = time.perf_counter()
        estimator.fit(X_train, y_train)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        pred = estimator.predict(X_test)
        predict_s = time.perf_counter() - start
        # 1-NN on its own training set is 1 by construction (and n² DTWs)
        train = None if model == "dtw" else estimator.predict(X_train)
        runs.append(
            dict(
                acc=float(np.mean(pred == y_test)),
                train=None if train is None else float(np.mean(train == y_train)),
                fit=fit_s,
                predict=predict_s,
                # the epochs a net trained (its last pipeline step's n_iter_)
                epochs=getattr(estimator[-1], "n_iter_", None)
                if hasattr(estimator, "steps")
                else None,
                # the nets' probabilities, for the seed ensemble (no refit)
                proba=(
                    estimator.predict_proba(X_test)
                    if hasattr(estimator, "predict_proba")
                    else None
                ),
                classes=getattr(estimator, "classes_", None),
            )
        )
    return runs


def ensemble_accuracy(runs, y_test):
    """Test accuracy of the seeds' mean probabilities: what an ensemble of
    the ``len(runs)`` fits would score (its fit costs their sum)."""
    if len(runs) < 2 or runs[0]["proba"] is None:
        return None
    mean = np.mean([r["proba"] for r in runs], axis=0)
    return float(np.mean(runs[0]["classes"][mean.argmax(axis=1)] == y_test))


def mean_sd(values):
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.fmean(values), sd


def half(name):
    return "tuning" if name in (*TUNING, MIX) else "report-only"


def describe(name, data):
    X_train, y_train, X_test, _ = data
    lengths = (
        sorted({len(s) for s in X_train})
        if isinstance(X_train, list)
        else [X_train.shape[1]]
    )
    length = f"{lengths[0]}-{lengths[-1]}" if len(lengths) > 1 else str(lengths[0])
    n_classes = len(np.unique(y_train))
    return (
        f"{name} ({half(name)}): train {len(X_train)}, test {len(X_test)}, "
        f"length {length}, {n_classes} classes"
    )


def main(argv=None):
    args = parse_args(argv)
    import sklearn
    import torch

    import sksequence

    torch.set_num_threads(1)
    try:
        import aeon
    except ImportError:
        if {"dtw", "minirocket"} & set(args.models):
            raise SystemExit(
                "aeon is needed for the MiniRocket and 1-NN DTW rows: "
                'pip install -e ".[bench]" (or leave them out with --models).'
            ) from None
        aeon = None

    print(__doc__.splitlines()[0])
    print(
        f"sksequence {sksequence.__version__} "
        f"({os.path.dirname(sksequence.__file__)}), torch {torch.__version__}, "
        f"scikit-learn {sklearn.__version__}, "
        f"aeon {getattr(aeon, '__version__', '-')}, numpy {np.__version__}; "
        f"1 thread; seeds 0..{args.seeds - 1}; data from benchmarks/data"
    )
    print(f"machine: {machine()}")
    print(f"tuning half:      {', '.join(TUNING)}")
    print(f"report-only half: {', '.join(REPORT)}  (not tuned on)")
    print()

    warm_up(args.models)
    header = (
        f"{'set (half)':<32} {'model':<16} {'test accuracy':>15} "
        f"{'train acc':>9} {'fit s':>8} {'predict s':>9} {'epochs':>7}"
    )
    results = {}
    for name in args.sets:
        data = load_set(name)
        print(describe(name, data))
        print(header)
        for model in args.models:
            runs = measure(model, data, args.seeds)
            results[name, model] = runs
            acc, sd = mean_sd([r["acc"] for r in runs])
            trains = [r["train"] for r in runs if r["train"] is not None]
            train = f"{statistics.fmean(trains):9.3f}" if trains else f"{'-':>9}"
            epochs = [r["epochs"] for r in runs if r["epochs"] is not None]
            epochs = f"{statistics.median(epochs):7.0f}" if epochs else f"{'-':>7}"
            print(
                f"{f'{name} ({half(name)})':<32} {LABELS[model]:<16} "
                f"{acc:>7.3f} ± {sd:<5.3f} {train} "
                f"{statistics.fmean(r['fit'] for r in runs):8.2f} "
                f"{statistics.fmean(r['predict'] for r in runs):9.2f} {epochs}",
                flush=True,
            )
            ensemble = ensemble_accuracy(runs, data[3])
            if ensemble is not None:
                print(
                    f"{'':<32} {f'  {len(runs)}-seed ens.':<16} {ensemble:>7.3f}"
                    f"{'':>18}{sum(r['fit'] for r in runs):8.2f}",
                    flush=True,
                )
        print()

    # the summary: mean test accuracy, one row per set, halves marked
    width = max(len(LABELS[m]) for m in args.models) + 1
    print("mean test accuracy over seeds")
    print(
        f"{'set':<18} {'half':<12}"
        + "".join(f"{LABELS[m]:>{width}}" for m in args.models)
    )
    for name in args.sets:
        cells = "".join(
            f"{mean_sd([r['acc'] for r in results[name, m]])[0]:>{width}.3f}"
            for m in args.models
        )
        print(f"{name:<18} {half(name):<12}" + cells)
    fits = {
        m: statistics.median(
            statistics.fmean(r["fit"] for r in results[n, m]) for n in args.sets
        )
        for m in args.models
    }
    print(
        f"{'median fit s':<31}" + "".join(f"{fits[m]:>{width}.2f}" for m in args.models)
    )
    return results


if __name__ == "__main__":
    main()
