"""Test scores of sksequence with its DEFAULT parameters, beside published baselines.

The "first fit" a user makes, no tuning: the documented recipe
``make_pipeline(SequenceScaler(), GRUClassifier(random_state=seed))`` (or
``GRURegressor``): inputs standardized, every estimator parameter at
whatever the package defaults are when this script runs (regressors also
standardize their targets internally), on

* GunPoint and ItalyPowerDemand (UCR, official train/test splits; accuracy),
* airline (144 months; one-step-ahead MAE in thousands of passengers on the
  last 36 months). The series is logged and differenced at lag 12,
  ``z[t] = log y[t] - log y[t - 12]`` (the change over the same month a
  year earlier, free of trend and season, as in SARIMA's airline model and
  ``examples/demo.py``); windows of the last 12 values of ``z`` predict the
  next one, and the forecast is ``y[t - 12] * exp(z)``,
* two generated tasks that keep the defaults honest (they are not among the
  classic sets the defaults could have been tuned on):

  - ``multi-sine``: 800 steps of three sines (periods 23, 61, 7.3) plus
    Gaussian noise (sd 0.3); window 30, forecast one step ahead; R² on the
    last 20 % of windows. The noise caps R² near 0.89.
  - ``motif (ragged)``: 300 train / 300 test univariate sequences of random
    lengths 20-80 (a list of arrays: padded and packed), Gaussian noise
    (sd 0.7); class 1 iff a 6-step motif ``0 1.5 -1.5 1.5 -1.5 0`` was added
    at a random position; accuracy.

Each score is the mean ± standard deviation over ``--seeds`` model seeds
(``random_state`` = 0, 1, ...; the data are fixed), with the median fit time
and the median number of epochs. Then, separately, a small grid search over
``hidden_size`` in [16, 32, 64] (``GridSearchCV``, refit on the whole
training set; ``TimeSeriesSplit(3)`` for the forecasting tasks,
``StratifiedKFold(3)`` for classification), over the same seeds.

Baselines: published numbers (UCR archive; Fawaz et al. 2019, "Deep learning
for time series classification: a review"; airline: see
``sksequence/datasets/data/SOURCES.md``), and, for the generated tasks,
simple references computed here: a ridge autoregression on the same windows
(multi-sine) and a matched filter that knows the motif (max correlation over
positions, threshold fitted on the training set: close to the best
achievable).

    python benchmarks/quality.py                # 5 seeds + grid search
    python benchmarks/quality.py --quick        # 1 seed, no grid search
    python benchmarks/quality.py --seeds 3 --threads 1 --cell lstm
    python benchmarks/quality.py --no-grid --init orthogonal

Scores of small networks on small data move by a few points between seeds:
read the ± column before comparing with a baseline.
"""

