"""Generate ``yearly_panel.csv``: a panel of yearly series, M3/M4 style.

No package ships the M3 or M4 yearly series as files (their loaders download
them at run time), so ``benchmarks/global_forecasting.py`` reads a panel
simulated from exponential smoothing state-space models with randomised
parameters, the generator of Hyndman, Koehler, Ord and Snyder (2008),
*Forecasting with Exponential Smoothing: The State Space Approach*
(Springer), ch. 2 and 4, as used to simulate competition-like collections
(e.g. Kang, Hyndman and Li (2020), "GRATIS: GeneRAting TIme Series with
diverse and controllable characteristics", Stat. Anal. Data Min. 13(4),
where ETS models are one of the simulation baselines). Yearly data have no
season: the models are the non-seasonal ones with multiplicative errors
(the series stay positive, as sales and economic totals do):

* ``MNN`` (level only, 20 %), ``MAN`` (additive trend, 40 %), ``MAdN``
  (damped trend, 40 %), the shares roughly those ETS selects on the M3
  yearly series;
* smoothing ``alpha ~ U(0.3, 0.95)`` (yearly series are close to random
  walks), trend ``beta ~ U(0, 0.3) * alpha``, damping ``phi ~ U(0.8,
  0.98)``, error sd ``sigma ~ U(0.02, 0.12)``;
* initial level ``exp(U(log 50, log 20000))`` (units differ by orders of
  magnitude across series, as in the M data), initial growth ``b0 =
  level * U(-0.02, 0.08)``;
* lengths ``U{20, 47}`` observations, the last 6 the test (M3 yearly:
  20 to 47 observations, horizon 6; M4 yearly: horizon 6).

Each series is simulated with a 10-year burn-in that is dropped; a path that
leaves the positive numbers is drawn again. Seeded: ``python
benchmarks/data/make_yearly_panel.py`` rewrites the same file.

Equations (error ``e_t ~ N(0, sigma^2)``; ``phi = 1`` for MAN):

    mu_t = l_{t-1} + phi * b_{t-1}
    y_t  = mu_t * (1 + e_t)
    l_t  = mu_t * (1 + alpha * e_t)
    b_t  = phi * b_{t-1} + beta * mu_t * e_t
"""

from pathlib import Path

import numpy as np
import pandas as pd

N_SERIES = 300
SEED = 20080601  # Hyndman et al. (2008), published June 2008
BURN_IN = 10
OUT = Path(__file__).with_name("yearly_panel.csv")


def simulate(rng, n):
    """One series of ``n`` yearly values and its model's name."""
    kind = rng.choice(["MNN", "MAN", "MAdN"], p=[0.2, 0.4, 0.4])
    alpha = rng.uniform(0.3, 0.95)
    beta = 0.0 if kind == "MNN" else rng.uniform(0, 0.3) * alpha
    phi = rng.uniform(0.8, 0.98) if kind == "MAdN" else 1.0
    sigma = rng.uniform(0.02, 0.12)
    while True:
        level = np.exp(rng.uniform(np.log(50), np.log(20000)))
        trend = 0.0 if kind == "MNN" else level * rng.uniform(-0.02, 0.08)
        values = np.empty(BURN_IN + n)
        for t in range(BURN_IN + n):
            mu = level + phi * trend
            e = rng.normal(0, sigma)
            values[t] = mu * (1 + e)
            level = mu * (1 + alpha * e)
            trend = phi * trend + beta * mu * e
        if (values > 0).all():
            return kind, values[BURN_IN:]


def main():
    rng = np.random.default_rng(SEED)
    rows = []
    for i in range(N_SERIES):
        n = int(rng.integers(20, 48))
        kind, values = simulate(rng, n)
        rows += [
            (f"Y{i:03d}", kind, 1970 + 47 - n + t, v) for t, v in enumerate(values)
        ]
    frame = pd.DataFrame(rows, columns=["series", "model", "year", "value"])
    frame.to_csv(OUT, index=False, float_format="%.4f")
    print(f"{OUT}: {N_SERIES} series, {len(frame)} values")


if __name__ == "__main__":
    main()
