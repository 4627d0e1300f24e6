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
import os
import statistics
import sys
import time


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="model seeds (default 5)")
    parser.add_argument(
        "--quick", action="store_true", help="1 seed and no grid search"
    )
    parser.add_argument(
        "--no-grid", action="store_true", help="skip the hidden_size grid search"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (default 1)"
    )
    parser.add_argument(
        "--cell",
        choices=["gru", "lstm", "rnn"],
        default="gru",
        help="recurrent cell of the estimators (default gru)",
    )
    parser.add_argument(
        "--tasks",
        nargs="+",
        default=None,
        help="subset of tasks: gunpoint italy airline multisine motif",
    )
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
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
        args.seeds, args.no_grid = 1, True
    return args


# The published baselines, as (name, score). Higher is better for accuracy
# and R², lower for MAE.
PUBLISHED = {
    "gunpoint": [
        ("1-NN DTW", 0.907),
        ("1-NN ED", 0.913),
        ("FCN", 1.000),
        ("ResNet", 0.991),
    ],
    "italy": [("1-NN DTW", 0.950), ("1-NN ED", 0.955), ("ResNet", 0.963)],
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


# -- tasks --------------------------------------------------------------------


def make_tasks(cell):
    from sklearn.model_selection import StratifiedKFold, TimeSeriesSplit

    import sksequence
    from sksequence.datasets import load_gunpoint, load_italy_power_demand

    prefix = {"gru": "GRU", "lstm": "LSTM", "rnn": "RNN"}[cell]
    Classifier = getattr(sksequence, prefix + "Classifier")
    Regressor = getattr(sksequence, prefix + "Regressor")

    def ucr(loader):
        data = loader()
        return data.X_train, data.y_train, data.X_test, data.y_test

    def score(model, X_test, y_test):  # accuracy or R², as the estimator's
        return model.score(X_test, y_test)

    classify = dict(
        estimator=Classifier,
        cv=StratifiedKFold(3),
        scoring="accuracy",
        evaluate=score,
        metric="accuracy",
        higher_is_better=True,
    )
    forecast = dict(
        estimator=Regressor,
        cv=TimeSeriesSplit(3),
        higher_is_better=True,
    )
    return {
        "gunpoint": dict(classify, name="GunPoint", data=lambda: ucr(load_gunpoint)),
        "italy": dict(
            classify,
            name="ItalyPowerDemand",
            data=lambda: ucr(load_italy_power_demand),
        ),
        "airline": dict(
            forecast,
            name="airline (36 mo)",
            data=airline_data,
            scoring="neg_mean_absolute_error",
            evaluate=airline_mae,
            metric="MAE",
            higher_is_better=False,
        ),
        "multisine": dict(
            forecast,
            name="multi-sine",
            data=multisine_data,
            scoring="r2",
            evaluate=score,
            metric="R2",
            reference=("ridge AR(30)", ridge_ar),
        ),
        "motif": dict(
            classify,
            name="motif (ragged)",
            data=motif_data,
            reference=("matched filter", matched_filter),
        ),
    }


# -- measurement --------------------------------------------------------------


def model(task, seed, device):
    """The documented recipe: inputs standardized, estimator defaults."""
    from sklearn.pipeline import make_pipeline

    from sksequence import SequenceScaler

    return make_pipeline(
        SequenceScaler(), task["estimator"](random_state=seed, device=device)
    )


def fit_default(task, seed, device):
    X_train, y_train, X_test, y_test = task["data"]
    pipeline = model(task, seed, device)
    start = time.perf_counter()
    pipeline.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return task["evaluate"](pipeline, X_test, y_test), seconds, pipeline[-1].n_iter_


def fit_grid(task, seed, device):
    from sklearn.model_selection import GridSearchCV

    X_train, y_train, X_test, y_test = task["data"]
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
    score = task["evaluate"](search.best_estimator_, X_test, y_test)
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


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import warnings

    import pandas as pd
    import torch

    torch.set_num_threads(args.threads)
    if args.init == "orthogonal":
        use_orthogonal_init()
    tasks = make_tasks(args.cell)
    selected = args.tasks or list(tasks)
    unknown = set(selected) - set(tasks)
    if unknown:
        sys.exit(f"unknown task(s) {sorted(unknown)}; choose from {list(tasks)}")

    defaults = tasks["gunpoint"]["estimator"]().get_params()
    regressor_lr = tasks["airline"]["estimator"]().lr
    shown = (
        "hidden_size max_epochs batch_size validation_fraction n_iter_no_change tol"
    ).split()
    print(
        f"SequenceScaler + {args.cell.upper()} estimators, package defaults: "
        f"lr={defaults['lr']!r} (classifiers), {regressor_lr!r} (regressors), "
        + ", ".join(f"{k}={defaults[k]!r}" for k in shown)
    )
    print(
        f"seeds 0..{args.seeds - 1}, {args.threads} thread(s), device {args.device}, "
        f"torch {torch.__version__}\n"
    )

    rows = []
    for key in selected:
        task = tasks[key]
        task["data"] = task["data"]()
        digits = 1 if task["metric"] == "MAE" else 3
        scores, seconds, epochs = [], [], []
        for seed in range(args.seeds):
            score, sec, n_iter = fit_default(task, seed, args.device)
            scores.append(score)
            seconds.append(sec)
            epochs.append(n_iter)
        row = {
            "data set": task["name"],
            "metric": task["metric"] + (" ↑" if task["higher_is_better"] else " ↓"),
            "default": mean_sd(scores, digits),
            "fit [s]": f"{statistics.median(seconds):.1f}",
            "epochs": f"{statistics.median(epochs):.0f}",
        }
        if not args.no_grid:
            g_scores, g_seconds, g_best = [], [], []
            for seed in range(args.seeds):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    score, sec, best = fit_grid(task, seed, args.device)
                g_scores.append(score)
                g_seconds.append(sec)
                g_best.append(best)
            row["grid hidden_size"] = mean_sd(g_scores, digits)
            row["grid [s]"] = f"{statistics.median(g_seconds):.0f}"
            row["chosen"] = "/".join(str(b) for b in g_best)
        baselines = list(PUBLISHED.get(key, []))
        if "reference" in task:
            name, compute = task["reference"]
            baselines.append((name + " (computed)", compute(task)))
        row["baselines"] = ", ".join(
            f"{name} {value:.{digits}f}" for name, value in baselines
        )
        rows.append(row)
        print(f"  {task['name']}: {row['default']}", file=sys.stderr, flush=True)

    table = pd.DataFrame(rows).set_index("data set")
    with pd.option_context("display.width", 250, "display.max_colwidth", 80):
        print(table.to_string())


if __name__ == "__main__":
    main()
