"""Training speed of the peephole LSTM against torch's nn.LSTM.

On a GPU the peephole LSTM replays its training steps as CUDA graphs; an
"eager" row shows the same module without them.

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
    """One training epoch of ``model``."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
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


def estimator_epochs(args, X, y):
    """Median epoch time (after the first) of the estimators, alternating."""
    from sksequence import LSTMRegressor

    times = {"LSTMRegressor": [], "LSTMRegressor(peephole)": []}
    for _ in range(max(1, args.repeats // 2)):
        for name, peephole in (
            ("LSTMRegressor", False),
            ("LSTMRegressor(peephole)", True),
        ):
            reg = LSTMRegressor(
                hidden_size=args.hidden,
                peephole=peephole,
                batch_size=args.batch_size,
                max_epochs=3,
                early_stopping=False,
                gradient_clip=None,
                n_iter_no_change=100,
                device=args.device,
                random_state=0,
            ).fit(X, y.ravel())
            times[name].append(statistics.median(reg.history_["dur"].iloc[1:]))
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--estimators",
        action="store_true",
        help="also time LSTMRegressor(peephole=False/True) epochs, as users see them",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(0)
    X = torch.randn(args.samples, args.steps, 1, device=device)
    y = torch.randn(args.samples, 1, device=device)
    models = {
        "nn.LSTM": Model(nn.LSTM(1, args.hidden, batch_first=True), args.hidden),
        "PeepholeLSTM": Model(PeepholeLSTM(1, args.hidden), args.hidden),
    }
    for model in models.values():
        model.to(device)
    if device.type == "cuda":
        # PeepholeLSTM replays its training steps as CUDA graphs on a GPU;
        # the same module without them shows what the graphs buy
        eager = PeepholeLSTM(1, args.hidden)
        eager.use_cuda_graphs = False
        models["Peephole eager"] = Model(eager, args.hidden).to(device)
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
    if args.estimators:
        times.update(estimator_epochs(args, X.cpu().numpy(), y.cpu().numpy()))
    base = statistics.median(times["nn.LSTM"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:24s} {median:7.3f} s/epoch (min {min(values):.3f}, max "
            f"{max(values):.3f})  ratio {median / base:.2f}x"
        )


if __name__ == "__main__":
    main()
