"""
===========================================================
Forecasting 12 days ahead with a calendar covariate
===========================================================

Some drivers of a series are known in advance: the calendar, planned
promotions, public holidays. A forecaster that reads them over the horizon
can anticipate what the past alone cannot announce. We forecast the daily
visits of a (simulated) shop 12 days ahead with
:class:`~sksequence.sktime.RecurrentForecaster`, once from the past visits
alone and once with a holiday calendar as a future-known covariate, and
compare both with the held-out truth over a backtest run by sktime's own
``evaluate``.
"""

# %%
# The data
# --------
# Sixteen months of daily visits: a level around 100, busier weekends, a
# slow yearly swing, autocorrelated noise, and about twenty holidays a year on
# which the shop sees 40% fewer visitors. The holidays fall on irregular
# dates (no weekly or yearly rule finds them), but they are in the
# calendar: the ``holiday`` column is known for every future day.

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sktime.forecasting.model_evaluation import evaluate
from sktime.performance_metrics.forecasting import MeanAbsoluteError
from sktime.split import ExpandingWindowSplitter

from sksequence import GRURegressor
from sksequence.sktime import RecurrentForecaster

rng = np.random.default_rng(0)
n_days, horizon = 480, 12
days = pd.period_range("2024-01-01", periods=n_days, freq="D")
holiday = np.zeros(n_days)
holiday[rng.choice(n_days, size=26, replace=False)] = 1.0
holiday[-9] = 1.0  # one holiday in the last 12 days, to see it on the plot
noise = np.zeros(n_days)
for t in range(1, n_days):
    noise[t] = 0.6 * noise[t - 1] + rng.normal(scale=4.0)
weekend = np.isin(days.dayofweek, [5, 6])
visits = (100 + 25 * weekend + 10 * np.sin(2 * np.pi * np.arange(n_days) / 365.25)) * (
    1 - 0.4 * holiday
) + noise
y = pd.Series(visits, index=days, name="visits")
X = pd.DataFrame({"holiday": holiday}, index=days)

# %%
# Two forecasters
# ---------------
# Both read windows of the last four weeks and predict the 12 days after
# them at once (``strategy="direct"``). The one given ``X`` also reads the
# holiday flag over the 12 days ahead: its windows span 28 + 12 days, with
# the visits masked over the horizon (see
# :func:`~sksequence.make_forecasting_data`).


def forecaster(seed):
    return RecurrentForecaster(
        GRURegressor(hidden_size=32, max_epochs=60, random_state=seed),
        window_length=28,
    )


# %%
# Backtest
# --------
# sktime's ``evaluate`` fits each forecaster on the first 390 days and
# forecasts 12 days ahead from every 6th day of the last 90, with the true
# history (``strategy="no-update_params"``: the fitted net forecasts from
# each new cutoff). Two seeds each.
cv = ExpandingWindowSplitter(
    initial_window=n_days - 90, step_length=6, fh=np.arange(1, horizon + 1)
)
scores = {"past visits only": [], "with the holiday calendar": []}
for seed in range(2):
    for name, exog in zip(scores, [None, X]):
        result = evaluate(
            forecaster(seed),
            cv,
            y,
            X=exog,
            strategy="no-update_params",
            scoring=MeanAbsoluteError(),
        )
        scores[name].append(result["test_MeanAbsoluteError"].mean())
for name, values in scores.items():
    print(f"{name:28s} MAE {np.mean(values):5.2f} ± {np.std(values):.2f} visits")

# %%
# The calendar cuts the error: without it, a holiday in the horizon is a
# surprise the net cannot foresee, and the days after it are off too when the
# window holds a holiday it cannot explain.
#
# The last 12 days
# ----------------
# Fitted on everything before them, the forecasts of the last 12 days, one of
# which is a holiday, beside the truth.
train, test = slice(0, n_days - horizon), slice(n_days - horizon, n_days)
fh = np.arange(1, horizon + 1)
plain = forecaster(0).fit(y[train], fh=fh).predict()
calendar = forecaster(0).fit(y[train], X=X[train], fh=fh).predict(X=X[test])

dates = days.to_timestamp()
fig, ax = plt.subplots(figsize=(9, 4.5))
ax.plot(dates[-60:-horizon], visits[-60:-horizon], color="0.6", label="history")
ax.plot(dates[test], visits[test], color="black", marker="o", ms=3, label="truth")
ax.plot(dates[test], plain, color="C1", ls="--", label="past visits only")
ax.plot(dates[test], calendar, color="C0", label="with the holiday calendar")
for day in dates[-60:][holiday[-60:] == 1]:
    half = pd.Timedelta(hours=12)
    ax.axvspan(day - half, day + half, color="C3", alpha=0.15, lw=0)
ax.axvline(dates[n_days - horizon], color="0.8", lw=1)
ax.set_ylabel("visits per day")
ax.set_title("12-day forecasts (holidays shaded)")
ax.legend(loc="lower left")
fig.tight_layout()

# sphinx_gallery_start_ignore
# Run as a script, the example also saves its figure (tests/test_examples.py
# checks it); the gallery page shows it above.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

out_dir = Path(os.environ.get("SKSEQUENCE_EXAMPLES_OUT", Path(__file__).parent))
fig.savefig(out_dir / "calendar_covariate_forecast.png", dpi=100)
# sphinx_gallery_end_ignore
