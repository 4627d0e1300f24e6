"""What RecurrentForecaster's net corrects, and what its correction is worth.

Issue 31, third round: a diagnostic of the default forecaster
(``RecurrentForecaster(random_state=seed)``) fitted on the first 80 % of a
series of ``benchmarks/forecasting.py`` (same loader, same long horizon).
It prints, per seed, what the net trains on (the windows, the share held out
for early stopping, the epochs run and the best one), the targets it
corrects (the truth minus the seasonal naive base, on the net's scale: their
mean on the training and on the held-out windows), the mean absolute error
on those windows of the base alone and of the base plus the correction of
the net trained without the holdout, the weight that
``correction_weight="auto"`` fits there (the least-absolute-error share
``a``, the gain's ``t``, the shrunk weight), and the backtest MAE of the
forecasts ``base + w * correction`` for a grid of weights ``w``, in the
protocol of ``benchmarks/forecasting.py`` (every cutoff of the last 20 %,
parameters fixed: ``predict_backtest``, which gives the forecasts of
sktime's ``evaluate``).

It reads the forecaster's training windows by wrapping two of its internals
(the windows are not a public attribute): a diagnostic, not an example.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/forecasting_correction.py \
        --series airline lynx wineind woolyrnq --seeds 3
"""

import argparse
import os
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import forecasting  # noqa: E402  (the loaders and the scoring)

GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="*", default=["airline", "lynx"])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import torch

    import sksequence.sktime as sk
    from sksequence._forecast_auto import least_absolute_weight
    from sksequence._split import holdout_split

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    seen = {}
    train, refit = sk.RecurrentForecaster._train, sk.refit_without_holdout

    def keep_windows(self, estimator, Xw, Yw):
        seen["windows"] = Xw, Yw
        return train(self, estimator, Xw, Yw)

    def keep_first(estimator, X, y, epochs):
        seen["first"] = estimator
        return refit(estimator, X, y, epochs)

    sk.RecurrentForecaster._train = keep_windows
    sk.refit_without_holdout = keep_first
    for name in args.series:
        y, _, _, horizon = forecasting.load(name)
        n_train = int(0.8 * len(y))
        fh = list(range(1, horizon + 1))
        cutoffs = y.index[forecasting._folds(y, horizon)]
        for seed in range(args.seeds):
            f = sk.RecurrentForecaster(random_state=seed)
            f.fit(y.iloc[:n_train], fh=fh)
            (Xw, Yw), first = seen["windows"], seen["first"]
            plan = holdout_split(first, classifier=False, per_step=False, seed=0)
            fit_part, held = plan(Yw)
            valid = np.asarray(first.history_["valid_loss"], dtype=float)
            c = np.asarray(first.predict(Xw[held]), dtype=float).reshape(Yw[held].shape)
            r = Yw[held]
            a = least_absolute_weight(c, r)
            gains = (np.abs(r) - np.abs(r - a * c)).reshape(len(r), -1).mean(axis=1)
            sd = gains.std(ddof=1)
            t = 0.0  # no gain (a = 0): nothing to stand out
            if gains.mean() > 0:
                t = gains.mean() / (sd / np.sqrt(len(gains))) if sd > 0 else np.inf
            print(
                f"{name} seed {seed}: sp_={f.sp_}, window_length_="
                f"{f.window_length_}, window_norm_={f.window_norm_}; "
                f"{len(Yw)} windows, {len(Yw[fit_part])} trained on, "
                f"{len(r)} held out; {len(valid)} epochs run, best "
                f"{int(np.nanargmin(valid)) + 1}"
            )
            print(
                f"  targets (truth - base, net scale): mean {Yw[fit_part].mean():+.3f}"
                f" on the trained windows, {r.mean():+.3f} held out; sd {Yw.std():.3f}"
            )
            print(
                f"  held-out MAE: base alone {np.abs(r).mean():.4f}, base + "
                f"correction {np.abs(r - c).mean():.4f}; a = {a:.2f}, t = {t:.2f}, "
                f"correction_weight_ = {f.correction_weight_:.2f}"
            )
            maes = []
            for w in (*GRID, f.correction_weight_):
                f.correction_weight_ = w  # the same net, weighed by w
                out = f.predict_backtest(y, cutoffs=cutoffs, fh=fh).to_numpy()
                maes.append(forecasting._score(y, horizon, out.reshape(-1, horizon))[0])
            print(
                "  backtest MAE by weight: "
                + ", ".join(f"{w:.2f}: {m:.2f}" for w, m in zip(GRID, maes))
                + f"; fitted ({maes[-1]:.2f})"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
