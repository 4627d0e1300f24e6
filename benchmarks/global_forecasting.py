"""One net over many series: a global RecurrentForecaster on a yearly panel.

The panel is ``benchmarks/data/yearly_panel.csv``: 300 yearly series of 20
to 47 values, simulated from exponential smoothing state-space models with
randomised parameters (``benchmarks/data/make_yearly_panel.py`` says how and
why; no package ships the M3/M4 yearly series as files). As in the M3 and M4
competitions' yearly sets, the last 6 values of each series are the test and
the forecast horizon is 6.

Models, each fitted on the series without their last 6 values:

* ``naive``: the last value (sktime ``NaiveForecaster(strategy="last")``);
* ``drift``: the line from the first to the last value
  (``NaiveForecaster(strategy="drift")``);
* ``global``: one ``RecurrentForecaster`` fitted on the whole panel (sktime
  ``pd-multiindex`` y): one GRU trained on the windows of all series, each
  series on its own scale;
* ``global+id``: the same with ``series_features="id"`` (each window also
  carries a one-hot code of its series);
* ``local`` (``--local SEEDS``): one ``RecurrentForecaster`` per series, the
  same settings, fitted on that series alone (300 fits a seed: slow).

Score: sMAPE (``200 |y - f| / (|y| + |f|)``, in %) averaged over the 6 steps
and then over the series, as in the M3/M4 competitions; the neural models over
``--seeds`` seeds (mean ± sd over seeds). ``--inspect`` prints what the
global net trains on (windows, their normalisation, the spread of its
targets).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/global_forecasting.py --seeds 3
    OMP_NUM_THREADS=1 python benchmarks/global_forecasting.py --seeds 3 --local 1
    # the nets on each series' standardized values instead of its changes
    OMP_NUM_THREADS=1 python benchmarks/global_forecasting.py --seeds 1 \\
        --window-norm standard
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sktime.forecasting.naive import NaiveForecaster

from sksequence import GRURegressor
from sksequence.sktime import RecurrentForecaster

DATA = Path(__file__).parent / "data" / "yearly_panel.csv"
HORIZON = 6


def load_panel():
    """The panel as sktime's pd-multiindex: (series, year) rows, one column."""
    frame = pd.read_csv(DATA)
    index = pd.MultiIndex.from_arrays(
        [frame["series"], pd.PeriodIndex(frame["year"], freq="Y")],
        names=["series", "year"],
    )
    return pd.DataFrame({"value": frame["value"].to_numpy()}, index=index)


def split(panel):
    """Each series without its last HORIZON values, and those values."""
    position = panel.groupby(level=0).cumcount(ascending=False)
    return panel[position >= HORIZON], panel[position < HORIZON]


def smape(test, forecast):
    """sMAPE of each series (%), averaged over its forecast steps."""
    y = test["value"]
    f = forecast["value"].reindex(y.index)
    per_step = 200 * (y - f).abs() / (y.abs() + f.abs())
    return per_step.groupby(level=0).mean()


def make_forecaster(args, seed, series_features=None):
    return RecurrentForecaster(
        GRURegressor(hidden_size=args.hidden_size, random_state=seed),
        window_length=args.window_length,
        window_norm=args.window_norm,
        series_features=series_features,
        correction_weight=_weight(args.correction_weight),
    )


def _weight(value):
    """``--correction-weight``: "auto", or a number."""
    return value if value == "auto" else float(value)


