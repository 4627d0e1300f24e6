"""How many threads a recurrent net should use, quiet and beside other work.

Two measurements, both printed as medians (min-max) of alternated runs:

* ``grid``: one training step (forward, backward, Adam) of a GRU(hidden) on
  batches of ``batch`` windows of 30 steps, on 1 and on 2 intra-op threads,
  for a grid of hidden sizes and batch sizes, on a quiet machine and beside
  one busy process. The step's work (batch x weights, the figure
  ``n_threads="auto"`` reads) against the speed-up of 2 threads over 1 is
  where ``THREAD_MIN_STEP_WORK`` comes from.
* ``estimators``: whole fits as users run them, each in a fresh process, with
  ``n_threads=1``, ``2`` and ``"auto"``:

  - ``default``: ``make_pipeline(SequenceScaler(), GRUClassifier(random_state=0,
    max_epochs=20, early_stopping=False))`` on GunPoint (bundled);
  - ``large``: ``GRURegressor(hidden_size=512, batch_size=1024, max_epochs=2,
    early_stopping=False)`` on 2,048 random windows of 30 steps;

  under four conditions: ``quiet``; ``busy``, one other process spinning at
  normal priority; ``nice``, three other processes spinning at nice 19 (a
  background benchmark job); and ``1core``, the fit confined to one core
  (``os.sched_setaffinity``) on a quiet machine.

Ratios: each setting over the best fixed count in the same condition, and,
beside other work, ``"auto"`` over ``n_threads=1``.

    python benchmarks/threads.py grid
    python benchmarks/threads.py estimators --repeats 3
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time

SPIN = "while True: pass"


@contextlib.contextmanager
def competitors(condition):
    """Start the other processes of ``condition``; stop them afterwards."""
    procs = []
    if condition == "busy":
        procs = [subprocess.Popen([sys.executable, "-c", SPIN])]
    elif condition == "nice":
        procs = [
            subprocess.Popen(["nice", "-n", "19", sys.executable, "-c", SPIN])
            for _ in range(3)
        ]
    time.sleep(0.5 if procs else 0)  # let them take their cores
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


# -- grid: one training step of a module ---------------------------------------


def step_seconds(model, X, y, optimizer, seconds=1.0):
    """Median seconds of one training step over about ``seconds``."""
    import torch

    times = []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop or len(times) < 3:
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def grid(args):
    import torch
    from torch import nn

    from sksequence._constants import THREAD_MIN_STEP_WORK
    from sksequence._threads import step_work

    class Model(nn.Module):
        def __init__(self, hidden):
            super().__init__()
            self.rnn, self.head = (
                nn.GRU(5, hidden, batch_first=True),
                nn.Linear(hidden, 1),
            )

        def forward(self, X):
            return self.head(self.rnn(X)[1][-1])

    print(f"THREAD_MIN_STEP_WORK = {THREAD_MIN_STEP_WORK:,}")
    print(
        f"{'condition':9s} {'hidden':>6s} {'batch':>6s} {'step work':>14s} "
        f"{'1 thread':>10s} {'2 threads':>10s} {'2 vs 1':>7s}"
    )
    for condition in args.conditions:
        with competitors(condition):
            for hidden in args.hidden:
                for batch in args.batch:
                    torch.manual_seed(0)
                    model = Model(hidden)
                    X, y = torch.randn(batch, 30, 5), torch.randn(batch, 1)
                    optimizer = torch.optim.Adam(model.parameters())
                    runs = {1: [], 2: []}
                    for _ in range(args.repeats):
                        for threads in (1, 2):
                            torch.set_num_threads(threads)
                            runs[threads].append(
                                step_seconds(model, X, y, optimizer, args.seconds)
                            )
                    one, two = (statistics.median(runs[k]) for k in (1, 2))
                    print(
                        f"{condition:9s} {hidden:6d} {batch:6d} "
                        f"{step_work(model, batch):14,d} {one * 1e3:8.2f}ms "
                        f"{two * 1e3:8.2f}ms {one / two:6.2f}x",
                        flush=True,
                    )


# -- estimators: whole fits in fresh processes -----------------------------------


def fit_once(workload, n_threads, one_core):
    """Child process: one fit; prints its JSON record."""
    if one_core:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import numpy as np
    from sklearn.pipeline import make_pipeline

    import sksequence
    from sksequence.datasets import load_gunpoint

    n_threads = n_threads if n_threads == "auto" else int(n_threads)
    if workload == "default":
        X, y = load_gunpoint(split="train", return_X_y=True)
        model = make_pipeline(
            sksequence.SequenceScaler(),
            sksequence.GRUClassifier(
                random_state=0, max_epochs=20, early_stopping=False, n_threads=n_threads
            ),
        )
    else:
        rng = np.random.default_rng(0)
        X = rng.normal(size=(2048, 30, 1)).astype(np.float32)
        y = X[:, -5:, 0].sum(axis=1)
        model = sksequence.GRURegressor(
            hidden_size=512,
            batch_size=1024,
            max_epochs=2,
            early_stopping=False,
            random_state=0,
            n_threads=n_threads,
        )
    start = time.perf_counter()
    model.fit(X, y)
    print(json.dumps({"seconds": time.perf_counter() - start}))


def run_child(workload, n_threads, one_core, timeout):
    cmd = [
        sys.executable,
        __file__,
        "_child",
        workload,
        str(n_threads),
        "1" if one_core else "0",
    ]
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, check=True, timeout=timeout
        ).stdout
    except subprocess.TimeoutExpired:
        return float("inf")
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def estimators(args):
    settings = ["1", "2", "auto"]
    print(
        f"{'workload':8s} {'condition':9s} "
        + " ".join(f"{'n_threads=' + s:>24s}" for s in settings)
        + "   auto/best  auto/1"
    )
    for workload in args.workloads:
        for condition in args.conditions:
            one_core = condition == "1core"
            times = {s: [] for s in settings}
            with competitors(condition):
                for _ in range(args.repeats):
                    for s in settings:
                        times[s].append(run_child(workload, s, one_core, args.timeout))
            med = {s: statistics.median(v) for s, v in times.items()}
            best = min(med["1"], med["2"])
            cells = " ".join(
                f"{med[s]:7.2f}s ({min(times[s]):.2f}-{max(times[s]):.2f})".rjust(24)
                for s in settings
            )
            print(
                f"{workload:8s} {condition:9s} {cells}   "
                f"{med['auto'] / best:8.2f}x {med['auto'] / med['1']:6.2f}x",
                flush=True,
            )


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        fit_once(*sys.argv[2:4], sys.argv[4] == "1")
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    g = sub.add_parser("grid")
    g.add_argument("--hidden", type=int, nargs="+", default=[32, 64, 128, 256, 512])
    g.add_argument("--batch", type=int, nargs="+", default=[16, 64, 256, 1024])
    g.add_argument("--conditions", nargs="+", default=["quiet", "busy"])
    g.add_argument("--repeats", type=int, default=3)
    g.add_argument("--seconds", type=float, default=0.5)
    e = sub.add_parser("estimators")
    e.add_argument("--workloads", nargs="+", default=["default", "large"])
    e.add_argument(
        "--conditions", nargs="+", default=["quiet", "busy", "nice", "1core"]
    )
    e.add_argument("--repeats", type=int, default=3)
    e.add_argument(
        "--timeout", type=float, default=300, help="seconds before a fit counts as inf"
    )
    args = parser.parse_args()
    {"grid": grid, "estimators": estimators}[args.what](args)


if __name__ == "__main__":
    main()
