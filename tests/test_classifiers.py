"""Tests for sksequence._classifiers: what only the three classifiers do.

Labels and ``classes_``, ``predict_proba`` and ``decision_function``, targets
that are not class labels, a label per time step. The template they share
with the regressors: ``test_base.py``.
"""

import numpy as np
import pytest
from shared_settings import CLASSIFIERS, FAST
from sklearn.exceptions import NotFittedError

from sksequence import GRUClassifier, LSTMClassifier

# -- learning --------------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_classifiers_learn_string_labels_multiclass(cls):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 8, 1))
    y = np.array(["a", "b", "c"])[np.argmax(X[:, -3:, 0], axis=1)]
    clf = cls(hidden_size=32, max_epochs=80, lr=1e-2, early_stopping=False)
    clf.set_params(random_state=0).fit(X, y)
    assert list(clf.classes_) == ["a", "b", "c"]
    assert clf.score(X, y) > 0.9
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    assert clf.decision_function(X).shape == (150, 3)


@pytest.mark.parametrize("labels", [[False, True], [-1, 1], ["no", "yes"]])
def test_binary_decision_function_sign_matches_predict(labels):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 6))
    y = np.asarray(labels)[(X[:, -1] > 0).astype(int)]
    clf = GRUClassifier(**FAST).fit(X, y)
    scores = clf.decision_function(X)
    assert scores.shape == (40,)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(scores > 0) * 1])


# -- bad targets, unfitted -------------------------------------------------------------


def test_single_class_is_rejected():
    with pytest.raises(ValueError, match="at least 2 classes"):
        GRUClassifier(**FAST).fit(np.zeros((10, 4)), ["a"] * 10)


def test_continuous_target_is_rejected_by_classifiers():
    with pytest.raises(ValueError, match="Unknown label type"):
        LSTMClassifier(**FAST).fit(np.zeros((10, 4)), np.linspace(0, 1, 10))


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function"])
def test_predict_before_fit(method):
    with pytest.raises(NotFittedError):
        getattr(GRUClassifier(), method)(np.zeros((2, 3)))


# -- a label per time step (return_sequences) ------------------------------------------


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_sequence_labelling(cls):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 9, 1))
    y = np.where(X[:, :, 0] > 0, "pos", "neg")  # a label per step
    clf = cls(
        hidden_size=16,
        max_epochs=60,
        lr=1e-2,
        return_sequences=True,
        early_stopping=False,
        random_state=0,
    ).fit(X, y)
    assert list(clf.classes_) == ["neg", "pos"]
    assert clf.predict(X).shape == (120, 9)
    assert clf.predict_proba(X).shape == (120, 9, 2)
    assert clf.decision_function(X).shape == (120, 9)
    assert clf.score(X, y) > 0.95
    # causal under the classifiers' defaults (instance_norm=True is ignored:
    # a sequence's mean and scale would carry its later steps to earlier ones)
    later_changed = X.copy()
    later_changed[:, 5:] *= 10.0
    np.testing.assert_allclose(
        clf.predict_proba(later_changed)[:, :5], clf.predict_proba(X)[:, :5], atol=1e-6
    )
    ragged = [x[: 3 + i % 6] for i, x in enumerate(X)]
    labels = [row[: 3 + i % 6] for i, row in enumerate(y)]
    clf.fit(ragged, labels)
    assert [len(p) for p in clf.predict(ragged)] == [len(r) for r in ragged]


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_bidirectional_auto_reads_both_ways_unless_each_step_has_an_output(cls):
    """bidirectional="auto" (the classifiers' default): both directions for
    a label per sequence; one with return_sequences, which stays causal
    (test above); an explicit True there reads the later steps too."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 8, 1))
    y = np.where(X[:, 0, 0] > 0, "up", "down")
    steps = np.where(X[:, :, 0] > 0, "up", "down")
    params = dict(hidden_size=4, max_epochs=2, random_state=0, n_threads=1)
    assert cls().bidirectional == "auto"
    assert cls(**params).fit(X, y).net_.module_.num_directions == 2
    per_step = cls(return_sequences=True, **params).fit(X, steps)
    assert per_step.net_.module_.num_directions == 1
    assert per_step.get_params()["bidirectional"] == "auto"  # never rewritten
    both = cls(return_sequences=True, bidirectional=True, **params).fit(X, steps)
    later_changed = X.copy()
    later_changed[:, 5:] *= 10.0
    assert not np.allclose(
        both.predict_proba(later_changed)[:, :5], both.predict_proba(X)[:, :5]
    )
    with pytest.raises(ValueError, match="bidirectional"):
        cls(bidirectional="yes", **params).fit(X, y)