def inspect(forecaster, train, test):
    """What the global net learns from, and where its forecasts land."""
    net = forecaster.estimator_
    print(
        f"  window_norm_={forecaster.window_norm_!r}, windows: "
        f"{net.n_features_in_} feature(s), epochs run {net.n_iter_}, "
        f"correction_weight_ {forecaster.correction_weight_:.2f}"
    )
    changes = train["value"].groupby(level=0).diff()
    scales = changes.groupby(level=0).std().to_numpy()
    print(
        "  per-series scale (sd of yearly changes): "
        f"min {scales.min():.3g}, median {np.median(scales):.3g}, max "
        f"{scales.max():.3g}"
    )
    lengths = train.groupby(level=0).size()
    n_windows = (lengths - forecaster.window_length - HORIZON + 1).clip(lower=0)
    print(
        f"  {len(lengths)} series, {n_windows.sum()} windows "
        f"({n_windows.min()} to {n_windows.max()} per series)"
    )
    # a net reading levels forecasts inside the range it was trained on;
    # a trend's future leaves that range
    low = train["value"].groupby(level=0).min()
    high = train["value"].groupby(level=0).max()
    truth = test["value"].groupby(level=0).last()
    forecast = forecaster.predict()["value"].groupby(level=0).last()
    print(
        f"  step {HORIZON}: true values outside their series' training range "
        f"{((truth < low) | (truth > high)).mean():.0%}, forecasts outside it "
        f"{((forecast < low) | (forecast > high)).mean():.0%}; median relative "
        f"error {((forecast - truth) / truth).median():+.3f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--window-length", type=int, default=6)
    parser.add_argument("--hidden-size", type=int, default=32)
    parser.add_argument(
        "--window-norm", default="auto", choices=["auto", "last", "standard"]
    )
    parser.add_argument(
        "--local",
        type=int,
        default=0,
        metavar="SEEDS",
        help="also one net per series, over this many seeds (0: not run)",
    )
    parser.add_argument(
        "--correction-weight",
        default="auto",
        help="RecurrentForecaster's correction_weight ('auto', or 1 for the "
        "whole correction, as before it existed)",
    )
    parser.add_argument("--inspect", action="store_true")
    args = parser.parse_args()

    panel = load_panel()
    train, test = split(panel)
    fh = np.arange(1, HORIZON + 1)
    n_series = panel.index.get_level_values(0).nunique()
    norm = f"window_norm={args.window_norm!r}, " if args.window_norm != "auto" else ""
    print(
        f"yearly panel: {n_series} series, {len(train)} training values, "
        f"horizon {HORIZON}; window_length={args.window_length}, {norm}"
        f"GRU({args.hidden_size}); correction_weight={args.correction_weight}; "
        f"seeds {args.seeds}"
    )
    rows = {}
    for name, strategy in (("naive", "last"), ("drift", "drift")):
        # sktime fits one clone per series, each announcing a change of
        # sktime's own default (remember_data) and resetting the warning
        # filters as it goes: record the announcements instead
        with warnings.catch_warnings(record=True):
            forecast = NaiveForecaster(strategy=strategy).fit(train, fh=fh).predict()
        rows[name] = [smape(test, forecast).mean()]

    for name, features in (("global", None), ("global+id", "id")):
        rows[name], times = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            forecaster = make_forecaster(args, seed, features).fit(train, fh=fh)
            times.append(time.perf_counter() - start)
            rows[name].append(smape(test, forecaster.predict()).mean())
            if args.inspect:
                inspect(forecaster, train, test)
        print(f"{name}: fit {np.mean(times):.1f} s per seed (one net)")

    if args.local:
        rows["local"], times = [], []
        for seed in range(args.local):
            start = time.perf_counter()
            forecasts = [
                make_forecaster(args, seed)
                .fit(series.droplevel(0), fh=fh)
                .predict()
                .pipe(lambda f, key=key: pd.concat({key: f}, names=panel.index.names))
                for key, series in train.groupby(level=0)
            ]
            times.append(time.perf_counter() - start)
            rows["local"].append(smape(test, pd.concat(forecasts)).mean())
        print(f"local: fit {np.mean(times):.1f} s per seed ({n_series} nets)")

    print(f"\n{'model':<10} {'sMAPE (%)':>16}")
    for name, values in rows.items():
        spread = f" ± {np.std(values):.2f}" if len(values) > 1 else ""
        print(f"{name:<10} {np.mean(values):>9.2f}{spread}")


if __name__ == "__main__":
    main()
