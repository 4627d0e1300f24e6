"""sksequence in one minute: classify and forecast with bundled data.

Run with ``python examples/demo.py``. Trains, with default parameters,

* a GRU classifier on ItalyPowerDemand (UCR; daily demand profile ->
  winter or summer), and
* a GRU regressor forecasting the airline series one month ahead from the
  last 12 months (log scale, as the change over the same month a year
  earlier), the last 36 months held out,

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
    log_series = np.log(load_airline())
    X, y = make_forecasting_data(log_series, window_size=window)
    # window i covers months i..i+11 and predicts month i+12
    X_train, X_test = X[:-n_test], X[-n_test:]
    y_train, y_test = y[:-n_test], y[-n_test:]
    start = time.perf_counter()
    # X[:, 0] is the same month one year earlier: learn the (log) change over
    # it, a target free of trend and season
    reg = GRURegressor(random_state=0).fit(X_train, y_train - X_train[:, 0, 0])
    seconds = time.perf_counter() - start
    pred = np.exp(reg.predict(X_test) + X_test[:, 0, 0])
    truth = np.exp(y_test)
    seasonal_naive = np.exp(X_test[:, 0, 0])
    return {
        "task": "Airline, 36 months (MAE)",
        "sksequence": np.mean(np.abs(pred - truth)),
        "baseline": np.mean(np.abs(seasonal_naive - truth)),
        "baseline name": "seasonal naive",
        "epochs": reg.n_iter_,
        "fit [s]": seconds,
    }


if __name__ == "__main__":
    table = pd.DataFrame([classify(), forecast()]).set_index("task")
    with pd.option_context("display.float_format", "{:.3f}".format):
        print(table.to_string())
