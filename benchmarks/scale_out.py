"""Training beyond one machine's memory, and beyond one process.

Subcommands:

* ``dask`` -- out-of-core training with dask-ml (:func:`dask_incremental`).
  A univariate float32 series of ``--steps`` steps (default 50,000,000) is
  written to a memory-mapped ``.npy`` file; its sliding windows of
  ``--window`` steps (the next step is the target) form a dask array whose
  blocks are read from the file by the worker that needs them, one block
  at a time: the windows are never materialized as a whole, nor sent from
  the client. A ``distributed.LocalCluster`` of ``--workers`` single-thread
  worker processes, each with a ``--memory-limit`` well below the size the
  windows would take materialized, trains ``GRURegressor`` with
  :class:`sksequence.dask.Incremental`: one ``partial_fit`` epoch per block,
  ``--blocks`` blocks (default: all). Prints the materialized size, the
  blocks and windows processed, the throughput (windows/s) and each
  worker's peak resident memory (``VmHWM`` of the worker process), before
  and after training.

    OMP_NUM_THREADS=1 python benchmarks/scale_out.py dask
    OMP_NUM_THREADS=1 python benchmarks/scale_out.py dask --blocks 12 --workers 1

Needs ``pip install "sksequence[dask]"``.

* ``ddp``: the same ``GRURegressor`` fit, launched with ``torchrun`` on one
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
import tempfile
import time
from pathlib import Path

import numpy as np

# -- dask: out-of-core training with dask-ml ------------------------------------


class SeriesWindows:
    """The sliding windows of a ``.npy`` series, or their next steps, read lazily.

    An array-like for :func:`dask.array.from_array`: ``shape``, ``dtype``,
    ``ndim`` and ``__getitem__`` over slices of samples. Each slice opens the
    file as a memory map and copies out only the windows it covers, so the
    object pickles as a path and two integers and a worker reads only its
    block.

    Parameters
    ----------
    path : str
        A 1-D ``.npy`` file.
    window : int
        Steps per window.
    targets : bool, default=False
        The next step after each window, instead of the windows.
    """

    def __init__(self, path, window, targets=False):
        self.path = str(path)
        self.window = window
        self.targets = targets
        series = np.load(self.path, mmap_mode="r")
        n_windows = len(series) - window  # every window has a next step
        self.dtype = series.dtype
        self.shape = (n_windows,) if targets else (n_windows, window)
        self.ndim = len(self.shape)

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        start, stop, step = key[0].indices(self.shape[0])
        if step != 1:
            raise IndexError("SeriesWindows reads contiguous slices of samples")
        series = np.load(self.path, mmap_mode="r")
        if self.targets:
            return np.array(series[start + self.window : stop + self.window])
        windows = np.lib.stride_tricks.sliding_window_view(
            series[start : stop + self.window - 1], self.window
        )
        return np.ascontiguousarray(windows[(slice(None),) + key[1:]])


def _progress(message):
    print(time.strftime("%H:%M:%S"), message, flush=True)


def _peak_rss_mib():
    """Peak resident memory of this process's address space (MiB).

    ``VmHWM`` from ``/proc/self/status`` (Linux). Not ``ru_maxrss``: a
    worker process started by fork and exec keeps the ``ru_maxrss`` of the
    process it was forked from (here, the client that wrote the series).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    raise OSError("no VmHWM in /proc/self/status (Linux only)")


