"""Fixtures every test file can use, and the run's settings.

Settings dicts, the estimator lists and the data builders live in
``shared_settings.py`` (``from shared_settings import FAST``); fixtures
live here, where pytest finds them without an import.
"""

import os
import random

import numpy as np
import pytest
import torch
from shared_settings import FAST, sequence_sum

from sksequence import GRURegressor

# -- one thread -------------------------------------------------------------------
# The tests' models are small: one torch thread is their fastest setting, and
# threads beside other work (a busy CI machine) multiplied the suite's time.
# Set for the whole run (doctests included); subprocesses (examples,
# torchrun, loky and Dask workers) inherit it through OMP_NUM_THREADS unless
# that was set already.


def pytest_configure(config):
    torch.set_num_threads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")


# -- fixtures --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same global random state (Python, NumPy,
    torch), so that a test that draws without a seed of its own is repeatable
    and does not depend on the tests that ran before it."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture
def seq_data():
    """Sequences (60, 12, 3) and a target that needs their start and end
    (fresh arrays for each test: a test may change them)."""
    return sequence_sum(60, 12, 3, last=4, first=0.5)


@pytest.fixture
def data():
    """Sequences (64, 8, 2) of float32 and the sum of feature 0 over their last
    2 steps: the training set of the reliability and checkpoint tests (fresh
    arrays for each test; test_net.py has a ``data`` of its own)."""
    return sequence_sum(64, 8, 2, last=2, dtype=np.float32)


@pytest.fixture(scope="module")
def fitted_regressor():
    """``GRURegressor(**FAST)`` fitted on the data of :func:`seq_data`, once
    per module: for tests that read a fitted regressor and change nothing."""
    return GRURegressor(**FAST).fit(*sequence_sum(60, 12, 3, last=4, first=0.5))
