"""What the test files share: estimator lists, fast settings, data builders,
the bad-input helpers and a callback that acts in the middle of training.

A plain module (pytest puts ``tests/`` on ``sys.path``): test files import
these names with ``from shared_settings import ...``; ``conftest.py``
builds the shared fixtures from them. conftest itself is not imported
(pytest loads it; an import would run it a second time under another name).
"""

import contextlib
import os
import re

import numpy as np
from hypothesis import strategies as st
from skorch.callbacks import Callback

from sksequence import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)

# -- the six public estimators ---------------------------------------------------
# listed once: test files take the classes by name from these tuples
# (``RNNRegressor, LSTMRegressor, GRURegressor = REGRESSORS``)

REGRESSORS = (RNNRegressor, LSTMRegressor, GRURegressor)
CLASSIFIERS = (RNNClassifier, LSTMClassifier, GRUClassifier)
ESTIMATORS = REGRESSORS + CLASSIFIERS

# -- settings --------------------------------------------------------------------
# Each dict holds the values its tests were written with; they differ on
# purpose, so they are kept apart under names that say what they are for.

# scikit-learn's estimator checks: the estimators as users construct them,
# every default kept (hidden size, learning rate, early stopping and its
# holdout, patience), only max_epochs lowered for speed, as scikit-learn does
# for its MLPs, and a seed so that the run is reproducible. Every check must
# pass but one, listed with its reason in test_common.py (sample-weight
# equivalence of a stochastic mini-batch trainer).
QUICK = dict(max_epochs=60, random_state=0)

# behaviour tests (test_base, test_split, ...): a small net, a few epochs
FAST = dict(hidden_size=8, max_epochs=3, random_state=0)

# fits whose only job is to produce a fitted model to work on
TINY_EXPORT = dict(hidden_size=6, max_epochs=2, random_state=0)  # export, serving
TINY_SAVE = dict(hidden_size=4, max_epochs=2, random_state=0)  # save / load
TINY_PARALLEL = dict(hidden_size=4, max_epochs=3, random_state=0)  # pickles, workers
# bad inputs: the smallest fit there is, one epoch, no holdout
TINY_BAD_INPUT = dict(hidden_size=2, max_epochs=1, early_stopping=False, random_state=0)

# train exactly ``max_epochs`` epochs: no validation split, no early stop
EXACT_EPOCHS = dict(early_stopping=False, n_iter_no_change=1000)
# a fixed number of epochs of a small net (test_reliability, test_checkpoint)
FIXED = dict(hidden_size=6, **EXACT_EPOCHS, random_state=0)

# -- data builders ---------------------------------------------------------------


def sequence_sum(n, length, n_features, last, first=0.0, dtype=np.float64, seed=0):
    """Random sequences ``X`` of shape ``(n, length, n_features)`` and ``y``.

    ``y`` is feature 0 summed over the ``last`` steps, plus ``first`` times
    feature 1 at step 0 (left out when ``first`` is 0): a target that needs
    the end of the sequence and, with ``first``, its start. ``X`` is cast to
    ``dtype`` before ``y`` is computed from it.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, length, n_features)).astype(dtype, copy=False)
    y = X[:, -last:, 0].sum(axis=1)
    if first:
        y = y + first * X[:, 0, 1]
    return X, y


def cycled_labels(values, n):
    """``n`` labels that take ``values`` in turn: every class present."""
    return np.asarray(values)[np.arange(n) % len(values)]


@contextlib.contextmanager
def local_dask_client(n_workers=2):
    """A ``distributed.Client`` on a ``LocalCluster`` of single-threaded processes.

    The nanny writes ``distributed.nanny.pre-spawn-environ`` (``OMP_NUM_THREADS=1``
    ...) into *this* process's environment before spawning a worker and never
    restores it; it is restored here, so that later loky pools are not affected.
    The workers inherit ``PYTHONPATH``, so they import the same sksequence.
    """
    import distributed

    environ = dict(os.environ)
    try:
        cluster = distributed.LocalCluster(
            n_workers=n_workers,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
        )
    finally:
        os.environ.clear()
        os.environ.update(environ)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
        os.environ.clear()
        os.environ.update(environ)


# -- bad inputs (test_validation, test_windowing, test_scaling) ------------------
# dtypes and hypothesis strategies to draw inputs from; assertions that an
# input was left as it was and that an error names what is wrong

DTYPES = [
    np.float16,
    np.float32,
    np.float64,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.bool_,
]
FLOAT_DTYPES = [np.float16, np.float32, np.float64]
NONFINITE = [np.nan, np.inf, -np.inf]


def finite_elements(dtype):
    """Finite values of ``dtype`` that stay finite when cast to float32."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return st.floats(
            -1e4,
            1e4,
            width=8 * dtype.itemsize,
            allow_nan=False,
            allow_infinity=False,
        )
    return None  # hypothesis' default: the whole range of the integer/bool type


@st.composite
def with_nonfinite(draw, arr, allowed=NONFINITE):
    """A copy of float array ``arr`` with NaN/inf at 1+ random positions."""
    arr = arr.copy()
    flat = arr.reshape(-1)
    positions = draw(
        st.lists(
            st.integers(0, flat.size - 1), min_size=1, max_size=flat.size, unique=True
        )
    )
    for pos in positions:
        flat[pos] = draw(st.sampled_from(allowed))
    return arr


def copy_input(X):
    if isinstance(X, (list, tuple)):
        return [np.array(x, copy=True) for x in X]
    return np.array(X, copy=True)


def assert_unchanged(X, X_copy):
    if isinstance(X, (list, tuple)):
        assert len(X) == len(X_copy)
        for x, x0 in zip(X, X_copy):
            assert_unchanged(x, x0)
        return
    assert X.dtype == X_copy.dtype
    assert X.shape == X_copy.shape
    np.testing.assert_array_equal(X, X_copy)


def raised_in_dependency(excinfo):
    """True when the error came out of torch or skorch rather than sksequence."""
    path = str(excinfo.traceback[-1].path)
    return any(f"{os.sep}{pkg}{os.sep}" in path for pkg in ("torch", "skorch"))


def assert_names(excinfo, name):
    """The message names ``name`` (a whole word) and no dependency raised it."""
    message = str(excinfo.value)
    assert re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message), message
    assert not raised_in_dependency(excinfo), excinfo.traceback[-1]


# -- acting in the middle of training (test_reliability, test_checkpoint) --------


class AtEpochBatch(Callback):
    """Run ``action(net)`` at batch ``batch`` of epoch ``epoch`` (1-based)."""

    def __init__(self, epoch, batch, action):
        self.epoch, self.batch, self.action = epoch, batch, action

    def on_batch_end(self, net, training=False, **kwargs):
        epoch = len(net.history)
        batches = [b for b in net.history[-1]["batches"] if "train_batch_size" in b]
        if training and epoch == self.epoch and len(batches) == self.batch:
            self.action(net)


def _interrupt(net):
    raise KeyboardInterrupt
