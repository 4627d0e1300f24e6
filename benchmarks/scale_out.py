"""Training beyond one machine's memory, and beyond one machine.

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
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("dask", help="out-of-core training with dask-ml Incremental")
    p.add_argument("--steps", type=int, default=50_000_000)
    p.add_argument("--window", type=int, default=64)
    p.add_argument("--block", type=int, default=500_000, help="windows per block")
    p.add_argument("--blocks", type=int, default=None, help="blocks to train on")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--memory-limit", default="2GiB")
    p.add_argument("--hidden-size", type=int, default=16)
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--dir", default=None, help="where to write the series file")
    args = parser.parse_args(argv)
    print(
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
        f"{os.cpu_count()} CPUs; arguments: {vars(args)}"
    )
    if args.command == "dask":
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


if __name__ == "__main__":
    main()
