"""The training session (sksequence._session): spec and data in, net out."""

import numpy as np
import torch
from shared_settings import FAST, TINY_BAD_INPUT, cycled_labels, sequence_sum

from sksequence import GRUClassifier, GRURegressor
from sksequence._base import build_fitted_net
from sksequence._session import TrainingData, TrainingSpec, train


def _spec(estimator, **params):
    """A session for the network of the fitted ``estimator``."""
    params = {"device": torch.device("cpu"), "seed": 0, "epochs": 2, **params}
    return TrainingSpec(
        build=lambda device, seed, main: build_fitted_net(
            estimator, device, seed, main=main
        ),
        threads=lambda module: 1,
        **params,
    )


def _regression(n=30):
    X, y = sequence_sum(n, 6, 2, last=2, dtype=np.float32)
    return X, y.astype(np.float32)[:, None]


def test_session_trains_and_returns_net_history_and_tail_holdout():
    X, y = _regression()
    est = GRURegressor(**FAST, early_stopping=True, validation_split="tail").fit(X, y)
    result = train(_spec(est, epochs=2), TrainingData(X, y))
    assert result.n_iter == 2
    assert list(result.history.index) == [1, 2]
    assert {"train_loss", "valid_loss"} <= set(result.history.columns)
    assert not result.interrupted
    # the tail of 30 samples at validation_fraction=0.2
    assert result.holdout == slice(24, 30)


def test_holdout_is_the_validation_part_of_the_stratified_split():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5, 1)).astype(np.float32)
    labels = cycled_labels(["a", "b"], 40)
    est = GRUClassifier(**FAST, early_stopping=True).fit(X, labels)
    y = np.searchsorted(est.classes_, labels).astype(np.int64)
    holdout = train(_spec(est), TrainingData(X, y)).holdout
    assert len(holdout) == 8 and np.all(np.diff(holdout) > 0)
    # a stratified holdout: both classes, in the classes' proportion
    assert np.bincount(y[holdout]).tolist() == [4, 4]


def test_no_holdout_without_early_stopping():
    X, y = _regression()
    est = GRURegressor(**TINY_BAD_INPUT).fit(X, y)
    result = train(_spec(est, epochs=1), TrainingData(X, y))
    assert result.holdout is None
    assert "valid_loss" not in result.history.columns


def test_session_is_seeded_and_leaves_the_callers_generator_alone():
    X, y = _regression()
    est = GRURegressor(**TINY_BAD_INPUT).fit(X, y)
    before = torch.random.get_rng_state()
    first = train(_spec(est, seed=3), TrainingData(X, y))
    assert torch.equal(torch.random.get_rng_state(), before)
    second = train(_spec(est, seed=3), TrainingData(X, y))
    for a, b in zip(first.net.module_.parameters(), second.net.module_.parameters()):
        assert torch.equal(a, b)


def test_session_continues_the_net_it_is_given():
    X, y = _regression()
    est = GRURegressor(**TINY_BAD_INPUT).fit(X, y)
    first = train(_spec(est, epochs=2), TrainingData(X, y))
    more = train(_spec(est, epochs=3, net=first.net), TrainingData(X, y))
    assert more.net is first.net
    assert more.n_iter == 5


def test_weights_are_a_field_of_the_data_and_are_not_written_to():
    X, y = _regression()
    est = GRURegressor(**TINY_BAD_INPUT).fit(X, y)
    weights = np.linspace(0.0, 2.0, len(X)).astype(np.float32)
    kept = weights.copy()
    plain = train(_spec(est), TrainingData(X, y))
    weighted = train(_spec(est), TrainingData(X, y, sample_weight=weights))
    np.testing.assert_array_equal(weights, kept)
    # same seed, same batches: only the weights differ, and they count
    assert not np.allclose(plain.history["train_loss"], weighted.history["train_loss"])


def test_no_epochs_trains_nothing():
    X, y = _regression()
    est = GRURegressor(**TINY_BAD_INPUT).fit(X, y)
    result = train(_spec(est, epochs=0), TrainingData(X, y))
    assert result.n_iter == 0 and result.history.empty
