"""Check the estimators end to end on a device (run on a GPU machine).

    python benchmarks/device_check.py --device cuda

For each estimator (the six, plus the peephole LSTM and the classic GRU):
fit on the device, check that the module's parameters live there, predict
(results come back as NumPy on the CPU), compare with the same fitted
module evaluated on the CPU, and pickle round-trip. Prints one line each and
exits non-zero on any failure.
"""

import argparse
import pickle
import sys
import time

import numpy as np
import torch

from sksequence import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)
from sksequence._modules import predict_in_batches


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(512, 30, 3)).astype(np.float32)
    y = X[:, -5:, 0].sum(axis=1)
    ragged = [x[: 5 + i % 20] for i, x in enumerate(X[:64])]
    cases = [
        (RNNRegressor(), y),
        (LSTMRegressor(), y),
        (GRURegressor(), y),
        (LSTMRegressor(peephole=True, bidirectional=True, num_layers=2), y),
        (GRURegressor(reset_after=False), y),
        (LSTMRegressor(peephole=True, batch_size=16), "ragged"),
        (RNNClassifier(), y > 0),
        (LSTMClassifier(), y > 0),
        (GRUClassifier(bidirectional=True), y > 0),
    ]
    failures = 0
    ragged_y = np.array([x[:, 0].sum() for x in ragged])
    for est, target in cases:
        est.set_params(device=args.device, max_epochs=5, random_state=0)
        X_fit = X
        if isinstance(target, str):  # variable-length training data
            X_fit, target = ragged, ragged_y
        name = (
            type(est).__name__
            + ("(peephole)" if getattr(est, "peephole", False) else "")
            + ("(classic)" if getattr(est, "reset_after", True) is False else "")
        )
        try:
            start = time.perf_counter()
            est.fit(X_fit, target)
            seconds = time.perf_counter() - start
            param_device = next(est.net_.module_.parameters()).device
            method = "predict_proba" if hasattr(est, "classes_") else "predict"
            out = getattr(est, method)(X)
            cpu_out = predict_in_batches(est.net_.module_, X[:64]).numpy()
            dev_out = predict_in_batches(
                est.net_.module_, X[:64], device=args.device
            ).numpy()
            gap = float(np.abs(cpu_out - dev_out).max())
            restored = pickle.loads(pickle.dumps(est))
            same = np.allclose(getattr(restored, method)(X), out)
            est.predict(ragged)  # variable lengths on the device
            ok = (
                param_device.type == torch.device(args.device).type
                and isinstance(out, np.ndarray)
                and np.isfinite(out).all()
                and gap < 1e-6
                and same
            )
            print(
                f"{'ok  ' if ok else 'FAIL'} {name:28s} params on {param_device}, "
                f"{est.n_iter_} epochs in {seconds:.2f}s, cpu-vs-device gap "
                f"{gap:.1e}, pickle round trip {'same' if same else 'DIFFERENT'}"
            )
            failures += not ok
        except Exception as exc:  # report every estimator, then fail
            failures += 1
            print(f"FAIL {name:28s} {type(exc).__name__}: {exc}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
