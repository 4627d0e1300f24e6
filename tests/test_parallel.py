"""Scaling out: pickling, parallel searches (loky, Dask), threads, halving.

The estimators travel between processes (joblib's loky workers, Dask
workers) as pickles, so they must carry no process-local state: no open
files, no CUDA tensors outside what skorch maps back on load, no generators
or global seeds. A search run in parallel must give the results of the same
search run sequentially, and each parallel fit must use a share of the cores,
not all of them.
"""

import functools
import io
import os
import pathlib
import pickle
import socket
import subprocess
import sys
import threading
import warnings

import cloudpickle  # a requirement of joblib >= 1.6; loky ships tasks with it
import joblib
import numpy as np
import pytest
import tomllib
import torch
from numpy.testing import assert_allclose, assert_array_equal
from shared_settings import (
    CLASSIFIERS,
    ESTIMATORS,
    EXACT_EPOCHS,
    TINY_PARALLEL,
    local_dask_client,
    sequence_sum,
)
from sklearn.base import clone
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, KFold
from skorch.callbacks import Callback

from sksequence import GRURegressor, LSTMClassifier

# epochs are the resource below: EXACT_EPOCHS trains exactly ``max_epochs``
GRID = {"hidden_size": [2, 4], "lr": [1e-2, 5e-2]}


def _data():
    return sequence_sum(48, 5, 2, last=2, first=0.5, dtype=np.float32)


def _target(cls, y):
    return y > 0 if cls in CLASSIFIERS else y


# -- pickling: no process-local state -----------------------------------------


class _Recorder(pickle.Pickler):
    """A pickler that records every object it is asked to write."""

    def __init__(self, file):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.seen = []

    def persistent_id(self, obj):
        self.seen.append(obj)
        return None  # pickle it as usual


_PROCESS_LOCAL = (
    io.IOBase,  # open files, buffers tied to a file descriptor
    socket.socket,
    type(threading.Lock()),
    threading.Thread,
    torch.Generator,  # a generator is RNG state of this process
)


def _process_local_objects(obj):
    """Objects in the pickle of ``obj`` that belong to the process that made it."""
    recorder = _Recorder(io.BytesIO())
    recorder.dump(obj)
    return [
        o
        for o in recorder.seen
        if isinstance(o, _PROCESS_LOCAL)
        or (isinstance(o, torch.Tensor) and o.device.type != "cpu")
        or type(o).__module__.startswith("torch.cuda")
    ]


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_pickle_and_cloudpickle_carry_no_process_local_state(cls, fitted, tmp_path):
    X, y = _data()
    est = cls(checkpoint=tmp_path / "ckpt", **TINY_PARALLEL)
    if fitted:
        est.fit(X, _target(cls, y))
    assert _process_local_objects(est) == []
    for dumps, loads in [
        (pickle.dumps, pickle.loads),
        (cloudpickle.dumps, cloudpickle.loads),
    ]:
        restored = loads(dumps(est))
        assert restored.get_params().keys() == est.get_params().keys()
        assert repr(restored.get_params()) == repr(est.get_params())
        if fitted:
            assert_array_equal(restored.predict(X), est.predict(X))
            assert restored.n_iter_ == est.n_iter_


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_gpu_fitted_estimator_unpickles_on_a_cpu_only_machine(tmp_path):
    X, y = _data()
    est = GRURegressor(device="cuda", **TINY_PARALLEL).fit(X, y)
    # skorch maps its module/optimizer/criterion to the CPU on load; nothing
    # else in the pickle may hold a CUDA tensor
    assert _process_local_objects(est) == []
    (tmp_path / "est.pkl").write_bytes(pickle.dumps(est))
    np.save(tmp_path / "X.npy", X)
    code = (
        "import pickle, sys, numpy as np; "
        "est = pickle.loads(open(sys.argv[1], 'rb').read()); "
        "np.save(sys.argv[3], est.predict(np.load(sys.argv[2])))"
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            *(str(tmp_path / f) for f in ("est.pkl", "X.npy", "p.npy")),
        ],
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
        check=True,
    )
    assert_allclose(np.load(tmp_path / "p.npy"), est.predict(X), rtol=1e-5, atol=1e-6)


