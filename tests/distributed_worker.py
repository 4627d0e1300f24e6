"""The data-parallel fits of ``tests/test_distributed.py``, one script per process.

Run by the test as ``python -m torch.distributed.run --nproc_per_node 2
tests/distributed_worker.py OUT``: every process fits each scenario inside
``data_parallel()`` with the per-process batch size and writes what it saw
to ``OUT/rank{r}-{name}.pkl``; process 0 also pickles its fitted estimator
to ``OUT/{name}.pkl``. Then each fits a run in two calls, resumed from a
shared checkpoint directory, and an uninterrupted one
(``OUT/rank{r}-resumed.pkl``). The test imports ``SCENARIOS`` to fit the one-process
references with the whole batch.
"""

import hashlib
import pickle
import sys
from pathlib import Path

import numpy as np

from sksequence import GRURegressor, LSTMClassifier, LSTMRegressor, RNNRegressor

PROCESSES = 2


def _regression_data():
    # 99 samples: 79 train (the last batch of 16 has 15: parts of 8 and 7)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(99, 10, 2)).astype(np.float32)
    return X, X[:, -3:, 0].sum(axis=1), None


def _classification_data():
    # sorted by class, as archives ship them: the tail would be one class
    rng = np.random.default_rng(1)
    y = np.repeat(np.array(["a", "b", "c"]), 30)
    X = rng.normal(size=(90, 8, 1)).astype(np.float32)
    X[:, :, 0] += np.repeat([-1.0, 0.0, 1.0], 30)[:, None]
    return X, y, None


def _ragged_weighted_data():
    # 33 sequences, no holdout, batches of 8: the last has one sample, so
    # process 1 has no part of it
    rng = np.random.default_rng(2)
    lengths = rng.integers(3, 9, size=33)
    X = [rng.normal(size=(n, 1)).astype(np.float32) for n in lengths]
    y = [np.cumsum(x[:, 0]) for x in X]
    weights = rng.uniform(0.5, 2.0, size=33)
    return X, y, weights


# name -> (estimator class, parameters without batch_size, per-process
# batch size, data builder)
SCENARIOS = {
    # tail holdout, early stopping, checkpoint; a clip small enough to act on
    # every step: clipping each process's own gradient would not match
    "regressor": (
        GRURegressor,
        dict(
            hidden_size=8,
            max_epochs=40,
            n_iter_no_change=2,
            tol=0.03,
            gradient_clip=0.05,
        ),
        8,
        _regression_data,
    ),
    # stratified holdout (the classifiers' "auto"), early stopping
    "classifier": (
        LSTMClassifier,
        dict(hidden_size=6, max_epochs=40, n_iter_no_change=2, tol=0.02),
        8,
        _classification_data,
    ),
    # variable lengths, one target per step, sample weights, an empty part;
    # batch-normalized convolutions, whose statistics read all of these
    "ragged_weighted": (
        RNNRegressor,
        dict(
            hidden_size=6,
            max_epochs=4,
            early_stopping=False,
            return_sequences=True,
            embedding="conv",
            batch_norm=True,
        ),
        4,
        _ragged_weighted_data,
    ),
    # the engine's cell (TorchScript) in two layers, with dropout: each
    # process draws its own masks, so only the processes' agreement is tested
    "peephole_dropout": (
        LSTMRegressor,
        dict(hidden_size=6, num_layers=2, dropout=0.3, peephole=True, max_epochs=3),
        8,
        _regression_data,
    ),
}


def estimator(name, batch_size, **extra):
    cls, params, _, _ = SCENARIOS[name]
    return cls(**params, batch_size=batch_size, random_state=0, **extra)


def data(name):
    return SCENARIOS[name][3]()


def record(model, X):
    """What a fitted model is compared by."""
    digest = hashlib.sha256()
    for key, value in sorted(model.net_.module_.state_dict().items()):
        digest.update(key.encode() + value.detach().numpy().tobytes())
    history = model.history_
    return {
        "train_loss": history["train_loss"].to_numpy(),
        "valid_loss": history.get(
            "valid_loss", history["train_loss"] * np.nan
        ).to_numpy(),
        "n_iter": model.n_iter_,
        "predict": model.predict(X),
        "weights": digest.hexdigest(),
    }


def main(out):
    from sksequence.distributed import data_parallel

    out = Path(out)
    with data_parallel() as processes:
        rank = processes.rank
        for name, (_, _, batch_size, _) in SCENARIOS.items():
            X, y, weights = data(name)
            extra = {}
            if name == "regressor":
                # a directory of its own per process, to see who writes
                extra["checkpoint"] = str(out / f"checkpoint-rank{rank}")
            model = estimator(name, batch_size, **extra).fit(X, y, weights)
            result = record(model, X)
            result["world_size"] = processes.world_size
            with open(out / f"rank{rank}-{name}.pkl", "wb") as f:
                pickle.dump(result, f)
            if processes.is_main:
                with open(out / f"{name}.pkl", "wb") as f:
                    pickle.dump(model, f)
        # a run stopped after 2 epochs and continued from its checkpoint (one
        # directory shared by the processes) against an uninterrupted one
        X, y, _ = data("ragged_weighted")
        resume = dict(checkpoint=str(out / "shared-checkpoint"))
        full = estimator("ragged_weighted", 4).fit(X, y)
        estimator("ragged_weighted", 4, **resume).set_params(max_epochs=2).fit(X, y)
        resumed = estimator("ragged_weighted", 4, **resume).fit(X, y)
        with open(out / f"rank{rank}-resumed.pkl", "wb") as f:
            pickle.dump({"full": record(full, X), "resumed": record(resumed, X)}, f)


if __name__ == "__main__":
    main(sys.argv[1])
