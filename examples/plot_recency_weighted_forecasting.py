"""
========================================================
Forecasting drifting dynamics: recent windows count more
========================================================

A forecaster trained on a long history learns the *average* dynamics of
that history. When the dynamics drift, the average is out of date by the
time the forecasts are used, and the most recent windows are the best guide
to the near future. ``fit(X, y, sample_weight=w)`` lets them count more: we
weigh each training window by an exponential decay with its age and compare
the held-out error with uniform weights, on a drifting series and, as a
control, on a stationary one.
"""

# %%
# Two series
# ----------
# Both are autoregressive, ``x[t] = phi[t] * x[t - 1] + e[t]`` with
# standard Gaussian shocks ``e``, 1,200 steps long. In the *drifting*
# series the coefficient ``phi`` falls steadily over the first 700 steps,
# from 0.9 (a shock persists for many steps) to -0.7 (the series flips sign
# from step to step), and stays there; in the *stationary* one it is 0.5
# throughout. The last 200 steps are the test period.
# The best possible one-step forecast is ``phi[t] * x[t - 1]``, whose mean
# absolute error is that of the shocks, about 0.8: the floor of every
# forecaster below.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from sksequence import GRURegressor, SequenceScaler, make_forecasting_data

n_steps, n_test, window_size = 1200, 200, 4
rng = np.random.default_rng(0)
shocks = rng.normal(size=n_steps)


def autoregressive(phi):
    x = np.zeros(n_steps)
    for t in range(1, n_steps):
        x[t] = phi[t] * x[t - 1] + shocks[t]
    return x.astype(np.float32)


phis = {
    "drifting": np.interp(np.arange(n_steps), [0, 700], [0.9, -0.7]),
    "stationary": np.full(n_steps, 0.5),
}
series = {name: autoregressive(phi) for name, phi in phis.items()}

# %%
# Windows and weights
# -------------------
# :func:`~sksequence.make_forecasting_data` cuts each series into windows of
# the last 4 values, each with the next value as its target. The windows
# whose targets fall in the last 200 steps are held out; the model trains on
# the 996 before them.
#
# The weight of a training window halves every 100 windows back from the
# most recent one: ``w = 0.5 ** (age / 100)``. Only the ratios of the
# weights matter (the loss is their weighted mean). Kish's effective sample
# size, ``w.sum() ** 2 / (w ** 2).sum()``, tells how many equally weighted
# windows the weighted fit is worth.
X, y = {}, {}
for name, x in series.items():
    X[name], y[name] = make_forecasting_data(x, window_size=window_size)
n_train = len(y["drifting"]) - n_test
target_steps = np.arange(len(y["drifting"])) + window_size  # step of each target
test_steps = target_steps[n_train:]

half_life = 100
age = n_train - 1 - np.arange(n_train)  # in windows, 0 for the most recent
recency = 0.5 ** (age / half_life)
effective = recency.sum() ** 2 / (recency**2).sum()
print(f"{n_train} training windows, {n_test} test windows")
print(f"recency weights: worth {effective:.0f} equally weighted training windows")

# %%
# Uniform and recency weights, three seeds each
# ---------------------------------------------
# A :class:`~sksequence.SequenceScaler` standardizes the inputs and a small
# GRU forecasts; ``batch_size=64`` keeps the example fast, the rest is the
# default. In a :class:`~sklearn.pipeline.Pipeline` the weights go to the
# step that takes them by its name, ``gruregressor__sample_weight=w``
# (with metadata routing enabled, ``set_fit_request(sample_weight=True)``
# does it instead; see :ref:`sample-weights`). The scaler's statistics stay
# unweighted.
#
# The regressor holds out the *last* 20 % of the training windows for early
# stopping (``validation_split="auto"`` is ``"tail"`` for regressors: a
# random holdout would leak the future). Those windows keep their weights,
# so the validation loss, too, counts the most recent windows most. The
# regressor standardizes its target internally with the same weights.
weightings = {"uniform": None, "recency": recency}
mae, forecasts = {}, {}
for name in series:
    X_train, y_train = X[name][:n_train], y[name][:n_train]
    X_test, y_test = X[name][n_train:], y[name][n_train:]
    for weighting, weights in weightings.items():
        errors = []
        for seed in range(3):
            model = make_pipeline(
                SequenceScaler(),
                GRURegressor(hidden_size=16, batch_size=64, random_state=seed),
            )
            model.fit(X_train, y_train, gruregressor__sample_weight=weights)
            prediction = model.predict(X_test)
            errors.append(np.mean(np.abs(prediction - y_test)))
            if seed == 0:
                forecasts[name, weighting] = prediction
        mae[name, weighting] = errors

