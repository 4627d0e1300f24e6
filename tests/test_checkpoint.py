"""Tests for sksequence._checkpoint: checkpoints written during fit.

Runs that continue or resume from one (more epochs asked for, an interrupted
or killed run), runs sharing a directory, checkpoints that cannot be read or
written, how often epochs are saved. Interruption without a checkpoint,
warm_start and partial_fit: ``test_reliability.py``.
"""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest
import torch
from shared_settings import FIXED, AtEpochBatch, _interrupt

from sksequence import GRURegressor


def _checkpoints(directory):
    return sorted(directory.glob("checkpoint-*.pt"))


def test_finished_checkpoint_is_restored_without_training(data, tmp_path):
    X, y = data
    first = GRURegressor(max_epochs=4, checkpoint=tmp_path, **FIXED).fit(X, y)
    assert len(_checkpoints(tmp_path)) == 1
    start = time.perf_counter()
    again = GRURegressor(max_epochs=4, checkpoint=str(tmp_path), **FIXED).fit(X, y)
    assert time.perf_counter() - start < 5
    np.testing.assert_array_equal(again.predict(X), first.predict(X))
    assert again.history_.equals(first.history_)


@pytest.mark.parametrize("loss", ["gaussian", "quantile"])
def test_distributional_runs_continue_from_their_checkpoint(data, tmp_path, loss):
    X, y = data
    params = dict(FIXED, loss=loss, checkpoint=tmp_path)
    GRURegressor(max_epochs=2, **params).fit(X, y)
    longer = GRURegressor(max_epochs=4, **params).fit(X, y)
    direct = GRURegressor(max_epochs=4, **FIXED, loss=loss).fit(X, y)
    np.testing.assert_array_equal(
        longer.predict_quantiles(X), direct.predict_quantiles(X)
    )
    # another loss is another run: it does not read these checkpoints
    other = GRURegressor(max_epochs=1, **{**params, "loss": "squared_error"})
    assert other.fit(X, y).n_iter_ == 1


@pytest.mark.parametrize("early_stopping", [False, True])
def test_continued_run_equals_an_uninterrupted_one(data, tmp_path, early_stopping):
    """More epochs continue the saved run: weights, optimizer, early stopping's
    counters and the random number generator (shuffling, dropout) included."""
    X, y = data
    params = dict(
        FIXED, early_stopping=early_stopping, n_iter_no_change=50, num_layers=2
    )
    params["dropout"] = 0.3
    short = GRURegressor(max_epochs=3, checkpoint=tmp_path, **params).fit(X, y)
    longer = GRURegressor(max_epochs=8, checkpoint=tmp_path, **params).fit(X, y)
    direct = GRURegressor(max_epochs=8, **params).fit(X, y)
    assert short.n_iter_ == 3 and longer.n_iter_ == direct.n_iter_ == 8
    np.testing.assert_array_equal(longer.predict(X), direct.predict(X))
    columns = [c for c in direct.history_ if c != "dur"]
    assert longer.history_[columns].equals(direct.history_[columns])
    assert len(_checkpoints(tmp_path)) == 1  # max_epochs is not part of the run


def test_continued_run_keeps_the_learning_rate_schedule(tmp_path):
    """A classifier's early_stopping="auto" halves the learning rate on a
    plateau of the training loss; its counters are part of the run, so the
    continued run halves it when the uninterrupted one does."""
    from sksequence import GRUClassifier

    X = np.zeros((40, 6, 1), dtype=np.float32)  # nothing to learn: a plateau
    y = np.tile(["a", "b", "b", "b"], 10)
    params = dict(hidden_size=4, batch_size=4, random_state=0, n_threads=1)
    GRUClassifier(max_epochs=11, checkpoint=tmp_path, **params).fit(X, y)
    longer = GRUClassifier(max_epochs=30, checkpoint=tmp_path, **params).fit(X, y)
    direct = GRUClassifier(max_epochs=30, **params).fit(X, y)
    lrs = direct.net_.history[:, "event_lr"]
    assert len(set(lrs[11:])) >= 2  # it halved after the interruption
    assert longer.net_.history[:, "event_lr"] == lrs
    assert longer.n_iter_ == direct.n_iter_
    np.testing.assert_array_equal(longer.predict_proba(X), direct.predict_proba(X))


