"""Training speed of the peephole LSTM against torch's nn.LSTM.

One epoch = forward + backward + Adam step over ``--samples`` windows
(hidden 128, T=30, batch 256 by default), for ``nn.LSTM`` (oneDNN on CPU,
cuDNN on GPU) and sksequence's ``PeepholeLSTM``, each with a linear head and
MSE loss. Runs alternate (A B A B ...) in this process after a warm-up
epoch; prints the median seconds/epoch with min-max, and the ratio.

    python benchmarks/peephole_speed.py                   # CPU, 1 thread
    python benchmarks/peephole_speed.py --device cuda
"""

import argparse
import statistics
import time

import torch
from torch import nn

from sksequence._cells import PeepholeLSTM


class Model(nn.Module):
    def __init__(self, rnn, hidden):
        super().__init__()
        self.rnn, self.head = rnn, nn.Linear(hidden, 1)

    def forward(self, X):
        return self.head(self.rnn(X)[0][:, -1])


def epoch_seconds(model, X, y, batch_size, device):
    """One training epoch; ``model`` is a module or ``(callable, module)``."""
    model, params_of = model if isinstance(model, tuple) else (model, model)
    optimizer = torch.optim.Adam(params_of.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for i in range(0, len(X), batch_size):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(X[i : i + batch_size]), y[i : i + batch_size])
        loss.backward()
        optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(0)
    args.samples -= args.samples % args.batch_size  # full batches (CUDA graphs)
    X = torch.randn(args.samples, args.steps, 1, device=device)
    y = torch.randn(args.samples, 1, device=device)
    models = {
        "nn.LSTM": Model(nn.LSTM(1, args.hidden, batch_first=True), args.hidden),
        "PeepholeLSTM": Model(PeepholeLSTM(1, args.hidden), args.hidden),
    }
    for model in models.values():
        model.to(device)
    if device.type == "cuda":
        # the whole forward and backward of the step loop replayed as one CUDA
        # graph: removes the kernel-launch cost that dominates small steps
        graphed = Model(PeepholeLSTM(1, args.hidden), args.hidden).to(device)
        callable_ = torch.cuda.make_graphed_callables(graphed, (X[: args.batch_size],))
        models["Peephole+graph"] = (callable_, graphed)
    times = {name: [] for name in models}
    for model in models.values():  # warm-up
        epoch_seconds(model, X, y, args.batch_size, device)
    for _ in range(args.repeats):
        for name, model in models.items():
            times[name].append(epoch_seconds(model, X, y, args.batch_size, device))
    print(
        f"device={device} threads={args.threads} hidden={args.hidden} "
        f"T={args.steps} batch={args.batch_size} samples={args.samples}"
    )
    base = statistics.median(times["nn.LSTM"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:14s} {median:7.3f} s/epoch (min {min(values):.3f}, max "
            f"{max(values):.3f})  ratio {median / base:.2f}x"
        )


if __name__ == "__main__":
    main()