def dask_incremental(
    steps=50_000_000,
    window=64,
    block=500_000,
    blocks=None,
    workers=2,
    memory_limit="2GiB",
    hidden_size=16,
    batch_size=1024,
    directory=None,
):
    """Train on a memory-mapped series through dask-ml; print the figures.

    Returns a dict of the figures printed.
    """
    import dask.array as da
    from distributed import Client, LocalCluster

    from sksequence import GRURegressor
    from sksequence.dask import Incremental

    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        path = Path(tmp) / "series.npy"
        series = np.lib.format.open_memmap(
            path, mode="w+", dtype=np.float32, shape=(steps,)
        )
        rng = np.random.default_rng(0)
        chunk = 10_000_000
        t0 = 0.0
        for start in range(0, steps, chunk):  # a noisy sine, written in pieces
            n = min(chunk, steps - start)
            t = t0 + np.arange(n, dtype=np.float64) * (2 * np.pi / 50)
            values = np.sin(t) + 0.1 * rng.normal(size=n)
            series[start : start + n] = values.astype(np.float32)
            t0 = t[-1] + 2 * np.pi / 50
        series.flush()
        del series
        _progress(f"series written to {path}")

        X = da.from_array(
            SeriesWindows(path, window),
            chunks=(block, window),
            meta=np.empty((0, 0), np.float32),
        )
        y = da.from_array(
            SeriesWindows(path, window, targets=True),
            chunks=(block,),
            meta=np.empty((0,), np.float32),
        )
        n_blocks = X.numblocks[0] if blocks is None else min(blocks, X.numblocks[0])
        X, y = X[: n_blocks * block], y[: n_blocks * block]
        figures = {
            "steps": steps,
            "series_file_mb": steps * 4 / 1e6,
            "window": window,
            "windows_total": steps - window,
            "materialized_windows_gb": (steps - window) * window * 4 / 1e9,
            "block_windows": block,
            "block_mb": block * window * 4 / 1e6,
            "blocks": n_blocks,
            "blocks_total": -(-(steps - window) // block),
            "windows_trained": int(X.shape[0]),
            "workers": workers,
            "memory_limit": memory_limit,
        }

        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=None,
        )
        with cluster, Client(cluster) as client:
            client.run(lambda: __import__("sksequence.dask"))  # warm the imports
            before = client.run(_peak_rss_mib)
            _progress(f"cluster up, workers' peak RSS (MiB): {before}")
            model = Incremental(
                GRURegressor(
                    hidden_size=hidden_size,
                    batch_size=batch_size,
                    early_stopping=False,
                    random_state=0,
                ),
                shuffle_blocks=True,
                random_state=0,
            )
            start = time.perf_counter()
            model.fit(X, y)
            seconds = time.perf_counter() - start
            after = client.run(_peak_rss_mib)
            alive = len(client.scheduler_info()["workers"])
        figures.update(
            fit_seconds=seconds,
            windows_per_second=figures["windows_trained"] / seconds,
            n_iter=model.estimator_.n_iter_,
            peak_rss_mib_before=sorted(before.values()),
            peak_rss_mib_after=sorted(after.values()),
            workers_at_end=alive,
            final_train_loss=float(model.estimator_.history_["train_loss"].iloc[-1]),
        )
    _print(figures)
    return figures


def _print(figures):
    f = figures
    print(
        f"series: {f['steps']:,} float32 steps, {f['series_file_mb']:.0f} MB "
        f"memory-mapped .npy\n"
        f"windows: {f['windows_total']:,} of {f['window']} steps; materialized "
        f"they would take {f['materialized_windows_gb']:.1f} GB\n"
        f"blocks: {f['block_windows']:,} windows ({f['block_mb']:.0f} MB) each; "
        f"trained on {f['blocks']} of {f['blocks_total']} "
        f"({f['windows_trained']:,} windows), one partial_fit epoch per block\n"
        f"cluster: {f['workers']} worker processes x 1 thread, memory_limit "
        f"{f['memory_limit']} each; {f['workers_at_end']} workers at the end\n"
        f"fit: {f['fit_seconds']:.1f} s, {f['windows_per_second']:,.0f} windows/s, "
        f"n_iter_ = {f['n_iter']}, last block's train loss "
        f"{f['final_train_loss']:.4f}\n"
        "peak RSS per worker (MiB), after start-up and imports: "
        + ", ".join(f"{v:.0f}" for v in f["peak_rss_mib_before"])
        + "\npeak RSS per worker (MiB), after training: "
        + ", ".join(f"{v:.0f}" for v in f["peak_rss_mib_after"])
    )


def _add_dask(subparsers):
    p = subparsers.add_parser(
        "dask", help="out-of-core training with dask-ml Incremental"
    )
    p.add_argument("--steps", type=int, default=50_000_000)
    p.add_argument("--window", type=int, default=64)
    p.add_argument("--block", type=int, default=500_000, help="windows per block")
    p.add_argument("--blocks", type=int, default=None, help="blocks to train on")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--memory-limit", default="2GiB")
    p.add_argument("--hidden-size", type=int, default=16)
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--dir", default=None, help="where to write the series file")


def _run_dask(args):
    print(
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
        f"{os.cpu_count()} CPUs; arguments: {vars(args)}"
    )
    dask_incremental(
        steps=args.steps,
        window=args.window,
        block=args.block,
        blocks=args.blocks,
        workers=args.workers,
        memory_limit=args.memory_limit,
        hidden_size=args.hidden_size,
        batch_size=args.batch_size,
        directory=args.dir,
    )


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
    _add_dask(subparsers)
    _add_ddp(subparsers)
    args = parser.parse_args(argv)
    {"dask": _run_dask, "ddp": _run_ddp}[args.command](args)


if __name__ == "__main__":
    main()
