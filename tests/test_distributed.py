"""Data-parallel training (``sksequence.distributed``): two processes, gloo, CPU.

One ``torchrun`` launch of two processes (``tests/distributed_worker.py``)
fits every scenario with a per-process batch of ``b``; the references are
one-process fits with a batch of ``2b`` in this process. The two must give
the same loss curves and predictions to float32 rounding: the same samples
make each optimizer step, only the order of the sums differs. Measured
differences are below 3e-7 (relative); the tests allow ``RTOL``.
"""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tomllib
import torch

import sksequence
from sksequence import GRURegressor
from sksequence._modules import SequenceModel
from sksequence.distributed import ONE_PROCESS, DataParallel, data_parallel, strategy

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("distributed_worker.py")
sys.path.insert(0, str(WORKER.parent))
import distributed_worker as worker  # noqa: E402

# float32 rounding, summed in another order, over tens of steps
RTOL, ATOL = 1e-5, 1e-6

pytestmark = [
    # torchrun launches of several processes
    pytest.mark.slow,
    pytest.mark.skipif(
        not (
            torch.distributed.is_available() and torch.distributed.is_gloo_available()
        ),
        reason="torch.distributed with the gloo backend is not available",
    ),
]


@pytest.fixture(scope="module")
def launched(tmp_path_factory):
    """Run the worker in two processes once; its output directory."""
    out = tmp_path_factory.mktemp("data_parallel")
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        # the processes must import this checkout's sksequence
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",  # a free port on localhost
        f"--nproc_per_node={worker.PROCESSES}",
        str(WORKER),
        str(out),
    ]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, (
        f"torchrun failed ({result.returncode})\n{result.stdout[-3000:]}\n"
        f"{result.stderr[-6000:]}"
    )
    return out


def _ranks(out, name):
    return [
        pickle.loads((out / f"rank{rank}-{name}.pkl").read_bytes())
        for rank in range(worker.PROCESSES)
    ]


def _reference(name):
    """The one-process fit with the whole batch: ``PROCESSES * b``."""
    X, y, weights = worker.data(name)
    batch = worker.SCENARIOS[name][2] * worker.PROCESSES
    return worker.record(worker.estimator(name, batch).fit(X, y, weights), X)


def _close(actual, expected):
    if isinstance(expected, list):  # per-step predictions of ragged input
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            np.testing.assert_allclose(a, e, rtol=RTOL, atol=ATOL)
    else:
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["regressor", "classifier", "ragged_weighted"])
def test_two_processes_of_batch_b_equal_one_of_batch_2b(launched, name):
    """Same curves and predictions: tail and stratified holdouts, uneven and
    empty parts, sample weights, variable lengths, gradient clipping, and
    the classifier's batch statistics (``batch_norm``), which are those of
    the whole batch (every process's part summed)."""
    expected = _reference(name)
    for result in _ranks(launched, name):
        assert result["world_size"] == worker.PROCESSES
        assert result["n_iter"] == expected["n_iter"]
        _close(result["train_loss"], expected["train_loss"])
        _close(result["valid_loss"], expected["valid_loss"])
        if name == "classifier":
            np.testing.assert_array_equal(result["predict"], expected["predict"])
        else:
            _close(result["predict"], expected["predict"])


@pytest.mark.parametrize("name", list(worker.SCENARIOS))
def test_processes_agree_exactly(launched, name):
    """Identical weights and loss history on every process, dropout included."""
    first, *others = _ranks(launched, name)
    for other in others:
        assert other["weights"] == first["weights"]
        np.testing.assert_array_equal(other["train_loss"], first["train_loss"])
        np.testing.assert_array_equal(other["valid_loss"], first["valid_loss"])
        assert other["n_iter"] == first["n_iter"]


@pytest.mark.parametrize("name", ["regressor", "classifier"])
def test_early_stopping_stops_every_process_at_the_same_epoch(launched, name):
    max_epochs = worker.SCENARIOS[name][1]["max_epochs"]
    stops = {result["n_iter"] for result in _ranks(launched, name)}
    assert len(stops) == 1
    assert stops.pop() < max_epochs  # it did stop early


def test_only_process_0_writes_checkpoints(launched):
    assert len(list((launched / "checkpoint-rank0").glob("checkpoint-*.pt"))) == 1
    assert not (launched / "checkpoint-rank1").exists()


def test_a_run_resumed_from_its_checkpoint_is_the_uninterrupted_run(launched):
    """Process 0 saved; every process restored the same state and went on."""
    for result in _ranks(launched, "resumed"):
        assert result["resumed"]["n_iter"] == result["full"]["n_iter"] == 4
        assert result["resumed"]["weights"] == result["full"]["weights"]
    assert len(list((launched / "shared-checkpoint").glob("checkpoint-*.pt"))) == 1


@pytest.mark.parametrize("name", ["regressor", "classifier"])
def test_fitted_estimator_pickles_and_predicts_in_one_process(launched, name):
    model = pickle.loads((launched / f"{name}.pkl").read_bytes())
    assert type(model.net_.module_) is SequenceModel  # not the DDP wrapper
    # batch statistics over the processes only while they train together
    norms = [m for m in model.net_.module_.modules() if hasattr(m, "synced")]
    assert len(norms) == (name == "classifier")
    assert not any(m.synced for m in norms)
    assert model.net_.world_ is None
    X, _, _ = worker.data(name)
    rank0 = _ranks(launched, name)[0]
    np.testing.assert_array_equal(model.predict(X), rank0["predict"])
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), rank0["predict"])


def test_one_process_block_changes_nothing():
    """Not launched by torchrun: the block is a no-op, bit for bit."""
    X, y, _ = worker.data("regressor")
    params = dict(hidden_size=4, max_epochs=2, random_state=0)
    plain = GRURegressor(**params).fit(X, y)
    with data_parallel() as processes:
        assert processes == DataParallel(rank=0, world_size=1, local_rank=0)
        inside = GRURegressor(**params).fit(X, y)
    np.testing.assert_array_equal(inside.predict(X), plain.predict(X))
    np.testing.assert_array_equal(
        inside.history_["train_loss"], plain.history_["train_loss"]
    )
    assert sksequence.distributed.active() is None


def test_one_process_strategy_is_the_plain_fit():
    """Outside a launch a fit's strategy is one process: every step of it
    is the identity, and it needs no process group."""
    assert strategy() is ONE_PROCESS
    with data_parallel():
        assert strategy() is ONE_PROCESS
    batch = torch.arange(5)
    assert ONE_PROCESS.part(batch) is batch
    assert ONE_PROCESS.broadcast(batch) is batch
    assert ONE_PROCESS.all_reduce(batch) is batch
    assert ONE_PROCESS.seed(7) == 7
    assert ONE_PROCESS.device("cuda") == torch.device("cuda")  # no index added
    assert ONE_PROCESS.is_main and not ONE_PROCESS.parallel
    ONE_PROCESS.barrier()


def test_several_processes_share_out_batches_and_gpus():
    second = DataParallel(rank=1, world_size=2, local_rank=1)
    assert second.parallel and not second.is_main
    # the second of two processes takes the second part of every batch
    assert second.part(torch.arange(5)).tolist() == [3, 4]
    assert second.device("cuda") == torch.device("cuda", 1)
    assert second.device("cpu") == torch.device("cpu")


def test_distributed_extra_is_declared_and_documented():
    # DDP, gloo, NCCL and torchrun ship with torch: the extra adds nothing,
    # and the tests need nothing beyond torch either
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert extras["distributed"] == []
    assert '"sksequence[distributed]"' in (ROOT / "docs" / "scaling.rst").read_text()
