"""
=====================================
Target scaling: built in, or by hand
=====================================

The sequence regressors standardize their targets internally: they subtract
the mean and divide by the standard deviation of the training targets, and
map the predictions back. A series with a large offset or in large units
therefore needs no care on the target side. What standardization cannot fix
is a target whose *noise grows with its level* (a multiplicative series):
there, a :class:`~sklearn.compose.TransformedTargetRegressor` with a log
transform makes the problem additive again. This example compares both cases.
"""

# %%
# Two synthetic series
# --------------------
# Both come from the same AR(1) process ``a``. The *offset* series is
# ``50_000 + 800 a``: far from zero, but its fluctuations have the same size
# everywhere. The *multiplicative* series is ``1_000 exp(a)``: a shock of the
# same size moves it by the same *percentage*, so it swings by thousands when
# high and by tens when low.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from sksequence import GRURegressor, SlidingWindowTransformer

rng = np.random.default_rng(0)
n = 600
a = np.zeros(n)
for t in range(1, n):
    a[t] = 0.9 * a[t - 1] + 0.35 * rng.normal()
offset_series = 50_000 + 800 * a
multiplicative_series = 1_000 * np.exp(a)
n_test = 150

# The true one-step-ahead model, as a yardstick: no forecast does better on
# average than the median of the next value given the past.
oracle_offset = 50_000 + 800 * 0.9 * a[-n_test - 1 : -1]
oracle_multiplicative = 1_000 * np.exp(0.9 * a[-n_test - 1 : -1])

# %%
# One-step-ahead forecasting pipelines
# ------------------------------------
# Row ``t`` of ``X`` is the series at ``t`` and the target is the value at
# ``t + 1``; the :class:`~sksequence.SlidingWindowTransformer` turns each row
# into the window of the last 10 values. The inputs are scaled by a
# :class:`~sklearn.preprocessing.StandardScaler`, after a log for the
# multiplicative series, so that every model sees the same inputs and only
# the target side differs.


def make_model(log_inputs):
    steps = [FunctionTransformer(np.log)] if log_inputs else []
    steps += [
        StandardScaler(),
        SlidingWindowTransformer(window_size=10),
        GRURegressor(hidden_size=16, lr=1e-2, max_epochs=60, random_state=0),
    ]
    return make_pipeline(*steps)


def evaluate(model, series):
    X, y = series[:-1].reshape(-1, 1), series[1:]
    n_train = len(y) - n_test
    model.fit(X[:n_train], y[:n_train])
    pred = model.predict(X)[n_train:]  # windows of the test rows keep their history
    return pred, np.mean(np.abs(pred - y[n_train:]))


# %%
# The offset series needs nothing: the GRU standardizes the target itself,
# so it learns on values of order one and predicts in the original units,
# nearly as well as the true model that generated the data.
_, mae_offset = evaluate(make_model(log_inputs=False), offset_series)
mae_oracle = np.mean(np.abs(oracle_offset - offset_series[-n_test:]))
print(f"offset series, GRURegressor alone:   MAE {mae_offset:8.1f}")
print(f"offset series, true AR(1) model:     MAE {mae_oracle:8.1f}")

# %%
# For the multiplicative series we compare the GRU alone, whose squared
# error is dominated by the few high stretches of the series, with the same
# pipeline inside a :class:`~sklearn.compose.TransformedTargetRegressor`
# that trains on ``log y`` and maps the predictions back with ``exp``. On the
# log scale the noise has one size everywhere, and the AR(1) structure is
# exactly linear again. (Back-transforming a prediction of ``log y`` with
# ``exp`` gives a median, not a mean, forecast: fine for the absolute error
# measured here.) The log target brings the error close to that of the true
# model; the GRU alone stays well above it.
pred_alone, mae_alone = evaluate(make_model(log_inputs=True), multiplicative_series)
log_target = TransformedTargetRegressor(
    regressor=make_model(log_inputs=True),
    func=np.log,
    inverse_func=np.exp,
)
pred_log, mae_log = evaluate(log_target, multiplicative_series)
print(f"multiplicative, GRURegressor alone:  MAE {mae_alone:8.1f}")
print(f"multiplicative, log target (TTR):    MAE {mae_log:8.1f}")
mae_oracle = np.mean(np.abs(oracle_multiplicative - multiplicative_series[-n_test:]))
print(f"multiplicative, true AR(1) model:    MAE {mae_oracle:8.1f}")

# %%
# When to use which
# -----------------
# * Additive noise, any offset or unit: use the regressor as it is; its
#   internal standardization already handles the scale, and a
#   ``TransformedTargetRegressor`` with a
#   :class:`~sklearn.preprocessing.StandardScaler` would only repeat it.
# * Positive data whose variation is proportional to the level (sales,
#   passengers, prices): model ``log y`` with a
#   ``TransformedTargetRegressor``, and usually log the inputs as well.
# * Transforms that need the past, such as differencing a trending series,
#   do not fit ``func``, which sees one value at a time: apply them to the
#   series before windowing (see
#   :ref:`sphx_glr_auto_examples_plot_airline_forecasting.py`).
y_test = multiplicative_series[-n_test:]
fig, ax = plt.subplots(figsize=(9, 4))
ax.plot(y_test, color="black", label="truth")
ax.plot(pred_alone, color="C1", label=f"GRU alone (MAE {mae_alone:.0f})")
ax.plot(pred_log, color="C0", label=f"log target (MAE {mae_log:.0f})")
ax.set_xlabel("test time step")
ax.set_title("Multiplicative series: one-step-ahead forecasts")
ax.legend()
fig.tight_layout()

# sphinx_gallery_start_ignore
# Run as a script, the example also saves its figure (tests/test_examples.py
# checks it); the gallery page shows it above.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

out_dir = Path(os.environ.get("SKSEQUENCE_EXAMPLES_OUT", Path(__file__).parent))
fig.savefig(out_dir / "target_scaling.png", dpi=100)
# sphinx_gallery_end_ignore
