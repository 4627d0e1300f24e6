"""The thread policy: n_threads="auto", an explicit count, the caller's count kept."""

import os

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sksequence import GRUClassifier, GRURegressor, _threads
from sksequence._constants import THREAD_MIN_STEP_WORK
from sksequence._threads import (
    auto_threads,
    available_threads,
    intra_op_threads,
    step_work,
)


@pytest.fixture
def two_threads():
    """torch set to 2 intra-op threads for the test, the session's count after."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


class RecordThreads(Callback):
    """Records ``torch.get_num_threads()`` at every training batch."""

    def initialize(self):
        self.seen_ = set()
        return self

    def on_batch_begin(self, net, **kwargs):
        self.seen_.add(torch.get_num_threads())


def _data(n=24, steps=6):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, steps, 2)).astype(np.float32)
    return X, X[:, -1, 0] + X[:, 0, 1]


def _threads_in_training(estimator):
    return dict(estimator.net_.callbacks_)["user_0"].seen_


def test_intra_op_threads_restores_the_callers_count(two_threads):
    with intra_op_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2
    with pytest.raises(RuntimeError), intra_op_threads(1):
        raise RuntimeError("inside")
    assert torch.get_num_threads() == 2


def test_step_work_is_batch_times_weights():
    module = torch.nn.GRU(3, 5)
    weights = sum(p.numel() for p in module.parameters())
    assert step_work(module, 7) == 7 * weights


def test_auto_threads_one_for_small_steps_and_capped_for_large(monkeypatch):
    assert auto_threads(THREAD_MIN_STEP_WORK - 1, limit=8) == 1
    assert auto_threads(2 * THREAD_MIN_STEP_WORK - 1, limit=8) == 1
    # a quiet machine of 8 cores: one thread per THREAD_MIN_STEP_WORK
    monkeypatch.setattr(_threads, "_cores", lambda: 8)
    monkeypatch.setattr(_threads, "_other_runnable", lambda: 0)
    assert auto_threads(3 * THREAD_MIN_STEP_WORK, limit=8) == 3
    assert auto_threads(100 * THREAD_MIN_STEP_WORK, limit=8) == 8
    assert auto_threads(100 * THREAD_MIN_STEP_WORK, limit=2) == 2
    # cores that other tasks are running on are left to them
    monkeypatch.setattr(_threads, "_other_runnable", lambda: 5)
    assert auto_threads(100 * THREAD_MIN_STEP_WORK, limit=8) == 3
    monkeypatch.setattr(_threads, "_other_runnable", lambda: 20)
    assert auto_threads(100 * THREAD_MIN_STEP_WORK, limit=8) == 1


def test_available_threads_follows_torch_and_the_affinity_mask(two_threads):
    cores = len(os.sched_getaffinity(0))
    assert available_threads() == min(2, cores)
    with intra_op_threads(1):
        assert available_threads() == 1


def test_small_model_trains_and_predicts_on_one_thread(two_threads):
    X, y = _data()
    reg = GRURegressor(
        hidden_size=4, max_epochs=2, random_state=0, callbacks=[RecordThreads()]
    ).fit(X, y)
    assert _threads_in_training(reg) == {1}
    assert torch.get_num_threads() == 2  # the caller's count, restored
    reg.predict(X)
    assert torch.get_num_threads() == 2


def test_explicit_n_threads_is_used_exactly(two_threads):
    X, y = _data()
    clf = GRUClassifier(
        hidden_size=4,
        max_epochs=2,
        random_state=0,
        n_threads=2,
        callbacks=[RecordThreads()],
    ).fit(X, y > 0)
    assert _threads_in_training(clf) == {2}
    assert torch.get_num_threads() == 2
    # and more than torch's count when asked for
    with intra_op_threads(1):
        clf.set_params(n_threads=2).fit(X, y > 0)
        assert _threads_in_training(clf) == {2}
        assert torch.get_num_threads() == 1


def test_auto_never_exceeds_the_callers_count(monkeypatch):
    """torch.set_num_threads(1) (or OMP_NUM_THREADS=1, or a joblib worker's
    limit) caps "auto", even for a step large enough for more threads."""
    monkeypatch.setattr(_threads, "THREAD_MIN_STEP_WORK", 1)
    monkeypatch.setattr(_threads, "_other_runnable", lambda: 0)
    X, y = _data()
    with intra_op_threads(1):
        reg = GRURegressor(
            hidden_size=4, max_epochs=1, random_state=0, callbacks=[RecordThreads()]
        ).fit(X, y)
    assert _threads_in_training(reg) == {1}


def test_auto_uses_more_threads_for_large_steps(monkeypatch, two_threads):
    # every step counts as large, and no other task runs: both cores
    monkeypatch.setattr(_threads, "THREAD_MIN_STEP_WORK", 1)
    monkeypatch.setattr(_threads, "_other_runnable", lambda: 0)
    monkeypatch.setattr(_threads, "_cores", lambda: 2)
    X, y = _data()
    reg = GRURegressor(
        hidden_size=4, max_epochs=1, random_state=0, callbacks=[RecordThreads()]
    ).fit(X, y)
    assert _threads_in_training(reg) == {2}
    # beside a busy process, one
    monkeypatch.setattr(_threads, "_other_runnable", lambda: 1)
    reg.fit(X, y)
    assert _threads_in_training(reg) == {1}


def test_results_do_not_depend_on_the_thread_count():
    X, y = _data()
    params = dict(hidden_size=4, max_epochs=3, random_state=0)
    one = GRURegressor(n_threads=1, **params).fit(X, y)
    two = GRURegressor(n_threads=2, **params).fit(X, y)
    np.testing.assert_allclose(one.predict(X), two.predict(X), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("bad", [0, -1, "many", 1.5])
def test_invalid_n_threads_is_refused(bad):
    X, y = _data()
    with pytest.raises(ValueError, match="n_threads"):
        GRURegressor(n_threads=bad, max_epochs=1).fit(X, y)
