"""The early-stopping holdout: chosen by what the samples are."""

import warnings

import numpy as np
import pytest
from shared_settings import CLASSIFIERS, FAST
from sklearn.model_selection import PredefinedSplit, TimeSeriesSplit
from sklearn.utils._param_validation import InvalidParameterError
from skorch.dataset import Dataset

from sksequence import GRUClassifier, GRURegressor, make_forecasting_data
from sksequence._split import HoldoutSplit, tail_of_each_group
from sksequence._training import net_input

# the holdout these tests look at; classifiers hold out nothing by default
# (early_stopping="auto")
HOLDOUT = {**FAST, "early_stopping": True}


def sorted_by_class(n_per_class=30, n_classes=3, length=12, seed=0):
    """Class i: a bump at step 2i; the training set in class blocks."""
    rng = np.random.default_rng(seed)
    X = 0.3 * rng.normal(size=(n_per_class * n_classes, length, 1))
    y = np.repeat(np.arange(n_classes), n_per_class)
    X[np.arange(len(y)), 2 * y, 0] += 3.0
    return X.astype(np.float32), y


@pytest.mark.parametrize(
    "counts",
    [(30, 30, 30), (50, 3, 1), (1, 1), (2, 1, 1, 1), (1, 1, 1, 40), (7,) * 10],
)
@pytest.mark.parametrize("fraction", [0.1, 0.2, 0.5, 0.9])
def test_stratified_split_never_drops_a_class(counts, fraction):
    y = np.repeat(np.arange(len(counts)), counts)  # sorted, as archives ship
    split = HoldoutSplit("stratified", fraction, seed=0, classes=np.arange(9))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train, valid = split(y)
    assert len(valid) >= 1 and len(train) >= 1
    np.testing.assert_array_equal(np.sort(np.r_[train, valid]), np.arange(len(y)))
    if len(y) > len(counts):  # room for a holdout beside one sample per class
        assert set(y[train]) == set(y)
        assert not caught
    else:  # only singletons: the one held-out class is warned about
        assert "never trains on them" in str(caught[0].message)


def test_stratified_split_keeps_class_shares():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    train, valid = HoldoutSplit("stratified", 0.2, seed=0)(y)
    np.testing.assert_array_equal(np.bincount(y[valid]), [12, 6, 2])