import argparse
import ast
import json
import os
import statistics
import sys
import time


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="model seeds (default 5)")
    parser.add_argument("--quick", action="store_true", help="1 seed")
    parser.add_argument(
        "--grid", action="store_true", help="also grid-search hidden_size"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (default 1)"
    )
    parser.add_argument(
        "--cells",
        nargs="+",
        choices=["gru", "lstm", "rnn"],
        default=["gru", "lstm", "rnn"],
        help="recurrent cells (default all three)",
    )
    parser.add_argument(
        "--half",
        choices=["tune", "report", "all"],
        default="all",
        help="the tuning half, the report half, or both (default)",
    )
    parser.add_argument("--tasks", nargs="+", default=None, help="a subset of tasks")
    parser.add_argument(
        "--orders",
        nargs="+",
        choices=["archive", "shuffled"],
        default=["archive", "shuffled"],
        help="training-set orders of the sets of independent sequences",
    )
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
    parser.add_argument(
        "--set",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="experiment: estimator parameters that replace the defaults "
        "(VALUE is a Python literal), e.g. --set lr=0.01 n_iter_no_change=50",
    )
    parser.add_argument(
        "--init",
        choices=["default", "orthogonal"],
        default="default",
        help="experiment: 'orthogonal' re-initializes every recurrent weight "
        "matrix orthogonally (per gate) and, for LSTMs, sets the forget-gate "
        "bias to 1, to compare with PyTorch's initialization (the default)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds = 1
    args.params = {
        name: ast.literal_eval(value)
        for name, value in (item.split("=", 1) for item in args.set)
    }
    return args


# The published baselines, as (name, score). Higher is better for accuracy
# and R², lower for MAE.
PUBLISHED = {
    "GunPoint": [
        ("1-NN DTW", 0.907),
        ("1-NN ED", 0.913),
        ("FCN", 1.000),
        ("ResNet", 0.991),
    ],
    "ItalyPowerDemand": [("1-NN DTW", 0.950), ("1-NN ED", 0.955), ("ResNet", 0.963)],
    "airline": [("seasonal naive", 35.9), ("Holt-Winters", 20.6), ("SARIMA", 12.2)],
}


# -- data ---------------------------------------------------------------------


def multisine_data(n=800, window=30, test_fraction=0.2, seed=1234):
    import numpy as np

    from sksequence import make_forecasting_data

    rng = np.random.default_rng(seed)
    t = np.arange(n)
    series = (
        np.sin(2 * np.pi * t / 23)
        + 0.6 * np.sin(2 * np.pi * t / 61 + 1.0)
        + 0.4 * np.sin(2 * np.pi * t / 7.3 + 2.0)
        + 0.3 * rng.standard_normal(n)
    )
    X, y = make_forecasting_data(series, window_size=window)
    n_test = int(test_fraction * len(X))
    return X[:-n_test], y[:-n_test], X[-n_test:], y[-n_test:]


MOTIF = (0.0, 1.5, -1.5, 1.5, -1.5, 0.0)


def motif_data(n_train=300, n_test=300, seed=4321):
    import numpy as np

    rng = np.random.default_rng(seed)
    pattern = np.array(MOTIF)

    def make(n):
        X, y = [], []
        for _ in range(n):
            length = int(rng.integers(20, 81))
            x = 0.7 * rng.standard_normal(length)
            label = int(rng.integers(0, 2))
            if label:
                start = int(rng.integers(0, length - len(pattern) + 1))
                x[start : start + len(pattern)] += pattern
            X.append(x.reshape(-1, 1).astype(np.float32))
            y.append(label)
        return X, np.array(y)

    X_train, y_train = make(n_train)
    X_test, y_test = make(n_test)
    return X_train, y_train, X_test, y_test


def airline_data(window=12, n_test=36):
    import numpy as np

    from sksequence import make_forecasting_data
    from sksequence.datasets import load_airline

    log_y = np.log(load_airline())
    z = log_y[12:] - log_y[:-12]  # z[k] is the change at month k + 12
    X, y = make_forecasting_data(z, window_size=window)
    return X[:-n_test], y[:-n_test], X[-n_test:], y[-n_test:]


def airline_mae(model, X_test, y_test):
    """MAE in passengers: y[t] = y[t - 12] * exp(z[t]) for the held-out t."""
    import numpy as np

    from sksequence.datasets import load_airline

    passengers = load_airline()
    months = np.arange(len(passengers) - len(y_test), len(passengers))
    forecast = passengers[months - 12] * np.exp(model.predict(X_test))
    return float(np.mean(np.abs(forecast - passengers[months])))


# -- computed references for the generated tasks --------------------------------


def ridge_ar(task):
    from sklearn.linear_model import RidgeCV
    from sklearn.metrics import r2_score

    X_train, y_train, X_test, y_test = task["data"]
    model = RidgeCV(alphas=(1e-3, 1e-2, 1e-1, 1, 10, 100))
    model.fit(X_train[:, :, 0], y_train)
    return r2_score(y_test, model.predict(X_test[:, :, 0]))


def matched_filter(task):
    import numpy as np

    X_train, y_train, X_test, y_test = task["data"]
    pattern = np.array(MOTIF)

    def feature(X):
        return np.array([np.correlate(x[:, 0], pattern, "valid").max() for x in X])

    f_train, f_test = feature(X_train), feature(X_test)
    thresholds = np.unique(f_train)
    accuracy = [np.mean((f_train > c) == y_train) for c in thresholds]
    best = thresholds[int(np.argmax(accuracy))]
    return float(np.mean((f_test > best) == y_test))


# -- the archive sets of benchmarks/data (SOURCES.md there) ------------------

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
# sets that ship with the package (sksequence.datasets)
PACKAGED = {"GunPoint": "load_gunpoint", "ItalyPowerDemand": "load_italy_power_demand"}


def npz(name):
    import numpy as np

    if name in PACKAGED:
        from sksequence import datasets

        load = getattr(datasets, PACKAGED[name])
        X_train, y_train = load(split="train", return_X_y=True)
        X_test, y_test = load(split="test", return_X_y=True)
        return X_train, y_train, X_test, y_test
    path = os.path.join(DATA_DIR, name + ".npz")
    with np.load(path, allow_pickle=False) as f:
        data = {k: f[k] for k in f.files}
    if "lengths_train" in data:  # ragged (PLAID): flat values + lengths
        for part in ("train", "test"):
            flat, lengths = data[f"X_{part}_flat"], data[f"lengths_{part}"]
            data[f"X_{part}"] = np.split(flat, np.cumsum(lengths)[:-1])
    return data["X_train"], data["y_train"], data["X_test"], data["y_test"]


def series(name, column):
    import pandas as pd

    frame = pd.read_csv(os.path.join(DATA_DIR, name + ".csv"))
    return frame[column].to_numpy(dtype="float64"), frame


def one_step_windows(values, window, *, difference, extra=None):
    """Windows of the last ``window`` values predicting the next one.

    The last 20 % of the series is held out (train = the first ``int(0.8 n)``
    values, as SOURCES.md's naive baselines). With ``difference`` the
    windows and the target are first differences, and the forecast is the
    last value plus the predicted change. ``extra`` (n, k) adds covariate
    columns to the windows.
    """
    import numpy as np

    from sksequence import make_forecasting_data

    n = len(values)
    n_train = int(0.8 * n)
    base = np.diff(values) if difference else values
    offset = 1 if difference else 0  # base[k] belongs to time k + offset
    feats = base.reshape(-1, 1)
    if extra is not None:
        feats = np.column_stack([feats, extra[offset:]])
    X, _ = make_forecasting_data(feats, window_size=window)
    y = base[window:]
    times = np.arange(window, len(base)) + offset  # time of each target
    train, test = times < n_train, times >= n_train
    last = values[times - 1]  # y[t-1], for undoing the difference
    return dict(
        X_train=X[train],
        y_train=y[train],
        X_test=X[test],
        y_test=values[times[test]],
        undo=(lambda pred: last[test] + pred) if difference else (lambda pred: pred),
    )


def forecast_mae(model, X_test, y_test, undo):
    import numpy as np

    return float(np.mean(np.abs(undo(model.predict(X_test)) - y_test)))


def rmse(model, X_test, y_test):
    import numpy as np

    return float(np.sqrt(np.mean((model.predict(X_test) - y_test) ** 2)))


def accuracy(model, X_test, y_test):
    return float(model.score(X_test, y_test))


# -- tasks --------------------------------------------------------------------

# Chosen BEFORE any tuning: defaults may be tuned on the first
# half; the second half is only reported. The old benchmark's sets and the
# generated ones are all on the tuning side; the report side holds the
# archives' longest and class-sorted sets.
TUNE = (
    "gunpoint italy arrowhead tecator sklearn-check airline lynx multisine motif"
).split()
REPORT = "osuleaf acsf1 plaid covid shampoo solar uschange".split()


def make_tasks(cell):
    from sklearn.model_selection import StratifiedKFold, TimeSeriesSplit

    import sksequence

    prefix = {"gru": "GRU", "lstm": "LSTM", "rnn": "RNN"}[cell]
    Classifier = getattr(sksequence, prefix + "Classifier")
    Regressor = getattr(sksequence, prefix + "Regressor")
    with open(os.path.join(DATA_DIR, "baselines_aeon.json")) as f:
        published = json.load(f)

    def ucr(name):
        info = published["classification (official split, test accuracy)"].get(name)
        if info is None:  # GunPoint, ItalyPowerDemand: PUBLISHED
            baselines, grouped = PUBLISHED[name], False
        else:
            pub = info["published_resample0 (aeon 1.6.0 example_results_files)"]
            baselines = [("1-NN DTW", info["1NN-DTW(full window)"])]
            baselines += [(k, v["acc"]) for k, v in pub.items() if k != "FreshPRINCE"]
            grouped = info["train_grouped_by_class"] or name == "PLAID"
        return dict(
            classify,
            name=name,
            data=lambda: npz(name),
            baselines=baselines,
            sorted_by_class=grouped,
        )

    classify = dict(
        independent=True,  # a set of independent sequences, not windows
        estimator=Classifier,
        cv=StratifiedKFold(3),
        scoring="accuracy",
        evaluate=accuracy,
        metric="accuracy",
        higher_is_better=True,
    )
    regress = dict(
        independent=True,
        estimator=Regressor,
        cv=TimeSeriesSplit(3),
        scoring="neg_root_mean_squared_error",
        evaluate=rmse,
        metric="RMSE",
        higher_is_better=False,
    )
    forecast = dict(
        regress,
        independent=False,  # windows of one series, in time order
        scoring="neg_mean_absolute_error",
        metric="MAE",
    )

    def windows(name, column, window, difference, extra=None):
        def data():
            values, frame = series(name, column)
            cov = None if extra is None else frame[extra].to_numpy("float64")
            w = one_step_windows(values, window, difference=difference, extra=cov)
            undo = w["undo"]
            return (
                w["X_train"],
                w["y_train"],
                w["X_test"],
                w["y_test"],
                lambda m, X, y: forecast_mae(m, X, y, undo),
            )

        return dict(forecast, name=f"{name} MAE", data=data, baselines=NAIVE[name])

    tasks = {
        "gunpoint": ucr("GunPoint"),
        "italy": ucr("ItalyPowerDemand"),
        "arrowhead": ucr("ArrowHead"),
        "osuleaf": ucr("OSULeaf"),
        "acsf1": ucr("ACSF1"),
        "plaid": ucr("PLAID"),
        "tecator": dict(
            regress,
            name="Tecator RMSE",
            data=lambda: npz("Tecator"),
            baselines=[("mean", 12.893), ("RidgeCV scaled", 2.167)],
        ),
        "covid": dict(
            regress,
            name="Covid3Month RMSE",
            data=lambda: npz("Covid3Month"),
            baselines=[("mean", 0.0447), ("RidgeCV scaled", 0.0430)],
        ),
        "sklearn-check": dict(
            regress,
            name="sklearn check data R2 (train)",
            data=sklearn_check_data,
            evaluate=accuracy,  # the estimator's score: R² on training data
            metric="R2",
            higher_is_better=True,
            baselines=[("threshold of check_regressors_train", 0.5)],
        ),
        "airline": dict(
            forecast,
            name="airline MAE (36 mo)",
            data=airline_data,
            evaluate=airline_mae,
            baselines=PUBLISHED["airline"],
        ),
        "lynx": windows("lynx", "0", 20, False),
        "shampoo": windows("shampoo", "Sales", 6, True),
        "solar": windows("solar", "solar_gen", 48, False),
        "uschange": windows(
            "uschange",
            "Consumption",
            8,
            False,
            extra=["Income", "Production", "Savings", "Unemployment"],
        ),
        "multisine": dict(
            forecast,
            name="multi-sine R2",
            data=multisine_data,
            scoring="r2",
            evaluate=accuracy,
            metric="R2",
            higher_is_better=True,
            reference=("ridge AR(30)", ridge_ar),
        ),
        "motif": dict(
            classify,
            name="motif (ragged)",
            data=motif_data,
            reference=("matched filter", matched_filter),
        ),
    }
    return tasks


# one-step-ahead MAE on the last 20 % (SOURCES.md): naive, seasonal naive
NAIVE = {
    "lynx": [("naive", 749.4), ("seasonal naive", 1146.3)],
    "shampoo": [("naive", 129.10), ("seasonal naive", 235.13)],
    "solar": [("naive", 0.0216), ("seasonal naive", 0.0319)],
    "uschange": [("naive", 0.334), ("seasonal naive", 0.452)],
}


def sklearn_check_data():
    """scikit-learn's check_regressors_train data, as length-10 sequences."""
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils.estimator_checks import _regression_dataset

    X, y = _regression_dataset()
    X = StandardScaler().fit_transform(X)
    return X, y, X, y


# -- measurement --------------------------------------------------------------


def model(task, seed, device):
    """The documented recipe: inputs standardized, estimator defaults
    (less the experiment's ``--set`` parameters)."""
    from sklearn.pipeline import make_pipeline

    from sksequence import SequenceScaler

    return make_pipeline(
        SequenceScaler(),
        task["estimator"](random_state=seed, device=device, **PARAMS),
    )


PARAMS = {}  # --set


def split_data(task, order):
    """Training and test data, the training set in the archive's order or
    shuffled (one fixed permutation per data set)."""
    import numpy as np

    data = task["data"]
    X_train, y_train, X_test, y_test = data[:4]
    evaluate = data[4] if len(data) == 5 else task["evaluate"]
    if order == "shuffled":
        perm = np.random.default_rng(0).permutation(len(y_train))
        if isinstance(X_train, list):
            X_train = [X_train[i] for i in perm]
        else:
            X_train = X_train[perm]
        y_train = y_train[perm]
    return X_train, y_train, X_test, y_test, evaluate


def fit_default(task, seed, device, order="archive"):
    X_train, y_train, X_test, y_test, evaluate = split_data(task, order)
    pipeline = model(task, seed, device)
    start = time.perf_counter()
    pipeline.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return evaluate(pipeline, X_test, y_test), seconds, pipeline[-1].n_iter_


def fit_grid(task, seed, device):
    from sklearn.model_selection import GridSearchCV

    X_train, y_train, X_test, y_test, evaluate = split_data(task, "archive")
    pipeline = model(task, seed, device)
    key = f"{pipeline.steps[-1][0]}__hidden_size"
    search = GridSearchCV(
        pipeline,
        {key: [16, 32, 64]},
        cv=task["cv"],
        scoring=task["scoring"],
    )
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    score = evaluate(search.best_estimator_, X_test, y_test)
    return score, seconds, search.best_params_[key]


def mean_sd(values, digits):
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return (
        f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"
    )


def use_orthogonal_init():
    """Patch the sequence model: orthogonal recurrent weights, forget bias 1."""
    import torch
    from torch import nn

    from sksequence import _modules

    original = _modules.SequenceModel.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        with torch.no_grad():
            for name, weight in self.rnn.named_parameters():
                if name.startswith("weight_hh"):
                    hidden = weight.shape[1]
                    for gate in weight.split(hidden):
                        nn.init.orthogonal_(gate)
                if isinstance(self.rnn, nn.LSTM) and name.startswith("bias_ih"):
                    hidden = weight.shape[0] // 4
                    weight[hidden : 2 * hidden] = 1.0  # gates i, f, g, o

    _modules.SequenceModel.__init__ = __init__


def goal(task, mean):
    """Whether a 5-seed mean meets the goal set before tuning for its kind of task."""
    names = dict(task["baselines"])
    if "1-NN DTW" in names:
        return mean >= names["1-NN DTW"] - 0.05, mean > names["1-NN DTW"]
    if "RidgeCV scaled" in names:
        return mean < names["RidgeCV scaled"], mean < names["RidgeCV scaled"]
    if "seasonal naive" in names:  # the better of the naive forecasts, by 10 %
        naive = min(names.get("naive", float("inf")), names["seasonal naive"])
        ok = mean <= 0.9 * naive
        return ok, ok
    if "threshold of check_regressors_train" in names:
        ok = mean > names["threshold of check_regressors_train"]
        return ok, ok
    return None, None


def rank(task, mean):
    """1 + the number of baselines that score better than ``mean``."""
    better = (lambda b: b > mean) if task["higher_is_better"] else (lambda b: b < mean)
    return 1 + sum(better(value) for _, value in task["baselines"])


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import warnings

    import torch

    torch.set_num_threads(args.threads)
    PARAMS.update(args.params)
    if args.init == "orthogonal":
        use_orthogonal_init()
    halves = {"tune": TUNE, "report": REPORT, "all": TUNE + REPORT}
    selected = args.tasks or halves[args.half]
    print(
        f"defaults only, SequenceScaler + estimator(random_state=seed); seeds "
        f"0..{args.seeds - 1}; {args.threads} thread(s); device {args.device}; "
        f"torch {torch.__version__}; tuning half: {' '.join(TUNE)}; report "
        f"half: {' '.join(REPORT)}"
    )
    print(
        "columns: half | data set | cell | archive order mean ± sd | shuffled "
        "order | fit s (median) | epochs (median) | rank among baselines | "
        "goal | baselines",
        flush=True,
    )
    summary = {}
    for cell in args.cells:
        tasks = make_tasks(cell)
        unknown = set(selected) - set(tasks)
        if unknown:
            sys.exit(f"unknown task(s) {sorted(unknown)}; choose from {list(tasks)}")
        defaults = tasks["gunpoint"]["estimator"]().get_params()
        print(f"\n{cell.upper()} defaults: {defaults}; --set {PARAMS}", flush=True)
        for key in selected:
            task = tasks[key]
            task["data"] = task["data"]()
            digits = 3 if task["metric"] in ("accuracy", "R2") else 4
            orders = ["archive"]
            if "shuffled" in args.orders and task["independent"]:
                orders.append("shuffled")  # the archive's order is its whim
            cols, means = {}, {}
            seconds, epochs = [], []
            for order in orders:
                scores = []
                for seed in range(args.seeds):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", UserWarning)
                        score, sec, n_iter = fit_default(task, seed, args.device, order)
                    scores.append(score)
                    seconds.append(sec)
                    epochs.append(n_iter)
                cols[order] = mean_sd(scores, digits)
                means[order] = statistics.mean(scores)
            baselines = list(task.get("baselines", []))
            if "reference" in task:
                name, compute = task["reference"]
                baselines.append((name + " (computed)", compute(task)))
                task["baselines"] = baselines
            met, beats = goal(task, means["archive"])
            gap = abs(means["archive"] - means.get("shuffled", means["archive"]))
            if "shuffled" in means and task["metric"] == "accuracy" and gap > 0.02:
                met = False
            half = "tune" if key in TUNE else "report"
            line = " | ".join(
                [
                    half,
                    task["name"],
                    cell,
                    cols["archive"],
                    cols.get("shuffled", "–"),
                    f"{statistics.median(seconds):.1f}",
                    f"{statistics.median(epochs):.0f}",
                    f"{rank(task, means['archive'])}/{len(baselines) + 1}"
                    if baselines
                    else "–",
                    {True: "met", False: "MISSED", None: "–"}[met],
                    ", ".join(f"{n} {v:.{digits}f}" for n, v in baselines),
                ]
            )
            print(line, flush=True)
            summary.setdefault(cell, []).append(
                (task, means["archive"], met, beats, rank(task, means["archive"]))
            )
            if args.grid:
                g_scores = []
                for seed in range(args.seeds):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", UserWarning)
                        g_scores.append(fit_grid(task, seed, args.device)[0])
                print(f"    grid over hidden_size: {mean_sd(g_scores, digits)}")
    print()
    for cell, rows in summary.items():
        dtw = [
            beats
            for task, _, _, beats, _ in rows
            if "1-NN DTW" in dict(task["baselines"])
        ]
        ranks = [r for task, _, _, _, r in rows if task["baselines"]]
        met = sum(1 for *_, m, _, _ in rows if m)
        print(
            f"summary {cell}: beats 1-NN DTW on {sum(dtw)}/{len(dtw)} classification "
            f"sets; goals met on {met}/{len(rows)} sets; mean rank among "
            f"baselines {statistics.mean(ranks):.2f} (1 = best)"
        )


if __name__ == "__main__":
    main()
