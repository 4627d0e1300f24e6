"""Fit and predict seconds of one git ref beside another (issue 32's redesign).

Each ref (default ``--before 9f80e06``, the last commit before the redesign,
and ``--after HEAD``) is checked out into a temporary ``git worktree`` under
the system's temporary folder and imported from there: every run is a fresh
interpreter with ``PYTHONPATH`` set to that worktree (the script checks that
the ``sksequence`` it imported is that worktree's), ``OMP_NUM_THREADS=1``,
``torch.set_num_threads(1)`` and ``n_threads=1``. The runs alternate
(before, after, before, after, ...), ``--repeats`` of each.

One run, on generated data (``--n-sequences`` sequences of ``--n-steps``
steps and 3 features, standard normal, seed 0):

* a one-epoch warm-up fit on 32 sequences, not timed (lazy imports and
  first kernel calls are paid once per process, in both refs alike);
* (a) ``GRURegressor.fit`` and ``GRUClassifier.fit``: ``hidden_size=32``,
  ``--epochs`` epochs, ``early_stopping=False``, ``random_state=0``; the
  regressor's target is a mean of the last steps of the first feature, the
  classifier's two classes the sign of the second feature's mean;
* (b) ``predict`` of each fitted estimator on ``--n-predict`` sequences
  (the first call after the fit, as a user makes it).

Only parameters that exist in both refs are passed. Where a ref's
classifier has the ``embedding``, ``readout`` and ``instance_norm``
parameters (added since, with new defaults), they are pinned to what the
classifier computed before them (``embedding="patch"``, ``readout="last"``,
``instance_norm=False``), so that
both refs fit the same network; the script prints every parameter whose
value still differs between the refs. Printed: the median and min-max
seconds per ref, and the ratio of the medians (after / before; below 1
the after ref is faster), with the load averages at the start and the end
(a loaded machine widens the min-max). From the repository's root::

    python benchmarks/redesign_speed.py
    python benchmarks/redesign_speed.py --before 9f80e06 --after HEAD --repeats 5
"""

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# the classifier's computation before embedding/readout were parameters
PINNED = {
    "GRUClassifier": {"embedding": "patch", "readout": "last", "instance_norm": False}
}
TASKS = (
    "fit GRURegressor",
    "fit GRUClassifier",
    "predict GRURegressor",
    "predict GRUClassifier",
)

# one run in a fresh interpreter: prints one JSON line
RUN = r"""
import inspect, json, os, sys, time
import numpy as np
import torch
torch.set_num_threads(1)
import sksequence
from sksequence import GRUClassifier, GRURegressor

worktree, settings = sys.argv[1], json.loads(sys.argv[2])
where = os.path.realpath(sksequence.__file__)
if not where.startswith(os.path.realpath(worktree) + os.sep):
    sys.exit(f"imported {where}, not the worktree {worktree}")

rng = np.random.default_rng(0)
shape = (settings["n_sequences"], settings["n_steps"], 3)
X = rng.normal(size=shape).astype(np.float32)
X_new = rng.normal(size=(settings["n_predict"], *shape[1:])).astype(np.float32)
targets = {
    "GRURegressor": X[:, -5:, 0].mean(axis=1),
    "GRUClassifier": (X[:, :, 1].mean(axis=1) > 0).astype(int),
}
common = dict(
    hidden_size=32, max_epochs=settings["epochs"], early_stopping=False,
    random_state=0, n_threads=1,
)

def make(cls, **extra):
    accepted = inspect.signature(cls).parameters
    pins = {k: v for k, v in settings["pinned"].get(cls.__name__, {}).items()
            if k in accepted}
    return cls(**{**common, **pins, **extra})

# warm-up, not timed
make(GRURegressor, max_epochs=1).fit(X[:32], targets["GRURegressor"][:32])

seconds, params = {}, {}
for cls in (GRURegressor, GRUClassifier):
    est = make(cls)
    start = time.perf_counter()
    est.fit(X, targets[cls.__name__])
    seconds["fit " + cls.__name__] = time.perf_counter() - start
    start = time.perf_counter()
    est.predict(X_new)
    seconds["predict " + cls.__name__] = time.perf_counter() - start
    params[cls.__name__] = {k: repr(v) for k, v in est.get_params().items()}
print(json.dumps({"seconds": seconds, "params": params}))
"""


