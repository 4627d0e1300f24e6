"""Backtest speed: one batched prediction over all cutoffs vs a loop of them.

The backtest of a forecaster fitted once: forecast the next
``--horizon`` steps from each of ``--cutoffs`` cutoffs, reading the true
history up to each. Three ways to the same forecasts, timed on one thread:

* ``evaluate``: sktime's ``evaluate(forecaster, cv, y,
  strategy="no-update_params")`` with an ``ExpandingWindowSplitter`` of step
  1; the time is evaluate's wall time less the fit of its first fold (its
  ``fit_time``), so update + predict + scoring at every cutoff;
* ``loop``: ``update(y_train, update_params=False)`` then ``predict`` at
  every cutoff, on a copy of the fitted forecaster (the same calls without
  evaluate's bookkeeping);
* ``batched``: ``RecurrentForecaster.predict_backtest(y, cutoffs)``, one
  prediction of the regressor over the windows of all cutoffs (``recursive``:
  one per step).

With ``--series N`` (N > 1) the forecaster is fitted on a panel of N such
series (one global net) and the batched backtest of every series at every
cutoff, one prediction, is timed against the loop of panel ``update`` +
``predict`` (sktime's ``evaluate`` is skipped).

The series has the size and shape of Taylor's half-hourly electricity demand
(pmdarima's ``taylor``: 4032 half-hours, 12 weeks; pmdarima is not needed): a
daily (48) and a weekly (336) season, a slow trend and AR(1) noise. The
forecaster: ``GRURegressor(hidden_size=32)`` inside ``RecurrentForecaster``
with ``window_length=96``, ``sp=48``, trained a few epochs (the weights do
not change the speed). The largest difference between the batched forecasts
and the loop's is printed too: it must be at rounding level.

    OMP_NUM_THREADS=1 python benchmarks/backtest_speed.py
    OMP_NUM_THREADS=1 python benchmarks/backtest_speed.py --strategy recursive
    OMP_NUM_THREADS=1 python benchmarks/backtest_speed.py --series 10
"""

import argparse
import copy
import time
import warnings

import numpy as np
import pandas as pd


