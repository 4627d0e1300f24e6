"""Wall time and held-out score: GridSearchCV vs HalvingGridSearchCV over epochs.

The airline passengers series (:func:`sksequence.datasets.load_airline`) is
logged and differenced at lag 12: the target is the change over the same
month last year, ``z[t] = log y[t] - log y[t - 12]``. Windows of 12 values of
``z`` (:func:`sksequence.make_forecasting_data`) forecast the next one. The
last 36 windows (the months 1958 to 1960) are held out; both searches see
only the windows before them, split by ``TimeSeriesSplit(3)``, and score by
``neg_mean_absolute_error``.

Both searches tune the same grid of a ``SequenceScaler`` + recurrent
regressor pipeline: the cell family (``GRURegressor``, ``LSTMRegressor``,
``RNNRegressor``) x ``hidden_size`` x ``num_layers`` (by default
3 x 3 x 2 = 18 candidates), every candidate with the package's defaults
(early stopping on the last 20 % of each training fold included) and
``max_epochs=--epochs``:

* ``GridSearchCV`` fits every candidate on every fold;
* ``HalvingGridSearchCV(resource="model__max_epochs",
  min_resources="exhaust")`` fits every candidate for a few epochs
  (``--epochs // factor**2`` for 18 candidates: 7), keeps the best
  ``1 / factor``, lets them train ``factor`` times as many epochs, and so
  on up to ``--epochs``. The estimators share a ``checkpoint`` directory, so a
  survivor *continues* its run of the previous round (sklearn clones the
  estimator for every fit; without the checkpoint it would restart).

Each search refits its best candidate on all the training windows, and
that model is scored on the held-out windows: MAE of ``z`` (the searches'
metric) and MAE in thousands of passengers after undoing the transform
(seasonal naive, ``z = 0``, scores 35.9 there). The two searches alternate,
each seed in a fresh pair of runs; the script prints each run and the
median ratio of wall times with its min-max.

    OMP_NUM_THREADS=1 python benchmarks/search_speed.py --seeds 3 --threads 1
"""

import argparse
import os
import statistics
import tempfile
import time

import numpy as np


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--epochs", type=int, default=63, help="max_epochs")
    parser.add_argument("--factor", type=int, default=3)
    parser.add_argument("--cells", default="gru,lstm,rnn")
    parser.add_argument("--hidden-sizes", default="8,16,32")
    parser.add_argument("--num-layers", default="1,2")
    parser.add_argument("--seeds", type=int, default=3, help="random_state 0, 1, ...")
    parser.add_argument(
        "--no-checkpoint",
        action="store_true",
        help="halving without a checkpoint directory: survivors restart",
    )
    return parser.parse_args(argv)


def airline_windows():
    from sksequence import make_forecasting_data
    from sksequence.datasets import load_airline

    log_y = np.log(load_airline())
    z = log_y[12:] - log_y[:-12]  # z[k] is the change at month t = k + 12
    X, y = make_forecasting_data(z, 12)
    months = np.arange(len(y)) + 24  # the month t of each target
    n_test = 36
    split = len(y) - n_test
    return (X[:split], y[:split]), (X[split:], y[split:], months[split:]), log_y


def make_searches(args, seed, directory):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import (
        GridSearchCV,
        HalvingGridSearchCV,
        TimeSeriesSplit,
    )
    from sklearn.pipeline import Pipeline

    import sksequence

    classes = {
        "gru": sksequence.GRURegressor,
        "lstm": sksequence.LSTMRegressor,
        "rnn": sksequence.RNNRegressor,
    }

    def grid(**params):
        return {
            "model": [classes[c](**params) for c in args.cells.split(",")],
            "model__hidden_size": [int(v) for v in args.hidden_sizes.split(",")],
            "model__num_layers": [int(v) for v in args.num_layers.split(",")],
        }

    def pipeline():
        return Pipeline(
            [("scale", sksequence.SequenceScaler()), ("model", classes["gru"]())]
        )

    common = dict(
        cv=TimeSeriesSplit(n_splits=3),
        scoring="neg_mean_absolute_error",
        n_jobs=args.n_jobs,
    )
    full = GridSearchCV(
        pipeline(), grid(max_epochs=args.epochs, random_state=seed), **common
    )
    checkpoint = None if args.no_checkpoint else directory
    halving = HalvingGridSearchCV(
        pipeline(),
        grid(random_state=seed, checkpoint=checkpoint),
        resource="model__max_epochs",
        min_resources="exhaust",  # the last round trains max_epochs
        max_resources=args.epochs,
        factor=args.factor,
        **common,
    )
    return {"GridSearchCV": full, "HalvingGridSearchCV": halving}