def test_a_checkpoint_without_the_schedule_still_continues(tmp_path):
    # files written before the counters were saved: the run continues, its
    # learning rate where the optimizer's state left it
    from sksequence import GRUClassifier

    X = np.zeros((40, 6, 1), dtype=np.float32)
    y = np.tile(["a", "b", "b", "b"], 10)
    params = dict(hidden_size=4, batch_size=4, random_state=0, n_threads=1)
    short = GRUClassifier(max_epochs=11, checkpoint=tmp_path, **params).fit(X, y)
    (path,) = _checkpoints(tmp_path)
    state = torch.load(path, weights_only=True)
    del state["lr_plateau"]
    torch.save(state, path)
    longer = GRUClassifier(max_epochs=14, checkpoint=tmp_path, **params).fit(X, y)
    assert longer.n_iter_ == 14
    assert longer.net_.history[:11] == short.net_.history[:11]
    lr = short.net_.optimizer_.param_groups[0]["lr"]
    assert longer.net_.history[11, "event_lr"] == lr < 1e-2  # not reset


def test_run_ended_by_early_stopping_is_not_continued(data, tmp_path):
    X, y = data
    params = dict(FIXED, early_stopping=True, n_iter_no_change=2, lr=0.05)
    first = GRURegressor(max_epochs=200, checkpoint=tmp_path, **params).fit(X, y)
    assert first.n_iter_ < 200
    again = GRURegressor(max_epochs=400, checkpoint=tmp_path, **params).fit(X, y)
    assert again.n_iter_ == first.n_iter_
    np.testing.assert_array_equal(again.predict(X), first.predict(X))


def test_interrupted_run_resumes_to_max_epochs(data, tmp_path):
    X, y = data
    interrupted = GRURegressor(
        max_epochs=6,
        checkpoint=tmp_path,
        callbacks=[AtEpochBatch(4, 1, _interrupt)],
        **FIXED,
    )
    with pytest.warns(UserWarning, match="interrupted"):
        interrupted.fit(X, y)
    assert interrupted.n_iter_ == 3
    resumed = GRURegressor(max_epochs=6, checkpoint=tmp_path, **FIXED).fit(X, y)
    assert list(resumed.history_.index) == [1, 2, 3, 4, 5, 6]
    np.testing.assert_array_equal(
        resumed.history_["train_loss"].iloc[:3], interrupted.history_["train_loss"]
    )
    direct = GRURegressor(max_epochs=6, **FIXED).fit(X, y)
    np.testing.assert_array_equal(resumed.predict(X), direct.predict(X))


def test_runs_sharing_a_directory_keep_their_own_checkpoints(data, tmp_path):
    """Other parameters, other targets or other inputs (one CV fold, one
    candidate of a search, another scaling of X) never restore each other."""
    X, y = data
    runs = [
        (FIXED, X, y),
        ({**FIXED, "hidden_size": 7}, X, y),
        (FIXED, X, -y),
        (FIXED, X * 2, y),
    ]
    for params, X_run, y_run in runs:
        GRURegressor(max_epochs=2, checkpoint=tmp_path, **params).fit(X_run, y_run)
    assert len(_checkpoints(tmp_path)) == len(runs)
    for params, X_run, y_run in runs:
        fresh = GRURegressor(max_epochs=2, **params).fit(X_run, y_run)
        restored = GRURegressor(max_epochs=2, checkpoint=tmp_path, **params)
        restored.fit(X_run, y_run)
        np.testing.assert_array_equal(restored.predict(X), fresh.predict(X))


def test_unreadable_or_foreign_checkpoint_is_an_error(data, tmp_path):
    X, y = data
    GRURegressor(max_epochs=1, checkpoint=tmp_path, **FIXED).fit(X, y)
    GRURegressor(max_epochs=1, checkpoint=tmp_path / "b", **FIXED).fit(X, -y)
    (path,), (other,) = _checkpoints(tmp_path), _checkpoints(tmp_path / "b")
    path.write_bytes(other.read_bytes())  # a file under another run's name
    with pytest.raises(ValueError, match="another configuration or data set"):
        GRURegressor(max_epochs=1, checkpoint=tmp_path, **FIXED).fit(X, y)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="could not be read"):
        GRURegressor(max_epochs=1, checkpoint=tmp_path, **FIXED).fit(X, y)


def _trained(net):
    raise AssertionError("an epoch was trained before the directory was checked")