def taylor_like(n=4032, seed=0):
    """A half-hourly series with a daily and a weekly season."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    noise = np.zeros(n)
    shocks = rng.standard_normal(n)
    for i in range(1, n):
        noise[i] = 0.8 * noise[i - 1] + shocks[i]
    values = (
        30_000
        + 6_000 * np.sin(2 * np.pi * t / 48)
        + 2_000 * np.sin(2 * np.pi * t / 48 * 2 + 1)
        - 3_000 * (t % 336 >= 240)  # weekends
        + 0.5 * t
        + 400 * noise
    )
    index = pd.date_range("2000-06-05", periods=n, freq="30min")
    return pd.Series(values, index=index, name="demand")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", default="direct")
    parser.add_argument("--cutoffs", type=int, default=300)
    parser.add_argument("--horizon", type=int, default=48)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--series", type=int, default=1)
    args = parser.parse_args()

    import torch
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.split import ExpandingWindowSplitter

    from sksequence import GRURegressor
    from sksequence.sktime import RecurrentForecaster

    torch.set_num_threads(1)
    warnings.simplefilter("ignore", FutureWarning)
    y = taylor_like()
    h, n_cut = args.horizon, args.cutoffs
    n_train = len(y) - n_cut - h + 1  # the first cutoff is the last fitted step
    fh = np.arange(1, h + 1)
    est = GRURegressor(
        hidden_size=32, max_epochs=args.epochs, early_stopping=False, random_state=0
    )
    forecaster = RecurrentForecaster(
        est, window_length=96, sp=48, strategy=args.strategy, random_state=0
    )
    if args.series > 1:
        return panel_backtest(forecaster, args, n_train, fh)
    start = time.perf_counter()
    forecaster.fit(y[:n_train], fh=fh)
    fit_time = time.perf_counter() - start
    print(
        f"series: {len(y)} half-hours; fitted on {n_train}; {n_cut} cutoffs, "
        f"horizon {h}, strategy={args.strategy!r}, one thread "
        f"(fit: {fit_time:.1f} s, not counted)"
    )

    cutoffs = y.index[n_train - 1 : n_train - 1 + n_cut]
    start = time.perf_counter()
    batched = forecaster.predict_backtest(y, cutoffs=cutoffs, fh=fh)
    t_batched = time.perf_counter() - start

    start = time.perf_counter()
    f = copy.deepcopy(forecaster)
    rows = []
    for k in range(n_cut):
        if k:
            f.update(y[: n_train + k], update_params=False)
        rows.append(f.predict(fh).to_numpy())
    t_loop = time.perf_counter() - start
    loop = np.concatenate(rows)

    cv = ExpandingWindowSplitter(initial_window=n_train, step_length=1, fh=fh)
    start = time.perf_counter()
    result = evaluate(
        forecaster, cv, y[: n_train + n_cut + h - 1], strategy="no-update_params"
    )
    t_eval = time.perf_counter() - start - result["fit_time"].iloc[0]
    assert len(result) == n_cut, len(result)

    diff = np.abs(batched.to_numpy() - loop.ravel()).max()
    print(
        f"  evaluate(no-update_params): {t_eval:7.2f} s  (update + predict per cutoff)"
    )
    print(f"  update + predict loop:      {t_loop:7.2f} s")
    goal = "met" if t_batched <= 2 else "MISSED"
    print(f"  predict_backtest (batched): {t_batched:7.2f} s  (goal <= 2 s: {goal})")
    print(
        f"  loop / batched: {t_loop / t_batched:.1f}x; evaluate / batched: "
        f"{t_eval / t_batched:.1f}x; largest |batched - loop|: {diff:.2e} "
        f"(series scale {y.std():.0f})"
    )


def panel_backtest(forecaster, args, n_train, fh):
    """The batched backtest of a panel of ``args.series`` series against the
    loop of panel update + predict."""
    panel = pd.concat(
        {f"s{k}": taylor_like(seed=k).to_frame() for k in range(args.series)},
        names=["series", "time"],
    )
    t = panel.index.get_level_values("time")
    times = panel.index.levels[1]
    start = time.perf_counter()
    forecaster.fit(panel[t <= times[n_train - 1]], fh=fh)
    fit_time = time.perf_counter() - start
    print(
        f"panel: {args.series} series of {len(times)} half-hours; fitted on "
        f"{n_train} each; {args.cutoffs} cutoffs, horizon {args.horizon}, "
        f"strategy={args.strategy!r}, one thread (fit: {fit_time:.1f} s, not counted)"
    )
    cutoffs = times[n_train - 1 : n_train - 1 + args.cutoffs]
    start = time.perf_counter()
    batched = forecaster.predict_backtest(panel, cutoffs=cutoffs, fh=fh)
    t_batched = time.perf_counter() - start

    start = time.perf_counter()
    f = copy.deepcopy(forecaster)
    preds = {}
    for k, cutoff in enumerate(cutoffs):
        if k:
            f.update(panel[t <= cutoff], update_params=False)
        preds[cutoff] = f.predict(fh)
    t_loop = time.perf_counter() - start
    loop = pd.concat(preds, names=["cutoff"])
    loop = loop.reorder_levels(["series", "cutoff", "time"]).sort_index()

    diff = np.abs(batched.to_numpy() - loop.reindex(batched.index).to_numpy()).max()
    print(f"  update + predict loop:      {t_loop:7.2f} s")
    print(f"  predict_backtest (batched): {t_batched:7.2f} s")
    print(
        f"  loop / batched: {t_loop / t_batched:.1f}x; largest |batched - loop|: "
        f"{diff:.2e}"
    )


if __name__ == "__main__":
    main()