def _fit_predict(est, X, y):
    """Fit in a worker; report predictions and whether global RNGs moved."""
    torch_state, np_state = torch.random.get_rng_state(), np.random.get_state()[1]
    est.fit(X, y)
    same_torch = torch.equal(torch.random.get_rng_state(), torch_state)
    untouched = same_torch and np.array_equal(np.random.get_state()[1], np_state)
    return est, est.predict(X), untouched


def _predict(est, X):
    return est.predict(X)


@pytest.mark.slow
def test_fits_in_loky_workers_match_in_process_fits():
    X, y = _data()
    estimators = [GRURegressor(**TINY_PARALLEL), LSTMClassifier(**TINY_PARALLEL)]
    with joblib.Parallel(n_jobs=2, backend="loky") as parallel:
        results = parallel(
            joblib.delayed(_fit_predict)(clone(est), X, _target(type(est), y))
            for est in estimators
        )
        for est, (remote, remote_pred, untouched) in zip(estimators, results):
            local = clone(est).fit(X, _target(type(est), y))
            # same seed, same data: the same model, whichever process fit it
            assert_allclose(remote_pred, local.predict(X), rtol=1e-5, atol=1e-6)
            assert untouched  # no global seed was left changed in the worker
            # fitted in a worker, shipped back: predicts here and in a worker again
            assert_array_equal(remote.predict(X), remote_pred)
            (again,) = parallel(joblib.delayed(_predict)(remote, X) for _ in [0])
            assert_array_equal(again, remote_pred)


# -- threads: one generator per process -------------------------------------------


class _Meet(Callback):
    """Holds each fit at the start of training until all have arrived, so
    that the fits surely run at the same time, whatever the scheduler does."""

    barrier = None  # on the class: callbacks are deep-copied, barriers are not

    def on_train_begin(self, net, **kwargs):
        if _Meet.barrier is not None:
            _Meet.barrier.wait(timeout=60)


def _in_threads(jobs, together=True):
    """Run the callables ``jobs`` in threads, started together on a barrier
    (or one after the other); their results, and the warnings they raised."""
    results, errors = [None] * len(jobs), []
    start = threading.Barrier(len(jobs) if together else 1)

    def run(i):
        try:
            start.wait(timeout=60)
            results[i] = jobs[i]()
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
        for thread in threads:
            thread.start()
            if not together:
                thread.join(timeout=120)
        for thread in threads:
            thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results, [
        str(w.message) for w in caught if "another thread" in str(w.message)
    ]


@pytest.mark.parametrize("seeds, n_warnings", [((0, 0), 2), ((0, None), 1)])
def test_seeded_fits_at_once_in_threads_warn(seeds, n_warnings):
    # threads share torch's global generator: a seeded fit that ran beside
    # another is not reproducible, and says so (an unseeded one has nothing
    # to reproduce)
    X, y = _data()
    settings = {**TINY_PARALLEL, "callbacks": [_Meet()]}
    jobs = [
        functools.partial(GRURegressor(**{**settings, "random_state": seed}).fit, X, y)
        for seed in seeds
    ]
    _Meet.barrier = threading.Barrier(len(jobs))
    try:
        _, messages = _in_threads(jobs)
    finally:
        _Meet.barrier = None
    assert len(messages) == n_warnings
    assert "random_state=0 ran while another sksequence fit" in messages[0]
    assert "n_jobs" in messages[0] and "one at a time" in messages[0]


def test_seeded_fits_one_at_a_time_in_threads_are_exact_and_silent():
    X, y = _data()
    jobs = [GRURegressor(**TINY_PARALLEL).fit for _ in range(2)]
    fits, messages = _in_threads([functools.partial(j, X, y) for j in jobs], False)
    assert messages == []
    expected = GRURegressor(**TINY_PARALLEL).fit(X, y).predict(X)
    for fit in fits:
        assert_array_equal(fit.predict(X), expected)


# -- parallel grid search -------------------------------------------------------


def _torch_threads(estimator, X, y):
    """A 'score' that reports the torch threads of the process that fit."""
    return float(torch.get_num_threads())


def _epochs_run(estimator, X, y):
    return float(estimator.n_iter_)


SCORING = {"score": "neg_mean_squared_error", "threads": _torch_threads}


def _search(n_jobs):
    X, y = _data()
    search = GridSearchCV(
        GRURegressor(max_epochs=3, random_state=0, **EXACT_EPOCHS),
        GRID,
        cv=KFold(3),
        scoring=SCORING,
        refit="score",
        n_jobs=n_jobs,
    )
    return search.fit(X, y)


