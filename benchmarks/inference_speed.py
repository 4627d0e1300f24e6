"""Inference throughput on the CPU: ``predict`` vs onnxruntime vs TorchScript.

The numbers to choose a serving path with. Model: the seed workload
``GRURegressor(hidden_size=128)`` on univariate windows of T=30 steps
(``--model peephole`` or ``classic-gru`` for the custom cells, whose
exported time loop is an ONNX ``Loop`` / TorchScript loop). The weights come
from one short epoch; they do not change the speed.

Paths:

* ``predict``: ``estimator.predict(X)`` on a float32 NumPy array (input
  validation, then a float64 forward pass);
* ``onnxruntime``: ``InferenceSession.run`` of :func:`export_onnx`'s graph
  (float32), ``intra_op_num_threads=1``, ``inter_op_num_threads=1``;
* ``torchscript``: ``torch.jit.load`` of :func:`export_torchscript`'s archive
  under ``torch.inference_mode()`` (float32);
* ``module64``: the bare network, a float64 copy of ``net_.module_`` made
  once, called on the input as a float64 tensor under ``torch.no_grad()``:
  the floor under ``predict``, which adds input validation and the mapping
  of outputs to the units of ``y``. The ratio ``predict / module64`` of
  the time per call is printed for each batch size (the goals:
  at most 1.5x for one sequence, 1.2x for 4,096).

Everything runs on one thread (``torch.set_num_threads(1)``). Each run calls
one path for about ``--seconds`` seconds after warm-up calls; runs alternate
(predict, onnxruntime, torchscript, predict, ...). Prints samples per second
as the median over ``--repeats`` runs with min-max, the ratio to
``predict``, and the median latency of one call.

    OMP_NUM_THREADS=1 python benchmarks/inference_speed.py
    OMP_NUM_THREADS=1 python benchmarks/inference_speed.py --model peephole
"""

import argparse
import copy
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

MODELS = {
    "gru": ("GRURegressor", {}),
    "peephole": ("LSTMRegressor", {"peephole": True}),
    "classic-gru": ("GRURegressor", {"reset_after": False}),
}


def fitted_model(name, hidden, steps):
    import sksequence

    class_name, extra = MODELS[name]
    rng = np.random.default_rng(0)
    series = np.sin(np.arange(2_000) / 20.0) + 0.1 * rng.normal(size=2_000)
    X, y = sksequence.make_forecasting_data(series.astype(np.float32), steps)
    est = getattr(sksequence, class_name)(
        hidden_size=hidden, max_epochs=1, early_stopping=False, random_state=0, **extra
    )
    return est.fit(X, y)


def serving_paths(est, folder):
    """name -> function(X float32 ndarray) -> predictions."""
    import onnxruntime as ort
    import torch

    from sksequence._export import export_onnx, export_torchscript

    onnx_path = export_onnx(est, folder / "model.onnx")
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        str(onnx_path), options, providers=["CPUExecutionProvider"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        scripted = torch.jit.load(str(export_torchscript(est, folder / "model.pt")))

    def run_torchscript(X):
        with torch.inference_mode():
            return scripted(torch.from_numpy(X)).numpy()

    module64 = copy.deepcopy(est.net_.module_).double().eval()

    def run_module64(X):
        with torch.no_grad():
            return module64(torch.from_numpy(X).double()).numpy()

    return {
        "predict": est.predict,
        "onnxruntime": lambda X: session.run(None, {"X": X})[0],
        "torchscript": run_torchscript,
        "module64": run_module64,
    }


def timed_run(fn, X, seconds, warmup=3):
    """(samples per second, seconds per call) of calling ``fn(X)`` repeatedly."""
    for _ in range(warmup):
        fn(X)
    calls, start = 0, time.perf_counter()
    while True:
        fn(X)
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls * len(X) / elapsed, elapsed / calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="gru")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 256, 4096])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.5)
    args = parser.parse_args()

    import onnxruntime as ort
    import torch

    torch.set_num_threads(1)
    est = fitted_model(args.model, args.hidden, args.steps)
    print(
        f"model: {type(est).__name__}(hidden_size={args.hidden}) "
        f"[{args.model}], T={args.steps}, 1 feature; 1 thread; torch "
        f"{torch.__version__}, onnxruntime {ort.__version__}"
    )
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        paths = serving_paths(est, Path(tmp))
        for batch in args.batches:
            X = rng.normal(size=(batch, args.steps, 1)).astype(np.float32)
            reference = paths["predict"](X)
            for name, fn in paths.items():  # same answers before timing them
                if name != "module64":  # standardized units: not comparable
                    np.testing.assert_allclose(fn(X), reference, rtol=1e-4, atol=1e-5)
            rates = {name: [] for name in paths}
            latency = {name: [] for name in paths}
            for _ in range(args.repeats):
                for name, fn in paths.items():
                    rate, per_call = timed_run(fn, X, args.seconds)
                    rates[name].append(rate)
                    latency[name].append(per_call)
            base = statistics.median(rates["predict"])
            print(f"\nbatch {batch}:")
            print(
                f"  {'path':<12} {'samples/s (median, min-max)':>34} "
                f"{'vs predict':>11} {'ms/call':>9}"
            )
            for name in paths:
                med = statistics.median(rates[name])
                spread = f"{med:10.0f} ({min(rates[name]):.0f}-{max(rates[name]):.0f})"
                ms = 1e3 * statistics.median(latency[name])
                print(f"  {name:<12} {spread:>34} {med / base:10.1f}x {ms:9.3f}")
            ratio = statistics.median(latency["predict"]) / statistics.median(
                latency["module64"]
            )
            print(f"  predict / module64 time per call: {ratio:.2f}x")


if __name__ == "__main__":
    main()
