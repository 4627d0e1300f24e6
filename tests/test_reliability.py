"""Divergence, interruption, continued training, determinism.

Checkpoints on disk and the runs resumed from them: ``test_checkpoint.py``.
"""

import hashlib
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from shared_settings import FIXED, AtEpochBatch, _interrupt

from sksequence import GRUClassifier, GRURegressor, LSTMRegressor
from sksequence.exceptions import DivergenceError


def _poison(net):
    with torch.no_grad():
        next(net.module_.parameters()).fill_(float("nan"))


def test_diverging_training_raises_instead_of_a_nan_model(data):
    X, y = data
    reg = GRURegressor(max_epochs=5, callbacks=[AtEpochBatch(2, 1, _poison)], **FIXED)
    with pytest.raises(DivergenceError, match="diverged in epoch 2.*Lower lr"):
        reg.fit(X, y)
    assert not hasattr(reg, "net_")  # no half-trained model that predicts NaN


def test_ctrl_c_keeps_the_last_completed_epoch(data):
    X, y = data
    reg = GRURegressor(
        max_epochs=10,
        batch_size=16,
        callbacks=[AtEpochBatch(3, 2, _interrupt)],
        **FIXED,
    )
    with pytest.warns(UserWarning, match="interrupted.*last completed epoch \\(2\\)"):
        reg.fit(X, y)
    assert reg.n_iter_ == 2 and list(reg.history_.index) == [1, 2]
    reference = GRURegressor(max_epochs=2, batch_size=16, **FIXED).fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), reference.predict(X))


def test_warm_start_continues_the_same_network(data):
    X, y = data
    reg = LSTMRegressor(max_epochs=3, warm_start=True, **FIXED).fit(X, y)
    net, first_loss = reg.net_, reg.history_["train_loss"].iloc[-1]
    reg.fit(X, y)
    assert reg.net_ is net and reg.n_iter_ == 6
    assert list(reg.history_.index) == [1, 2, 3, 4, 5, 6]
    assert reg.history_["train_loss"].iloc[-1] < first_loss
    with pytest.raises(ValueError, match="features"):
        reg.fit(X[:, :, :1], y)
    cold = LSTMRegressor(max_epochs=3, **FIXED).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ == 3  # without warm_start, fit starts anew


def test_partial_fit_one_epoch_per_call(data):
    X, y = data
    reg = GRURegressor(**FIXED)
    for call in range(1, 4):
        reg.partial_fit(X, y)
        assert reg.n_iter_ == call
    assert reg.predict(X).shape == (64,)
    with pytest.raises(ValueError, match="features"):
        reg.partial_fit(X[:, :, :1], y)


def test_classifier_partial_fit_needs_classes_first(data):
    X, y = data
    labels = np.where(y > 0, "up", "down")
    clf = GRUClassifier(**FIXED)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, labels)
    clf.partial_fit(X[:32], labels[:32], classes=["down", "up", "flat"])
    assert list(clf.classes_) == ["down", "flat", "up"]
    clf.partial_fit(X[32:], labels[32:])
    assert clf.n_iter_ == 2 and clf.predict_proba(X).shape == (64, 3)
    with pytest.raises(ValueError, match="labels not in classes_"):
        clf.partial_fit(X, np.where(y > 0, "up", "sideways"))


DETERMINISM = textwrap.dedent(
    """
    import hashlib
    import numpy as np
    from sksequence import LSTMRegressor
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 8, 2)).astype(np.float32)
    reg = LSTMRegressor(hidden_size=8, max_epochs=4, dropout=0.2, num_layers=2,
                        random_state=3).fit(X, X[:, -1, 0])
    print(hashlib.sha256(reg.predict(X).tobytes()).hexdigest())
    """
)


@pytest.mark.slow
def test_bit_identical_predictions_across_processes():
    digests = {
        subprocess.run(
            [sys.executable, "-c", DETERMINISM],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for _ in range(2)
    }
    assert len(digests) == 1
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 8, 2)).astype(np.float32)
    here = LSTMRegressor(
        hidden_size=8, max_epochs=4, dropout=0.2, num_layers=2, random_state=3
    ).fit(X, X[:, -1, 0])
    assert digests == {hashlib.sha256(here.predict(X).tobytes()).hexdigest()}


def test_history_is_json_friendly(data):
    X, y = data
    reg = GRURegressor(max_epochs=2, **FIXED).fit(X, y)
    assert json.loads(reg.history_.to_json())["train_loss"]
