"""Peak memory of fitting on the sliding windows of a long series.

A series of 10,000,000 float32 steps is 40 MB; its windows of 256 steps,
materialized, would be 10.2 GB. sksequence keeps them as a zero-copy view
from windowing through validation to the batches of training and
prediction, so the peak resident set stays far below that.

Run::

    python benchmarks/memory_windowing.py                 # 10M steps, window 256
    python benchmarks/memory_windowing.py --steps 1000000 --epochs 1

Prints the peak RSS of this process before and after the fit, and the size
the windows would have if materialized. Goal: peak RSS under 1 GB.
"""

import argparse
import resource
import time

import numpy as np
import torch

from sksequence import GRURegressor, make_forecasting_data


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=10_000_000)
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rng = np.random.default_rng(0)
    series = np.sin(np.arange(args.steps) / 50.0) + 0.1 * rng.normal(size=args.steps)
    series = series.astype(np.float32)
    X, y = make_forecasting_data(series, window_size=args.window)
    materialized_gb = X.size * X.itemsize / 1e9
    before = peak_rss_mb()
    start = time.perf_counter()
    reg = GRURegressor(
        hidden_size=args.hidden,
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        random_state=0,
    ).fit(X, y)
    fit_seconds = time.perf_counter() - start
    after_fit = peak_rss_mb()
    reg.predict(X[-100_000:])
    after_predict = peak_rss_mb()

    print(f"series: {args.steps:,} float32 steps ({series.nbytes / 1e6:.0f} MB)")
    print(f"windows: {X.shape}, materialized size {materialized_gb:.2f} GB")
    print(f"shares memory with the series: {np.shares_memory(X, series)}")
    print(f"peak RSS before fit:          {before:8.0f} MB")
    print(f"peak RSS after fit:           {after_fit:8.0f} MB")
    print(f"peak RSS after predict(100k): {after_predict:8.0f} MB")
    print(f"fit time: {fit_seconds:.1f} s for {reg.n_iter_} epoch(s)")
    print(f"goal peak RSS < 1000 MB: {'met' if after_predict < 1000 else 'NOT met'}")


if __name__ == "__main__":
    main()
