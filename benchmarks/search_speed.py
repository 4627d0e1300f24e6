"""Wall time and held-out score: GridSearchCV vs HalvingGridSearchCV over epochs.

The airline passengers series (:func:`sksequence.datasets.load_airline`) is
logged and differenced at lag 12: the target is the change over the same
month last year, ``z[t] = log y[t] - log y[t - 12]``. Windows of 12 values of
``z`` (:func:`sksequence.make_forecasting_data`) forecast the next one. The
last 36 windows (the months 1958 to 1960) are held out; both searches see
only the windows before them, split by ``TimeSeriesSplit(3)``, and score by
``neg_mean_absolute_error``.

Both searches tune the same grid of a ``SequenceScaler`` + ``GRURegressor``
pipeline (by default 3 hidden sizes x 3 learning rates x 2 layer counts = 18
candidates; early stopping off, so that a fit trains exactly ``max_epochs``
epochs):

* ``GridSearchCV`` trains every candidate for ``--epochs`` epochs;
* ``HalvingGridSearchCV(resource="max_epochs")`` trains every candidate for
  ``--min-epochs`` epochs, keeps the best ``1 / --factor`` of them, trains
  those ``--factor`` times longer, and so on up to ``--epochs``. sklearn
  clones the estimator for every fit, so a survivor restarts from scratch
  at each round (``warm_start`` does not carry it over).

Each search then refits its best candidate on all the training windows, and
that model is scored on the held-out windows: MAE of ``z`` (the searches'
metric) and MAE in thousands of passengers after undoing the transform
(seasonal naive, ``z = 0``, scores 35.9 there).

    OMP_NUM_THREADS=1 python benchmarks/search_speed.py --n-jobs 1 --threads 1
"""

import argparse
import os
import time

import numpy as np


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--epochs", type=int, default=63, help="full grid's epochs")
    parser.add_argument("--min-epochs", type=int, default=7)
    parser.add_argument("--factor", type=int, default=3)
    parser.add_argument("--hidden-sizes", default="8,16,32")
    parser.add_argument("--lrs", default="0.001,0.003,0.01")
    parser.add_argument("--num-layers", default="1,2")
    parser.add_argument("--seed", type=int, default=0)
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


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import torch
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import (
        GridSearchCV,
        HalvingGridSearchCV,
        TimeSeriesSplit,
    )
    from sklearn.pipeline import make_pipeline

    from sksequence import GRURegressor, SequenceScaler

    torch.set_num_threads(args.threads)
    (X_train, y_train), (X_test, y_test, months), log_y = airline_windows()
    grid = {
        "gruregressor__hidden_size": [int(v) for v in args.hidden_sizes.split(",")],
        "gruregressor__lr": [float(v) for v in args.lrs.split(",")],
        "gruregressor__num_layers": [int(v) for v in args.num_layers.split(",")],
    }
    n_candidates = int(np.prod([len(v) for v in grid.values()]))
    cv = TimeSeriesSplit(n_splits=3)
    common = dict(cv=cv, scoring="neg_mean_absolute_error", n_jobs=args.n_jobs)

    def pipeline(max_epochs):
        return make_pipeline(
            SequenceScaler(),
            GRURegressor(
                max_epochs=max_epochs,
                batch_size=16,
                early_stopping=False,
                n_iter_no_change=10_000,  # train exactly max_epochs epochs
                random_state=args.seed,
            ),
        )

    searches = {
        "GridSearchCV": GridSearchCV(pipeline(args.epochs), grid, **common),
        "HalvingGridSearchCV": HalvingGridSearchCV(
            pipeline(args.epochs),
            grid,
            resource="gruregressor__max_epochs",
            min_resources=args.min_epochs,
            max_resources=args.epochs,
            factor=args.factor,
            **common,
        ),
    }
    print(
        f"airline, target = change over the same month last year (log), windows "
        f"of 12; {len(y_train)} training windows, TimeSeriesSplit(3); "
        f"{len(y_test)} held out"
    )
    print(
        f"{n_candidates} candidates ({' x '.join(k.split('__')[1] for k in grid)}); "
        f"GRU, batch 16, no early stopping; n_jobs={args.n_jobs}, "
        f"torch threads={torch.get_num_threads()}"
    )
    rows = {}
    for name, search in searches.items():
        start = time.perf_counter()
        search.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        if name == "GridSearchCV":
            rounds = f"{n_candidates}@{args.epochs}"
            epochs = n_candidates * args.epochs * cv.n_splits
        else:
            pairs = list(zip(search.n_candidates_, search.n_resources_))
            rounds = " ".join(f"{n}@{r}" for n, r in pairs)
            epochs = sum(n * r for n, r in pairs) * cv.n_splits
        best = search.best_params_
        best_epochs = best.get("gruregressor__max_epochs", args.epochs)
        z_pred = search.predict(X_test)
        passengers = np.exp(log_y[months])
        forecast = np.exp(z_pred + log_y[months - 12])
        rows[name] = dict(
            seconds=seconds,
            cv=search.best_score_,
            mae_z=np.mean(np.abs(z_pred - y_test)),
            mae_pass=np.mean(np.abs(forecast - passengers)),
            rounds=rounds,
            epochs=epochs + best_epochs,  # + the refit
            best=(
                f"h={best['gruregressor__hidden_size']} "
                f"lr={best['gruregressor__lr']:g} "
                f"layers={best['gruregressor__num_layers']} epochs={best_epochs}"
            ),
        )
    header = (
        f"\n{'search':<20} {'rounds (cands@epochs)':<22} {'epochs':>7} "
        f"{'wall s':>7} {'CV MAE z':>9} {'test MAE z':>10} {'test MAE pass.':>14}"
        "  best"
    )
    print(header)
    for name, r in rows.items():
        print(
            f"{name:<20} {r['rounds']:<22} {r['epochs']:>7} {r['seconds']:>7.1f} "
            f"{-r['cv']:>9.4f} {r['mae_z']:>10.4f} {r['mae_pass']:>14.1f}  {r['best']}"
        )
    full, halving = rows["GridSearchCV"], rows["HalvingGridSearchCV"]
    print(
        f"\nhalving: {full['seconds'] / halving['seconds']:.1f}x less wall time, "
        f"{full['epochs'] / halving['epochs']:.1f}x fewer epochs trained; held-out "
        f"MAE {halving['mae_pass']:.1f} vs {full['mae_pass']:.1f} thousand passengers "
        f"({'equal or better' if halving['mae_z'] <= full['mae_z'] else 'worse'})"
    )


if __name__ == "__main__":
    main()
