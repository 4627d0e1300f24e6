"""Seconds per training epoch: sksequence vs a hand-written loop vs skorch.

Workloads (a univariate series of 20,000 steps, windows of T=30, MSE, Adam
lr 1e-3, shuffled mini-batches):

* W1: GRU(128) -> Linear(1), batch 32
* W2: LSTM(128) -> Linear(1), batch 256
* W3: tanh RNN(128) -> Linear(1), batch 32
* big (``--big``): LSTM(512) x 2 layers, T=100, 8 features, batch 512
* overhead (``--workloads overhead``): GRU(8), T=5, batch 32. The
  arithmetic is tiny, so the time per batch is mostly Python: the figure
  that decides the wrapper's cost on a GPU, where a step of W1 takes ~2 ms
  and the CPU only queues kernels. Also printed in microseconds per batch.

Variants:

* ``loop``: a hand-written PyTorch loop (tensor indexing, no DataLoader,
  epoch loss accumulated on the device);
* ``skorch``: plain ``skorch.NeuralNetRegressor`` (DataLoader, train_split off);
* ``sksequence``: ``GRURegressor`` / ``LSTMRegressor`` / ``RNNRegressor``
  with the same settings (no clipping, no validation split).

Every run is a fresh process that trains ``--epochs`` epochs and reports
the median epoch time after the first (warm-up) epoch; runs alternate
(loop, skorch, sksequence, loop, ...). Prints the median over ``--repeats``
runs with min-max, and the ratio to the hand-written loop.

``--count-calls`` prints instead the number of Python function calls per
training batch of each variant (cProfile, after a warm-up epoch): a
deterministic measure of the per-batch bookkeeping that a noisy machine
cannot blur.

    python benchmarks/training_speed.py --threads 1
    python benchmarks/training_speed.py --device cuda --big
    python benchmarks/training_speed.py --workloads overhead --count-calls
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np

WORKLOADS = {
    "W1": dict(cell="gru", hidden=128, batch=32, steps=30, features=1, layers=1),
    "W2": dict(cell="lstm", hidden=128, batch=256, steps=30, features=1, layers=1),
    "W3": dict(cell="rnn", hidden=128, batch=32, steps=30, features=1, layers=1),
    "big": dict(cell="lstm", hidden=512, batch=512, steps=100, features=8, layers=2),
    "overhead": dict(cell="gru", hidden=8, batch=32, steps=5, features=1, layers=1),
}


N_STEPS = 20_000  # length of the series


def batches_per_epoch(spec):
    """Training batches per epoch: each window of T steps forecasts the next."""
    return -(-(N_STEPS - spec["steps"]) // spec["batch"])


def make_data(spec, n_steps=N_STEPS):
    from sksequence import make_forecasting_data

    rng = np.random.default_rng(0)
    t = np.arange(n_steps)
    series = np.sin(t / 20.0)[:, None] + 0.1 * rng.normal(
        size=(n_steps, spec["features"])
    )
    X, y = make_forecasting_data(series.astype(np.float32), spec["steps"], target=0)
    return np.ascontiguousarray(X), y.astype(np.float32)


def torch_module(spec):
    import torch
    from torch import nn

    layer = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn": nn.RNN}[spec["cell"]]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = layer(
                spec["features"],
                spec["hidden"],
                num_layers=spec["layers"],
                batch_first=True,
            )
            self.head = nn.Linear(spec["hidden"], 1)

        def forward(self, X):
            out, _ = self.rnn(X)
            return self.head(out[:, -1])

    torch.manual_seed(0)
    return Net()


def run_loop(spec, X, y, epochs, device):
    import torch

    model = torch_module(spec).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt = torch.from_numpy(X).to(device)
    yt = torch.from_numpy(y)[:, None].to(device)
    durations = []
    for _ in range(epochs):
        start = time.perf_counter()
        total = torch.zeros((), device=device)
        order = torch.randperm(len(Xt), device=device)
        for i in range(0, len(Xt), spec["batch"]):
            idx = order[i : i + spec["batch"]]
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(Xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(idx)
        float(total)  # one sync per epoch, as the others
        durations.append(time.perf_counter() - start)
    return durations


def run_skorch(spec, X, y, epochs, device):
    import torch
    from skorch import NeuralNetRegressor

    net = NeuralNetRegressor(
        torch_module(spec),
        max_epochs=epochs,
        lr=1e-3,
        optimizer=torch.optim.Adam,
        batch_size=spec["batch"],
        iterator_train__shuffle=True,
        train_split=None,
        device=device,
        verbose=0,
    )
    net.fit(X, y[:, None])
    return list(net.history[:, "dur"])


def run_sksequence(spec, X, y, epochs, device):
    import sksequence

    cls = {
        "gru": sksequence.GRURegressor,
        "lstm": sksequence.LSTMRegressor,
        "rnn": sksequence.RNNRegressor,
    }[spec["cell"]]
    reg = cls(
        hidden_size=spec["hidden"],
        num_layers=spec["layers"],
        batch_size=spec["batch"],
        lr=1e-3,
        max_epochs=epochs,
        early_stopping=False,
        gradient_clip=None,
        n_iter_no_change=epochs + 1,
        device=device,
        random_state=0,
    ).fit(X, y)
    return list(reg.history_["dur"])


RUNNERS = {"loop": run_loop, "skorch": run_skorch, "sksequence": run_sksequence}


def worker(args):
    import torch

    torch.set_num_threads(args.threads)
    spec = WORKLOADS[args.workload]
    X, y = make_data(spec)
    durations = RUNNERS[args.variant](spec, X, y, args.epochs, args.device)
    print(json.dumps(statistics.median(durations[1:])))


def count_calls(name, device):
    """Python function calls per training batch of each variant."""
    import cProfile
    import pstats

    spec = WORKLOADS[name]
    X, y = make_data(spec)
    batches = batches_per_epoch(spec)
    for variant, run in RUNNERS.items():
        run(spec, X, y, 1, device)  # warm-up: imports, first-call caches
        calls = []
        for epochs in (1, 3):
            profile = cProfile.Profile()
            profile.runcall(run, spec, X, y, epochs, device)
            calls.append(pstats.Stats(profile).total_calls)
        per_batch = (calls[1] - calls[0]) / (2 * batches)
        print(f"{name:4s} {variant:11s} {per_batch:7.1f} Python calls per batch")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=3, help="per run, 1st is warm-up")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workloads", default="W1,W2,W3")
    parser.add_argument("--big", action="store_true", help="add the big LSTM workload")
    parser.add_argument("--worker", nargs=2, metavar=("WORKLOAD", "VARIANT"))
    parser.add_argument(
        "--count-calls", action="store_true", help="Python calls per batch instead"
    )
    args = parser.parse_args()
    if args.worker:
        args.workload, args.variant = args.worker
        return worker(args)
    workloads = args.workloads.split(",") + (["big"] if args.big else [])
    if args.count_calls:
        import torch

        torch.set_num_threads(args.threads)
        for name in workloads:
            count_calls(name, args.device)
        return
    print(
        f"device={args.device} threads={args.threads} epochs/run={args.epochs} "
        f"(first is warm-up) repeats={args.repeats}"
    )
    for name in workloads:
        times = {variant: [] for variant in RUNNERS}
        for _ in range(args.repeats):
            for variant in RUNNERS:  # alternate, each in a fresh process
                cmd = [
                    sys.executable,
                    __file__,
                    "--worker",
                    name,
                    variant,
                    "--device",
                    args.device,
                    "--threads",
                    str(args.threads),
                    "--epochs",
                    str(args.epochs),
                ]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True)
                times[variant].append(json.loads(out.stdout.strip().splitlines()[-1]))
        base = statistics.median(times["loop"])
        batches = batches_per_epoch(WORKLOADS[name])
        for variant, values in times.items():
            median = statistics.median(values)
            extra = (median - base) / batches * 1e6
            print(
                f"{name:4s} {variant:11s} {median:8.3f} s/epoch "
                f"(min {min(values):.3f}, max {max(values):.3f})  "
                f"x{median / base:.2f} vs loop, {extra:+.0f} us/batch"
            )


if __name__ == "__main__":
    main()
