"""Draw the landing page's figure: the README quick start's forecast.

Runs the quick start block of ``README.md`` as it stands and plots its
forecast of the held-out years beside the truth and the seasonal naive
forecast. The PNG is committed (the docs build does not train a model)::

    OMP_NUM_THREADS=1 python docs/landing_figure.py
"""

import contextlib
import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "_static" / "images" / "quick_start_forecast.png"


def main():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = re.search(r"```python\n(.*?)```", readme, flags=re.S).group(1)
    ns = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(quick_start, "README.md", "exec"), ns)  # noqa: S102
    passengers, n_test = ns["passengers"], ns["n_test"]
    truth, forecast, naive = ns["truth"], ns["forecast"], ns["last_year"]

    def mae(pred):
        return np.mean(np.abs(pred - truth))

    months = np.datetime64("1949-01") + np.arange(len(passengers))
    test = months[-n_test:]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.plot(months[: -n_test + 1], passengers[: -n_test + 1], color="0.6")
    ax.plot(test, truth, color="black", label="truth (held out)")
    ax.plot(
        test, naive, color="C1", ls="--", label=f"seasonal naive, MAE {mae(naive):.1f}"
    )
    ax.plot(
        test,
        forecast,
        color="C0",
        marker="o",
        ms=3,
        label=f"GRURegressor, MAE {mae(forecast):.1f}",
    )
    ax.axvline(test[0], color="0.8", lw=1)
    ax.set_ylabel("passengers (thousands)")
    ax.set_title("Quick start: one-month-ahead forecasts of the last 3 years")
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
