"""What the test files share: estimator lists, fast settings, data builders.

A plain module (pytest puts ``tests/`` on ``sys.path``): test files import
these names with ``from shared_settings import ...``; ``conftest.py``
builds the shared fixtures from them. conftest itself is not imported
(pytest loads it; an import would run it a second time under another name).
"""

import contextlib
import os

import numpy as np

from sksequence import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)

# -- the six public estimators ---------------------------------------------------

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

# behaviour tests (test_estimators, test_split): a small net, a few epochs
FAST = dict(hidden_size=8, max_epochs=3, random_state=0)

# fits whose only job is to produce a fitted model to work on
TINY_EXPORT = dict(hidden_size=6, max_epochs=2, random_state=0)  # export, serving
TINY_SAVE = dict(hidden_size=4, max_epochs=2, random_state=0)  # save / load
TINY_PARALLEL = dict(hidden_size=4, max_epochs=3, random_state=0)  # pickles, workers
# bad inputs: the smallest fit there is, one epoch, no holdout
TINY_BAD_INPUT = dict(hidden_size=2, max_epochs=1, early_stopping=False, random_state=0)

# train exactly ``max_epochs`` epochs: no validation split, no early stop
EXACT_EPOCHS = dict(early_stopping=False, n_iter_no_change=1000)
# a fixed number of epochs of a small net (test_reliability)
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