def describe(search):
    best = search.best_params_
    model = best["model"]
    return (
        f"{type(model).__name__.removesuffix('Regressor')}"
        f"(h={best['model__hidden_size']}, layers={best['model__num_layers']})"
    )


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import torch

    torch.set_num_threads(args.threads)
    (X_train, y_train), (X_test, y_test, months), log_y = airline_windows()
    passengers = np.exp(log_y[months])
    n_candidates = (
        len(args.cells.split(","))
        * len(args.hidden_sizes.split(","))
        * len(args.num_layers.split(","))
    )
    print(
        f"airline, target = change over the same month last year (log), windows "
        f"of 12; {len(y_train)} training windows, TimeSeriesSplit(3); "
        f"{len(y_test)} held out"
    )
    print(
        f"{n_candidates} candidates (cell x hidden_size x num_layers), package "
        f"defaults, max_epochs={args.epochs}; halving factor {args.factor}, "
        f"{'no checkpoint' if args.no_checkpoint else 'checkpoint: survivors continue'}"
        f"; n_jobs={args.n_jobs}, torch threads={torch.get_num_threads()}"
    )
    print(
        f"\n{'seed':>4} {'search':<20} {'rounds (cands@epochs)':<22} {'wall s':>7} "
        f"{'CV MAE z':>9} {'test MAE z':>10} {'test MAE pass.':>14}  best"
    )
    results = []
    for seed in range(args.seeds):
        row = {}
        with tempfile.TemporaryDirectory() as directory:
            for name, search in make_searches(args, seed, directory).items():
                start = time.perf_counter()
                search.fit(X_train, y_train)
                seconds = time.perf_counter() - start
                if hasattr(search, "n_resources_"):
                    pairs = zip(search.n_candidates_, search.n_resources_)
                    rounds = " ".join(f"{n}@{r}" for n, r in pairs)
                else:
                    rounds = f"{n_candidates}@{args.epochs}"
                z_pred = search.predict(X_test)
                forecast = np.exp(z_pred + log_y[months - 12])
                mae_z = np.mean(np.abs(z_pred - y_test))
                mae = np.mean(np.abs(forecast - passengers))
                row[name] = dict(seconds=seconds, mae_z=mae_z, mae=mae)
                print(
                    f"{seed:>4} {name:<20} {rounds:<22} {seconds:>7.1f} "
                    f"{-search.best_score_:>9.4f} {mae_z:>10.4f} {mae:>14.1f}  "
                    f"{describe(search)}",
                    flush=True,
                )
        results.append(row)
    ratios = [
        r["GridSearchCV"]["seconds"] / r["HalvingGridSearchCV"]["seconds"]
        for r in results
    ]
    print(
        f"\nhalving: {statistics.median(ratios):.1f}x less wall time (median over "
        f"{len(ratios)} seeds, min {min(ratios):.1f}, max {max(ratios):.1f})"
    )
    for name in ("GridSearchCV", "HalvingGridSearchCV"):
        maes = [r[name]["mae"] for r in results]
        print(
            f"{name:<20} held-out MAE {statistics.mean(maes):.1f} thousand "
            f"passengers (mean; {', '.join(f'{m:.1f}' for m in maes)})"
        )
    worse = sum(
        r["HalvingGridSearchCV"]["mae_z"] > r["GridSearchCV"]["mae_z"] + 1e-12
        for r in results
    )
    print(
        f"halving's held-out MAE worse than the full grid's in {worse} of "
        f"{len(results)} seeds"
    )


if __name__ == "__main__":
    main()
