"""Windows stay views from windowing through validation, training and prediction."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from sksequence import GRURegressor, SlidingWindowTransformer, make_forecasting_data
from sksequence._split import HoldoutSplit
from sksequence._training import IndexSplit, TensorBatchIterator, net_input
from sksequence._validation import validate_sequences


def test_validation_and_net_input_share_the_series_memory():
    series = np.random.default_rng(0).normal(size=5_000).astype(np.float32)
    X, _ = make_forecasting_data(series, window_size=256)
    X3, lengths, _ = validate_sequences(GRURegressor(), X, reset=True)
    assert np.shares_memory(X3, series)
    tensor = net_input(X3, lengths)
    assert tensor.data_ptr() == series.ctypes.data
    windows = SlidingWindowTransformer(64).fit_transform(series)
    X3, _, _ = validate_sequences(GRURegressor(), windows, reset=True)
    assert np.shares_memory(X3, windows)


def test_tail_split_and_batches_do_not_copy_the_data_set():
    from skorch.dataset import Dataset

    series = np.arange(1_000, dtype=np.float32)
    X, y = make_forecasting_data(series, window_size=100)
    tensor = net_input(X, None)
    import torch

    tail = IndexSplit(HoldoutSplit("tail", 0.2, seed=0))
    train, valid = tail(Dataset(tensor, torch.from_numpy(y)))
    assert train.X.data_ptr() == series.ctypes.data  # a view, not a copy
    assert len(valid) == round(0.2 * len(X))
    np.testing.assert_array_equal(valid.X[0].numpy(), X[len(train)])
    batches = list(TensorBatchIterator(train, batch_size=64, shuffle=True))
    assert sum(len(xb) for xb, _ in batches) == len(train)
    assert max(xb.shape[0] for xb, _ in batches) == 64


SCRIPT = textwrap.dedent(
    """
    import json, resource
    import numpy as np
    import torch
    from sksequence import GRURegressor, make_forecasting_data
    torch.set_num_threads(1)
    rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def fit_predict(n_steps):
        series = np.random.default_rng(0).normal(size=n_steps).astype(np.float32)
        X, y = make_forecasting_data(series, window_size=256)
        reg = GRURegressor(hidden_size=1, batch_size=512, max_epochs=1,
                           early_stopping=False, random_state=0)
        reg.fit(X, y).predict(X)
        return X.size * X.itemsize

    fit_predict(50_000)  # warm up: libraries, allocator, per-batch workspaces
    before = rss()
    materialized = fit_predict(200_000)
    print(json.dumps({"growth": rss() - before, "materialized": materialized}))
    """
)


@pytest.mark.slow
def test_fitting_200k_windows_never_materializes_them():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    # materialized windows would be 204 MB; batches and activations are small
    # and were already reached in the warm-up on 4x fewer windows
    assert figures["growth"] < figures["materialized"] / 3, figures


@pytest.mark.slow
def test_resident_memory_stays_flat_over_an_epoch():
    # the pipeline of issue #17 on a shorter series (1,000 batches of 1,024
    # windows of 256 steps): the batch losses kept for the epoch's end used
    # to pin the heap, and RSS grew ~240 MB over 1,500 such batches
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "memory_windowing.py"
    spec = importlib.util.spec_from_file_location("memory_windowing", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    args = [bench.RUN, "pipeline", "1300000", "256", "50", "inf", "1"]
    out = subprocess.run(
        [sys.executable, "-c", *args], capture_output=True, text=True, check=True
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["curve"][-1][0] >= 900  # batches recorded
    assert bench.growth_after(res["curve"], 100) < 50  # MB
    assert res["peak_mb"] < 1024
