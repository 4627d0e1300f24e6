"""
=========================================
Forecasting airline passengers with a GRU
=========================================

The airline series of Box and Jenkins holds the monthly totals of
international airline passengers (thousands) from 1949 to 1960: 144 values
with an upward trend and a yearly season whose size grows with the level.
We hold out the last 36 months and forecast each of them one step ahead, from
the months before it, with a :class:`~sksequence.GRURegressor` fed windows of
the series by a :class:`~sksequence.SlidingWindowTransformer`, and compare
the error with the classic models.
"""

# %%
# The data
# --------
# The series grows from 104 to 622 thousand passengers and its yearly swing
# grows with it: the season is *multiplicative*. The last 36 months (1958 to
# 1960) are the test period; everything that is fitted or tuned sees only
# the months before it.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksequence import GRURegressor, SlidingWindowTransformer
from sksequence.datasets import load_airline

series = load_airline(as_frame=True)
passengers = series.to_numpy()
n_test = 36
n_months = len(passengers)
print(f"{n_months} months, from {passengers.min():.0f} to {passengers.max():.0f}")

# %%
# Making the series stationary
# ----------------------------
# A recurrent network with bounded activations cannot extrapolate a trend:
# the test months lie above every value seen in training. So instead of the
# raw counts we model the series that Box and Jenkins' "airline model" is
# built on. Taking the log turns the multiplicative season into an additive
# one; differencing once at lag 1 and once at lag 12 removes the trend and
# the season::
#
#     w[t] = (log y[t] - log y[t-1]) - (log y[t-12] - log y[t-13])
#
# ``w`` wanders around zero with the same spread at the start and the end
# of the series. Predicting ``w[t+1] = 0`` is the *seasonal random walk*
# ``y[t+1] = y[t] * y[t-11] / y[t-12]`` ("this month's level, times last
# year's change from this month to the next"); the network learns a
# correction to it from the recent history of ``w``.
#
# Why not a :class:`~sklearn.compose.TransformedTargetRegressor`? Its
# ``func`` is applied to ``y`` value by value, without access to the past;
# the log alone could go there, but the differences need the previous
# months, so the whole transform is done on the series, before windowing,
# and undone by hand below. :ref:`sphx_glr_auto_examples_plot_target_scaling.py`
# shows when a ``TransformedTargetRegressor`` is the right tool. (The
# regressors also standardize ``y`` internally, so the *scale* of the target
# needs no care; only its trend and season do.)
log_y = np.log(passengers)
w = np.full(n_months, np.nan)
w[13:] = (log_y[13:] - log_y[12:-1]) - (log_y[1:-12] - log_y[:-13])


def undo_transform(w_next, t):
    """Passengers at month ``t + 1`` from a forecast ``w_next`` of ``w[t + 1]``."""
    return np.exp(w_next + log_y[t] + log_y[t - 11] - log_y[t - 12])


# %%
# The supervised problem
# ----------------------
# Row ``t`` of ``X`` is ``w[t]`` and its target is the next value,
# ``w[t + 1]``. In the pipeline, the
# :class:`~sksequence.SlidingWindowTransformer` replaces row ``t`` by the
# window of the last 13 values ending at it (it only looks back), so the
# target ``y`` passes through the pipeline untouched and
# :class:`~sklearn.model_selection.TimeSeriesSplit` folds stay aligned. A
# :class:`~sklearn.preprocessing.StandardScaler` in front puts the inputs on
# a unit scale.
months = np.arange(13, n_months - 1)  # the month t of each row
X = w[months].reshape(-1, 1)
y = w[months + 1]
n_train = len(months) - n_test  # rows whose target precedes the test period
X_train, y_train = X[:n_train], y[:n_train]

# %%
# Tuning the hidden size
# ----------------------
# :class:`~sklearn.model_selection.GridSearchCV` with a
# :class:`~sklearn.model_selection.TimeSeriesSplit` always validates on
# months that come after the ones it trains on. Inside each fit, early
# stopping holds out the *last* 20% of the training rows.
model = make_pipeline(
    StandardScaler(),
    SlidingWindowTransformer(window_size=13),
    GRURegressor(
        max_epochs=300,
        validation_fraction=0.2,
        n_iter_no_change=20,
        random_state=0,
    ),
)
search = GridSearchCV(
    model,
    {"gruregressor__hidden_size": [8, 16, 32]},
    cv=TimeSeriesSplit(n_splits=3),
    scoring="neg_mean_absolute_error",
)
search.fit(X_train, y_train)
print("best:", search.best_params_)

# %%
# One-step-ahead forecasts of the test period
# -------------------------------------------
# The windows of the test rows must hold their true history, so the pipeline
# transforms the whole series and we keep the last 36 predictions; each one
# uses only the months up to the one before its target.
w_pred = search.predict(X)[n_train:]
t = months[n_train:]  # forecast origins; the targets are the months t + 1
truth = passengers[t + 1]
forecast = undo_transform(w_pred, t)
seasonal_naive = passengers[t + 1 - 12]
seasonal_random_walk = undo_transform(np.zeros(n_test), t)


def mae(pred):
    return np.mean(np.abs(pred - truth))


rows = [
    ("seasonal naive y[t-12]", mae(seasonal_naive), "computed"),
    ("seasonal random walk", mae(seasonal_random_walk), "computed"),
    ("Holt-Winters", 20.6, "published"),
    ("SARIMA(0,1,1)(0,1,1)12, log", 12.2, "published"),
    ("GRU (this example)", mae(forecast), "computed"),
]
print("\nOne-step-ahead MAE on the last 36 months (thousands of passengers)")
for name, value, source in rows:
    print(f"  {name:<30} {value:6.1f}   {source}")

# %%
# The GRU cuts the error of the seasonal naive forecast by almost two thirds
# and comes close to SARIMA. Most of that gain comes from modelling the right
# series: the seasonal random walk, which predicts ``w[t + 1] = 0``, is
# already good, and the network improves on it only a little. On 130 monthly
# values there is not much more to learn.
dates = series.index.to_timestamp()
fig, ax = plt.subplots(figsize=(9, 4.5))
ax.plot(dates[: t[0] + 2], passengers[: t[0] + 2], color="0.6", label="history")
ax.plot(dates[t + 1], truth, color="black", label="truth")
ax.plot(dates[t + 1], forecast, color="C0", marker="o", ms=3, label="GRU")
ax.plot(
    dates[t + 1], seasonal_naive, color="C1", ls="--", label="seasonal naive y[t-12]"
)
ax.axvline(dates[t[0] + 1], color="0.8", lw=1)
ax.set_ylabel("passengers (thousands)")
ax.set_title(
    f"One-step-ahead forecasts, last {n_test} months: MAE GRU "
    f"{mae(forecast):.1f}, seasonal naive {mae(seasonal_naive):.1f}"
)
ax.legend(loc="upper left")
fig.tight_layout()

# sphinx_gallery_start_ignore
# Run as a script, the example also saves its figure (tests/test_examples.py
# checks it); the gallery page shows it above.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

out_dir = Path(os.environ.get("SKSEQUENCE_EXAMPLES_OUT", Path(__file__).parent))
fig.savefig(out_dir / "airline_forecast.png", dpi=100)
# sphinx_gallery_end_ignore