print("\nMAE over the test period, mean ± sd over 3 seeds")
for name, x in series.items():
    best = phis[name][test_steps] * x[test_steps - 1]
    floor = np.mean(np.abs(best - y[name][n_train:]))
    print(f"  {name} series (best possible forecast: {floor:.3f})")
    for weighting in weightings:
        errors = mae[name, weighting]
        print(f"    {weighting:<8} {np.mean(errors):.3f} ± {np.std(errors):.3f}")

# %%
# On the drifting series, recency weights cut the error from about 0.87 to
# about 0.80, close to the floor of 0.79; the seeds differ by one or two
# hundredths. With uniform weights most of the training windows predate the
# change: over the windows the network trains on (the early-stopping
# holdout aside), the coefficient averages about 0, while the test period
# runs at -0.7. The network reads part of the current dynamics from the
# window itself, which keeps the uniform fit from doing worse still; with
# longer windows it reads somewhat more, and the gap narrows. The recency
# weights put half of the training weight on the last 100 training windows,
# where the coefficient has settled at -0.7, and three quarters on the last
# 200 (coefficients from -0.47 to -0.7); the held-out windows that decide
# when to stop lie entirely in the settled period.
#
# On the stationary series the weights do not help: every window
# describes the same dynamics, and down-weighting the old ones only leaves
# fewer effective samples (288 instead of 996), so the error is a little
# worse, about 0.799 against 0.795. Recency weighting trades variance for
# bias. It pays when the dynamics have changed within the training period
# and the recent past resembles the near future. If they keep drifting
# through the test period, the weights bring the model up to date only
# with the end of the training period, and its forecasts lag behind.
#
# Two practical points. The half-life is a parameter like any other: choose
# it on a validation period that follows the training one (for example
# with :class:`~sklearn.model_selection.TimeSeriesSplit`, computing the
# weights inside each fold from the ages of its training windows), never on
# the test period. And the early-stopping holdout is the *most recent* 20 %
# of the training windows, which training itself never sees: on a drifting
# series a smaller ``validation_fraction``, or a refit with
# ``early_stopping=False`` for the number of epochs found, keeps more of the
# recent past in training.
#
# Below, the forecasts of seed 0 over the last 60 test steps; above them,
# the drifting coefficient, the weights of the training windows (by the
# step of their target) and the early-stopping holdout:
fig, (ax_phi, ax_forecast) = plt.subplots(2, 1, figsize=(9, 6.5))
train_steps = target_steps[:n_train]
ax_phi.plot(np.arange(n_steps), phis["drifting"], color="black", label="phi[t]")
n_holdout = round(0.2 * n_train)  # validation_fraction=0.2, the tail
ax_phi.axvspan(
    train_steps[-n_holdout], test_steps[0], color="0.95", label="early-stopping holdout"
)
ax_phi.axvspan(test_steps[0], n_steps, color="0.85", label="test period")
ax_phi.set_xlabel("time step")
ax_phi.set_ylabel("phi")
ax_weight = ax_phi.twinx()
ax_weight.fill_between(train_steps, recency, color="C1", alpha=0.3)
ax_weight.set_ylabel("recency weight", color="C1")
ax_weight.set_ylim(0, 1.05)
ax_phi.set_title("Drifting series: the coefficient and the weights of the windows")
ax_phi.legend(loc="lower left")

shown = slice(-60, None)
steps = test_steps[shown]
ax_forecast.plot(steps, y["drifting"][n_train:][shown], "k.-", label="truth")
for weighting, color in (("uniform", "C0"), ("recency", "C1")):
    errors = mae["drifting", weighting]
    ax_forecast.plot(
        steps,
        forecasts["drifting", weighting][shown],
        color=color,
        marker="o",
        ms=3,
        label=f"{weighting} weights (MAE {np.mean(errors):.2f})",
    )
ax_forecast.set_xlabel("time step")
ax_forecast.set_title("One-step-ahead forecasts, last 60 test steps (seed 0)")
ax_forecast.margins(y=0.25)  # room for the legend
ax_forecast.legend(loc="upper left", ncols=3)
fig.tight_layout()

# sphinx_gallery_start_ignore
# Run as a script, the example also saves its figure (tests/test_examples.py
# checks it); the gallery page shows it above.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

out_dir = Path(os.environ.get("SKSEQUENCE_EXAMPLES_OUT", Path(__file__).parent))
fig.savefig(out_dir / "recency_weighted_forecasting.png", dpi=100)
# sphinx_gallery_end_ignore
