"""Resident memory over a long fit on the sliding windows of one series.

A series of 10,000,000 float32 steps is 40 MB; its windows of 256 steps,
materialized, would be 10.2 GB. sksequence keeps them as a zero-copy view
from windowing through validation to the batches of training and
prediction. This script checks that, and that the resident set stays flat
*during* training: it records the RSS after every ``--every`` training
batches (from a callback, with the time since the fit started) for both
ways of windowing a series,

* ``pipeline``: ``make_pipeline(SlidingWindowTransformer(window_size=256),
  GRURegressor(hidden_size=16, max_epochs=1, batch_size=1024,
  random_state=0))`` fitted on ``x.reshape(-1, 1)`` with the next value as
  target (the pipeline of the windowing recipe);
* ``forecasting``: ``make_forecasting_data(x, 256)`` and the same regressor.

Each run stops after ``--minutes`` of training (default 10), or after its
``--epochs`` epochs (default 1) with ``--full``. With
patches (``patch_size="auto"``: 8 steps each here) an epoch of the 10M-step
series takes about 3.5 minutes on one thread; ``--full --epochs 3`` observes
more than 10 minutes of training. Prints the curve, peak RSS, and the growth
after the first 100 batches; writes the curves as text and as a PNG to
``--out`` (default ``docs/benchmarks``). Goals: peak RSS under 1 GiB and
growth after the first 100 batches under 50 MB.

    OMP_NUM_THREADS=1 python benchmarks/memory_windowing.py
    OMP_NUM_THREADS=1 python benchmarks/memory_windowing.py --full
    OMP_NUM_THREADS=1 python benchmarks/memory_windowing.py --steps 2000000 --minutes 2
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# one run, in a fresh process so that each starts from the same heap
RUN = """
import json, os, sys, time
import numpy as np
import torch
from skorch.callbacks import Callback
from sklearn.pipeline import make_pipeline
from sksequence import GRURegressor, SlidingWindowTransformer, make_forecasting_data

kind, steps, window, every, seconds, epochs = sys.argv[1:7]
steps, window, every = int(steps), int(window), int(every)
seconds, epochs = float(seconds), int(epochs)
torch.set_num_threads(1)
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


class Stop(Exception):
    pass


class Recorder(Callback):
    def on_train_begin(self, net, **kwargs):
        self.start, self.batches = time.perf_counter(), 0
        curve.append((0, 0.0, rss_mb()))

    def on_batch_end(self, net, training=False, **kwargs):
        if not training:
            return
        self.batches += 1
        elapsed = time.perf_counter() - self.start
        if self.batches % every == 0:
            curve.append((self.batches, elapsed, rss_mb()))
        if elapsed > seconds:
            raise Stop


curve = []
x = np.sin(np.arange(steps) / 50.0) + 0.1 * np.random.default_rng(0).normal(size=steps)
x = x.astype(np.float32)
reg = GRURegressor(hidden_size=16, max_epochs=epochs, batch_size=1024, random_state=0,
                   callbacks=[("recorder", Recorder())])
if kind == "pipeline":
    model = make_pipeline(SlidingWindowTransformer(window_size=window), reg)
    X, y = x.reshape(-1, 1)[:-1], x[1:]
else:
    model = reg
    X, y = make_forecasting_data(x, window_size=window)
try:
    model.fit(X, y)
except Stop:
    pass
print(json.dumps({"curve": curve, "peak_mb": max(r for *_, r in curve)}))
"""


def run(kind, args):
    seconds = float("inf") if args.full else 60 * args.minutes
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            RUN,
            kind,
            str(args.steps),
            str(args.window),
            str(args.every),
            str(seconds),
            str(args.epochs),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        check=False,
    )
    if out.returncode:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def growth_after(curve, batches):
    """RSS growth from the first record at or after ``batches`` to the end."""
    later = [r for b, _, r in curve if b >= batches]
    return later[-1] - later[0] if later else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000_000)
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--every", type=int, default=50, help="batches per record")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--full", action="store_true", help="all the epochs")
    parser.add_argument("--epochs", type=int, default=1, help="max_epochs")
    parser.add_argument("--kinds", nargs="+", default=["pipeline", "forecasting"])
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks"))
    args = parser.parse_args()

    import torch

    print(
        f"series of {args.steps:,} float32 steps, windows of {args.window} "
        f"(materialized: {args.steps * args.window * 4 / 1e9:.1f} GB); "
        f"GRURegressor(hidden_size=16, batch_size=1024, max_epochs={args.epochs}); "
        f"torch {torch.__version__}; "
        f"{'every epoch' if args.full else f'{args.minutes:g} min of training'}"
    )
    results = {}
    lines = []
    for kind in args.kinds:
        res = results[kind] = run(kind, args)
        curve = res["curve"]
        growth = growth_after(curve, 100)
        ok = res["peak_mb"] < 1024 and growth < 50
        lines.append(f"\n{kind}: batches, seconds, RSS MB")
        lines += [f"  {b:6d} {t:8.1f} {r:8.1f}" for b, t, r in curve]
        lines.append(
            f"{kind}: peak RSS {res['peak_mb']:.0f} MB; growth after batch 100: "
            f"{growth:+.1f} MB over {curve[-1][0]} batches ({curve[-1][1]:.0f} s); "
            f"goals (peak < 1024 MB, growth < 50 MB): {'met' if ok else 'NOT met'}"
        )
    text = "\n".join(lines)
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "memory_windowing_rss.txt").write_text(text + "\n", encoding="utf-8")
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(7, 3.5), constrained_layout=True)
    for kind, res in results.items():
        batches, _, rss = zip(*res["curve"])
        ax.plot(batches, rss, label=kind)
    ax.set(xlabel="training batches", ylabel="RSS [MB]", ylim=(0, None))
    ax.set_title("Resident memory while training on 256-step windows")
    ax.legend()
    fig.savefig(out / "memory_windowing_rss.png", dpi=100)


if __name__ == "__main__":
    main()
