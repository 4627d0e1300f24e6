"""sksequence in one minute: classify and forecast with bundled data.

Run with ``python examples/demo.py``. Trains, with default parameters,

* a GRU classifier on ItalyPowerDemand (UCR; daily demand profile ->
  winter or summer), and
* a GRU regressor forecasting the airline series one month ahead: windows
  of the last 12 yearly changes ``z[t] = log y[t] - log y[t - 12]`` (free of
  trend and season) predict the next one, the last 36 months held out,

and prints their test scores beside classic baselines.
"""

import time

import numpy as np
import pandas as pd

from sksequence import GRUClassifier, GRURegressor, make_forecasting_data
from sksequence.datasets import load_airline, load_italy_power_demand


def classify():
    data = load_italy_power_demand()
    start = time.perf_counter()
    clf = GRUClassifier(random_state=0).fit(data.X_train, data.y_train)
    seconds = time.perf_counter() - start
    return {
        "task": "ItalyPowerDemand (accuracy)",
        "sksequence": clf.score(data.X_test, data.y_test),
        "baseline": 0.950,
        "baseline name": "1-NN DTW",
        "epochs": clf.n_iter_,
        "fit [s]": seconds,
    }


def forecast(window=12, n_test=36):
    passengers = load_airline()
    log_y = np.log(passengers)
    z = log_y[12:] - log_y[:-12]  # the change over the same month a year earlier
    X, y = make_forecasting_data(z, window_size=window)
    X_train, X_test, y_train = X[:-n_test], X[-n_test:], y[:-n_test]
    start = time.perf_counter()
    reg = GRURegressor(random_state=0).fit(X_train, y_train)
    seconds = time.perf_counter() - start
    months = np.arange(len(passengers) - n_test, len(passengers))
    last_year = passengers[months - 12]
    pred = last_year * np.exp(reg.predict(X_test))
    truth = passengers[months]
    return {
        "task": "Airline, 36 months (MAE)",
        "sksequence": np.mean(np.abs(pred - truth)),
        "baseline": np.mean(np.abs(last_year - truth)),  # seasonal naive
        "baseline name": "seasonal naive",
        "epochs": reg.n_iter_,
        "fit [s]": seconds,
    }


if __name__ == "__main__":
    table = pd.DataFrame([classify(), forecast()]).set_index("task")
    with pd.option_context("display.float_format", "{:.3f}".format):
        print(table.to_string())