@pytest.fixture(scope="module")
def sequential_search():
    return _search(n_jobs=1)


def _assert_same_search(search, reference):
    assert search.best_params_ == reference.best_params_
    # one float32 model per fold; the thread count of the process may change
    # the order of float sums, nothing more
    assert_allclose(
        search.cv_results_["mean_test_score"],
        reference.cv_results_["mean_test_score"],
        rtol=1e-5,
    )


@pytest.mark.slow
def test_grid_search_with_loky_matches_sequential(sequential_search):
    search = _search(n_jobs=2)
    _assert_same_search(search, sequential_search)
    # joblib starts loky workers with OMP_NUM_THREADS (and the MKL, OpenBLAS
    # ... variables) set to cpu_count() // n_jobs, unless the parent process
    # set them; torch reads OMP_NUM_THREADS when it starts in the worker
    expected = int(os.environ.get("OMP_NUM_THREADS", max(joblib.cpu_count() // 2, 1)))
    threads = search.cv_results_["mean_test_threads"]
    assert_array_equal(threads, expected)


def _halving(scoring, **params):
    X, y = _data()
    search = HalvingGridSearchCV(
        GRURegressor(random_state=0, **EXACT_EPOCHS, **params),
        GRID,
        resource="max_epochs",
        min_resources=2,
        max_resources=6,
        factor=3,
        cv=KFold(3),
        scoring=scoring,
        n_jobs=1,
    )
    return search.fit(X, y)


def test_halving_search_over_epochs():
    search = _halving("neg_mean_squared_error")
    assert search.n_resources_ == [2, 6]
    assert search.n_candidates_ == [4, 2]
    assert search.best_params_["max_epochs"] == 6
    assert search.best_estimator_.n_iter_ == 6


class _CountEpochs(Callback):
    """Counts the epochs trained in this process (a class attribute: skorch
    and sklearn copy the instances)."""

    trained = 0

    def on_epoch_end(self, net, **kwargs):
        type(self).trained += 1


def _epochs_trained(search_kwargs):
    _CountEpochs.trained = 0
    search = _halving(
        "neg_mean_squared_error", callbacks=[_CountEpochs()], **search_kwargs
    )
    return search, _CountEpochs.trained


def test_halving_survivors_continue_from_their_checkpoints(tmp_path):
    # sklearn clones the estimator for every fit, so a survivor of the
    # 2-epoch round trains 6 epochs from scratch (warm_start cannot help);
    # with a checkpoint directory each (candidate, fold) run finds its own
    # file and trains the 4 epochs it lacks, to the same model
    restart, restart_epochs = _epochs_trained({"warm_start": True})
    resume, resume_epochs = _epochs_trained({"checkpoint": tmp_path})
    folds, refit = 3, 6
    assert restart_epochs == (4 * 2 + 2 * 6) * folds + refit
    assert resume_epochs == (4 * 2 + 2 * 4) * folds + refit
    assert len(list(tmp_path.glob("checkpoint-*.pt"))) == 4 * folds + 1
    assert resume.best_params_ == restart.best_params_
    assert_array_equal(
        resume.cv_results_["mean_test_score"], restart.cv_results_["mean_test_score"]
    )


# -- Dask ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client():
    pytest.importorskip("distributed")
    with local_dask_client() as client:
        yield client


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_grid_search_on_dask_matches_sequential(dask_client, sequential_search):
    import dask

    with joblib.parallel_backend("dask"):
        search = _search(n_jobs=2)
    _assert_same_search(search, sequential_search)
    # Dask's nanny starts each worker process with OMP_NUM_THREADS=1
    # (distributed.nanny.pre-spawn-environ): one torch thread per task
    environ = dask.config.get("distributed.nanny.pre-spawn-environ")
    expected = int(environ["OMP_NUM_THREADS"])
    assert_array_equal(search.cv_results_["mean_test_threads"], expected)


@pytest.mark.slow
def test_dask_extra_is_installable_by_its_documented_name():
    # the scaling guide says: pip install "sksequence[dask]"; the tests extra
    # brings the same requirement, so that CI runs the LocalCluster test
    pyproject = pathlib.Path(__file__).resolve().parents[1] / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    assert extras["dask"][0].startswith("dask[distributed]")
    assert set(extras["dask"]) <= set(extras["tests"])
    assert (
        '"sksequence[dask]"' in (pyproject.parent / "docs" / "scaling.rst").read_text()
    )
