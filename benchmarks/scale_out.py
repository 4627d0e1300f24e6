"""Scaling out: one model trained data-parallel on 1 vs N CPU processes.

``ddp``: the same ``GRURegressor`` fit, launched with ``torchrun`` on one
process (batch ``B``) and on ``N`` processes (batch ``B / N`` each, so every
optimizer step covers the same ``B`` samples and the loss curves agree to
float rounding), each process with one torch thread. Synthetic data:
``--samples`` sequences of ``--timesteps`` steps and 4 features, the target
the sum of feature 0 over the last 3 steps; early stopping's tail holdout
(20 %) gives the validation loss, and training runs ``--epochs`` epochs
(patience longer than that). The runs alternate (1, N, 1, N, ...); each
prints, from process 0:

* samples/s: training samples x epochs / the fit's wall time (inside the
  processes, start-up of ``torchrun`` and of Python excluded; validation
  included);
* time to a validation loss of ``--target``: the epochs' durations summed
  up to the first epoch whose validation loss reaches it;
* CPU time: the processes' CPU seconds for the fit, summed. On a machine
  whose cores are busy with other work, wall time says little; CPU time
  says what the exchange between processes costs (the ideal: the same
  total as one process, spread over N cores);
* the final validation loss (the same for 1 and N processes, to float32
  rounding).

The summary gives medians with min-max and the ratios N / 1.

    OMP_NUM_THREADS=1 python benchmarks/scale_out.py ddp --processes 2 --repeats 3
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
RESULT = "RESULT "


# -- ddp: data-parallel training of one model ----------------------------------


def _ddp_data(samples, timesteps, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(samples, timesteps, 4)).astype(np.float32)
    return X, X[:, -3:, 0].sum(axis=1)


def _ddp_worker(args):
    """One process of a launch: fit inside ``data_parallel()``, report."""
    import torch

    from sksequence import GRURegressor
    from sksequence.distributed import data_parallel

    torch.set_num_threads(1)
    X, y = _ddp_data(args.samples, args.timesteps)
    with data_parallel() as processes:
        model = GRURegressor(
            hidden_size=args.hidden_size,
            batch_size=args.batch_size // processes.world_size,
            max_epochs=args.epochs,
            n_iter_no_change=args.epochs + 1,
            lr=3e-3,
            random_state=0,
        )
        started, cpu = time.perf_counter(), time.process_time()
        model.fit(X, y)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        if processes.world_size > 1:
            import torch.distributed as dist

            cpus = [None] * processes.world_size
            dist.all_gather_object(cpus, cpu)
            cpu = sum(cpus)
        if processes.is_main:
            history = model.history_
            reached = np.flatnonzero(history["valid_loss"].to_numpy() <= args.target)
            to_target = (
                float(history["dur"].to_numpy()[: reached[0] + 1].sum())
                if len(reached)
                else float("nan")
            )
            n_train = len(X) - round(0.2 * len(X))
            result = {
                "processes": processes.world_size,
                "wall": wall,
                "cpu": cpu,
                "samples_per_s": n_train * model.n_iter_ / wall,
                "to_target": to_target,
                "epochs_to_target": int(reached[0]) + 1 if len(reached) else None,
                "final_valid_loss": float(history["valid_loss"].iloc[-1]),
            }
            print(RESULT + json.dumps(result), flush=True)


def _launch(processes, args):
    """One ``torchrun`` launch of ``processes`` workers; process 0's result."""
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc_per_node={processes}",
        str(HERE),
        "ddp",
        "--worker",
        *(
            f"--{key.replace('_', '-')}={value}"
            for key, value in vars(args).items()
            if key in _DDP_SETTINGS
        ),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=args.timeout
    )
    if done.returncode:
        raise RuntimeError(f"torchrun failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    line = next(x for x in done.stdout.splitlines() if x.startswith(RESULT))
    return json.loads(line[len(RESULT) :])


def _summary(values, spec=".3g"):
    low, mid, high = (
        format(v, spec) for v in (min(values), statistics.median(values), max(values))
    )
    return f"{mid} ({low}-{high})"


def data_parallel(processes=2, repeats=3, **settings):
    """1 vs ``processes`` CPU processes on one model; prints and returns the runs.

    ``settings`` are the ``ddp`` subcommand's options (``samples``,
    ``timesteps``, ``hidden_size``, ``batch_size``, ``epochs``, ``target``,
    ``timeout``).
    """
    args = argparse.Namespace(**{**DDP_DEFAULTS, **settings})
    print(
        f"GRURegressor(hidden_size={args.hidden_size}), {args.samples} sequences "
        f"x {args.timesteps} steps x 4 features, global batch {args.batch_size}, "
        f"{args.epochs} epochs, target validation loss {args.target}; "
        f"1 torch thread per process; os.cpu_count()={os.cpu_count()}",
        flush=True,
    )
    runs = {1: [], processes: []}
    for repeat in range(repeats):
        for n in (1, processes):
            result = _launch(n, args)
            runs[n].append(result)
            print(
                f"run {repeat}, {n} process(es): {result['samples_per_s']:.0f} "
                f"samples/s, fit {result['wall']:.1f} s, to target "
                f"{result['to_target']:.1f} s ({result['epochs_to_target']} "
                f"epochs), CPU {result['cpu']:.1f} s, final valid_loss "
                f"{result['final_valid_loss']:.7f}",
                flush=True,
            )
    print("\nmedian (min-max) over the repeats:")
    for n, results in runs.items():
        print(
            f"  {n} process(es): samples/s "
            f"{_summary([r['samples_per_s'] for r in results], '.0f')}, "
            f"time to target {_summary([r['to_target'] for r in results])} s, "
            f"CPU {_summary([r['cpu'] for r in results])} s"
        )
    speedups = [
        b["samples_per_s"] / a["samples_per_s"]
        for a, b in zip(runs[1], runs[processes])
    ]
    times = [a["to_target"] / b["to_target"] for a, b in zip(runs[1], runs[processes])]
    cpus = [b["cpu"] / a["cpu"] for a, b in zip(runs[1], runs[processes])]
    print(
        f"  {processes} vs 1 (pairs of runs): samples/s x{_summary(speedups)}, "
        f"time to target x{_summary(times)} shorter, CPU time x{_summary(cpus)}"
    )
    return runs


DDP_DEFAULTS = dict(
    samples=8192,
    timesteps=32,
    hidden_size=64,
    batch_size=256,
    epochs=5,
    target=0.04,
    timeout=600,
)
_DDP_SETTINGS = tuple(DDP_DEFAULTS)


def _add_ddp(subparsers):
    parser = subparsers.add_parser(
        "ddp", help="data-parallel training of one model: 1 vs N CPU processes"
    )
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=DDP_DEFAULTS["samples"])
    parser.add_argument("--timesteps", type=int, default=DDP_DEFAULTS["timesteps"])
    parser.add_argument("--hidden-size", type=int, default=DDP_DEFAULTS["hidden_size"])
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DDP_DEFAULTS["batch_size"],
        help="global batch: each of N processes takes batch-size / N",
    )
    parser.add_argument("--epochs", type=int, default=DDP_DEFAULTS["epochs"])
    parser.add_argument(
        "--target", type=float, default=DDP_DEFAULTS["target"], help="valid_loss"
    )
    parser.add_argument("--timeout", type=int, default=DDP_DEFAULTS["timeout"])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)


def _run_ddp(args):
    if args.worker:
        return _ddp_worker(args)
    settings = {key: getattr(args, key) for key in _DDP_SETTINGS}
    return data_parallel(args.processes, args.repeats, **settings)


# -- command line -----------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_ddp(subparsers)
    args = parser.parse_args(argv)
    {"ddp": _run_ddp}[args.command](args)


if __name__ == "__main__":
    main()