def git(*args):
    out = subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def load():
    """The machine's load averages (1, 5, 15 min): how busy the cores were."""
    values = os.getloadavg() if hasattr(os, "getloadavg") else (math.nan,) * 3
    return " ".join(f"{v:.2f}" for v in values)


def one_run(worktree, settings):
    """Seconds per task and the estimators' parameters of one fresh process."""
    env = {
        **os.environ,
        "PYTHONPATH": str(worktree),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", RUN, str(worktree), json.dumps(settings)],
        cwd=worktree,
        capture_output=True,
        text=True,
        env=env,
    )
    if out.returncode:
        raise SystemExit(f"the run in {worktree} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def differing(params_a, params_b):
    """``"estimator.name: a -> b"`` for every parameter whose value differs
    (or that one ref lacks)."""
    lines = []
    for name in params_a:
        a, b = params_a[name], params_b[name]
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                lines.append(
                    f"{name}.{key}: {a.get(key, '(absent)')} -> "
                    f"{b.get(key, '(absent)')}"
                )
    return lines


def summary(seconds_by_ref, labels):
    """The printed table: median (min-max) per ref and task, then the ratio
    of the medians, last over first."""
    width = max(len(task) for task in TASKS)
    rows = [f"{'':{width}s}  " + "  ".join(f"{label:>24s}" for label in labels)]
    for task in TASKS:
        cells = []
        for label in labels:
            runs = seconds_by_ref[label][task]
            cells.append(
                f"{statistics.median(runs):8.3f} ({min(runs):.3f}-{max(runs):.3f})"
            )
        first, last = (statistics.median(seconds_by_ref[x][task]) for x in labels)
        rows.append(
            f"{task:{width}s}  "
            + "  ".join(f"{c:>24s}" for c in cells)
            + f"  ratio {last / first:.2f}"
        )
    return "\n".join(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="9f80e06", help="git ref (default 9f80e06)")
    parser.add_argument("--after", default="HEAD", help="git ref (default HEAD)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n-sequences", type=int, default=256)
    parser.add_argument("--n-steps", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--n-predict", type=int, default=4096)
    args = parser.parse_args(argv)
    settings = {
        "n_sequences": args.n_sequences,
        "n_steps": args.n_steps,
        "epochs": args.epochs,
        "n_predict": args.n_predict,
        "pinned": PINNED,
    }
    refs = {"before": args.before, "after": args.after}
    commits = {
        label: git("rev-parse", "--verify", f"{ref}^{{commit}}")
        for label, ref in refs.items()
    }
    base = Path(tempfile.mkdtemp(prefix="redesign_speed_"))
    worktrees = {}
    try:
        for label, commit in commits.items():
            worktrees[label] = base / label
            git("worktree", "add", "--detach", str(worktrees[label]), commit)
        print(
            f"python {sys.version.split()[0]}; one thread; {args.repeats} runs per "
            f"ref, alternated; {args.n_sequences} sequences x {args.n_steps} steps "
            f"x 3 features, hidden 32, {args.epochs} epochs, no early stopping; "
            f"predict on {args.n_predict} sequences; pinned {PINNED}"
        )
        for label in refs:
            print(f"{label}: {refs[label]} = {commits[label][:10]}")
        print(f"load average (1, 5, 15 min) at the start: {load()}")
        seconds = {label: {task: [] for task in TASKS} for label in refs}
        params = {}
        for repeat in range(args.repeats):
            for label in refs:  # alternated: A B A B
                run = one_run(worktrees[label], settings)
                params[label] = run["params"]
                for task in TASKS:
                    seconds[label][task].append(run["seconds"][task])
                print(
                    f"run {repeat + 1} {label}: "
                    + ", ".join(f"{t} {run['seconds'][t]:.3f}" for t in TASKS),
                    flush=True,
                )
        print("parameters that differ between the refs:")
        for line in differing(params["before"], params["after"]) or ["(none)"]:
            print("  " + line)
        print(f"load average (1, 5, 15 min) at the end: {load()}")
        print("seconds, median (min-max):")
        print(summary(seconds, list(refs)))
    finally:
        for path in worktrees.values():
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(path)],
                cwd=ROOT,
                capture_output=True,
            )
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