def test_checkpoint_directory_that_cannot_be_written_is_an_error_at_fit_start(
    data, tmp_path
):
    X, y = data
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    bad = blocker / "runs"  # cannot be created, not even by root
    reg = GRURegressor(
        max_epochs=2, checkpoint=bad, callbacks=[AtEpochBatch(1, 1, _trained)], **FIXED
    )
    match = f"checkpoint={str(bad)!r}: checkpoints cannot be written there"
    with pytest.raises(ValueError, match=re.escape(match)):
        reg.fit(X, y)
    with pytest.raises(ValueError, match=re.escape(match)):
        reg.partial_fit(X, y)


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root writes to read-only directories anyway"
)
def test_read_only_checkpoint_directory_is_an_error_at_fit_start(data, tmp_path):
    X, y = data
    read_only = tmp_path / "read-only"
    read_only.mkdir(mode=0o500)
    reg = GRURegressor(
        max_epochs=2,
        checkpoint=read_only,
        callbacks=[AtEpochBatch(1, 1, _trained)],
        **FIXED,
    )
    with pytest.raises(ValueError, match="checkpoint=.*read-only.*cannot be written"):
        reg.fit(X, y)


def test_fewer_epochs_than_the_checkpointed_run_restore_it_with_a_warning(
    data, tmp_path
):
    X, y = data
    six = GRURegressor(max_epochs=6, checkpoint=tmp_path, **FIXED).fit(X, y)
    (path,) = _checkpoints(tmp_path)
    match = (
        f"checkpoint={str(tmp_path)!r} holds this run .* trained for 6 epochs, "
        "more than the 2 this fit asks for \\(max_epochs\\): the 6-epoch model is "
        f"restored, n_iter_ = 6. To train 2 epochs afresh, delete {str(path)!r}"
    )
    with pytest.warns(UserWarning, match=match):
        two = GRURegressor(max_epochs=2, checkpoint=tmp_path, **FIXED).fit(X, y)
    assert two.n_iter_ == 6
    np.testing.assert_array_equal(two.predict(X), six.predict(X))
    with warnings.catch_warnings():  # as many epochs, or more: no warning
        warnings.simplefilter("error")
        GRURegressor(max_epochs=6, checkpoint=tmp_path, **FIXED).fit(X, y)
        GRURegressor(max_epochs=7, checkpoint=tmp_path, **FIXED).fit(X, y)


KILLED_RUN = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from skorch.callbacks import Callback
    from sksequence import GRURegressor

    class Slow(Callback):
        def on_epoch_end(self, net, **kwargs):
            time.sleep(float(sys.argv[2]))

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 8, 2)).astype(np.float32)
    y = X[:, -2:, 0].sum(axis=1)
    reg = GRURegressor(hidden_size=6, max_epochs=8, early_stopping=False,
                       n_iter_no_change=1000, random_state=0,
                       checkpoint=sys.argv[1], callbacks=[Slow()]).fit(X, y)
    print(reg.n_iter_, list(reg.history_.index))
    """
)


def _epochs_saved(directory):
    if not _checkpoints(directory):
        return 0
    try:
        return torch.load(_checkpoints(directory)[0], weights_only=True)["epochs"]
    except Exception:  # being replaced at this instant
        return 0


@pytest.mark.slow
def test_sigkill_mid_run_then_resume(tmp_path):
    ckpt = tmp_path / "ckpt"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, str(ckpt), "0.5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while _epochs_saved(ckpt) < 3 and time.time() < deadline:
        assert proc.poll() is None, "the training process ended before the kill"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = _epochs_saved(ckpt)
    assert 3 <= done < 8
    out = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(ckpt), "0"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")[0]
    assert out == "8 [1, 2, 3, 4, 5, 6, 7, 8]"


def test_short_epochs_are_saved_sparingly_but_the_last_one_always(
    data, tmp_path, monkeypatch
):
    """Saves are spaced out to at most one a second, and to at most a tenth
    of the training time; a run still ends with its final epoch on disk,
    ready to continue exactly."""
    from sksequence._checkpoint import EpochCheckpoint

    X, y = data
    saved = []
    original = EpochCheckpoint._save

    def recording(self, net, converged):
        saved.append(len(net.history))
        original(self, net, converged)

    monkeypatch.setattr(EpochCheckpoint, "_save", recording)
    GRURegressor(max_epochs=5, checkpoint=tmp_path, **FIXED).fit(X, y)
    assert saved == [5]  # epochs of milliseconds: only the last one
    monkeypatch.setattr(EpochCheckpoint, "MIN_INTERVAL", 0.0)
    monkeypatch.setattr(EpochCheckpoint, "SAVE_RATIO", 1e9)  # saving is "slow"
    longer = GRURegressor(max_epochs=8, checkpoint=tmp_path, **FIXED).fit(X, y)
    assert saved == [5, 6, 8]  # the first epoch (no save timed yet) and the last
    direct = GRURegressor(max_epochs=8, **FIXED).fit(X, y)
    np.testing.assert_array_equal(longer.predict(X), direct.predict(X))