@pytest.mark.parametrize("method", ["stratified", "shuffle"])
def test_seeded_splits_are_reproducible_and_leave_global_state(method):
    y = np.repeat([0, 1], 50)
    state = np.random.get_state()[1].copy()
    a = HoldoutSplit(method, 0.2, seed=3)(y)
    b = HoldoutSplit(method, 0.2, seed=3)(y)
    c = HoldoutSplit(method, 0.2, seed=4)(y)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_classifier_learns_a_class_sorted_set_as_well_as_a_shuffled_one():
    X, y = sorted_by_class()
    X_test, y_test = sorted_by_class(seed=1)
    perm = np.random.default_rng(0).permutation(len(y))
    scores = []
    for order in (np.arange(len(y)), perm):
        clf = GRUClassifier(
            hidden_size=16, max_epochs=40, random_state=0, early_stopping=True
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # nothing to warn about
            clf.fit(X[order], y[order])
        scores.append(clf.score(X_test, y_test))
    assert min(scores) >= 0.9
    assert abs(scores[0] - scores[1]) <= 0.05


@pytest.mark.parametrize("Classifier", CLASSIFIERS)
def test_classifiers_default_to_a_stratified_holdout(Classifier):
    X, y = sorted_by_class()
    clf = Classifier(**HOLDOUT).fit(X, y)
    y_net = np.searchsorted(clf.classes_, y)
    train, valid = clf.net_.train_split(Dataset(X, torch_tensor(y_net)))
    assert set(train.y.tolist()) == set(valid.y.tolist()) == {0, 1, 2}
    assert len(valid) == 18


def test_tail_on_a_class_sorted_set_warns_that_a_class_is_never_trained():
    X, y = sorted_by_class(n_per_class=10)  # the last 20 %: 6 of class 2's 10
    with pytest.warns(UserWarning, match="holds only class 2.*sorted by class"):
        GRUClassifier(validation_split="tail", **HOLDOUT).fit(X, y)
    X, y = X[:24], y[:24]  # classes 0, 1, 2 with 10, 10, 4 samples
    with pytest.warns(UserWarning, match=r"class\(es\) \[2\].*never trains"):
        GRUClassifier(validation_split="tail", **HOLDOUT).fit(X, y)


def test_regressors_hold_out_the_tail_of_windows():
    series = np.sin(np.arange(300) / 5.0).astype(np.float32)
    X, y = make_forecasting_data(series, window_size=10)
    reg = GRURegressor(**FAST).fit(X, y)
    split = reg.net_.train_split(Dataset(net_input(X, None), torch_tensor(y)))
    train, valid = split
    n_valid = round(0.2 * len(X))
    np.testing.assert_array_equal(valid.X, X[-n_valid:])  # no look-ahead
    assert train.X.data_ptr() == series.ctypes.data  # still a view
    with pytest.raises(ValueError, match="needs class labels.*regressor"):
        GRURegressor(validation_split="stratified", **FAST).fit(X, y)


def test_shuffle_and_splitters():
    X, y = sorted_by_class(n_per_class=10)
    fold = np.where(np.arange(len(y)) % 5 == 0, 0, -1)  # every fifth validates
    clf = GRUClassifier(validation_split=PredefinedSplit(fold), **HOLDOUT).fit(X, y)
    _, valid = clf.net_.train_split(Dataset(X, torch_tensor(y)))
    np.testing.assert_array_equal(valid.X, X[::5])
    reg = GRURegressor(validation_split="shuffle", **FAST).fit(X, y.astype(float))
    assert reg.history_["valid_loss"].notna().all()
    # TimeSeriesSplit's first fold is a head/tail split too
    GRURegressor(validation_split=TimeSeriesSplit(2), **FAST).fit(X, y * 1.0)


def test_bad_validation_splits_say_what_is_wrong():
    X, y = sorted_by_class(n_per_class=10)
    with pytest.raises(InvalidParameterError, match="validation_split"):
        GRUClassifier(validation_split="last", **HOLDOUT).fit(X, y)
    with pytest.raises(InvalidParameterError, match="validation_split"):
        GRUClassifier(validation_split=0.2, **HOLDOUT).fit(X, y)
    everyone_trains = PredefinedSplit(np.full(len(y), -1))
    with pytest.raises(ValueError, match="yielded no split"):
        GRUClassifier(validation_split=everyone_trains, **HOLDOUT).fit(X, y)
    with pytest.raises(ValueError, match="needs one label per sequence"):
        GRUClassifier(
            validation_split="stratified", return_sequences=True, **HOLDOUT
        ).fit(X, np.repeat(y[:, None], X.shape[1], axis=1))


def test_per_step_labels_default_to_a_shuffled_holdout():
    X, y = sorted_by_class(n_per_class=10)
    Y = np.repeat(y[:, None], X.shape[1], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = GRUClassifier(return_sequences=True, **HOLDOUT).fit(X, Y)
    assert clf.net_.train_split.plan.method == "shuffle"


def torch_tensor(a):
    import torch

    return torch.from_numpy(np.ascontiguousarray(a))


def test_tail_of_each_group_holds_out_every_series_latest_windows():
    _, _, groups = make_forecasting_data(
        [np.arange(12.0), np.arange(32.0), np.arange(4.0)], 3, return_groups=True
    )  # 9, 29 and 1 windows
    split = tail_of_each_group(groups, 0.2)
    ((train, valid),) = split.split()
    fold = split.test_fold
    np.testing.assert_array_equal(fold[:9], [-1] * 7 + [0] * 2)  # round(1.8)
    np.testing.assert_array_equal(fold[9:38], [-1] * 23 + [0] * 6)  # round(5.8)
    assert fold[38] == -1  # one window: it trains
    # every series' holdout comes after all its training windows
    for g in range(2):
        assert train[groups[train] == g].max() < valid[groups[valid] == g].min()
