"""
===========================================================
A fan chart: forecast quantiles over the held-out truth
===========================================================

How sure is a forecast? A recurrent regressor trained with a distributional
loss predicts, for every step ahead, a whole distribution rather than one
value. We forecast the last two years of the airline series from the ten
before them with :class:`~sksequence.sktime.RecurrentForecaster`, draw the
50 %, 80 % and 95 % intervals as a fan over the truth, and count how much of
the truth each band holds. Two heads are compared: a Gaussian
(``loss="gaussian"``, a mean and a standard deviation per step) and learned
quantiles (``loss="quantile"``, no distribution assumed). See
:ref:`uncertainty` for what the losses are and for the measured calibration
on more series.
"""

# %%
# The data and the forecasters
# ----------------------------
# Monthly passengers, 1949-1960. The forecasters see the first 120 months and
# forecast the 24 after them at once (``strategy="direct"``), on the log
# scale (sktime's ``LogTransformer``: the season grows with the level) and
# relative to the same month a year before (``sp=12``). The quantiles come
# back through the log transform unchanged in meaning: a quantile of the log
# is the log of the quantile.

import matplotlib.pyplot as plt
import numpy as np
from sktime.forecasting.compose import TransformedTargetForecaster
from sktime.transformations.series.boxcox import LogTransformer

from sksequence import GRURegressor
from sksequence.datasets import load_airline
from sksequence.sktime import RecurrentForecaster

y = load_airline(as_frame=True).astype(float).rename("passengers")
train, test = y.iloc[:120], y.iloc[120:]
fh = np.arange(1, len(test) + 1)
levels = [0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975]


def forecaster(loss):
    net = GRURegressor(
        loss=loss, quantiles=levels, hidden_size=32, max_epochs=300, random_state=0
    )
    return TransformedTargetForecaster(
        [
            ("log", LogTransformer()),
            # the log is sktime's LogTransformer here: none inside
            ("rnn", RecurrentForecaster(net, window_length=24, sp=12, transform=None)),
        ]
    )


quantiles = {}
for loss in ("gaussian", "quantile"):
    model = forecaster(loss).fit(train, fh=fh)
    quantiles[loss] = model.predict_quantiles(fh=fh, alpha=levels)[y.name]

# %%
# How much of the truth each band holds
# -------------------------------------
# Over 24 months, a band of nominal coverage c should hold about c of the
# months (with 24 months, one month is 4 points of coverage).

truth = test.to_numpy()
for loss, q in quantiles.items():
    cells = []
    for coverage, (low, high) in {
        0.5: (0.25, 0.75),
        0.8: (0.1, 0.9),
        0.95: (0.025, 0.975),
    }.items():
        inside = (truth >= q[low].to_numpy()) & (truth <= q[high].to_numpy())
        width = np.mean(q[high] - q[low])
        cells.append(f"{coverage:.0%}: holds {inside.mean():.0%}, width {width:.0f}")
    mae = np.abs(q[0.5].to_numpy() - truth).mean()
    print(f"{loss:9s} median MAE {mae:5.1f} | " + " | ".join(cells))

# %%
# The fan chart
# -------------
# The bands widen with the steps ahead and with the level of the series (on
# the log scale the net's uncertainty is relative). The Gaussian's bands are
# symmetric on the log scale; the learned quantiles need not be.

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
months = test.index.to_timestamp()
history = y.iloc[96:120]
for ax, (loss, q) in zip(axes, quantiles.items()):
    ax.plot(history.index.to_timestamp(), history, color="black", lw=1)
    for (low, high), alpha in [
        ((0.025, 0.975), 0.2),
        ((0.1, 0.9), 0.3),
        ((0.25, 0.75), 0.45),
    ]:
        ax.fill_between(
            months,
            q[low],
            q[high],
            color="tab:blue",
            alpha=alpha,
            lw=0,
            label=f"{high - low:.0%} interval",
        )
    ax.plot(months, q[0.5], color="tab:blue", lw=1.5, label="median")
    ax.plot(months, truth, "o", color="black", ms=3, label="truth (held out)")
    ax.set_title(f'loss="{loss}"')
    ax.set_xlabel("month")
axes[0].set_ylabel("passengers (thousands)")
axes[0].legend(loc="upper left", fontsize=8)
fig.autofmt_xdate()
fig.tight_layout()

# sphinx_gallery_start_ignore
# Run as a script, the example also saves its figure (tests/test_examples.py
# checks it); the gallery page shows it above.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

out_dir = Path(os.environ.get("SKSEQUENCE_EXAMPLES_OUT", Path(__file__).parent))
fig.savefig(out_dir / "forecast_fan_chart.png", dpi=100)
# sphinx_gallery_end_ignore
